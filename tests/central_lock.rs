//! central-lock: one coordinator grants a lock through the public API.
//! Exact message counts (3 per entry of a non-coordinator node, none for
//! the coordinator's own), the FIFO wait queue in the inspector and the
//! badge, the coordinator as a single point of failure (status, lost queue,
//! RESTART, what `persist=all` keeps), a crashed holder, lost messages
//! repaired by `retry`; property tests over random fault schedules; the
//! broken variants caught; screen snapshots at 80×24 and 120×40.
//!
//! Property cases: `DISTLAB_PROPTEST_CASES` (default 1000). A failing case
//! prints the script that reproduces it.

mod common;

use common::prop::*;
use common::*;
use distlab::engine::input::SchedMode;
use distlab::engine::protocol::Role;
use distlab::engine::trace::RunConfig;
use distlab::scenario::Scenario;
use distlab::tui::App;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const CL: &str = "central-lock";

fn grants(sc: &dyn Scenario) -> Vec<u64> {
    sc.report()["result"]["grants"].as_array().expect("grants").iter().map(|v| v.as_u64().unwrap()).collect()
}

fn queue(sc: &mut dyn Scenario, coord: usize) -> String {
    inspect(sc, coord)["wait queue"].clone()
}

// ----- exact behaviour ----------------------------------------------------------

#[test]
fn costs_exactly_three_messages_per_entry() {
    for n in [2usize, 3, 5, 8] {
        let groups: Vec<Vec<usize>> = vec![vec![1], vec![n - 1], (1..n).collect(), (1..n).rev().collect()];
        for requesters in groups {
            for sched in [SchedMode::Timed, SchedMode::Random] {
                let mut sc = open(with_sched(config(CL, n, 7, &[]), sched));
                for &r in &requesters {
                    line(sc.as_mut(), &format!("request {r}"));
                }
                assert!(line(sc.as_mut(), "run").quiescent);
                let k = requesters.len() as u64;
                let what = format!("n={n} requesters={requesters:?} {sched:?}");
                assert_eq!(total_messages(sc.as_ref()), 3 * k, "{what}");
                for kind in ["REQUEST", "GRANT", "RELEASE"] {
                    assert_eq!(by_kind(sc.as_ref(), kind), k, "{what}: {kind}");
                }
                let mut order = cs_order(sc.as_ref());
                assert_eq!(order, grants(sc.as_ref()), "{what}: entries follow grants");
                order.sort_unstable();
                let mut want: Vec<u64> = requesters.iter().map(|&r| r as u64).collect();
                want.sort_unstable();
                assert_eq!(order, want, "{what}: every requester enters exactly once");
                assert!(sc.violations().is_empty(), "{what}: {:?}", sc.violations());
                assert_eq!(roles(sc.as_ref())[0], Role::Leader, "{what}: the coordinator is drawn as leader");
                assert!(roles(sc.as_ref())[1..].iter().all(|&r| r == Role::Idle), "{what}");
            }
        }
    }
}

#[test]
fn the_coordinators_own_entries_cost_nothing() {
    let sc = run_script(config(CL, 4, 1, &[]), "request 0; run; request 0; run");
    assert_eq!(cs_order(sc.as_ref()), vec![0, 0]);
    assert_eq!(total_messages(sc.as_ref()), 0);
    // Mixed: the coordinator holds, node 2 waits in its queue and is granted
    // when the coordinator leaves: still 3 messages for node 2's entry.
    let mut sc = open(config(CL, 4, 1, &[("cs", "0")]));
    lines(sc.as_mut(), "request 0; request 2; run");
    assert_eq!(sc.role(0), Role::InCs);
    assert_eq!(queue(sc.as_mut(), 0), "2");
    lines(sc.as_mut(), "release 0; run; release 2; run");
    assert_eq!(cs_order(sc.as_ref()), vec![0, 2]);
    assert_eq!(total_messages(sc.as_ref()), 3);
    assert_eq!(sc.role(0), Role::Leader);
    // A single node is its own coordinator.
    let sc = run_script(config(CL, 1, 1, &[]), "request 0; run");
    assert_eq!(cs_order(sc.as_ref()), vec![0]);
    assert!(sc.violations().is_empty());
}

#[test]
fn the_wait_queue_is_fifo_and_visible() {
    let mut sc = open(config(CL, 5, 1, &[("cs", "0")]));
    lines(sc.as_mut(), "request 1; run");
    assert_eq!(sc.role(1), Role::InCs);
    assert_eq!(sc.badge(0), "queue 0");
    assert_eq!(inspect(sc.as_mut(), 0)["lock"], "held by 1");
    // Equal latencies: the requests arrive in the order they were sent.
    lines(sc.as_mut(), "latency 2 2; request 4; request 2; request 3; run");
    assert_eq!(roles(sc.as_ref()), vec![Role::Leader, Role::InCs, Role::Wanting, Role::Wanting, Role::Wanting]);
    assert_eq!(sc.badge(0), "queue 3");
    assert_eq!(sc.badge(1), "");
    let coord = inspect(sc.as_mut(), 0);
    assert_eq!(coord["role"], "coordinator");
    assert_eq!(coord["holder req"], "req 1");
    assert_eq!(coord["wait queue"], "4 2 3");
    assert_eq!(coord["queued reqs"], "1 1 1");
    assert_eq!(coord["grants"], "1");
    assert_eq!(coord["after a crash"], "holder only");
    let four = inspect(sc.as_mut(), 4);
    assert_eq!(four["role"], "client of 0");
    assert_eq!(four["state"], "waiting");
    assert_eq!(four["request"], "req 1");
    // The coordinator answers nothing while the lock is taken.
    assert_eq!(by_kind(sc.as_ref(), "GRANT"), 1);
    assert!(sc.in_flight(10).0.is_empty());
    for (who, next) in [(1, 4), (4, 2), (2, 3)] {
        lines(sc.as_mut(), &format!("release {who}; run"));
        assert_eq!(sc.role(next), Role::InCs, "after {who} leaves");
    }
    assert_eq!(sc.badge(0), "queue 0");
    lines(sc.as_mut(), "release 3; run");
    assert_eq!(inspect(sc.as_mut(), 0)["lock"], "free");
    assert_eq!(cs_order(sc.as_ref()), vec![1, 4, 2, 3]);
    assert_eq!(grants(sc.as_ref()), vec![1, 4, 2, 3]);
    assert_eq!(total_messages(sc.as_ref()), 12);
    assert!(sc.violations().is_empty());
}

#[test]
fn another_node_can_coordinate() {
    let sc = run_script(config(CL, 5, 3, &[("coordinator", "3")]), "request 0; request 3; request 4; run");
    assert_eq!(roles(sc.as_ref())[3], Role::Leader);
    assert_eq!(sc.badge(3), "queue 0");
    assert_eq!(sc.badge(0), "");
    let mut order = cs_order(sc.as_ref());
    order.sort_unstable();
    assert_eq!(order, vec![0, 3, 4]);
    assert_eq!(total_messages(sc.as_ref()), 6, "3 each for 0 and 4, none for the coordinator");
    let err = block_on(distlab::algos::open_run(config(CL, 5, 1, &[("coordinator", "5")]))).err().unwrap();
    assert_eq!(err, "parameter coordinator=5: expected a node id, 0 to 4");
}

#[test]
fn a_coordinator_crash_stops_the_service_and_loses_the_queue() {
    let mut sc = open(config(CL, 5, 1, &[("cs", "0")]));
    lines(sc.as_mut(), "request 1; run; latency 2 2; request 2; request 3; run");
    assert_eq!(queue(sc.as_mut(), 0), "2 3");
    line(sc.as_mut(), "crash 0");
    assert_eq!(sc.status().as_deref(), Some("coordinator 0 crashed: lock service down, 2 waiting"));
    // Node 1 leaves while the coordinator is down: its RELEASE is lost.
    // Node 4 asks: lost too. Nobody can get the lock.
    lines(sc.as_mut(), "release 1; request 4; run");
    assert_eq!(losses(sc.as_ref(), "RELEASE"), vec![(1, 0)]);
    assert_eq!(losses(sc.as_ref(), "REQUEST"), vec![(4, 0)]);
    assert_eq!(roles(sc.as_ref())[1..], [Role::Idle, Role::Wanting, Role::Wanting, Role::Wanting]);
    assert!(sc.violations().is_empty(), "waiting for a dead coordinator is the lesson, not a violation");
    assert_eq!(sc.status().as_deref(), Some("coordinator 0 crashed: lock service down, 3 waiting"));

    // It comes back: it still knows node 1 holds the lock (the grant record
    // is on disk) but its queue is gone. It says RESTART to everyone.
    line(sc.as_mut(), "recover 0");
    assert_eq!(sc.status(), None);
    let coord = inspect(sc.as_mut(), 0);
    assert_eq!(coord["lock"], "held by 1");
    assert_eq!(coord["wait queue"], "-");
    assert_eq!(by_kind(sc.as_ref(), "RESTART"), 4);
    // Node 1 repeats its RELEASE; 2, 3 and 4 ask again, and the queue is
    // rebuilt in the order the repeats arrive.
    line(sc.as_mut(), "run");
    assert_eq!(by_kind(sc.as_ref(), "RELEASE"), 2);
    assert_eq!(by_kind(sc.as_ref(), "REQUEST"), 3 + 1 + 3);
    assert_eq!(sc.role(2), Role::InCs, "the repeats arrive in RESTART order (equal latencies)");
    assert_eq!(queue(sc.as_mut(), 0), "3 4");
    lines(sc.as_mut(), "release 2; run; release 3; run; release 4; run");
    assert_eq!(cs_order(sc.as_ref()), vec![1, 2, 3, 4]);
    assert_eq!(grants(sc.as_ref()), vec![1, 2, 3, 4]);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn persist_all_keeps_the_queue_order_across_a_crash() {
    // Node 4 asked first, then 2. Across the crash, with persist=holder the
    // repeats may arrive in another order; with persist=all the queue
    // survives and 4 goes first whatever the repeats do.
    let script = "request 1; run; latency 2 2; request 4; request 2; run; crash 0; latency 1 1; recover 0; \
                  release 1; run";
    let mut sc = open(config(CL, 5, 1, &[("cs", "0"), ("persist", "all")]));
    lines(sc.as_mut(), script);
    assert_eq!(inspect(sc.as_mut(), 0)["after a crash"], "holder + queue");
    assert_eq!(sc.role(4), Role::InCs);
    assert_eq!(queue(sc.as_mut(), 0), "2");
    // The repeated REQUESTs were recognised as already queued.
    assert_eq!(by_kind(sc.as_ref(), "REQUEST"), 3 + 2);
    lines(sc.as_mut(), "release 4; run; release 2; run");
    assert_eq!(cs_order(sc.as_ref()), vec![1, 4, 2]);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());

    // persist=holder: the queue is rebuilt from the repeats, which come in
    // RESTART order (2 before 4): fairness across the crash is lost.
    let mut sc = open(config(CL, 5, 1, &[("cs", "0")]));
    lines(sc.as_mut(), script);
    assert_eq!(sc.role(2), Role::InCs);
    assert_eq!(queue(sc.as_mut(), 0), "4");
    assert!(sc.violations().is_empty(), "a lost queue starts a new order: {:?}", sc.violations());
}

#[test]
fn the_coordinator_crashing_inside_the_cs_gives_the_lock_on() {
    let mut sc = open(config(CL, 3, 1, &[("cs", "0")]));
    lines(sc.as_mut(), "request 0; request 1; run; crash 0; recover 0; run");
    // Its own hold died with it; the recovered coordinator grants node 1.
    assert_eq!(sc.role(0), Role::Leader);
    assert_eq!(sc.role(1), Role::InCs);
    assert_eq!(cs_order(sc.as_ref()), vec![0, 1]);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn a_crashed_holder_keeps_the_lock_until_it_comes_back() {
    let mut sc = open(config(CL, 4, 1, &[("cs", "0")]));
    lines(sc.as_mut(), "request 2; run; request 3; run; crash 2; run");
    assert_eq!(sc.status().as_deref(), Some("lock holder 2 crashed: the lock stays taken until it is back"));
    assert_eq!(sc.role(3), Role::Wanting);
    assert!(sc.violations().is_empty(), "a dead holder blocks by design: status, not violation");
    // Back, it gives back what it held.
    lines(sc.as_mut(), "recover 2; run");
    assert_eq!(sc.status(), None);
    assert_eq!(sc.role(2), Role::Idle);
    assert_eq!(sc.role(3), Role::InCs);
    assert_eq!(by_kind(sc.as_ref(), "RELEASE"), 1);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn a_stale_grant_is_given_back() {
    // Node 2 waits (req 1) behind node 1, crashes, comes back and asks
    // again (req 2). The coordinator still has req 1 queued: it grants it,
    // node 2 gives it back, and then gets req 2.
    let mut sc = open(config(CL, 3, 1, &[("cs", "0")]));
    lines(sc.as_mut(), "request 1; run; request 2; run; crash 2; recover 2; request 2; run");
    assert_eq!(queue(sc.as_mut(), 0), "2 2");
    assert_eq!(inspect(sc.as_mut(), 0)["queued reqs"], "1 2");
    lines(sc.as_mut(), "release 1; run");
    assert_eq!(sc.role(2), Role::InCs);
    assert_eq!(inspect(sc.as_mut(), 2)["request"], "req 2");
    assert_eq!(cs_order(sc.as_ref()), vec![1, 2]);
    assert_eq!(grants(sc.as_ref()), vec![1, 2, 2]);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn without_retry_lost_messages_starve_and_with_retry_they_are_repaired() {
    // A dropped GRANT.
    for retry in ["0", "30"] {
        let mut sc = open(with_sched(config(CL, 3, 1, &[("retry", retry)]), SchedMode::Manual));
        line(sc.as_mut(), "request 1");
        let id = msg_id(sc.as_ref(), "REQUEST", 1, 0);
        line(sc.as_mut(), &format!("deliver {id}"));
        let id = msg_id(sc.as_ref(), "GRANT", 0, 1);
        lines(sc.as_mut(), &format!("drop {id}; sched timed; run"));
        if retry == "0" {
            assert_eq!(sc.role(1), Role::Wanting);
            assert!(sc.violations().is_empty(), "a lost message is not claimed without retry");
            let s = sc.statuses();
            assert_eq!(s.len(), 1, "{s:?}");
            assert!(
                s[0].starts_with(
                    "stuck: node 1 waits for a GRANT that will never come (coordinator queue 0) — GRANT #"
                ),
                "{s:?}"
            );
            assert!(s[0].contains(" 0→1 was dropped at step "), "{s:?}");
        } else {
            assert_eq!(cs_order(sc.as_ref()), vec![1]);
            assert_eq!(grants(sc.as_ref()), vec![1], "the GRANT is sent again, not granted again");
            assert_eq!(by_kind(sc.as_ref(), "GRANT"), 2);
            assert!(sc.violations().is_empty(), "{:?}", sc.violations());
        }
    }
    // A dropped RELEASE: node 2's repeated REQUEST makes the coordinator
    // PROBE the holder, which answers with its RELEASE again.
    let mut sc = open(config(CL, 3, 1, &[("cs", "0"), ("retry", "30")]));
    lines(sc.as_mut(), "request 1; run; request 2; step; release 1");
    let id = msg_id(sc.as_ref(), "RELEASE", 1, 0);
    lines(sc.as_mut(), &format!("drop {id}; run"));
    assert_eq!(sc.role(2), Role::InCs);
    assert_eq!(by_kind(sc.as_ref(), "PROBE"), 1);
    assert_eq!(by_kind(sc.as_ref(), "RELEASE"), 2);
    assert_eq!(cs_order(sc.as_ref()), vec![1, 2]);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn think_keeps_a_workload_going_without_violations() {
    let mut cfg = config(CL, 6, 9, &[("cs", "3"), ("think", "5")]);
    cfg.sim.logging = false;
    let mut sc = open(cfg);
    line(sc.as_mut(), "run 20000");
    let order = cs_order(sc.as_ref());
    assert!(order.len() > 200, "{} entries", order.len());
    for node in 0..6u64 {
        assert!(order.contains(&node), "node {node} entered");
    }
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn bad_input_is_rejected_with_a_clear_message() {
    let mut sc = open(config(CL, 3, 1, &[]));
    // The card's parser: node range, type, argument count.
    for (l, want) in [
        ("request 3", "node 3 does not exist (nodes are 0..2)"),
        ("release x", "`release N`: N is a node id, not \"x\""),
        ("request", "usage: request N (1 argument(s), got none)"),
        ("release 1 2", "usage: release N (1 argument(s), got 2)"),
    ] {
        let err = try_line(sc.as_mut(), l).expect_err(l);
        assert_eq!(err, want, "{l}");
    }
    let err = try_line(sc.as_mut(), "grab 1").unwrap_err();
    assert!(err.ends_with("or central-lock's own: request N, release N"), "{err}");
    assert!(sc.inputs().is_empty());
    assert_eq!(sc.step(), 0);
    line(sc.as_mut(), "release 1");
    assert_eq!(total_messages(sc.as_ref()), 0);
    for (k, v, want) in [
        ("variant", "nope", "parameter variant=nope: expected one of correct, no-queue, lifo, forgetful"),
        ("persist", "disk", "parameter persist=disk: expected one of holder, all"),
        ("coordinator", "-1", "parameter coordinator=-1: expected a node id, 0 to 2"),
        ("coordinator", "3", "parameter coordinator=3: expected a node id, 0 to 2"),
        ("cs", "x", "parameter cs=x: expected whole ms from 0 to 1000000000"),
        ("think", "5", "think > 0 needs cs > 0 (nodes must leave on their own)"),
    ] {
        let mut params = vec![(k, v)];
        if k == "think" {
            params.push(("cs", "0"));
        }
        let err = block_on(distlab::algos::open_run(config(CL, 3, 1, &params))).err().unwrap();
        assert_eq!(err, want, "{k}={v}");
    }
}

/// The coordinator is a role of its own, named by the `coordinator`
/// parameter; it may ask for the lock like any node (it serves itself).
#[test]
fn the_coordinator_plays_its_own_role_and_may_ask_too() {
    let sc = open(config(CL, 4, 1, &[]));
    let roles: Vec<&str> = (0..4).map(|i| sc.node_role(i)).collect();
    assert_eq!(roles, vec!["coordinator", "node", "node", "node"]);
    let mut sc = open(config(CL, 4, 1, &[("coordinator", "2")]));
    let roles: Vec<&str> = (0..4).map(|i| sc.node_role(i)).collect();
    assert_eq!(roles, vec!["node", "node", "coordinator", "node"]);
    lines(sc.as_mut(), "request 2; run");
    assert_eq!(cs_order(sc.as_ref()), vec![2]);
    assert_eq!(total_messages(sc.as_ref()), 0, "the coordinator's own request costs no message");
}

#[test]
fn a_thousand_nodes_run_headless() {
    let t = std::time::Instant::now();
    let mut cfg = config(CL, 1000, 5, &[]);
    cfg.sim.logging = false;
    let mut sc = open(cfg);
    let requesters = [999usize, 5, 500, 17, 250, 0, 731, 64];
    for r in requesters {
        line(sc.as_mut(), &format!("request {r}"));
    }
    line(sc.as_mut(), "run");
    let mut order = cs_order(sc.as_ref());
    assert_eq!(order, grants(sc.as_ref()));
    order.sort_unstable();
    let mut want: Vec<u64> = requesters.iter().map(|&r| r as u64).collect();
    want.sort_unstable();
    assert_eq!(order, want);
    assert_eq!(total_messages(sc.as_ref()), 3 * 7);
    // A coordinator crash at this size: RESTART reaches the 999 others.
    lines(sc.as_mut(), "crash 0; request 3; request 4; recover 0; run");
    assert_eq!(by_kind(sc.as_ref(), "RESTART"), 999);
    assert_eq!(cs_order(sc.as_ref()).len(), 10);
    assert!(sc.violations().is_empty());
    println!("1000 nodes: {:?}", t.elapsed());
}

// ----- the broken variants are caught -----------------------------------------

#[test]
fn no_queue_is_caught() {
    let sc = run_script(config(CL, 3, 1, &[("variant", "no-queue"), ("cs", "0")]), "request 1; request 2; run");
    assert_eq!(roles(sc.as_ref()), vec![Role::Leader, Role::InCs, Role::InCs]);
    assert_eq!(violated(sc.as_ref()), vec!["mutual-exclusion"]);
    assert_eq!(sc.violations()[0].detail, "nodes 1 and 2 are both in the critical section");
    let sc = run_script(config(CL, 3, 1, &[("cs", "0")]), "request 1; request 2; run");
    assert!(sc.violations().is_empty());
    // Whatever the seed or size, concurrent requests are caught.
    for seed in 0..30u64 {
        let n = 3 + seed as usize % 5;
        let script: Vec<String> = (1..n).map(|i| format!("request {i}")).chain(["run".into()]).collect();
        let sc = run_script(config(CL, n, seed, &[("variant", "no-queue")]), &script.join(";"));
        let props = violated(sc.as_ref());
        assert!(props.contains(&"mutual-exclusion".to_string()), "seed {seed}: {props:?}");
        assert!(props.iter().all(|p| SAFETY.contains(&p.as_str())), "seed {seed}: {props:?}");
    }
}

#[test]
fn lifo_is_caught() {
    let mut sc = open(config(CL, 5, 1, &[("variant", "lifo"), ("cs", "0")]));
    lines(sc.as_mut(), "request 1; run; latency 2 2; request 2; request 3; request 4; run; release 1; run");
    assert_eq!(sc.role(4), Role::InCs, "the newest request jumps the queue");
    assert_eq!(violated(sc.as_ref()), vec!["fifo-grants"]);
    assert_eq!(sc.violations()[0].detail, "the coordinator granted the lock to 4, but 2's request arrived first");
    assert_eq!(inspect(sc.as_mut(), 0)["variant"], "lifo (BROKEN)");
}

#[test]
fn forgetful_is_caught() {
    // A coordinator that keeps nothing across a crash grants a lock that
    // node 1 still holds.
    let script = "request 1; run; request 2; run; crash 0; recover 0; run";
    let sc = run_script(config(CL, 3, 1, &[("variant", "forgetful"), ("cs", "0")]), script);
    assert_eq!(roles(sc.as_ref()), vec![Role::Leader, Role::InCs, Role::InCs]);
    assert_eq!(violated(sc.as_ref()), vec!["mutual-exclusion"]);
    let sc = run_script(config(CL, 3, 1, &[("cs", "0")]), script);
    assert_eq!(roles(sc.as_ref()), vec![Role::Leader, Role::InCs, Role::Wanting]);
    assert!(sc.violations().is_empty());
}

// ----- property tests ------------------------------------------------------------

const SAFETY: &[&str] = &["mutual-exclusion", "fifo-grants"];

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => (1u8..=30).prop_map(Op::Step),
        6 => any::<u8>().prop_map(Op::Act),
        2 => any::<u8>().prop_map(Op::Crash),
        2 => any::<u8>().prop_map(Op::Recover),
        1 => any::<u8>().prop_map(Op::Partition),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::Cut(a, b)),
        2 => Just(Op::Heal),
        2 => (any::<u8>(), 0u16..=60).prop_map(|(i, ms)| Op::Delay(i, ms)),
        2 => any::<u8>().prop_map(Op::Drop),
        1 => any::<u8>().prop_map(Op::Dup),
        1 => (0u8..=3).prop_map(Op::Loss),
    ]
}

#[derive(Clone, Debug)]
struct Case {
    n: usize,
    seed: u64,
    coordinator: usize,
    persist_all: bool,
    random_sched: bool,
    ops: Vec<Op>,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..=7, any::<u64>(), any::<u8>(), any::<bool>(), any::<bool>(), proptest::collection::vec(op(), 1..100))
        .prop_map(|(n, seed, c, persist_all, random_sched, ops)| Case {
            n,
            seed,
            coordinator: c as usize % n,
            persist_all,
            random_sched,
            ops,
        })
}

fn run_config(c: &Case, variant: &str) -> RunConfig {
    let coordinator = c.coordinator.to_string();
    let persist = if c.persist_all { "all" } else { "holder" };
    let params = [
        ("cs", "15"),
        ("retry", "40"),
        ("coordinator", coordinator.as_str()),
        ("persist", persist),
        ("variant", variant),
    ];
    schedule_config(CL, c.n, c.seed, &params, c.random_sched)
}

fn check_case(c: &Case) -> Result<(), TestCaseError> {
    let mut sc = open(run_config(c, "correct"));
    MUTEX.play(sc.as_mut(), &c.ops);
    safe_during_faults(sc.as_ref(), SAFETY)?;
    // Heal; let what is in flight finish; bring the crashed nodes back;
    // everyone asks once more and everyone gets in, once. With retries on,
    // nothing may ever break, starvation included.
    live_after_healing(sc.as_mut(), &[Role::Idle, Role::Leader])
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Crashes (coordinator included), partitions, cuts, drops, loss,
    /// delays, duplicates, either scheduler, any coordinator, either
    /// persistence: never two holders, grants in arrival order; after
    /// healing, everyone gets the lock.
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
    for (variant, prop) in [("no-queue", "mutual-exclusion"), ("lifo", "fifo-grants")] {
        let caught = count_caught(&mut runner, total, &case(), prop, |c| {
            let mut sc = open(run_config(c, variant));
            MUTEX.play(sc.as_mut(), &c.ops);
            sc
        });
        println!("{variant}: {prop} in {caught}/{total}");
        assert!(caught * 20 >= total, "{variant} caught in only {caught} of {total} schedules");
    }
}

/// forgetful is wrong only when the coordinator crashes and comes back
/// while a client holds the lock and another waits; generic schedules rarely
/// hit that (about 1 in 12), so these pick size, seed, scheduler,
/// coordinator, requesters and the crash point at random around it, with
/// cs=0 (a holder keeps the lock). The correct variant on the same
/// schedules stays safe.
#[test]
fn forgetful_is_caught_across_random_crash_points() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let schedules = (3usize..=7, any::<u64>(), any::<u8>(), any::<u8>(), 1u64..=12, 0u64..=4, any::<bool>());
    let total = 100;
    let mut caught = 0;
    for _ in 0..total {
        let (n, seed, c, mask, before, down, random) = sample(&mut runner, &schedules);
        let coord = c as usize % n;
        let mut requesters: Vec<usize> = (0..n).filter(|&i| i != coord && mask & (1 << i) != 0).collect();
        if requesters.len() < 2 {
            requesters = (0..n).filter(|&i| i != coord).take(2).collect();
        }
        let script: Vec<String> = requesters
            .iter()
            .map(|r| format!("request {r}"))
            .chain([format!("step {before}"), format!("crash {coord}"), format!("step {down}")])
            .chain([format!("recover {coord}"), "run".into()])
            .collect();
        let script = script.join(";");
        for variant in ["forgetful", "correct"] {
            let mut cfg =
                config(CL, n, seed, &[("coordinator", &coord.to_string()), ("cs", "0"), ("variant", variant)]);
            if random {
                cfg.sim.sched = SchedMode::Random;
            }
            let sc = run_script(cfg, &script);
            let broke = violated(sc.as_ref()).contains(&"mutual-exclusion".to_string());
            if variant == "correct" {
                assert!(sc.violations().is_empty(), "n={n} seed={seed} {script}: {:?}", sc.violations());
            } else if broke {
                caught += 1;
            }
        }
    }
    println!("forgetful: mutual-exclusion in {caught}/{total}");
    assert!(caught * 2 >= total, "forgetful caught in only {caught} of {total} schedules");
}

// ----- screen snapshots ------------------------------------------------------------

/// Five nodes, cs=0, on the inline driver, after `lines`.
fn app(lines: &[&str]) -> App {
    block_on(tui_app(config(CL, 5, 1, &[("cs", "0")]), lines))
}

/// Five nodes, cs=0: node 1 holds the lock, 4, 2 and 3 wait in that order.
/// The coordinator 0 (selected, ★ leader) shows `queue 3` as its badge and
/// its inspector lists `lock held by 1` and `wait queue 4 2 3`.
fn queued() -> App {
    app(&["request 1", "run", "latency 2 2", "request 4", "request 2", "request 3", "run", "select 0"])
}

#[test]
fn screen_80x24() {
    let app = queued();
    let text = screen(&app, 80, 24);
    assert!(text.contains("queue 3"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn screen_120x40() {
    let app = queued();
    let text = screen(&app, 120, 40);
    assert!(text.contains("wait queue    4 2 3"), "{text}");
    insta::assert_snapshot!(text);
}

/// The coordinator crashed: ✗ at node 0, the header says "coordinator 0
/// crashed: lock service down, 3 waiting", node 1 (selected) still holds.
#[test]
fn screen_coordinator_down_120x40() {
    let app =
        app(&["request 1", "run", "latency 2 2", "request 4", "request 2", "request 3", "run", "crash 0", "select 1"]);
    let text = screen(&app, 120, 40);
    assert!(text.contains("coordinator 0 crashed: lock service down, 3 waiting"), "{text}");
    insta::assert_snapshot!(text);
}
