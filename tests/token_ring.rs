//! Token ring through the public API: the token's path and timing, entry
//! by waiting for the token, the idle circulation and the parked token
//! woken by WAKE, the token lost to a drop or a crash, duplicated tokens,
//! bad input, 1,000 nodes, property tests over random fault schedules, the
//! broken variant caught, and screen snapshots.

mod common;

use common::prop::*;
use common::*;
use distlab::engine::input::Input;
use distlab::engine::protocol::{MS, Role};
use distlab::engine::trace::RunConfig;
use distlab::scenario::Scenario;
use distlab::tui::App;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::json;

const TR: &str = "token-ring";

fn result(sc: &dyn Scenario) -> serde_json::Value {
    sc.report()["result"].clone()
}

fn tokens_in_flight(sc: &dyn Scenario) -> Vec<u64> {
    in_flight(sc).iter().filter(|m| m.kind == "TOKEN").map(|m| m.id).collect()
}

/// Step until a TOKEN is in flight; its id.
fn step_to_token(sc: &mut dyn Scenario) -> u64 {
    for _ in 0..100 {
        if let Some(&id) = tokens_in_flight(sc).first() {
            return id;
        }
        line(sc, "step");
    }
    panic!("no token in flight");
}

fn holder(sc: &dyn Scenario) -> Option<usize> {
    (0..sc.n()).find(|&i| sc.badge(i).starts_with("◆TOKEN"))
}

#[test]
fn the_token_goes_round_the_ring_in_order_every_hold_ms() {
    let mut sc = open(config(TR, 5, 3, &[]));
    assert_eq!(sc.badge(0), "◆TOKEN");
    let out = line(sc.as_mut(), "run 24");
    assert!(!out.quiescent, "an idle ring never falls silent");
    // Each hop: the hold timer fires, then the TOKEN arrives.
    assert_eq!(
        recvs(sc.as_ref(), "TOKEN"),
        vec![(0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (0, 1), (1, 2)]
    );
    assert_eq!(holder(sc.as_ref()), Some(2));
    // 12 hops: 12 holds of 10 ms plus 12 latencies of 1..10 ms.
    let now = sc.now() / MS;
    assert!((12 * 11..=12 * 20).contains(&now), "{now} ms");
    assert_eq!(result(sc.as_ref())["token_passes"], 12);
    assert_eq!(result(sc.as_ref())["token"], "held");
    assert_eq!(result(sc.as_ref())["cs_order"], json!([]));
    assert!(sc.violations().is_empty());
    assert_eq!(sc.status(), None);
    // `hold` sets the pace.
    let mut fast = open(config(TR, 5, 3, &[("hold", "1")]));
    line(fast.as_mut(), "run 24");
    assert!(fast.now() < sc.now());
}

#[test]
fn a_node_waits_for_the_token_then_enters_and_passes_it_on_when_it_leaves() {
    let mut sc = open(config(TR, 5, 4, &[]));
    lines(sc.as_mut(), "request 3; request 1");
    assert_eq!((sc.role(1), sc.role(3)), (Role::Wanting, Role::Wanting));
    assert_eq!(inspect(sc.as_mut(), 3)["state"], "waiting for the token");
    // Circulating: no message is needed to ask.
    assert_eq!(total_messages(sc.as_ref()), 0);
    let out = line(sc.as_mut(), "run");
    assert!(out.quiescent, "cs=0: node 1 keeps the token until `release 1`");
    assert_eq!(cs_order(sc.as_ref()), vec![1]);
    assert_eq!(sc.role(1), Role::InCs);
    assert_eq!(sc.badge(1), "◆TOKEN");
    line(sc.as_mut(), "release 1");
    // Passed on at once, not after `hold`.
    let t = in_flight(sc.as_ref()).into_iter().find(|m| m.kind == "TOKEN").unwrap();
    assert_eq!((t.from, t.to, t.sent_at), (Some(1), 2, sc.now()));
    line(sc.as_mut(), "run");
    assert_eq!(cs_order(sc.as_ref()), vec![1, 3]);
    assert_eq!(recvs(sc.as_ref(), "TOKEN"), vec![(0, 1), (1, 2), (2, 3)]);
    assert_eq!(total_messages(sc.as_ref()), 3);
    assert!(sc.violations().is_empty());
    // A node that asks just after leaving waits a whole lap.
    lines(sc.as_mut(), "release 3; request 3; run");
    assert_eq!(cs_order(sc.as_ref()), vec![1, 3, 3]);
    assert_eq!(total_messages(sc.as_ref()), 3 + 5);

    // The holder enters for free: node 0 holds the token at the start.
    let mut sc = open(config(TR, 5, 4, &[]));
    line(sc.as_mut(), "request 0");
    assert_eq!(sc.role(0), Role::InCs);
    assert!(line(sc.as_mut(), "run").quiescent);
    assert_eq!(total_messages(sc.as_ref()), 0);
}

#[test]
fn entry_order_follows_the_ring_from_the_token() {
    let sc = run_script(config(TR, 6, 2, &[("cs", "5")]), "request 5; request 0; request 2; request 4; run 40");
    // The token starts at 0, which enters at once; then 2, 4, 5 in ring order.
    assert_eq!(cs_order(sc.as_ref()), vec![0, 2, 4, 5]);
    assert!(sc.violations().is_empty());
}

#[test]
fn cs_and_think_make_a_continuous_workload() {
    let sc = run_script(config(TR, 5, 2, &[("cs", "3"), ("think", "20"), ("hold", "2")]), "run 3000");
    let order = cs_order(sc.as_ref());
    assert!(order.len() > 50, "{}", order.len());
    for n in 0..5 {
        assert!(order.contains(&n), "node {n} entered");
    }
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn a_dropped_token_is_lost() {
    let mut sc = open(config(TR, 4, 5, &[]));
    line(sc.as_mut(), "request 2");
    let tok = step_to_token(sc.as_mut());
    assert_eq!(sc.status(), None);
    assert_eq!(result(sc.as_ref())["token"], "in flight");
    line(sc.as_mut(), &format!("drop {tok}"));
    assert_eq!(sc.status().as_deref(), Some("token lost"));
    let out = line(sc.as_mut(), "run");
    assert!(out.quiescent, "nothing moves any more");
    assert_eq!(report(sc.as_ref())["status"], "token lost");
    assert_eq!(result(sc.as_ref())["token"], "lost");
    assert_eq!(sc.role(2), Role::Wanting);
    assert!(sc.violations().is_empty(), "a lost token is a status, not a violation");
}

#[test]
fn a_crashed_holder_takes_the_token_with_it() {
    let mut sc = open(config(TR, 4, 5, &[]));
    lines(sc.as_mut(), "request 2; run");
    assert_eq!(sc.role(2), Role::InCs);
    line(sc.as_mut(), "crash 2");
    assert_eq!(sc.status().as_deref(), Some("token lost"));
    assert_eq!(report(sc.as_ref())["status"], "token lost");
    // Recovery does not bring it back: the token is not persisted.
    lines(sc.as_mut(), "recover 2; request 3; run");
    assert_eq!(sc.status().as_deref(), Some("token lost"));
    assert_eq!(inspect(sc.as_mut(), 2)["holds token"], "no");
    assert_eq!(cs_order(sc.as_ref()), vec![2]);
}

#[test]
fn a_crashed_successor_breaks_the_ring_and_then_the_token_is_lost() {
    let mut sc = open(config(TR, 5, 6, &[]));
    line(sc.as_mut(), "crash 3");
    assert_eq!(sc.status().as_deref(), Some("ring broken: node 3 crashed"));
    let out = line(sc.as_mut(), "run 100");
    assert!(out.quiescent);
    assert_eq!(losses(sc.as_ref(), "TOKEN"), vec![(2, 3)]);
    assert_eq!(sc.status().as_deref(), Some("token lost"));
    // A cut ring link is reported the same way.
    let mut sc = open(config(TR, 5, 6, &[]));
    line(sc.as_mut(), "cut 2 1");
    assert_eq!(sc.status().as_deref(), Some("ring broken: link 1→2 down"));
    line(sc.as_mut(), "heal");
    assert_eq!(sc.status(), None);
}

/// Decision (as in suzuki-kasami): the token carries its hop count as a
/// serial and a node discards a copy it has already seen. A duplicated
/// TOKEN is the same token: no violation, one copy discarded.
#[test]
fn a_duplicated_token_is_discarded() {
    let mut sc = open(config(TR, 4, 7, &[]));
    let tok = step_to_token(sc.as_mut());
    line(sc.as_mut(), &format!("dup {tok}"));
    assert_eq!(tokens_in_flight(sc.as_ref()).len(), 2);
    assert_eq!(result(sc.as_ref())["token"], "in flight");
    lines(sc.as_mut(), "request 3; run 30");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    assert_eq!(result(sc.as_ref())["stale_tokens_discarded"], 1);
    assert_eq!(cs_order(sc.as_ref()), vec![3]);
    assert_eq!(inspect(sc.as_mut(), 1)["stale discarded"], "1");
}

#[test]
fn a_parked_token_rests_until_a_wake_fetches_it() {
    let mut sc = open(config(TR, 5, 8, &[("idle", "park")]));
    assert_eq!(sc.badge(0), "◆TOKEN parked");
    assert!(line(sc.as_mut(), "run").quiescent, "a parked token: the ring is silent");
    assert_eq!(total_messages(sc.as_ref()), 0);
    line(sc.as_mut(), "request 3");
    assert!(line(sc.as_mut(), "run").quiescent);
    // WAKE 3→4→0; the parked token 0→1→2→3: N messages.
    assert_eq!(recvs(sc.as_ref(), "WAKE"), vec![(3, 4), (4, 0)]);
    assert_eq!(recvs(sc.as_ref(), "TOKEN"), vec![(0, 1), (1, 2), (2, 3)]);
    assert_eq!(cs_order(sc.as_ref()), vec![3]);
    assert_eq!(inspect(sc.as_mut(), 4)["WAKE seen"], "yes");
    // After leaving, the token looks for takers and parks after a full idle
    // lap; node 4 saw the WAKE go by, so its idle count restarts there.
    lines(sc.as_mut(), "release 3; run");
    assert_eq!(recvs(sc.as_ref(), "TOKEN")[3..], [(3, 4), (4, 0), (0, 1), (1, 2), (2, 3), (3, 4)]);
    assert_eq!(sc.badge(4), "◆TOKEN parked");
    assert!(inspect(sc.as_mut(), 4)["holds token"].contains("parked"));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    // The holder of a parked token enters without a message.
    let before = total_messages(sc.as_ref());
    lines(sc.as_mut(), "request 4; release 4; run");
    assert_eq!(cs_order(sc.as_ref()), vec![3, 4]);
    assert_eq!(by_kind(sc.as_ref(), "WAKE"), 2);
    assert!(total_messages(sc.as_ref()) > before, "after use it goes a lap before parking again");
}

#[test]
fn a_lost_wake_starves_until_the_node_knocks_again() {
    let mut sc = open(config(TR, 4, 9, &[("idle", "park")]));
    line(sc.as_mut(), "request 2");
    let wake = msg_id(sc.as_ref(), "WAKE", 2, 3);
    lines(sc.as_mut(), &format!("drop {wake}; run"));
    assert_eq!(sc.role(2), Role::Wanting);
    assert!(sc.violations().is_empty(), "the ring claims to survive no lost message");
    let s = sc.statuses();
    assert_eq!(s.len(), 1, "{s:?}");
    assert!(s[0].starts_with("stuck: node 2 waits, but the token rests elsewhere — WAKE #"), "{s:?}");
    lines(sc.as_mut(), "request 2; run");
    assert_eq!(cs_order(sc.as_ref()), vec![2]);
    assert!(sc.violations().is_empty());
    assert!(sc.statuses().is_empty(), "no longer stuck: {:?}", sc.statuses());
}

#[test]
fn concurrent_wakes_serve_everyone_in_ring_order() {
    for seed in 0..30 {
        let mut sc = open(config(TR, 7, seed, &[("idle", "park"), ("cs", "4")]));
        lines(sc.as_mut(), "request 5; request 2; request 6; request 3");
        assert!(line(sc.as_mut(), "run").quiescent);
        // The first WAKE to reach 0 sends the parked token round: it
        // serves the waiting nodes in ring order.
        assert_eq!(cs_order(sc.as_ref()), vec![2, 3, 5, 6], "seed {seed}");
        assert!(sc.violations().is_empty(), "seed {seed}: {:?}", sc.violations());
        assert!(holder(sc.as_ref()).is_some());
    }
}

#[test]
fn bad_input_is_rejected_with_a_clear_message() {
    let mut sc = open(config(TR, 4, 1, &[]));
    // The card's parser: node range, type, argument count.
    for (l, want) in [
        ("request 4", "node 4 does not exist (nodes are 0..3)"),
        ("release zero", "`release N`: N is a node id, not \"zero\""),
        ("request", "usage: request N (1 argument(s), got none)"),
        ("release 1 2", "usage: release N (1 argument(s), got 2)"),
    ] {
        let err = try_line(sc.as_mut(), l).expect_err(l);
        assert_eq!(err, want, "{l}");
    }
    let err = try_line(sc.as_mut(), "pass 1").unwrap_err();
    assert!(err.ends_with("or token-ring's own: request N, release N"), "{err}");
    assert!(sc.inputs().is_empty());
    assert_eq!(sc.step(), 0);
    // Parameters: checked against the card, then against each other.
    for (k, v, want) in [
        ("idle", "sleep", "parameter idle=sleep: expected one of circulate, park"),
        ("variant", "three-tokens", "parameter variant=three-tokens: expected one of correct, two-tokens"),
        ("hold", "x", "parameter hold=x: expected whole ms from 0 to 1000000000"),
        ("hold", "-1", "parameter hold=-1: expected whole ms from 0 to 1000000000"),
        ("think", "5", "think > 0 needs cs > 0 (nodes must leave on their own)"),
    ] {
        let err = block_on(distlab::algos::open_run(config(TR, 3, 1, &[(k, v)]))).err().expect(k);
        assert_eq!(err, want, "{k}={v}");
    }
    for n in [1, 4097] {
        let err = block_on(distlab::algos::open_run(config(TR, n, 1, &[]))).err().expect("too few or too many");
        assert_eq!(err, format!("token-ring runs with 2 to 4096 nodes, not {n}"));
    }
    // Odd requests are notes.
    lines(sc.as_mut(), "release 1; request 2; request 2");
    assert_eq!(sc.role(2), Role::Wanting);
}

#[test]
fn a_thousand_nodes_run_headless() {
    let started = std::time::Instant::now();
    let mut cfg = config(TR, 1000, 1, &[("cs", "1")]);
    cfg.sim.logging = false;
    let mut sc = open(cfg);
    lines(sc.as_mut(), "request 10; request 500; request 990; run 2200");
    assert_eq!(cs_order(sc.as_ref()), vec![10, 500, 990]);
    assert!(sc.violations().is_empty());

    let mut cfg = config(TR, 1000, 1, &[("cs", "1"), ("idle", "park")]);
    cfg.sim.logging = false;
    let mut sc = open(cfg);
    lines(sc.as_mut(), "request 999; request 400");
    assert!(line(sc.as_mut(), "run").quiescent);
    assert_eq!(cs_order(sc.as_ref()), vec![400, 999]);
    assert!(sc.violations().is_empty());
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}

// ----- the broken variant ------------------------------------------------------------

#[test]
fn two_tokens_are_caught() {
    let mut sc = open(config(TR, 6, 1, &[("variant", "two-tokens")]));
    assert_eq!(violated(sc.as_ref()), vec!["one-token"]);
    assert_eq!(sc.violations()[0].step, 0);
    assert_eq!(sc.violations()[0].detail, "2 tokens exist: held by [0 3], 0 in flight");
    assert_eq!(result(sc.as_ref())["token"], "several");
    lines(sc.as_mut(), "request 1; request 4; run");
    assert_eq!(violated(sc.as_ref()), vec!["one-token", "mutual-exclusion"]);
    assert_eq!(inspect(sc.as_mut(), 0)["variant"], "two-tokens (BROKEN on purpose)");
    // Whatever the seed or size, two requests ahead of each token are caught.
    for seed in 0..30u64 {
        let n = 4 + seed as usize % 5;
        let script = format!("request 1; request {}; run", n / 2 + 1);
        let sc = run_script(config(TR, n, seed, &[("variant", "two-tokens")]), &script);
        let props = violated(sc.as_ref());
        assert!(props.contains(&"mutual-exclusion".to_string()), "seed {seed} n {n}: {props:?}");
    }
}

// ----- property tests ------------------------------------------------------------------

/// `lossless`: only delays, duplicates and requests — nothing can lose
/// the token, so it must survive every schedule.
fn op(lossless: bool) -> impl Strategy<Value = Op> {
    if lossless {
        return lossless_op();
    }
    prop_oneof![
        10 => (1u8..=20).prop_map(Op::Step),
        8 => any::<u8>().prop_map(Op::Act),
        1 => any::<u8>().prop_map(Op::Crash),
        2 => any::<u8>().prop_map(Op::Recover),
        1 => any::<u8>().prop_map(Op::Partition),
        2 => Just(Op::Heal),
        2 => (any::<u8>(), 0u16..300).prop_map(|(i, ms)| Op::Delay(i, ms)),
        1 => any::<u8>().prop_map(Op::Drop),
        3 => any::<u8>().prop_map(Op::Dup),
        1 => (0u8..=2).prop_map(Op::Loss),
    ]
    .boxed()
}

#[derive(Clone, Debug)]
struct Case {
    n: usize,
    seed: u64,
    park: bool,
    random_sched: bool,
    lossless: bool,
    ops: Vec<Op>,
}

fn case(lossless: bool) -> impl Strategy<Value = Case> {
    (2usize..=6, any::<u64>(), any::<bool>(), any::<bool>(), proptest::collection::vec(op(lossless), 1..60))
        .prop_map(move |(n, seed, park, random_sched, ops)| Case { n, seed, park, random_sched, lossless, ops })
}

fn case_config(c: &Case, variant: &str) -> RunConfig {
    let idle = if c.park { "park" } else { "circulate" };
    schedule_config(
        TR,
        c.n,
        c.seed,
        &[("cs", "5"), ("hold", "3"), ("idle", idle), ("variant", variant)],
        c.random_sched,
    )
}

const SAFETY: &[&str] = &["mutual-exclusion", "one-token"];

fn request_all(sc: &mut dyn Scenario, filter: impl Fn(Role) -> bool) {
    for i in 0..sc.n() {
        if filter(sc.role(i)) {
            apply(sc, verb("request", i)).unwrap();
        }
    }
}

/// Run until every node is idle (at most `max` steps, in slices).
fn until_idle(sc: &mut dyn Scenario, max: u64) -> Result<(), TestCaseError> {
    let mut done = 0;
    while (0..sc.n()).any(|i| sc.role(i) != Role::Idle) {
        if done >= max {
            return Err(fail(sc, format!("not everyone idle after {max} steps: {:?}", roles(sc))));
        }
        apply(sc, Input::Run(Some(50))).map_err(|e| fail(sc, e))?;
        done += 50;
    }
    Ok(())
}

fn check_case(c: &Case) -> Result<(), TestCaseError> {
    let mut sc = open(case_config(c, "correct"));
    TOKEN.play(sc.as_mut(), &c.ops);
    safe_during_faults(sc.as_ref(), SAFETY)?;
    if c.lossless && sc.status().is_some() {
        return Err(fail(sc.as_ref(), format!("{:?} without any fault that loses a message", sc.status())));
    }
    for i in [heal(), recover_crashed(sc.as_ref())].concat() {
        apply(sc.as_mut(), i).map_err(|e| fail(sc.as_ref(), e))?;
    }
    if sc.status().is_some() {
        // Truly lost: nobody holds it, and nobody ever enters again.
        if let Some(h) = holder(sc.as_ref()) {
            return Err(fail(sc.as_ref(), format!("{:?} but node {h} holds the token", sc.status())));
        }
        let before = cs_order(sc.as_ref()).len();
        request_all(sc.as_mut(), |r| r == Role::Idle);
        apply(sc.as_mut(), Input::Run(Some(2_000))).map_err(|e| fail(sc.as_ref(), e))?;
        if cs_order(sc.as_ref()).len() != before || sc.status().as_deref() != Some("token lost") {
            return Err(fail(sc.as_ref(), "a lost token came back".into()));
        }
        return Ok(());
    }
    // The token is alive and the ring whole: whoever waits gets in (a node
    // whose WAKE was lost knocks again), then everyone once more.
    let mark = sc.violations().len();
    request_all(sc.as_mut(), |r| r == Role::Wanting);
    until_idle(sc.as_mut(), 5_000)?;
    let before = cs_order(sc.as_ref()).len();
    request_all(sc.as_mut(), |_| true);
    until_idle(sc.as_mut(), 5_000)?;
    let mut last: Vec<u64> = cs_order(sc.as_ref())[before..].to_vec();
    last.sort_unstable();
    if last != (0..c.n as u64).collect::<Vec<_>>() {
        return Err(fail(sc.as_ref(), format!("after healing, entries were {last:?}")));
    }
    if c.park {
        let out = apply(sc.as_mut(), Input::Run(Some(1_000))).map_err(|e| fail(sc.as_ref(), e))?;
        if !out.quiescent || !sc.badge(holder(sc.as_ref()).unwrap_or(0)).ends_with("parked") {
            return Err(fail(sc.as_ref(), "the idle token did not park".into()));
        }
    }
    if let Some(v) = sc.violations().get(mark) {
        return Err(fail(sc.as_ref(), format!("{} broken after healing: {}", v.property, v.detail)));
    }
    if sc.status().is_some() {
        return Err(fail(sc.as_ref(), format!("status {:?} after healing", sc.status())));
    }
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Crashes, recoveries, partitions, delays, drops, duplicates, random
    /// loss and random scheduling, circulating or parking: never two nodes
    /// in the CS, never two tokens; once healed, the token is either truly
    /// lost (and the screen says so) or everyone gets in.
    #[test]
    fn token_ring_is_safe_and_live_after_healing(c in case(false)) {
        check_case(&c)?;
    }

    /// Only delays, duplicated messages (tokens included) and requests,
    /// under either scheduler: the token is never lost, every copy the
    /// network makes of it is discarded, and everyone gets in.
    #[test]
    fn token_ring_never_loses_the_token_without_losses(c in case(true)) {
        check_case(&c)?;
    }
}

/// The random schedules have teeth: on the broken variant they are caught.
#[test]
fn the_random_schedules_catch_the_broken_variant() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut me, mut total) = (0, 0);
    while total < 200 {
        let c = sample(&mut runner, &case(false));
        if c.n < 3 {
            continue;
        }
        total += 1;
        let mut sc = open(case_config(&c, "two-tokens"));
        TOKEN.play(sc.as_mut(), &c.ops);
        // The same last round as the property test: everyone asks.
        for i in [heal(), recover_crashed(sc.as_ref())].concat() {
            let _ = apply(sc.as_mut(), i);
        }
        request_all(sc.as_mut(), |r| r == Role::Idle);
        let _ = apply(sc.as_mut(), Input::Run(Some(2_000)));
        let props = violated(sc.as_ref());
        assert!(props.first().is_some_and(|p| p == "one-token"), "{props:?}");
        assert!(props.iter().all(|p| SAFETY.contains(&p.as_str()) || p == "no-starvation"), "{props:?}");
        if props.iter().any(|p| p == "mutual-exclusion") {
            me += 1;
        }
    }
    println!("two-tokens: one-token caught in {total}/{total}, mutual-exclusion in {me}/{total}");
    // Faults often lose one of the tokens, or let the two meet and merge,
    // before anyone asks; in about a fifth of the schedules both survive
    // to put two nodes in the CS.
    assert!(me * 10 >= total, "two nodes in the CS in only {me} of {total}");
}

// ----- screens -------------------------------------------------------------------------

/// Five nodes, node 3 waits, node 1 is in the CS holding the token
/// (◆TOKEN beside node 1 on the ring; 3 is ◐ wanting); the inspector of
/// the selected node 1 shows it holds the token at hop 1.
fn ring_app() -> App {
    block_on(tui_app(config(TR, 5, 1, &[]), &["request 3", "request 1", "run", "select 1"]))
}

#[test]
fn screen_token_on_its_holder_80x24() {
    let app = ring_app();
    assert!(app.inspect.iter().any(|r| r.label == "holds token" && r.value.starts_with("yes")));
    let text = screen(&app, 80, 24);
    assert!(text.contains("1 ◆TOKEN"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn screen_token_on_its_holder_120x40() {
    let app = ring_app();
    let text = screen(&app, 120, 40);
    assert!(text.contains("1 ◆TOKEN"), "{text}");
    insta::assert_snapshot!(text);
}

/// The token was dropped on its way: "⚠ token lost" in the header, no
/// token badge anywhere, node 3 still waiting.
#[test]
fn screen_token_lost_80x24() {
    block_on(async {
        let mut app = tui_app(config(TR, 5, 1, &[]), &["request 3", "step"]).await;
        let sc = app.scenario.as_deref().unwrap();
        let tok = tokens_in_flight(sc)[0];
        for l in [format!("drop {tok}"), "run".into(), "select 3".into()] {
            app.exec(&l).await.unwrap();
        }
        let text = screen(&app, 80, 24);
        assert!(text.lines().next().unwrap().contains("token lost"), "{text}");
        assert!(!text.contains("◆TOKEN"), "{text}");
        insta::assert_snapshot!(text);
    });
}
