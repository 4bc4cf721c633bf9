//! load-balancer: clients submit jobs, a balancer forwards them to servers.
//! The seed's round robin (processes 1..10 over 4 servers) with exact lists
//! and message counts; least-connections and weighted with exact
//! assignments; a crashed server detected by the timeout, skipped, its job
//! retried elsewhere with exactly one response; recovery; duplicates and
//! late responses; bad input; replay and step back; property tests over
//! random fault schedules; the broken variants caught; the table pane; a
//! thousand nodes; screen snapshots at 80×24 and 120×40.
//!
//! Property cases: `DISTLAB_PROPTEST_CASES` (default 1000). A failing case
//! prints the script that reproduces it.

mod common;

use common::prop::*;
use common::*;
use distlab::engine::input::Input;
use distlab::engine::trace::RunConfig;
use distlab::scenario::Scenario;
use distlab::tui::App;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};

const LB: &str = "load-balancer";

fn res(sc: &dyn Scenario) -> Value {
    sc.report()["result"].clone()
}

fn submits(labels: impl IntoIterator<Item = impl std::fmt::Display>) -> String {
    labels.into_iter().map(|l| format!("submit {l}")).collect::<Vec<_>>().join(";")
}

/// Step until a message of `kind` is in flight (at most 100 steps).
fn step_until(sc: &mut dyn Scenario, kind: &str) {
    for _ in 0..100 {
        if in_flight(sc).iter().any(|m| m.kind == kind) {
            return;
        }
        line(sc, "step");
    }
    panic!("no {kind} in flight: {:#?}", in_flight(sc));
}

// ----- exact behaviour ----------------------------------------------------------

#[test]
fn the_seeds_ten_processes_go_round_robin_over_four_servers() {
    let sc = run_script(config(LB, 6, 1, &[]), &("fifo on;".to_string() + &submits(1..=10) + ";run"));
    let r = res(sc.as_ref());
    assert_eq!(r["assignments"], json!({"2": ["1","5","9"], "3": ["2","6","10"], "4": ["3","7"], "5": ["4","8"]}));
    assert_eq!(total_messages(sc.as_ref()), 40, "JOB, FORWARD, DONE, REPLY per job");
    for kind in ["JOB", "FORWARD", "DONE", "REPLY"] {
        assert_eq!(by_kind(sc.as_ref(), kind), 10, "{kind}");
    }
    let answered: Vec<&str> = r["responses"].as_array().unwrap().iter().map(|a| a["label"].as_str().unwrap()).collect();
    let mut sorted = answered.clone();
    sorted.sort_by_key(|l| l.parse::<u32>().unwrap());
    assert_eq!(sorted, (1..=10).map(|i| i.to_string()).collect::<Vec<_>>());
    assert_eq!(r["retries"], json!([]));
    assert_eq!(r["dead"], json!([]));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    // The same lists under the random scheduler and on the actor driver.
    let cfg = with_sched(config(LB, 6, 9, &[]), distlab::engine::input::SchedMode::Random);
    let sc = run_script(cfg, &("fifo on;".to_string() + &submits(1..=10) + ";run"));
    assert_eq!(res(sc.as_ref())["assignments"]["3"], json!(["2", "6", "10"]));
    assert!(sc.violations().is_empty());
}

#[test]
fn least_connections_picks_the_server_with_fewest_jobs() {
    let script = "fifo on; submit a 0 1000; submit b 0 1000; submit c 0 1000; submit d 0 1";
    for (policy, want) in [
        ("least-connections", json!({"2": ["a","f"], "3": ["b"], "4": ["c"], "5": ["d","e"]})),
        ("round-robin", json!({"2": ["a","e"], "3": ["b","f"], "4": ["c"], "5": ["d"]})),
    ] {
        let mut sc = open(config(LB, 6, 1, &[("policy", policy), ("timeout", "5000")]));
        lines(sc.as_mut(), script);
        // Until d (1 ms) is answered: a, b, c still run.
        while res(sc.as_ref())["responses"].as_array().unwrap().is_empty() {
            line(sc.as_mut(), "step");
        }
        lines(sc.as_mut(), "submit e; submit f; run");
        assert_eq!(res(sc.as_ref())["assignments"], want, "{policy}");
        assert!(sc.violations().is_empty(), "{policy}: {:?}", sc.violations());
    }
}

#[test]
fn weighted_gives_each_server_its_share_smoothly() {
    let sc = run_script(
        config(LB, 6, 1, &[("policy", "weighted"), ("weights", "3,1,1,1")]),
        &("fifo on;".to_string() + &submits(1..=12) + ";run"),
    );
    assert_eq!(
        res(sc.as_ref())["assignments"],
        json!({"2": ["1","3","6","7","9","12"], "3": ["2","8"], "4": ["4","10"], "5": ["5","11"]})
    );
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    let sc = run_script(
        config(LB, 5, 1, &[("policy", "weighted"), ("weights", "1,2,1")]),
        &("fifo on;".to_string() + &submits(1..=4) + ";run"),
    );
    assert_eq!(res(sc.as_ref())["assignments"], json!({"2": ["2"], "3": ["1","4"], "4": ["3"]}));
}

#[test]
fn a_crashed_server_is_detected_skipped_and_its_job_retried_elsewhere() {
    let mut sc = open(config(LB, 6, 1, &[]));
    lines(sc.as_mut(), "fifo on; submit 1; submit 2; crash 3; run");
    let r = res(sc.as_ref());
    assert_eq!(r["dead"], json!([3]));
    assert_eq!(r["retries"], json!([{"client":0,"job":2,"label":"2","from":3,"to":4,"attempt":2}]));
    assert_eq!(r["responses"].as_array().unwrap().len(), 2);
    assert_eq!(r["responses"][1], json!({"client":0,"job":2,"label":"2","server":4}));
    assert_eq!(sc.badge(1), "1 dead");
    let b = inspect(sc.as_mut(), 1);
    assert_eq!(b["marked dead"], "3");
    assert_eq!(b["servers up"], "2 4 5");
    // From now on the rotation skips server 3.
    lines(sc.as_mut(), &(submits(3..=6) + ";run"));
    let r = res(sc.as_ref());
    assert_eq!(r["assignments"], json!({"2": ["1","4"], "3": ["2"], "4": ["2","5"], "5": ["3","6"]}));
    assert_eq!(by_kind(sc.as_ref(), "REPLY"), 6, "exactly one response per job");
    assert_eq!(by_kind(sc.as_ref(), "FORWARD"), 7);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    // The table pane shows it.
    let t = sc.table().expect("load-balancer has a table");
    assert_eq!(t.header, vec!["srv", "state", "active", "done", "w", "assigned"]);
    assert_eq!(t.rows[1], vec!["3", "dead", "0", "0", "1", "2"]);
    assert_eq!(t.rows[2], vec!["4", "up", "0", "2", "1", "2 5"]);
    assert_eq!(t.flagged, vec![1]);
    // Back: HELLO, and the rotation includes it again.
    lines(sc.as_mut(), "recover 3; run");
    assert_eq!(by_kind(sc.as_ref(), "HELLO"), 1);
    assert_eq!(res(sc.as_ref())["dead"], json!([]));
    lines(sc.as_mut(), &(submits(7..=9) + ";run"));
    assert_eq!(res(sc.as_ref())["assignments"]["3"], json!(["2", "8"]));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn with_every_server_down_jobs_wait_and_the_balancer_pings() {
    let mut sc = open(config(LB, 4, 1, &[]));
    lines(sc.as_mut(), "crash 2; crash 3; submit x; step 40");
    assert_eq!(sc.status().as_deref(), Some("no server up: 1 jobs wait"));
    assert!(by_kind(sc.as_ref(), "PING") > 0);
    lines(sc.as_mut(), "recover 3; run");
    assert_eq!(res(sc.as_ref())["responses"][0]["server"], json!(3));
    assert_eq!(sc.status(), None);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn a_late_response_is_ignored_and_the_server_rejoins() {
    let mut sc = open(config(LB, 6, 1, &[]));
    line(sc.as_mut(), "submit 1");
    step_until(sc.as_mut(), "DONE");
    let id = msg_id(sc.as_ref(), "DONE", 2, 1);
    lines(sc.as_mut(), &format!("delay {id} 200; run"));
    let r = res(sc.as_ref());
    assert_eq!(r["responses"], json!([{"client":0,"job":1,"label":"1","server":3}]));
    assert_eq!(r["dead"], json!([]), "the late DONE shows server 2 was alive");
    assert_eq!(by_kind(sc.as_ref(), "REPLY"), 1);
    assert!(sc.log().iter().any(|l| l.text.contains("ignores a late DONE of 1 from 2")));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn duplicates_get_one_response_and_lost_replies_are_repaired_by_retry() {
    // A duplicated FORWARD runs once; a duplicated REPLY is taken once.
    let mut sc = open(config(LB, 6, 1, &[]));
    line(sc.as_mut(), "submit 1");
    step_until(sc.as_mut(), "FORWARD");
    let id = msg_id(sc.as_ref(), "FORWARD", 1, 2);
    line(sc.as_mut(), &format!("dup {id}"));
    step_until(sc.as_mut(), "REPLY");
    let id = msg_id(sc.as_ref(), "REPLY", 1, 0);
    lines(sc.as_mut(), &format!("dup {id}; run"));
    assert_eq!(res(sc.as_ref())["responses"].as_array().unwrap().len(), 1);
    assert!(sc.log().iter().any(|l| l.text.contains("ignores a second response to 1")));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    // A dropped REPLY: without retry the job is never answered (flagged at
    // quiescence); with retry the client asks again and the balancer
    // answers from its cache without running the job again.
    for retry in ["0", "30"] {
        let mut sc = open(config(LB, 6, 1, &[("retry", retry)]));
        line(sc.as_mut(), "submit 1");
        step_until(sc.as_mut(), "REPLY");
        let id = msg_id(sc.as_ref(), "REPLY", 1, 0);
        lines(sc.as_mut(), &format!("drop {id}; run"));
        if retry == "0" {
            // Without retry a lost message is not claimed: a status, not red.
            assert!(sc.violations().is_empty(), "{:?}", sc.violations());
            assert_eq!(
                sc.statuses(),
                vec![format!(
                    "stuck: client 0 never got a response to job numbers [1] — REPLY #{id} 1→0 was dropped at step {}",
                    drop_step(sc.as_ref())
                )]
            );
        } else {
            assert_eq!(res(sc.as_ref())["responses"].as_array().unwrap().len(), 1);
            assert_eq!(res(sc.as_ref())["assignments"]["2"], json!(["1"]), "ran once");
            assert!(by_kind(sc.as_ref(), "JOB") >= 2);
            assert!(sc.violations().is_empty(), "{:?}", sc.violations());
        }
    }
}

#[test]
fn a_balancer_crash_loses_its_jobs_and_the_clients_send_them_again() {
    let mut sc = open(config(LB, 6, 1, &[("clients", "2")]));
    assert_eq!(inspect(sc.as_mut(), 2)["role"], "balancer");
    lines(sc.as_mut(), "submit a 0; submit b 1; step 3; crash 2");
    assert_eq!(sc.status().as_deref(), Some("balancer 2 crashed: no job gets through"));
    lines(sc.as_mut(), "run; recover 2; run");
    assert_eq!(by_kind(sc.as_ref(), "RESTART"), 2);
    let r = res(sc.as_ref());
    let mut got: Vec<(u64, String)> = r["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["client"].as_u64().unwrap(), a["label"].as_str().unwrap().to_string()))
        .collect();
    got.sort();
    assert_eq!(got, vec![(0, "a".into()), (1, "b".into())]);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn inspector_shows_the_real_data_structures() {
    let mut sc = open(config(LB, 6, 1, &[("work", "100")]));
    lines(sc.as_mut(), "fifo on; submit 1; submit 2; submit 3; step 6");
    let b = inspect(sc.as_mut(), 1);
    assert_eq!(b["role"], "balancer");
    assert_eq!(b["policy"], "round-robin");
    assert_eq!(b["next (rr)"], "5");
    assert_eq!(b["outstanding"], "1→2 try 1 2→3 try 1 3→4 try 1");
    assert_eq!(b["active"], "2:1 3:1 4:1");
    let c = inspect(sc.as_mut(), 0);
    assert_eq!(c["role"], "client of 1");
    assert_eq!(c["waiting"], "1 2 3");
    assert_eq!(c["responses"], "-");
    let s = inspect(sc.as_mut(), 2);
    assert_eq!(s["role"], "server of 1");
    assert_eq!(s["running"], "1 (job 1 of 0, try 1)");
    assert_eq!(s["assigned"], "1");
    line(sc.as_mut(), "run");
    assert_eq!(inspect(sc.as_mut(), 0)["responses"], "1←2 2←3 3←4");
}

#[test]
fn bad_input_is_rejected_with_a_clear_message_and_changes_nothing() {
    let mut sc = open(config(LB, 6, 1, &[]));
    for (l, want) in [
        ("submit", "usage: submit P [C] [MS] (1 to 3 argument(s), got none)"),
        ("submit 1 9", "node 9 does not exist (nodes are 0..5)"),
        ("submit 1 x", "`submit P [C] [MS]`: C is a node id, not \"x\""),
        ("submit 1 0 ten", "`submit P [C] [MS]`: MS is whole ms from 0 to 1000000000, not \"ten\""),
        ("submit 1 0 -5", "`submit P [C] [MS]`: MS is whole ms from 0 to 1000000000, not \"-5\""),
        ("submit 1 0 5 6", "usage: submit P [C] [MS] (1 to 3 argument(s), got 4)"),
        ("request 1", "submit P [C] [MS]"),
    ] {
        let err = try_line(sc.as_mut(), l).unwrap_err();
        assert!(err.contains(want), "{l}: {err}");
    }
    assert_eq!(sc.step(), 0);
    assert!(sc.history().iter().all(|e| matches!(e.kind, distlab::engine::record::EvKind::Start)));
    // A crashed client refuses.
    line(sc.as_mut(), "crash 0");
    assert!(try_line(sc.as_mut(), "submit 1").unwrap_err().contains("node 0 is crashed"));
    for (k, v, want) in [
        ("policy", "random", "expected one of round-robin, least-connections, weighted"),
        ("weights", "3,1", "2 weights for 4 servers"),
        ("weights", "3,0,1,1", "positive whole numbers"),
        ("clients", "5", "need at least 1 client, the balancer and 1 server"),
        ("clients", "0", "parameter clients=0: expected a whole number from 1 to 4094"),
        ("timeout", "0", "parameter timeout=0: expected whole ms from 1 to 1000000000"),
        ("work", "-3", "parameter work=-3: expected whole ms from 0 to 1000000000"),
        ("work", "1000000001", "parameter work=1000000001: expected whole ms from 0 to 1000000000"),
        ("variant", "nope", "expected one of correct, no-skip, no-dedup"),
        ("speed", "1", "unknown parameter"),
    ] {
        let err = block_on(distlab::algos::open_run(config(LB, 6, 1, &[(k, v)]))).err().unwrap();
        assert!(err.contains(want), "{k}={v}: {err}");
    }
    let err = block_on(distlab::algos::open_run(config(LB, 2, 1, &[]))).err().unwrap();
    assert!(err.contains("3 to 4096 nodes"), "{err}");
}

/// A node that is not a client named as `C` used to be accepted and only
/// logged a note at that node ("only a client submits jobs"): the parser
/// could not see the `clients` parameter. The card's `C` is a client node,
/// checked against the run's roles, so it is refused and nothing changes.
#[test]
fn a_balancer_or_server_named_as_the_client_is_refused_and_nothing_changes() {
    let mut sc = run_script(config(LB, 6, 1, &[("clients", "2")]), "submit a; run");
    let before = snapshot(sc.as_mut());
    let inputs = sc.inputs().to_vec();
    let log = sc.log().len();
    assert_eq!(
        (0..6).map(|i| sc.node_role(i)).collect::<Vec<_>>(),
        ["client", "client", "balancer", "server", "server", "server"]
    );
    for (l, want) in [
        ("submit b 2", "node 2 is a balancer; `submit P [C] [MS]` needs a client (nodes 0..1)"),
        ("submit b 3", "node 3 is a server; `submit P [C] [MS]` needs a client (nodes 0..1)"),
        ("submit b 5 10", "node 5 is a server; `submit P [C] [MS]` needs a client (nodes 0..1)"),
        ("submit b 1 1000000001", "`submit P [C] [MS]`: MS is whole ms from 0 to 1000000000, not \"1000000001\""),
        (
            "submit b 1 18446744073709551615",
            "`submit P [C] [MS]`: MS is whole ms from 0 to 1000000000, not \"18446744073709551615\"",
        ),
    ] {
        assert_eq!(try_line(sc.as_mut(), l).expect_err(l), want, "{l}");
        let mut words = l.split(' ').map(String::from);
        let input = Input::Verb { verb: words.next().unwrap(), args: words.collect() };
        assert_eq!(apply(sc.as_mut(), input).expect_err(l), want, "{l} applied directly");
    }
    assert_eq!(snapshot(sc.as_mut()), before);
    assert_eq!(sc.inputs(), inputs.as_slice());
    assert_eq!(sc.log().len(), log, "nothing logged: {:?}", sc.log());
    // Client 1 may submit, with the largest work time a card allows.
    lines(sc.as_mut(), "submit b 1 1000000000; run");
    assert_eq!(res(sc.as_ref())["responses"].as_array().unwrap().len(), 2);
}

#[test]
fn runs_replay_exactly_and_step_back() {
    let script = "submit 1; submit 2; crash 3; step 7; submit 3; run; recover 3; submit 4; run";
    let mut sc = run_script(config(LB, 6, 4, &[("retry", "25")]), script);
    let mut again = replay_inputs(sc.as_ref());
    assert_eq!(snapshot(sc.as_mut()), snapshot(again.as_mut()));
    let mut short = run_script(config(LB, 6, 4, &[("retry", "25")]), "submit 1; submit 2; crash 3; step 6");
    let mut back = run_script(config(LB, 6, 4, &[("retry", "25")]), "submit 1; submit 2; crash 3; step 7");
    step_back(back.as_mut()).unwrap();
    assert_eq!(snapshot(short.as_mut()), snapshot(back.as_mut()));
}

#[test]
fn a_thousand_nodes_run_headless() {
    let t = std::time::Instant::now();
    let mut cfg = config(LB, 1000, 5, &[]);
    cfg.sim.logging = false;
    let mut sc = open(cfg);
    lines(sc.as_mut(), &("fifo on;".to_string() + &submits(1..=300) + ";run"));
    let r = res(sc.as_ref());
    assert_eq!(r["assignments"].as_object().unwrap().len(), 998);
    assert_eq!(r["assignments"]["2"], json!(["1"]));
    assert_eq!(r["assignments"]["301"], json!(["300"]));
    assert_eq!(r["assignments"]["302"], json!([]));
    assert_eq!(total_messages(sc.as_ref()), 1200);
    lines(sc.as_mut(), "crash 302; submit x; run");
    assert_eq!(res(sc.as_ref())["retries"][0]["to"], json!(303));
    assert!(sc.violations().is_empty());
    // The table pane keeps the latest assignment in view.
    assert_eq!(sc.table().unwrap().highlight, Some(301));
    println!("1000 nodes: {:?}", t.elapsed());
}

// ----- the broken variants are caught -----------------------------------------

#[test]
fn no_skip_is_caught() {
    let script = "fifo on; submit 1; submit 2; crash 3; run; submit 3; submit 4; submit 5; run";
    let mut sc = run_script(config(LB, 6, 1, &[("variant", "no-skip")]), script);
    assert_eq!(violated(sc.as_ref()), vec!["no-send-to-known-dead"]);
    assert_eq!(sc.violations()[0].detail, "the balancer forwarded 5 to server 3, which it has marked dead");
    assert_eq!(inspect(sc.as_mut(), 1)["variant"], "no-skip (BROKEN)");
    let sc = run_script(config(LB, 6, 1, &[]), script);
    assert!(sc.violations().is_empty());
}

#[test]
fn no_dedup_is_caught() {
    for variant in ["no-dedup", "correct"] {
        let mut sc = open(config(LB, 6, 1, &[("variant", variant)]));
        line(sc.as_mut(), "submit 1");
        step_until(sc.as_mut(), "DONE");
        let id = msg_id(sc.as_ref(), "DONE", 2, 1);
        lines(sc.as_mut(), &format!("delay {id} 200; run"));
        if variant == "correct" {
            assert!(sc.violations().is_empty());
        } else {
            assert_eq!(violated(sc.as_ref()), vec!["exactly-one-response"]);
            assert_eq!(sc.violations()[0].detail, "client 0 got 2 responses to job 1 (labelled 1)");
        }
    }
}

// ----- property tests ------------------------------------------------------------

const SAFETY: &[&str] = &["no-send-to-known-dead", "exactly-one-response", "round-robin-order"];

fn submit(sc: &dyn Scenario, node: usize) -> Input {
    // Clients are the low nodes; the label says when it was sent.
    let clients = sc.config().params.iter().find(|(k, _)| k == "clients").map_or(1, |(_, v)| v.parse().unwrap());
    Input::Verb { verb: "submit".into(), args: vec![format!("j{}", sc.step()), (node % clients).to_string()] }
}

const SUBMIT: Actions = Actions { act: submit, delay_timers: true };

#[derive(Clone, Debug)]
struct Case {
    n: usize,
    clients: usize,
    seed: u64,
    policy: usize,
    random_sched: bool,
    ops: Vec<Op>,
}

fn case() -> impl Strategy<Value = Case> {
    (3usize..=8, 1usize..=2, any::<u64>(), 0usize..3, any::<bool>(), proptest::collection::vec(fault_op(ALL, 8), 1..80))
        .prop_map(|(n, clients, seed, policy, random_sched, ops)| Case {
            n,
            clients: clients.min(n - 2),
            seed,
            policy,
            random_sched,
            ops,
        })
}

fn run_config(c: &Case, variant: &str) -> RunConfig {
    let clients = c.clients.to_string();
    let policy = ["round-robin", "least-connections", "weighted"][c.policy];
    let weights: Vec<String> = (0..c.n - c.clients - 1).map(|i| (i % 3 + 1).to_string()).collect();
    let weights = weights.join(",");
    let params = [
        ("clients", clients.as_str()),
        ("policy", policy),
        ("weights", weights.as_str()),
        ("timeout", "30"),
        ("retry", "40"),
        ("variant", variant),
    ];
    schedule_config(LB, c.n, c.seed, &params, c.random_sched)
}

fn check_case(c: &Case) -> Result<(), TestCaseError> {
    let mut sc = open(run_config(c, "correct"));
    SUBMIT.play(sc.as_mut(), &c.ops);
    safe_during_faults(sc.as_ref(), SAFETY)?;
    // Heal, bring everyone back, let it finish: every job answered once.
    let crashed = recover_crashed(sc.as_ref());
    settle(sc.as_mut(), [heal(), crashed].concat(), "healing", 200_000)?;
    let last = submit(sc.as_ref(), 0);
    settle(sc.as_mut(), vec![last], "last job", 200_000)?;
    never_violated(sc.as_ref())?;
    let submitted = sc.history().iter().filter(|e| matches!(e.kind, distlab::engine::record::EvKind::Request)).count();
    let answered = res(sc.as_ref())["responses"].as_array().unwrap().len();
    if answered != submitted {
        return Err(fail(sc.as_ref(), format!("{submitted} jobs submitted, {answered} answered")));
    }
    check_clocks(sc.as_ref()).map_err(|e| fail(sc.as_ref(), e))
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Crashes (balancer and clients included), partitions, cuts, drops,
    /// loss, delays, duplicates, either scheduler, any policy, one or two
    /// clients: nothing is sent to a server known dead, no job is answered
    /// twice; after healing every job has exactly one response.
    #[test]
    fn safe_and_live_after_healing(c in case()) {
        check_case(&c)?;
    }
}

/// The property tests have teeth: the same random schedules run on the
/// broken variants are caught in a good share of the cases.
#[test]
fn the_random_schedules_catch_the_broken_variants() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let total = 200;
    for (variant, prop) in [("no-skip", "no-send-to-known-dead"), ("no-dedup", "exactly-one-response")] {
        let caught = count_caught(&mut runner, total, &case(), prop, |c| {
            let mut sc = open(run_config(c, variant));
            SUBMIT.play(sc.as_mut(), &c.ops);
            sc
        });
        println!("{variant}: {prop} in {caught}/{total}");
        assert!(caught * 20 >= total, "{variant} caught in only {caught} of {total} schedules");
    }
}

// ----- screen snapshots ------------------------------------------------------------

/// Six nodes after the seed's ten jobs, then server 3 crashed, jobs 11–14
/// submitted and job 14 (server 3's turn) retried on server 4; the balancer (node 1) selected: the table pane
/// lists servers 2–5 with 3 marked dead in red, the inspector the
/// balancer's rotation pointer and dead marks.
fn crashed() -> App {
    let mut l: Vec<String> = vec!["fifo on".to_string()];
    l.extend((1..=10).map(|i| format!("submit {i}")));
    l.extend(
        ["run", "crash 3", "submit 11", "submit 12", "submit 13", "submit 14", "run", "select 1"].map(String::from),
    );
    let l: Vec<&str> = l.iter().map(String::as_str).collect();
    block_on(tui_app(config(LB, 6, 1, &[]), &l))
}

#[test]
fn screen_80x24() {
    let app = crashed();
    let text = screen(&app, 80, 24);
    assert!(text.contains("servers (round-robin)") && text.contains("1 5 9"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn screen_120x40() {
    let app = crashed();
    let text = screen(&app, 120, 40);
    assert!(text.contains("space-time") && text.contains("2 6 10") && text.contains("dead"), "{text}");
    insta::assert_snapshot!(text);
}

/// The step of the run's last lost message (the step its fault was logged at).
fn drop_step(sc: &dyn Scenario) -> u64 {
    let lost = |e: &&distlab::engine::record::EventRec| matches!(e.kind, distlab::engine::record::EvKind::Lost { .. });
    sc.history().iter().rev().find(lost).map_or(0, |e| e.step)
}
