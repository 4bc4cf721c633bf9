//! Bully election through the public API: exact message counts and states
//! for the lecture's scenarios, the split brain a partition leaves behind,
//! false suspicion when latency exceeds the timeout, the broken variant
//! caught, 1000 nodes headless, property tests over random fault schedules
//! and whole-screen snapshots at 80×24 and 120×40.
//!
//! Property-test cases: `DISTLAB_PROPTEST_CASES` (default 1000). A failing
//! case prints the exact script that reproduces it.

mod common;

use common::prop::*;
use common::*;
use distlab::engine::actor::DriverKind;
use distlab::engine::input::Input;
use distlab::engine::protocol::{MS, Role};
use distlab::engine::record::EvKind;
use distlab::engine::trace::RunConfig;
use distlab::scenario::Scenario;
use distlab::tui::App;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::json;

const BULLY: &str = "bully-election";

/// How often a timer of `kind` fired, per node, in order.
fn fired(sc: &dyn Scenario, kind: &str) -> Vec<u32> {
    sc.history()
        .iter()
        .filter(|e| matches!(e.kind, EvKind::Timer { kind: k } if sc.kind_name(k) == kind))
        .map(|e| e.node)
        .collect()
}

fn logged(sc: &dyn Scenario, text: &str) -> bool {
    sc.log().iter().any(|l| l.text.contains(text))
}

fn sorted(mut v: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    v.sort_unstable();
    v
}

/// Step while the next pending event is due before `ms`.
fn step_to(sc: &mut dyn Scenario, ms: u64) {
    while in_flight(sc).iter().any(|m| m.due < ms * MS) {
        line(sc, "step");
    }
}

// ----- the lecture's scenarios ------------------------------------------------

/// The acceptance scenario: 5 nodes, `crash 4`, `elect 1`, `run`: every live
/// node believes 3. The counts, derived:
/// - node 1 sends ELECTION to 2, 3, 4 (3); 2 and 3 answer OK and hold
///   elections of their own: 2 → 3, 4 (2), 3 → 4 (1): 6 ELECTIONs, the 3
///   sent to the crashed 4 lost;
/// - OKs: 2 → 1, 3 → 1, 3 → 2: 3 (3's own ELECTION gets no answer);
/// - 3 hears no OK within 50 ms and sends COORDINATOR to 0, 1, 2: 3.
///   12 messages, 9 delivered, 3 lost — whatever the latencies (1–10 ms,
///   far below the timeout), so every seed gives the same counts.
#[test]
fn crash_4_elect_1_makes_3_coordinator_with_exact_counts() {
    for seed in 1..=20 {
        let mut sc = run_script(config(BULLY, 5, seed, &[]), "crash 4; elect 1; run");
        assert_eq!(leaders(sc.as_ref()), json!({"0": 3, "1": 3, "2": 3, "3": 3}), "seed {seed}");
        assert_eq!(roles(sc.as_ref()), vec![Role::Idle, Role::Idle, Role::Idle, Role::Leader, Role::Crashed]);
        let r = report(sc.as_ref());
        assert_eq!(r["messages"]["by_kind"], json!({"ELECTION": 6, "OK": 3, "COORDINATOR": 3}), "seed {seed}");
        assert_eq!((r["messages"]["total"].clone(), r["messages"]["delivered"].clone()), (json!(12), json!(9)));
        assert_eq!(sorted(losses(sc.as_ref(), "ELECTION")), vec![(1, 4), (2, 4), (3, 4)]);
        assert_eq!(sorted(recvs(sc.as_ref(), "ELECTION")), vec![(1, 2), (1, 3), (2, 3)]);
        assert_eq!(sorted(recvs(sc.as_ref(), "OK")), vec![(2, 1), (3, 1), (3, 2)]);
        assert_eq!(sorted(recvs(sc.as_ref(), "COORDINATOR")), vec![(3, 0), (3, 1), (3, 2)]);
        // Only 3 waits out its OK timeout; nobody's COORDINATOR timeout fires.
        assert_eq!(fired(sc.as_ref(), "ok-timeout"), vec![3]);
        assert_eq!(fired(sc.as_ref(), "coordinator-timeout"), Vec::<u32>::new());
        assert!(sc.violations().is_empty(), "{:?}", sc.violations());
        assert_eq!(r["status"], json!(null));
        if seed == 1 {
            assert!(logged(sc.as_ref(), "node 1: elect: election r1.1, ELECTION to 2, 3, 4; waits 50 ms for an OK"));
            assert!(logged(sc.as_ref(), "node 2: OK from"));
            assert!(logged(sc.as_ref(), "node 3: no OK within 50 ms: nobody higher is alive"));
            assert!(logged(sc.as_ref(), "node 3: is coordinator: COORDINATOR(3, r1.1) to 0, 1, 2"));
            for i in 0..=3 {
                let rows = inspect(sc.as_mut(), i);
                assert_eq!(rows["state"], "normal");
                assert_eq!(rows["coordinator"], if i == 3 { "3 (itself)" } else { "3" });
                assert_eq!(rows["timer"], "-");
            }
            assert_eq!(inspect(sc.as_mut(), 0)["election"], "-", "node 0 took no part");
            assert_eq!(inspect(sc.as_mut(), 2)["election"], "last r1.1 (ELECTION from 1)");
            assert_eq!(inspect(sc.as_mut(), 2)["OKs received"], "3");
        }
    }
}

/// Mid-election, the inspector shows the state, the OKs and the timer:
/// with latency fixed at 5 ms, node 1 has OKs from 2 and 3 at 10 ms and
/// waits for COORDINATOR until 10 + 100 ms; node 3 waits for an OK (from
/// the crashed 4) until 5 + 50 ms.
#[test]
fn inspector_shows_state_oks_and_timers() {
    let mut sc = open(config(BULLY, 5, 1, &[]));
    lines(sc.as_mut(), "crash 4; latency 5 5; elect 1");
    assert_eq!(sc.role(1), Role::Candidate);
    step_to(sc.as_mut(), 20);
    let one = inspect(sc.as_mut(), 1);
    assert_eq!(one["state"], "waiting for COORDINATOR");
    assert_eq!(one["coordinator"], "unknown");
    assert_eq!(one["election"], "r1.1 (elect)");
    assert_eq!(one["ELECTION to"], "2, 3, 4");
    assert_eq!(one["OKs received"], "2, 3");
    assert_eq!(one["timer"], "at 110ms → start over");
    assert_eq!(one["timeouts"], "OK 50 ms · COORDINATOR 100 ms");
    let three = inspect(sc.as_mut(), 3);
    assert_eq!(three["state"], "election: waiting for OK");
    assert_eq!(three["OKs received"], "-");
    assert_eq!(three["timer"], "at 55ms → declare itself");
    assert_eq!(inspect(sc.as_mut(), 2)["OKs received"], "3");
    assert_eq!(roles(sc.as_ref())[..4], [Role::Idle, Role::Candidate, Role::Candidate, Role::Candidate]);
    assert!(in_flight(sc.as_ref()).iter().any(|m| m.summary == "coordinator-timeout(r1.1)" && m.to == 1));
}

/// Without faults, node k's election costs, with m = N−1−k nodes above it
/// and equal latencies: m(m+1)/2 ELECTIONs (every node above k joins and
/// asks every node above itself), as many OKs, and N−1 COORDINATORs (the
/// top node wins at once, once: later ELECTIONs of the same round are
/// answered OK and nothing more).
#[test]
fn without_faults_the_top_wins_at_the_cost_the_formula_says() {
    for n in [2usize, 3, 5, 8] {
        for k in 0..n {
            let sc = run_script(config(BULLY, n, 3, &[]), &format!("latency 5 5; elect {k}; run"));
            let m = (n - 1 - k) as u64;
            let want: serde_json::Map<String, serde_json::Value> =
                (0..n).map(|i| (i.to_string(), json!(n - 1))).collect();
            assert_eq!(leaders(sc.as_ref()), json!(want), "n={n} k={k}");
            assert_eq!(by_kind(sc.as_ref(), "ELECTION"), m * (m + 1) / 2, "n={n} k={k}");
            assert_eq!(by_kind(sc.as_ref(), "OK"), m * (m + 1) / 2, "n={n} k={k}");
            assert_eq!(by_kind(sc.as_ref(), "COORDINATOR"), n as u64 - 1, "n={n} k={k}");
            assert_eq!(fired(sc.as_ref(), "ok-timeout"), Vec::<u32>::new(), "nobody waits out a timeout");
            assert!(sc.violations().is_empty(), "n={n} k={k}: {:?}", sc.violations());
        }
    }
    // Random latencies: a node may learn the result before its ELECTION
    // arrives and then takes no part; the top still announces exactly once.
    for seed in 1..=20 {
        let sc = run_script(config(BULLY, 6, seed, &[]), "elect 0; run");
        assert_eq!(leaders(sc.as_ref()), json!({"0":5,"1":5,"2":5,"3":5,"4":5,"5":5}));
        assert!(by_kind(sc.as_ref(), "ELECTION") <= 15 && by_kind(sc.as_ref(), "ELECTION") >= 5);
        assert_eq!(by_kind(sc.as_ref(), "OK"), by_kind(sc.as_ref(), "ELECTION"));
        assert_eq!(by_kind(sc.as_ref(), "COORDINATOR"), 5);
        assert!(sc.violations().is_empty(), "seed {seed}: {:?}", sc.violations());
    }
}

/// The bully's move: node 4 comes back, holds an election, finds nobody
/// above it and takes over at once with COORDINATOR to every lower id. For
/// a moment 3 and 4 both act as coordinator — a takeover by a higher id,
/// which the checker allows — until 4's COORDINATOR reaches 3.
#[test]
fn a_recovered_higher_node_bullies_its_way_in() {
    let mut sc = run_script(config(BULLY, 5, 2, &[]), "elect 0; run; crash 4");
    assert_eq!(sc.status(), Some("coordinator 4 is down".into()), "a crash is silent: all still believe 4");
    assert_eq!(leaders(sc.as_ref()), json!({"0": 4, "1": 4, "2": 4, "3": 4}));
    lines(sc.as_mut(), "elect 1; run");
    assert_eq!(leaders(sc.as_ref()), json!({"0": 3, "1": 3, "2": 3, "3": 3}));
    assert_eq!(sc.status(), None);
    let (elections, coordinators) = (by_kind(sc.as_ref(), "ELECTION"), by_kind(sc.as_ref(), "COORDINATOR"));
    line(sc.as_mut(), "recover 4");
    assert_eq!(sc.role(4), Role::Leader, "nobody is above 4: it wins at once");
    assert_eq!(sc.role(3), Role::Leader, "3 has not heard yet");
    assert_eq!(sc.status(), Some("2 coordinators: 3 and 4".into()));
    assert_eq!(in_flight(sc.as_ref()).iter().filter(|m| m.kind == "COORDINATOR" && m.from == Some(4)).count(), 4);
    line(sc.as_mut(), "run");
    assert_eq!(leaders(sc.as_ref()), json!({"0": 4, "1": 4, "2": 4, "3": 4, "4": 4}));
    assert_eq!(sc.role(3), Role::Idle);
    assert!(logged(sc.as_ref(), "node 3: steps down: 4 is coordinator"));
    assert_eq!(by_kind(sc.as_ref(), "COORDINATOR") - coordinators, 4);
    assert_eq!(by_kind(sc.as_ref(), "ELECTION"), elections, "4 asked nobody");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    assert_eq!(sc.status(), None);
}

/// Node 4 comes back while 1's election runs (4 missed its ELECTIONs). Its
/// COORDINATOR reaches 1, 2 and 3, who hold that election and have no OK
/// from 4: each asks 4 (a claim may come from a node that has crashed
/// since), 4 answers, takes part and wins 1's round too. Everyone believes
/// 4, nothing to report. But when 4 comes back just before 3's OK timeout
/// fires, 3 declares itself while 4 is alive: the race Coulouris describes
/// (a process that comes back and one that decides it is the highest, both
/// announcing), and the checker reports it.
#[test]
fn a_node_coming_back_mid_election_is_asked_and_wins() {
    let mut sc = open(config(BULLY, 5, 1, &[]));
    lines(sc.as_mut(), "crash 4; latency 5 5; elect 1");
    step_to(sc.as_mut(), 20);
    line(sc.as_mut(), "recover 4");
    lines(sc.as_mut(), "run");
    assert_eq!(leaders(sc.as_ref()), json!({"0": 4, "1": 4, "2": 4, "3": 4, "4": 4}));
    assert!(logged(sc.as_ref(), "node 3: COORDINATOR(4, r4.1) from a node that has not answered r1.1: asks it"));
    assert_eq!(fired(sc.as_ref(), "ok-timeout"), Vec::<u32>::new(), "3 never had to declare itself");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());

    // Now 4's COORDINATOR takes 45 ms: 3's OK timeout (at 55 ms) fires
    // first, and 3 declares itself although 4 has been alive since 15 ms.
    let mut sc = open(config(BULLY, 5, 1, &[]));
    lines(sc.as_mut(), "crash 4; latency 5 5; elect 1");
    step_to(sc.as_mut(), 20);
    lines(sc.as_mut(), "latency 45 45; recover 4; run");
    assert_eq!(fired(sc.as_ref(), "ok-timeout"), vec![3]);
    assert_eq!(violated(sc.as_ref()), vec!["highest-wins", "one-coordinator"]);
    let v = &sc.violations()[0];
    assert_eq!(v.detail, "node 3 declares itself coordinator while 4, a higher id, is alive in its component");
    assert_eq!(sc.violations()[1].detail, "nodes 4 and 3 both act as coordinator in one component");
    // 1 and 2 ask 4, which takes part in 1's round and wins it after 3's
    // claim: at rest everyone believes 4.
    assert_eq!(leaders(sc.as_ref()), json!({"0": 4, "1": 4, "2": 4, "3": 4, "4": 4}));
}

/// The coordinator-to-be crashes after answering OK: the nodes waiting for
/// its COORDINATOR give up after `coordinator-timeout` and start over; the
/// next highest live node wins.
#[test]
fn a_missing_coordinator_restarts_the_election() {
    let mut sc = open(config(BULLY, 5, 1, &[]));
    lines(sc.as_mut(), "crash 4; latency 5 5; elect 1");
    step_to(sc.as_mut(), 20);
    assert_eq!(inspect(sc.as_mut(), 1)["OKs received"], "2, 3");
    lines(sc.as_mut(), "crash 3; run");
    assert_eq!(leaders(sc.as_ref()), json!({"0": 2, "1": 2, "2": 2}));
    assert_eq!(sc.role(2), Role::Leader);
    let mut timeouts = fired(sc.as_ref(), "coordinator-timeout");
    timeouts.sort_unstable();
    assert_eq!(timeouts, vec![1, 2], "both waiting nodes gave up on 3");
    assert!(logged(sc.as_ref(), "node 1: OK from 2, 3 but no COORDINATOR within 100 ms"));
    assert!(logged(sc.as_ref(), "node 1: no COORDINATOR: election r1.2, ELECTION to 2, 3, 4"));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

/// A partition elects one coordinator per side. While it stands that is
/// legitimate (one per connected component) and the screen says "split
/// brain"; when it heals, two coordinators share one component and
/// `one-coordinator` reports it. A fresh election puts it right.
#[test]
fn a_healed_partition_shows_the_split_brain() {
    let mut sc = run_script(config(BULLY, 5, 1, &[]), "elect 0; run");
    assert_eq!(sc.role(4), Role::Leader);
    lines(sc.as_mut(), "partition 0,1,2 3,4; elect 0; run");
    assert_eq!(leaders(sc.as_ref()), json!({"0": 2, "1": 2, "2": 2, "3": 4, "4": 4}));
    assert_eq!((sc.role(2), sc.role(4)), (Role::Leader, Role::Leader));
    assert!(sc.violations().is_empty(), "one coordinator per component is fine: {:?}", sc.violations());
    assert_eq!(sc.status(), Some("split brain: leaders 2 and 4".into()));
    assert_eq!(report(sc.as_ref())["status"], json!("split brain: leaders 2 and 4"));
    // 2 asked 3 and 4 across the partition and heard nothing.
    assert_eq!(fired(sc.as_ref(), "ok-timeout"), vec![2]);

    let step = sc.step();
    line(sc.as_mut(), "heal");
    assert_eq!(violated(sc.as_ref()), vec!["one-coordinator"]);
    let v = &sc.violations()[0];
    assert_eq!(
        v.detail,
        "nodes 2 and 4 both act as coordinator in one component (split brain: their components merged)"
    );
    assert_eq!(v.step, step);
    assert_eq!(sc.status(), Some("2 coordinators: 2 and 4".into()));
    // Nothing runs by itself: the two coordinators stay until someone
    // holds an election, and the pair is reported once, not at every rest.
    line(sc.as_mut(), "run");
    assert_eq!(sc.violations().len(), 1);
    lines(sc.as_mut(), "elect 0; run");
    assert_eq!(leaders(sc.as_ref()), json!({"0": 4, "1": 4, "2": 4, "3": 4, "4": 4}));
    assert_eq!(sc.role(2), Role::Idle);
    assert_eq!(sc.violations().len(), 1, "{:?}", sc.violations());
    assert_eq!(sc.status(), None);
}

/// False suspicion: with latency (80 ms) above the timeout (50 ms) an OK
/// can never come in time. Node 4 is coordinator and alive; node 1 starts
/// an election, hears no OK within 50 ms and declares itself; 2 and 3 do
/// the same 50 ms after 1's ELECTION reaches them. What the checker says:
/// `highest-wins` (a node declared itself while a higher id is alive in
/// its component) and `one-coordinator` (it claims while a higher node
/// already acts as coordinator), once for each of 1, 2 and 3. 4 takes part
/// in 1's election too and announces itself at 80 ms, but the claims of 2
/// and 3, sent later, arrive later: at rest 0, 1 and 2 believe 3 while 3
/// and 4 believe 4, and `agreement` reports the three.
#[test]
fn latency_above_the_timeout_is_false_suspicion() {
    let mut sc = run_script(config(BULLY, 5, 1, &[]), "elect 0; run; latency 80 80; elect 1");
    let t0 = sc.now() / MS;
    step_to(sc.as_mut(), t0 + 51);
    assert_eq!(sc.role(1), Role::Leader, "1 gave up waiting and declared itself");
    assert_eq!(sc.role(4), Role::Leader, "while 4 is alive and still coordinator");
    assert_eq!(violated(sc.as_ref()), vec!["highest-wins", "one-coordinator"]);
    assert_eq!(
        sc.violations()[0].detail,
        "node 1 declares itself coordinator while 4, a higher id, is alive in its component"
    );
    assert_eq!(sc.violations()[1].detail, "nodes 4 and 1 both act as coordinator in one component");
    line(sc.as_mut(), "run");
    assert_eq!(
        violated(sc.as_ref()),
        vec![
            "highest-wins",
            "one-coordinator",
            "highest-wins",
            "one-coordinator",
            "highest-wins",
            "one-coordinator",
            "agreement",
            "agreement",
            "agreement"
        ]
    );
    let claimed: Vec<&str> = sc.violations().iter().take(6).step_by(2).map(|v| &v.detail[..6]).collect();
    assert_eq!(claimed, vec!["node 1", "node 2", "node 3"]);
    assert_eq!(sc.violations()[6].detail, "node 0 believes 3 is coordinator; the highest live id is 4");
    assert_eq!(leaders(sc.as_ref()), json!({"0": 3, "1": 3, "2": 3, "3": 4, "4": 4}));
    // The OKs did come, 160 ms after each ELECTION: too late.
    assert!(logged(sc.as_ref(), "node 1: late OK(r1.1) from 4 ignored"));
    // A fresh election at a latency below the timeout puts it right.
    lines(sc.as_mut(), "latency 1 10; elect 0; run");
    assert_eq!(leaders(sc.as_ref()), json!({"0": 4, "1": 4, "2": 4, "3": 4, "4": 4}));
    assert_eq!(sc.violations().len(), 9);

    // The same election with latency below the timeout: nothing to report.
    let sc = run_script(config(BULLY, 5, 1, &[]), "elect 0; run; latency 20 20; elect 1; run");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    // ...or with a timeout above the round trip.
    let sc = run_script(config(BULLY, 5, 1, &[("timeout", "200")]), "elect 0; run; latency 80 80; elect 1; run");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    assert_eq!(leaders(sc.as_ref()), json!({"0": 4, "1": 4, "2": 4, "3": 4, "4": 4}));
}

/// Two elections at once, from different nodes and with different
/// latencies: the rounds join up and everyone agrees on the top.
#[test]
fn concurrent_elections_agree() {
    for seed in 1..=12 {
        for latency in ["latency 1 10", "latency 0 24", "latency 5 5"] {
            let sc = run_script(config(BULLY, 6, seed, &[]), &format!("{latency}; elect 0; elect 3; elect 2; run"));
            assert_eq!(leaders(sc.as_ref()), json!({"0":5,"1":5,"2":5,"3":5,"4":5,"5":5}), "seed {seed}");
            assert!(sc.violations().is_empty(), "seed {seed} {latency}: {:?}", sc.violations());
            let sc = run_script(config(BULLY, 6, seed, &[]), &format!("{latency}; crash 5; elect 1; elect 2; run"));
            assert_eq!(leaders(sc.as_ref()), json!({"0":4,"1":4,"2":4,"3":4,"4":4}), "seed {seed}");
            assert_eq!(by_kind(sc.as_ref(), "COORDINATOR"), 4, "4 announces once for both rounds");
            assert!(sc.violations().is_empty(), "seed {seed} {latency}: {:?}", sc.violations());
        }
    }
}

#[test]
fn a_lone_node_elects_itself() {
    let sc = run_script(config(BULLY, 4, 1, &[]), "crash 0; crash 2; crash 3; elect 1; run");
    assert_eq!(leaders(sc.as_ref()), json!({"1": 1}));
    assert_eq!(sc.role(1), Role::Leader);
    assert!(sc.violations().is_empty());
    // Cut off by a partition instead: the same, and legitimate.
    let sc = run_script(config(BULLY, 4, 1, &[]), "partition 1 0,2,3; elect 1; run");
    assert_eq!(sc.role(1), Role::Leader);
    assert_eq!(leaders(sc.as_ref())["1"], json!(1));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn rejects_bad_verbs_and_parameters() {
    // The card's parser: a missing node, a wrong type, a node out of range,
    // one argument too many; each refused with the card's words, and none
    // of them reaches the run's input log.
    let mut sc = open(config(BULLY, 5, 1, &[]));
    for (bad, why) in [
        ("elect", "usage: elect N (1 argument(s), got none)"),
        ("elect x", "`elect N`: N is a node id, not \"x\""),
        ("elect 5", "node 5 does not exist (nodes are 0..4)"),
        ("elect 1 2", "usage: elect N (1 argument(s), got 2)"),
    ] {
        let err = try_line(sc.as_mut(), bad).expect_err(bad);
        assert_eq!(err, why, "{bad}");
    }
    let err = try_line(sc.as_mut(), "request 1").expect_err("request 1");
    assert!(err.ends_with("or bully-election's own: elect N"), "{err}");
    assert!(sc.inputs().is_empty());
    assert!(sc.history().iter().all(|e| matches!(e.kind, EvKind::Start)), "nothing happened but the starts");
    let open_err = |params: &[(&str, &str)]| {
        block_on(distlab::algos::open_run(config(BULLY, 5, 1, params))).err().expect("rejected")
    };
    // Each parameter against its card: ms at least 1, a variant of the card.
    assert_eq!(open_err(&[("timeout", "0")]), "parameter timeout=0: expected whole ms from 1 to 1000000000");
    assert_eq!(open_err(&[("timeout", "soon")]), "parameter timeout=soon: expected whole ms from 1 to 1000000000");
    assert_eq!(
        open_err(&[("coordinator-timeout", "0")]),
        "parameter coordinator-timeout=0: expected whole ms from 1 to 1000000000"
    );
    assert_eq!(open_err(&[("variant", "lazy")]), "parameter variant=lazy: expected one of correct, no-wait");
    assert_eq!(
        open_err(&[("heartbeat", "5")]),
        "unknown parameter \"heartbeat\" for bully-election (known: timeout, coordinator-timeout, variant)"
    );
    assert!(block_on(distlab::algos::open_run(config(BULLY, 1, 1, &[]))).is_err());
    assert!(block_on(distlab::algos::open_run(config(BULLY, 4097, 1, &[]))).is_err());
    // `coordinator-timeout` defaults to twice `timeout`.
    let mut sc = open(config(BULLY, 3, 1, &[("timeout", "30")]));
    assert_eq!(inspect(sc.as_mut(), 0)["timeouts"], "OK 30 ms · COORDINATOR 60 ms");
    let mut sc = open(config(BULLY, 3, 1, &[("coordinator-timeout", "75")]));
    assert_eq!(inspect(sc.as_mut(), 0)["timeouts"], "OK 50 ms · COORDINATOR 75 ms");
}

/// Same inputs, same run: with the actor driver as with inline handlers,
/// and after a replay of the input log.
#[test]
fn runs_are_deterministic_across_drivers_and_replays() {
    let script = "latency 1 30; elect 0; step 7; crash 4; elect 2; run; recover 4; partition 0,1 2,3,4; elect 0; run; heal; elect 1; run";
    let mut a = run_script(config(BULLY, 5, 9, &[]), script);
    let mut b = run_script(with_driver(config(BULLY, 5, 9, &[]), DriverKind::Actors), script);
    assert_eq!(snapshot(a.as_mut()), snapshot(b.as_mut()));
    let mut c = replay_inputs(a.as_ref());
    assert_eq!(snapshot(a.as_mut()), snapshot(c.as_mut()));
    check_clocks(a.as_ref()).unwrap();
    // Step back undoes the last delivery exactly.
    let mut d = run_script(config(BULLY, 5, 9, &[]), "crash 4; elect 1; step 6");
    let mut e = run_script(config(BULLY, 5, 9, &[]), "crash 4; elect 1; step 7");
    step_back(e.as_mut()).unwrap();
    assert_eq!(snapshot(d.as_mut()).history, snapshot(e.as_mut()).history);
}

// ----- the broken variant -----------------------------------------------------

/// `no-wait`: a node declares itself as soon as it has sent its ELECTIONs.
/// In the acceptance scenario 1 declares at once although 2 and 3 are
/// alive, and 2 does the same when 1's ELECTION reaches it; `highest-wins`
/// catches both. 3 is the highest live id, so its claim is right, and in
/// the end everyone believes 3: only the checker shows the bug.
#[test]
fn no_wait_is_caught() {
    let mut sc = run_script(config(BULLY, 5, 1, &[("variant", "no-wait")]), "crash 4; elect 1; run");
    assert_eq!(violated(sc.as_ref()), vec!["highest-wins", "highest-wins"]);
    assert_eq!(
        sc.violations()[0].detail,
        "node 1 declares itself coordinator while 3, a higher id, is alive in its component"
    );
    assert_eq!(sc.violations()[0].step, 1, "caught at the elect itself");
    assert_eq!(leaders(sc.as_ref()), json!({"0": 3, "1": 3, "2": 3, "3": 3}));
    assert_eq!(inspect(sc.as_mut(), 0)["variant"], "no-wait (BROKEN on purpose)");
    // With a coordinator in place, the false claim is a second coordinator.
    let sc = run_script(config(BULLY, 5, 1, &[("variant", "no-wait")]), "elect 4; run; elect 0");
    assert_eq!(violated(sc.as_ref()), vec!["highest-wins", "one-coordinator"]);
    assert_eq!(sc.violations()[1].detail, "nodes 4 and 0 both act as coordinator in one component");
    // Any seed, any size, any elector but the top: caught.
    for seed in 0..40u64 {
        let n = 2 + seed as usize % 6;
        let k = seed as usize % (n - 1);
        let sc = run_script(config(BULLY, n, seed, &[("variant", "no-wait")]), &format!("elect {k}; run"));
        assert!(violated(sc.as_ref()).contains(&"highest-wins".to_string()), "seed {seed} n {n} k {k}");
    }
    // The top node has nobody to wait for: there the bug is invisible, and
    // the checker rightly says nothing (it judges behaviour, not code).
    let sc = run_script(config(BULLY, 5, 1, &[("variant", "no-wait")]), "elect 4; run");
    assert!(sc.violations().is_empty());
    // The correct variant on the same inputs: nothing to report.
    let sc = run_script(config(BULLY, 5, 1, &[]), "crash 4; elect 1; run");
    assert!(sc.violations().is_empty());
}

// ----- 1000 nodes -------------------------------------------------------------

/// 1000 nodes headless. The top node's election is N−1 COORDINATORs. With
/// 999 crashed, an election from node 900 (m = 99 ids above) costs
/// m(m+1)/2 = 4950 ELECTIONs, of which the 99 sent to 999 are lost, so
/// 4851 OKs, and 998 COORDINATORs from 998 after its OK timeout. Per event the handlers do O(1)
/// work apart from the ELECTION and COORDINATOR send loops (the messages).
#[test]
fn a_thousand_nodes_run_headless() {
    let t = std::time::Instant::now();
    let mut cfg = config(BULLY, 1000, 1, &[]);
    cfg.sim.logging = false;
    let mut sc = open(cfg);
    lines(sc.as_mut(), "latency 5 5; elect 999; run");
    assert_eq!(by_kind(sc.as_ref(), "COORDINATOR"), 999);
    lines(sc.as_mut(), "crash 999; elect 900; run");
    assert_eq!(by_kind(sc.as_ref(), "ELECTION"), 99 * 100 / 2);
    assert_eq!(by_kind(sc.as_ref(), "OK"), 98 * 99 / 2, "the 99 ELECTIONs to the crashed 999 are lost");
    assert_eq!(by_kind(sc.as_ref(), "COORDINATOR"), 999 + 998);
    let result = leaders(sc.as_ref());
    let obj = result.as_object().unwrap();
    assert_eq!(obj.len(), 999);
    assert!(obj.values().all(|v| v == &json!(998)));
    assert!(sc.violations().is_empty(), "{:?}", &sc.violations()[..1]);
    assert_eq!(sc.role(998), Role::Leader);
    println!("1000 nodes: {} steps in {:?}", sc.step(), t.elapsed());
}

// ----- property tests ---------------------------------------------------------

#[derive(Clone, Debug)]
struct Case {
    n: usize,
    seed: u64,
    ops: Vec<Op>,
    /// Who starts the final election, modulo the live nodes.
    elector: u8,
    faults: Faults,
}

fn case(f: Faults) -> impl Strategy<Value = Case> {
    (2usize..=8, any::<u64>(), proptest::collection::vec(fault_op(f, 5), 1..100), any::<u8>())
        .prop_map(move |(n, seed, ops, elector)| Case { n, seed, ops, elector, faults: f })
}

/// A timeout of 200 ms keeps an ELECTION/OK round trip (2 × 10 ms, plus a
/// few 20 ms delays) well inside it under crash-stop faults.
fn run_config(c: &Case, variant: &str) -> RunConfig {
    schedule_config(BULLY, c.n, c.seed, &[("timeout", "200"), ("variant", variant)], c.faults.random_sched)
}

/// Run a random schedule; then heal, bring every node back and hold a
/// fresh election: every node must believe the top id, with no violation
/// from the moment the faults were over. Under crash-stop faults nothing
/// may ever be violated.
fn check_case(c: &Case) -> Result<(), TestCaseError> {
    let mut sc = open(run_config(c, "correct"));
    ELECT.play(sc.as_mut(), &c.ops);
    let crash_stop = !c.faults.false_suspicion();
    if crash_stop && let Some(v) = sc.violations().first() {
        return Err(fail(sc.as_ref(), format!("{} broken under crash-stop faults: {}", v.property, v.detail)));
    }
    // The faults heal: no partition, no loss, timely delivery; what is in
    // flight drains while crashed nodes are still down.
    settle(sc.as_mut(), heal(), "draining", 100_000)?;
    let mark = if crash_stop { 0 } else { sc.violations().len() };
    // Highest first: a node that comes back asks only higher ids, which
    // are then all up (otherwise its ELECTION to a node recovering just
    // after it is lost, and it declares itself over that node: the race
    // Coulouris describes, which the checker reports).
    let crashed: Vec<Input> = (0..c.n).rev().filter(|&i| !sc.alive(i)).map(Input::Recover).collect();
    if !crash_stop {
        settle(sc.as_mut(), crashed, "recovering", 100_000)?;
    }
    let live: Vec<usize> = (0..c.n).filter(|&i| sc.alive(i)).collect();
    if live.is_empty() {
        return Ok(());
    }
    let elector = live[c.elector as usize % live.len()];
    settle(sc.as_mut(), vec![verb("elect", elector)], "final election", 100_000)?;
    elected(sc.as_ref(), &live, *live.last().unwrap(), mark)
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Crash-stop faults (crashes, duplicates, small delays): every
    /// invariant holds at every step, and the final election elects the
    /// highest live id.
    #[test]
    fn safe_and_live_under_crash_stop_faults(c in case(CRASH_STOP)) {
        check_case(&c)?;
    }

    /// With partitions, cut links, drops, loss, long delays and restarts a
    /// timeout no longer means a dead node: wrong claims and two
    /// coordinators happen, and the checker reports them. What must hold:
    /// once the faults heal everything settles, and a fresh election sets
    /// every belief right with no violation from then on.
    #[test]
    fn recovers_after_partitions_losses_and_restarts(c in case(ALL)) {
        check_case(&c)?;
    }

    #[test]
    fn recovers_after_random_scheduling(c in case(Faults { random_sched: true, ..ALL })) {
        check_case(&c)?;
    }
}

/// The property tests have teeth: the same random crash-stop schedules,
/// run on `no-wait`, are caught in a good share of the cases.
#[test]
fn the_random_schedules_catch_no_wait() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut caught, total) = (0, 300);
    for _ in 0..total {
        let c = sample(&mut runner, &case(CRASH_STOP));
        let mut sc = open(run_config(&c, "no-wait"));
        ELECT.play(sc.as_mut(), &c.ops);
        let _ = apply(sc.as_mut(), Input::Run(Some(20_000)));
        if !sc.violations().is_empty() {
            caught += 1;
        }
    }
    println!("no-wait caught in {caught}/{total} random schedules");
    assert!(caught * 2 >= total, "no-wait caught in only {caught} of {total} random schedules");
}

// ----- screens ----------------------------------------------------------------

/// Five nodes on the actor driver, after `lines`.
async fn app_with(lines: &[&str]) -> App {
    tui_app(with_driver(config(BULLY, 5, 1, &[]), DriverKind::Actors), lines).await
}

/// The acceptance scenario mid-election (latency 5 ms, at 20 ms): node 4
/// crashed (✗), node 1 selected — its inspector shows "waiting for
/// COORDINATOR", OKs from 2 and 3 and its COORDINATOR timeout at 110 ms;
/// 3's ok-timeout is pending in the in-flight list.
async fn mid_election() -> App {
    let mut app = app_with(&["crash 4", "latency 5 5", "elect 1"]).await;
    while in_flight(app.scenario.as_deref().unwrap()).iter().any(|m| m.due < 20 * MS) {
        app.exec("step").await.unwrap();
    }
    app.exec("select 1").await.unwrap();
    app
}

#[test]
fn screen_mid_election_80x24() {
    block_on(async {
        let app = mid_election().await;
        assert!(app.inspect.iter().any(|r| r.label == "OKs received" && r.value == "2, 3"));
        let text = screen(&app, 80, 24);
        assert!(text.contains("bully-election"), "{text}");
        insta::assert_snapshot!(text);
    });
}

#[test]
fn screen_mid_election_120x40() {
    block_on(async {
        let app = mid_election().await;
        let text = screen(&app, 120, 40);
        assert!(text.contains("waiting for COORDINATOR"), "{text}");
        assert!(text.contains("ok-timeout(r1.1)"), "{text}");
        insta::assert_snapshot!(text);
    });
}

/// The split brain: after `partition 0,1,2 3,4` and an election on the
/// left, 0–2 believe 2 and 3–4 believe 4; the header's badge (yellow, no
/// violation yet) says "split brain: leaders 2 and 4"; node 2 selected.
#[test]
fn screen_split_brain_120x40() {
    block_on(async {
        let app = app_with(&["elect 0", "run", "partition 0,1,2 3,4", "elect 0", "run", "select 2"]).await;
        let text = screen(&app, 120, 40);
        assert!(text.lines().next().unwrap().contains("⚠ split brain: leaders 2 and 4"), "{text}");
        insta::assert_snapshot!(text);
    });
}

/// The same split brain at 80×24, healed: `one-coordinator` turns the
/// badge red, naming the step.
#[test]
fn screen_split_brain_healed_80x24() {
    block_on(async {
        let app = app_with(&["elect 0", "run", "partition 0,1,2 3,4", "elect 0", "run", "heal", "select 2"]).await;
        let text = screen(&app, 80, 24);
        assert!(text.lines().next().unwrap().contains("one-coordinator"), "{text}");
        insta::assert_snapshot!(text);
    });
}
