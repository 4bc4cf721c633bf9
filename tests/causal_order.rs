//! causal-order: the classic three-member hold-back, the broken `none` and
//! `fifo` rules caught by the checker (on a script and on random
//! schedules), duplicates, message counts, crash/recovery and NACK repair,
//! bad verbs, replay and step back, property tests over random schedules
//! with faults, 1,000 members headless, and screen snapshots.
//!
//! Cases per property: `DISTLAB_PROPTEST_CASES` (default 1000). A failing
//! case prints the script that reproduces it.

mod common;

use common::prop::{fail, never_violated, partition, pick, play, proptest_config, sample, schedule_config};
use common::*;
use distlab::engine::actor::DriverKind;
use distlab::engine::input::{Input, SchedMode};
use distlab::engine::protocol::{MS, Role};
use distlab::scenario::Scenario;
use distlab::tui::App;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::json;

const CO: &str = "causal-order";

fn co(n: usize, params: &[(&str, &str)]) -> Box<dyn Scenario> {
    open(config(CO, n, 1, params))
}

fn delivered(sc: &dyn Scenario) -> serde_json::Value {
    sc.report()["result"]["delivered"].clone()
}

/// The classic picture, scheduled by hand: P0 posts m1 (#1 to P1, #2 to
/// P2); P1 delivers it and posts m2 (#3 to P0, #4 to P2); m2 reaches P2
/// first.
const CLASSIC: &str =
    "sched manual; post 0 \"m1: who is in?\"; deliver 1; post 1 \"m2: me, replying to m1\"; deliver 4";

#[test]
fn the_classic_three_members_hold_m2_back_until_m1() {
    let mut sc = co(3, &[]);
    lines(sc.as_mut(), CLASSIC);
    // m2 is held at P2: it says W=[1 1 0], P2 has V=[0 0 0].
    assert_eq!(sc.badge(2), "V=[0 0 0] held=1");
    assert_eq!(sc.role(2), Role::Wanting);
    assert_eq!(sc.status().as_deref(), Some("1 held back"));
    let rows = block_on(sc.inspect(2));
    let text: Vec<(String, String)> = rows.into_iter().map(|r| (r.label, r.value)).take(8).collect();
    let want: Vec<(String, String)> = [
        ("ordering", "causal (BSS hold-back)"),
        ("V (delivered)", "[0 0 0]"),
        ("posted", "0"),
        ("held back", "1"),
        ("", "1:1 W=[1 1 0] waits for 0:1"),
        ("delivered", "0 (own posts: 0)"),
        ("repair", "wants 0:1 from 1 (NACKs sent 0/3)"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(&text[..7], &want[..]);
    assert_eq!(delivered(sc.as_ref()), json!([[], ["0:1"], []]));
    assert_eq!(sc.badge(1), "V=[1 1 0]");
    // A NACK timer waits at P2 (#5); m1 arrives first: delivered, then m2.
    let flying: Vec<(u64, &str)> = in_flight(sc.as_ref()).iter().map(|m| (m.id, m.kind)).collect::<Vec<_>>();
    assert_eq!(flying, vec![(2, "POST"), (3, "POST"), (5, "nack-timer")]);
    assert_eq!(in_flight(sc.as_ref())[0].summary, "POST(0:1 W=[1 0 0] \"m1: who is in?\")");
    line(sc.as_mut(), "deliver 2");
    assert_eq!(delivered(sc.as_ref()), json!([[], ["0:1"], ["0:1", "1:1"]]));
    assert_eq!(sc.badge(2), "V=[1 1 0]");
    assert_eq!(sc.role(2), Role::Idle);
    assert_eq!(sc.status(), None);
    let rows = inspect(sc.as_mut(), 2);
    assert_eq!(rows["last delivered"], "1:1 \"m2: me, replying to m1\"");
    assert_eq!(rows["delivered"], "2 (own posts: 0)");
    assert!(!rows.contains_key("repair"));
    // The timer was cancelled: nothing was resent.
    line(sc.as_mut(), "deliver 3");
    assert!(in_flight(sc.as_ref()).is_empty());
    let r = report(sc.as_ref());
    assert_eq!(r["messages"]["by_kind"], json!({"POST": 4}));
    assert_eq!(r["result"]["delivered"], json!([["1:1"], ["0:1"], ["0:1", "1:1"]]));
    assert_eq!(r["result"]["held"], json!([0, 0, 0]));
    assert_eq!(r["result"]["missing"], json!([0, 0, 0]));
    assert_eq!(r["result"]["posts"], 2);
    assert_eq!(r["violation_count"], 0);
    line(sc.as_mut(), "sched timed");
    line(sc.as_mut(), "run");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

/// The same schedule with BSS switched off: P2 shows m2 before m1, and the
/// checker says so, naming the two post events.
#[test]
fn without_ordering_the_checker_flags_the_violation() {
    for params in [&[("ordering", "none")][..], &[("ordering", "fifo")][..]] {
        let mut sc = co(3, params);
        lines(sc.as_mut(), CLASSIC);
        assert_eq!(delivered(sc.as_ref()), json!([[], ["0:1"], ["1:1"]]), "{params:?}");
        assert_eq!(violated(sc.as_ref()), vec!["causal-delivery"]);
        assert_eq!(
            sc.violations()[0].detail,
            "member 2 delivered 1:1 (posted at e5) before 0:1 (posted at e3), which it depends on"
        );
        // The engine's ground truth agrees that e3 happened before e5.
        let a = line(sc.as_mut(), "hb e3 e5").answer.unwrap();
        assert!(a.contains("e3 → e5"), "{a}");
        lines(sc.as_mut(), "deliver 2; deliver 3");
        assert_eq!(delivered(sc.as_ref()), json!([["1:1"], ["0:1"], ["1:1", "0:1"]]));
        assert_eq!(sc.violation_count(), 1, "m1 itself is delivered late, not wrongly");
    }
    // Switched live at P2 only: the same violation; switching back to
    // causal releases nothing wrong.
    let mut sc = co(3, &[]);
    lines(sc.as_mut(), "sched manual; post 0 m1; deliver 1; post 1 m2; ordering 2 none");
    assert_eq!(inspect(sc.as_mut(), 2)["ordering"], "none (at once: NOT causal)");
    line(sc.as_mut(), "deliver 4");
    assert_eq!(violated(sc.as_ref()), vec!["causal-delivery"]);
    // Switching to none while m2 is held releases it at once: also caught.
    let mut sc = co(3, &[]);
    lines(sc.as_mut(), CLASSIC);
    line(sc.as_mut(), "ordering 2 fifo");
    assert_eq!(delivered(sc.as_ref())[2], json!(["1:1"]));
    assert_eq!(violated(sc.as_ref()), vec!["causal-delivery"]);
    assert_eq!(report(sc.as_ref())["result"]["ordering"], json!(["causal", "causal", "fifo"]));
}

/// Causality is BSS's: what the poster had *delivered*. P2 posts m3 while
/// it still holds m2 back; the engine's arrival-level clocks say the post
/// of m2 (e5) happened before the post of m3 (e7), but P2 never showed m2,
/// so m3 does not depend on it: P0 delivers m3 first and nothing is flagged.
#[test]
fn a_post_does_not_depend_on_what_its_poster_holds_back() {
    let mut sc = co(3, &[]);
    lines(sc.as_mut(), CLASSIC);
    line(sc.as_mut(), "post 2 m3");
    assert_eq!(in_flight(sc.as_ref()).iter().find(|m| m.id == 6).unwrap().summary, "POST(2:1 W=[0 0 1] \"m3\")");
    line(sc.as_mut(), "deliver 6");
    assert_eq!(delivered(sc.as_ref())[0], json!(["2:1"]));
    let a = line(sc.as_mut(), "hb e5 e7").answer.unwrap();
    assert!(a.contains("e5 → e7"), "{a}");
    lines(sc.as_mut(), "sched timed; run");
    assert_eq!(delivered(sc.as_ref()), json!([["2:1", "1:1"], ["0:1", "2:1"], ["0:1", "1:1"]]));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn duplicates_are_dropped_held_or_delivered() {
    let mut sc = co(3, &[]);
    lines(sc.as_mut(), CLASSIC);
    // A copy of the held m2, and of m1 (to P2): each delivered once.
    line(sc.as_mut(), "post 1 again");
    let to2: Vec<u64> = in_flight(sc.as_ref()).iter().filter(|m| m.to == 2 && m.kind == "POST").map(|m| m.id).collect();
    lines(sc.as_mut(), &format!("dup 2; dup {}", to2[1]));
    lines(sc.as_mut(), "sched timed; run");
    assert_eq!(delivered(sc.as_ref())[2], json!(["0:1", "1:1", "1:2"]));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    assert!(sc.log().iter().any(|l| l.text.contains("drops duplicate")), "the log says so");
}

/// Without faults: exactly N−1 POSTs per post, nothing else, everything
/// delivered everywhere, in an order that respects causality, whatever the
/// latency spread.
#[test]
fn exactly_n_minus_1_messages_per_post() {
    let mut sc = co(5, &[]);
    lines(
        sc.as_mut(),
        "latency 1 40; post 0 a; step 2; post 2 b; step 1; post 3 \"c d e\"; post 0 f; step 3; post 4 g; run",
    );
    let r = report(sc.as_ref());
    assert_eq!(r["messages"]["by_kind"], json!({"POST": 20}));
    assert_eq!(r["result"]["posts"], 5);
    assert_eq!(r["result"]["missing"], json!([0, 0, 0, 0, 0]));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    let posted = [2, 0, 1, 1, 1];
    for x in 0..5 {
        assert_eq!(r["result"]["delivered"][x].as_array().unwrap().len(), 5 - posted[x], "member {x}");
    }
    assert!(sc.log().iter().any(|l| l.text.contains("node 1: delivers 3:1 \"c d e\"")));
}

/// A crashed member loses its hold-back queue and what was sent to it; on
/// recovery it broadcasts SYNC(V) and the others resend what it lacks from
/// their logs (member 1 resends 0:1 too: its author might be down; member 2
/// drops the second copy).
#[test]
fn recovery_syncs_and_the_others_resend() {
    let mut sc = co(3, &[]);
    lines(sc.as_mut(), CLASSIC);
    line(sc.as_mut(), "crash 2");
    assert_eq!(losses(sc.as_ref(), "POST"), vec![(0, 2)]);
    line(sc.as_mut(), "recover 2");
    // V and the delivered log survived (empty), the held m2 did not.
    assert_eq!(sc.badge(2), "V=[0 0 0]");
    assert_eq!(by_kind(sc.as_ref(), "SYNC"), 2);
    lines(sc.as_mut(), "sched timed; run");
    let r = report(sc.as_ref());
    assert_eq!(r["result"]["delivered"][2], json!(["0:1", "1:1"]));
    assert_eq!(r["messages"]["by_kind"], json!({"POST": 4, "SYNC": 2, "RESEND": 4}));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    assert!(sc.statuses().is_empty(), "repaired: {:?}", sc.statuses());
    // A crash keeps V and the log: nothing is delivered twice after it.
    let mut sc = co(3, &[]);
    lines(sc.as_mut(), "post 0 a; run; crash 1; recover 1; run");
    assert_eq!(delivered(sc.as_ref())[1], json!(["0:1"]));
    assert_eq!(by_kind(sc.as_ref(), "RESEND"), 0);
    assert!(sc.violations().is_empty());
}

/// m1's copy to P2 is dropped; m2 reveals the gap; after `nack` ms P2 asks
/// P1 (which delivered m1) and P1 resends it from its log.
#[test]
fn a_gap_is_repaired_by_nack() {
    let mut sc = co(3, &[]);
    lines(sc.as_mut(), "sched manual; post 0 m1; deliver 1; drop 2; post 1 m2; deliver 4");
    let timer = timer_id(sc.as_ref(), "nack-timer", 2);
    assert_eq!(in_flight(sc.as_ref()).iter().find(|m| m.id == timer).unwrap().due - sc.now(), 100 * MS);
    line(sc.as_mut(), &format!("deliver {timer}"));
    let nack = msg_id(sc.as_ref(), "NACK", 2, 1);
    assert_eq!(in_flight(sc.as_ref()).iter().find(|m| m.id == nack).unwrap().summary, "NACK(0:1)");
    assert_eq!(inspect(sc.as_mut(), 2)["repair"], "wants 0:1 from 1 (NACKs sent 1/3)");
    line(sc.as_mut(), &format!("deliver {nack}"));
    let resend = msg_id(sc.as_ref(), "RESEND", 1, 2);
    line(sc.as_mut(), &format!("deliver {resend}"));
    assert_eq!(delivered(sc.as_ref())[2], json!(["0:1", "1:1"]));
    lines(sc.as_mut(), "sched timed; run");
    let r = report(sc.as_ref());
    assert_eq!(r["messages"]["by_kind"], json!({"POST": 4, "NACK": 1, "RESEND": 1}));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    assert!(sc.statuses().is_empty(), "the revealed loss was repaired: {:?}", sc.statuses());
    // A lost last message nobody reveals: stuck (a status naming the drop,
    // lost messages are not claimed) until a `sync` round repairs it.
    let mut sc = co(3, &[]);
    lines(sc.as_mut(), "sched manual; post 0 m1; deliver 1; drop 2; sched timed; run");
    assert_eq!(report(sc.as_ref())["result"]["missing"], json!([0, 0, 1]));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    assert_eq!(
        sc.statuses(),
        [
            "stuck: member 2 never delivered 1 message the others delivered, e.g. 0:1 — POST #2 0→2 was dropped at step 2"
        ]
    );
    lines(sc.as_mut(), "sync 1; run");
    assert_eq!(report(sc.as_ref())["result"]["missing"], json!([0, 0, 0]));
    assert!(sc.statuses().is_empty(), "repaired: {:?}", sc.statuses());
    // The gap stays open while the revealer is down: three NACKs, then quiet.
    let mut sc = co(3, &[]);
    lines(sc.as_mut(), "sched manual; post 0 m1; deliver 1; drop 2; post 1 m2; deliver 4; crash 1; sched timed; run");
    assert_eq!(by_kind(sc.as_ref(), "NACK"), 3);
    assert_eq!(sc.role(2), Role::Wanting);
    lines(sc.as_mut(), "recover 1; run");
    assert_eq!(delivered(sc.as_ref())[2], json!(["0:1", "1:1"]));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

/// all-delivered judges every live member whatever the faults: a member a
/// lost message left behind is stuck, a status naming the loss (the card
/// does not claim lost messages), never red and never silent.
#[test]
fn all_delivered_judges_every_member_and_a_loss_is_a_status() {
    let mut sc = co(4, &[]);
    lines(sc.as_mut(), "post 0 a; drop 1; run");
    let r = report(sc.as_ref());
    assert_eq!(r["result"]["missing"], json!([0, 1, 0, 0]));
    assert_eq!(r["violation_count"], 0);
    assert_eq!(
        r["statuses"],
        json!([
            "stuck: member 1 never delivered 1 message the others delivered, e.g. 0:1 — POST #1 0→1 was dropped at step 1"
        ])
    );
    // Agreement among the live: a post only its crashed author delivered is
    // owed to nobody; the author back, its SYNC gets it to everyone.
    let mut sc = co(3, &[]);
    lines(sc.as_mut(), "crash 1; crash 2; post 0 a; run; crash 0; recover 1; recover 2; run");
    assert_eq!(report(sc.as_ref())["result"]["missing"], json!([0, 1, 1]));
    assert!(sc.violations().is_empty() && sc.statuses().is_empty(), "{:?} {:?}", sc.violations(), sc.statuses());
    lines(sc.as_mut(), "recover 0; run");
    assert_eq!(report(sc.as_ref())["result"]["missing"], json!([0, 0, 0]));
    // A member that missed a post while down gets it from a live member
    // that delivered it, though its author has crashed since: no status.
    let mut sc = co(3, &[]);
    lines(sc.as_mut(), "crash 2; post 0 a; run; crash 0; recover 2; run");
    assert_eq!(delivered(sc.as_ref())[2], json!(["0:1"]));
    assert!(sc.violations().is_empty() && sc.statuses().is_empty(), "{:?} {:?}", sc.violations(), sc.statuses());
}

#[test]
fn bad_verbs_are_rejected_and_change_nothing() {
    let mut sc = co(3, &[]);
    let before = snapshot(sc.as_mut());
    for (l, err) in [
        ("post", "usage: post N text (at least 2 argument(s), got none)"),
        ("post 1", "usage: post N text (at least 2 argument(s), got 1)"),
        ("post 1 \"  \"", "`post 1`: what does member 1 post? e.g. `post 1 \"hello\"`"),
        ("post 3 hi", "node 3 does not exist (nodes are 0..2)"),
        ("post x hi", "`post N text`: N is a node id, not \"x\""),
        ("ordering none", "usage: ordering N causal|fifo|none (2 argument(s), got 1)"),
        ("ordering 1 total", "`ordering N causal|fifo|none`: expected one of causal, fifo, none, not \"total\""),
        ("ordering 1", "usage: ordering N causal|fifo|none (2 argument(s), got 1)"),
        ("ordering 1 none fifo", "usage: ordering N causal|fifo|none (2 argument(s), got 3)"),
        ("ordering 5 none", "node 5 does not exist (nodes are 0..2)"),
        ("sync", "usage: sync N (1 argument(s), got none)"),
        ("sync 9", "node 9 does not exist (nodes are 0..2)"),
        ("sync 1 2", "usage: sync N (1 argument(s), got 2)"),
        ("post \"unterminated", "unterminated quoted text"),
    ] {
        let e = try_line(sc.as_mut(), l).expect_err(l);
        assert!(e.contains(err), "{l}: {e}");
        if !l.contains('"') {
            // The card parser's own messages, exactly.
            assert_eq!(e, err, "{l}");
        }
    }
    assert!(sc.inputs().is_empty());
    assert_eq!(snapshot(sc.as_mut()), before);
    line(sc.as_mut(), "crash 1");
    assert!(try_line(sc.as_mut(), "post 1 hi").unwrap_err().contains("node 1 is crashed"));
    for (k, v, err) in [
        ("ordering", "total", "parameter ordering=total: expected one of causal, fifo, none"),
        ("nack", "0", "parameter nack=0: expected whole ms from 1 to 1000000000"),
        ("nack", "soon", "parameter nack=soon: expected whole ms from 1 to 1000000000"),
        ("retries", "-1", "parameter retries=-1: expected a whole number from 0 to 1000"),
        ("retries", "1001", "parameter retries=1001: expected a whole number from 0 to 1000"),
        ("colour", "red", "unknown parameter \"colour\" for causal-order (known: ordering, nack, retries)"),
    ] {
        let e = block_on(distlab::algos::open_run(config(CO, 3, 1, &[(k, v)]))).err().expect(k);
        assert_eq!(e, err, "{k}={v}");
    }
    let e = block_on(distlab::algos::open_run(config(CO, 1, 1, &[]))).err().unwrap();
    assert!(e.contains("2 to 2048 nodes"), "{e}");
    // Unquoted text is the rest of the line; quoted text keeps its spaces.
    let mut sc = co(2, &[]);
    lines(sc.as_mut(), "post 0 hello   wide world; post 1 \"  two  spaces \"; run");
    assert!(sc.log().iter().any(|l| l.text.contains("delivers 0:1 \"hello wide world\"")));
    assert!(sc.log().iter().any(|l| l.text.contains("delivers 1:1 \"  two  spaces \"")));
    assert_eq!(sc.action(0).unwrap().to_string(), "post 0 \"hello 2\"");
}

#[test]
fn runs_replay_and_step_back_exactly() {
    let script = "latency 1 30; post 0 a; step 1; post 1 b; dup 3; step 2; crash 2; post 0 c; step 2; recover 2; run";
    let mut inline = run_script(config(CO, 4, 3, &[]), script);
    let mut actors = run_script(with_driver(config(CO, 4, 3, &[]), DriverKind::Actors), script);
    let a = snapshot(inline.as_mut());
    assert_eq!(a, snapshot(actors.as_mut()));
    assert!(inline.violations().is_empty(), "{:?}", inline.violations());
    let mut again = replay_inputs(inline.as_ref());
    assert_eq!(snapshot(again.as_mut()), a);
    let steps = inline.step();
    step_back(inline.as_mut()).unwrap();
    let mut shorter = run_script(config(CO, 4, 3, &[]), script.strip_suffix("; run").unwrap());
    let left = steps - 1 - shorter.step();
    line(shorter.as_mut(), &format!("run {left}"));
    assert_eq!(snapshot(inline.as_mut()), snapshot(shorter.as_mut()));
}

/// 1,000 members headless, a few posts: 999 messages each, every member
/// delivers every message of the others.
#[test]
fn a_thousand_members_headless() {
    let t = std::time::Instant::now();
    let mut cfg = config(CO, 1000, 7, &[]);
    cfg.sim.logging = false;
    let mut sc = open(cfg);
    lines(sc.as_mut(), "post 0 a; step 500; post 500 b; post 999 c; run");
    let r = report(sc.as_ref());
    assert_eq!(r["messages"]["by_kind"], json!({"POST": 3 * 999}));
    assert_eq!(r["violation_count"], 0, "{:?}", sc.violations());
    assert!(r["result"]["missing"].as_array().unwrap().iter().all(|m| m == 0));
    assert_eq!(r["result"]["delivered"][1].as_array().unwrap().len(), 3);
    assert_eq!(r["result"]["delivered"][500].as_array().unwrap().len(), 2);
    assert_eq!(sc.badge(3), "d=3");
    println!("1000 members: {} events in {:?}", sc.history().len(), t.elapsed());
}

// ----- property tests ---------------------------------------------------------------

#[derive(Clone, Debug)]
enum Op {
    Post(u8),
    Step(u8),
    Deliver(u8),
    Crash(u8),
    Recover(u8),
    Delay(u8, u16),
    Drop(u8),
    Dup(u8),
    Loss(u8),
    Partition(u8),
    Heal,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => any::<u8>().prop_map(Op::Post),
        8 => (1u8..=10).prop_map(Op::Step),
        4 => any::<u8>().prop_map(Op::Deliver),
        2 => any::<u8>().prop_map(Op::Crash),
        2 => any::<u8>().prop_map(Op::Recover),
        3 => (any::<u8>(), 0u16..250).prop_map(|(i, ms)| Op::Delay(i, ms)),
        1 => any::<u8>().prop_map(Op::Drop),
        2 => any::<u8>().prop_map(Op::Dup),
        1 => (0u8..=3).prop_map(Op::Loss),
        1 => any::<u8>().prop_map(Op::Partition),
        1 => Just(Op::Heal),
    ]
}

#[derive(Clone, Debug)]
struct Case {
    n: usize,
    seed: u64,
    random_sched: bool,
    ops: Vec<Op>,
}

fn case() -> impl Strategy<Value = Case> {
    (2usize..=6, any::<u64>(), proptest::bool::weighted(0.3), proptest::collection::vec(op(), 1..100))
        .prop_map(|(n, seed, random_sched, ops)| Case { n, seed, random_sched, ops })
}

fn input(sc: &dyn Scenario, op: &Op) -> Option<Input> {
    let n = sc.n();
    let node = |x: u8| x as usize % n;
    Some(match *op {
        Op::Post(x) => Input::Verb { verb: "post".into(), args: vec![node(x).to_string(), format!("m{x}")] },
        Op::Step(k) => Input::Step(k as u64),
        Op::Deliver(i) => Input::Deliver(pick(sc, i, false)?),
        Op::Crash(x) => Input::Crash(node(x)),
        Op::Recover(x) => Input::Recover(node(x)),
        Op::Delay(i, ms) => Input::Delay(pick(sc, i, false)?, ms as u64 * MS),
        Op::Drop(i) => Input::Drop(pick(sc, i, true)?),
        Op::Dup(i) => Input::Dup(pick(sc, i, true)?),
        Op::Loss(p) => Input::Loss(p as f64 / 10.0),
        Op::Partition(mask) => partition(n, mask),
        Op::Heal => Input::Heal,
    })
}

fn run_config(c: &Case, params: &[(&str, &str)]) -> distlab::engine::trace::RunConfig {
    let mut cfg = schedule_config(CO, c.n, c.seed, params, c.random_sched);
    cfg.sim.net.latency_max = 30 * MS;
    cfg
}

/// Play the schedule; heal; bring everyone back; run; a `sync` round; run.
fn play_case(sc: &mut dyn Scenario, c: &Case) {
    play(sc, &c.ops, input);
    for i in [Input::Heal, Input::Loss(0.0), Input::Sched(SchedMode::Timed)] {
        let _ = apply(sc, i);
    }
    for x in 0..sc.n() {
        if !sc.alive(x) {
            let _ = apply(sc, Input::Recover(x));
        }
    }
    let _ = apply(sc, Input::Run(Some(100_000)));
}

fn check_case(c: &Case) -> Result<(), TestCaseError> {
    let mut sc = open(run_config(c, &[]));
    play_case(sc.as_mut(), c);
    never_violated(sc.as_ref())?;
    // A final anti-entropy round repairs every loss, revealed or not.
    for x in 0..c.n {
        let _ = apply(sc.as_mut(), Input::Verb { verb: "sync".into(), args: vec![x.to_string()] });
    }
    let _ = apply(sc.as_mut(), Input::Run(Some(100_000)));
    let sc = sc.as_ref();
    if !sc.in_flight(1).0.is_empty() {
        return Err(fail(sc, "no quiescence".into()));
    }
    if let Some(v) = sc.violations().first() {
        return Err(fail(sc, format!("{} broken after the sync round: {}", v.property, v.detail)));
    }
    let r = report(sc);
    let posts = r["result"]["posts"].as_u64().unwrap();
    if r["result"]["missing"].as_array().unwrap().iter().any(|m| m != 0) || r["result"]["held"] != json!(vec![0; c.n]) {
        return Err(fail(
            sc,
            format!("after the sync round: missing {} held {}", r["result"]["missing"], r["result"]["held"]),
        ));
    }
    let total: usize = r["result"]["delivered"].as_array().unwrap().iter().map(|d| d.as_array().unwrap().len()).sum();
    if total as u64 != posts * (c.n as u64 - 1) {
        return Err(fail(sc, format!("{total} deliveries of {posts} posts")));
    }
    check_clocks(sc).map_err(|e| fail(sc, e))
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Random posts, deliveries, delays, drops, duplicates, loss,
    /// partitions, crashes and recoveries, timed or random scheduling: BSS
    /// never delivers out of causal order or twice, no untouched member
    /// misses anything at quiescence, and once the faults heal and every
    /// member syncs, every member has delivered every message exactly once.
    #[test]
    fn causal_order_holds_under_faults(c in case()) {
        check_case(&c)?;
    }
}

/// Delays and duplicates (the faults the card claims), and crashes and
/// recoveries: never red (a crash makes a stuck member a status), and once
/// everyone is back nobody is stuck and everyone delivered everything, with
/// no `sync` round (a SYNC restarts the NACKs of a member that gave up).
fn check_claimed(c: &Case) -> Result<(), TestCaseError> {
    let mut sc = open(run_config(c, &[]));
    play_case(sc.as_mut(), c);
    never_violated(sc.as_ref())?;
    let sc = sc.as_ref();
    if let Some(s) = sc.statuses().first() {
        return Err(fail(sc, format!("stuck with every member back: {s}")));
    }
    let r = report(sc);
    if r["result"]["missing"].as_array().unwrap().iter().any(|m| m != 0) {
        return Err(fail(sc, format!("missing {} with every member back", r["result"]["missing"])));
    }
    Ok(())
}

fn claimed_case() -> impl Strategy<Value = Case> {
    let op = prop_oneof![
        8 => any::<u8>().prop_map(Op::Post),
        8 => (1u8..=10).prop_map(Op::Step),
        4 => any::<u8>().prop_map(Op::Deliver),
        2 => any::<u8>().prop_map(Op::Crash),
        2 => any::<u8>().prop_map(Op::Recover),
        3 => (any::<u8>(), 0u16..250).prop_map(|(i, ms)| Op::Delay(i, ms)),
        2 => any::<u8>().prop_map(Op::Dup),
    ];
    (2usize..=6, any::<u64>(), proptest::bool::weighted(0.3), proptest::collection::vec(op, 1..100))
        .prop_map(|(n, seed, random_sched, ops)| Case { n, seed, random_sched, ops })
}

proptest! {
    #![proptest_config(proptest_config())]

    /// The card's claims hold, and the SYNC of a recovery repairs what a
    /// crash left behind.
    #[test]
    fn nobody_is_stuck_under_the_claimed_faults(c in claimed_case()) {
        check_claimed(&c)?;
    }
}

/// The random schedules do exercise the hold-back and every repair path.
#[test]
fn the_random_schedules_exercise_holdback_and_repair() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut held, mut nack, mut resend, mut sync) = (0, 0, 0, 0);
    for _ in 0..200 {
        let c = sample(&mut runner, &case());
        let mut sc = open(run_config(&c, &[]));
        play(sc.as_mut(), &c.ops, input);
        held += (report(sc.as_ref())["result"]["held"] != json!(vec![0; c.n])) as usize;
        nack += (by_kind(sc.as_ref(), "NACK") > 0) as usize;
        resend += (by_kind(sc.as_ref(), "RESEND") > 0) as usize;
        sync += (by_kind(sc.as_ref(), "SYNC") > 0) as usize;
    }
    println!("of 200 schedules: {held} end with messages held, {nack} NACK, {resend} RESEND, {sync} SYNC");
    assert!(held >= 10 && nack >= 10 && resend >= 10 && sync >= 10, "{held} {nack} {resend} {sync}");
}

/// The broken rules are caught on random schedules too (most need only a
/// latency spread and a few posts).
#[test]
fn the_random_schedules_catch_none_and_fifo() {
    for mode in ["none", "fifo"] {
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let total = 200;
        let mut caught = 0;
        for _ in 0..total {
            let c = sample(&mut runner, &case());
            let mut sc = open(run_config(&c, &[("ordering", mode)]));
            play_case(sc.as_mut(), &c);
            let props = violated(sc.as_ref());
            assert!(props.iter().all(|p| p == "causal-delivery"), "{mode}: {props:?}");
            caught += (!props.is_empty()) as usize;
        }
        println!("ordering={mode} caught in {caught}/{total} schedules");
        assert!(caught * 5 >= total, "{mode}: caught in only {caught} of {total}");
    }
}

// ----- screens -------------------------------------------------------------------------

/// The classic picture in the TUI, m2 held back at P2 (selected): its
/// badge `V=[0 0 0] held=1`, the inspector's hold-back row `1:1 W=[1 1 0]
/// waits for 0:1` and the repair it plans, m1 (#2) and the NACK timer in
/// flight.
async fn scene() -> App {
    let cfg = with_driver(config(CO, 3, 1, &[]), DriverKind::Actors);
    tui_app(
        cfg,
        &["sched manual", "post 0 \"m1: who is in?\"", "deliver 1", "post 1 \"m2: me!\"", "deliver 4", "select 2"],
    )
    .await
}

#[test]
fn screen_80x24() {
    block_on_fresh(async {
        let app = scene().await;
        let text = screen(&app, 80, 24);
        assert!(text.contains("1 held back"), "{text}");
        insta::assert_snapshot!(text);
    });
}

#[test]
fn screen_120x40() {
    block_on_fresh(async {
        let app = scene().await;
        let text = screen(&app, 120, 40);
        assert!(text.contains("waits for 0:1"), "{text}");
        insta::assert_snapshot!(text);
    });
}
