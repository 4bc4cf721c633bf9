//! The severity rule (issue 15, items 6 and 7): a red violation is a broken
//! safety property, or liveness broken under faults the card claims; a
//! liveness loss after a fault the card does not claim is a yellow "stuck"
//! status naming that fault; each broken property is reported once.
//!
//! Property cases: `DISTLAB_PROPTEST_CASES` (here a tenth of it, default
//! 1000 → 100 per scenario).

mod common;

use common::prop::*;
use common::*;
use distlab::algos;
use distlab::card::{Fault, Guarantee};
use distlab::engine::input::Input;
use distlab::scenario::Scenario;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};

/// Classic Ricart–Agrawala, one REQUEST dropped: no violation, one status
/// naming the waiting node and the message; `expect ok` holds, and the
/// JSON report lists the status.
#[test]
fn a_dropped_request_in_classic_ra_is_a_status_naming_node_and_message() {
    let mut sc = open(config("ricart-agrawala", 3, 1, &[("cs", "0")]));
    line(sc.as_mut(), "request 1");
    let id = msg_id(sc.as_ref(), "REQUEST", 1, 2);
    lines(sc.as_mut(), &format!("drop {id}; run; expect ok"));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    assert!(sc.failed_expectations().is_empty(), "expect ok holds with only a status");
    let want =
        format!("stuck: node 1 waits for replies that will never come — REQUEST #{id} 1→2 was dropped at step 1");
    assert_eq!(sc.statuses(), vec![want.clone()]);
    let r = report(sc.as_ref());
    assert_eq!(r["statuses"], serde_json::json!([want]));
    assert_eq!(r["violations"], serde_json::json!([]));
    assert_eq!(r["status"], serde_json::Value::Null, "the monitor's own status is unchanged");
    assert!(sc.log().iter().any(|l| l.text == want), "the log says it once");

    // Once the run moves on it is no longer judged stuck; at the next rest it is again.
    line(sc.as_mut(), "request 0");
    assert!(sc.statuses().is_empty(), "{:?}", sc.statuses());
    line(sc.as_mut(), "run");
    // Node 0 waits behind node 1's earlier request: stuck too, for the same
    // lost message (the only fault there is).
    assert_eq!(
        sc.statuses(),
        vec![
            format!("stuck: node 0 waits for replies that will never come — REQUEST #{id} 1→2 was dropped at step 1"),
            want
        ]
    );
    assert!(sc.violations().is_empty());
}

/// The same drop where the card claims it (with `retry`, lost messages are
/// survived): liveness must hold, and when it does not, it is red. Chat's
/// `no-resend` variant claims lost messages and does not survive them.
#[test]
fn a_claimed_fault_that_breaks_liveness_is_red() {
    // RA with retry survives the drop: no violation, no status.
    let mut sc = open(config("ricart-agrawala", 3, 1, &[("cs", "0"), ("retry", "20")]));
    line(sc.as_mut(), "request 1");
    let id = msg_id(sc.as_ref(), "REQUEST", 1, 2);
    lines(sc.as_mut(), &format!("drop {id}; run"));
    assert_eq!(cs_order(sc.as_ref()), vec![1]);
    assert!(sc.violations().is_empty() && sc.statuses().is_empty(), "{:?} {:?}", sc.violations(), sc.statuses());

    // chat claims lost messages: a RELAY dropped under no-resend is red.
    for (variant, red) in [("correct", false), ("no-resend", true)] {
        let mut sc = open(config("chat", 3, 1, &[("variant", variant)]));
        lines(sc.as_mut(), "join 1; join 2; run; post 1 hi");
        while in_flight(sc.as_ref()).iter().all(|m| m.kind != "RELAY") {
            line(sc.as_mut(), "step");
        }
        let id = msg_id(sc.as_ref(), "RELAY", 0, 2);
        lines(sc.as_mut(), &format!("drop {id}; run"));
        assert!(sc.statuses().is_empty(), "{variant}: {:?}", sc.statuses());
        if red {
            assert_eq!(violated(sc.as_ref()), ["every-post-delivered"]);
        } else {
            assert!(sc.violations().is_empty(), "{:?}", sc.violations());
        }
    }
}

/// Item 7: three nodes that disagree are three violations, however many
/// times the run comes to rest afterwards (each used to count again).
#[test]
fn each_broken_property_is_reported_once_per_node() {
    let mut sc = open(config("ring-election", 3, 1, &[("variant", "self-elect")]));
    lines(sc.as_mut(), "elect 1; run");
    let first: Vec<(String, u64)> = sc.violations().iter().map(|v| (v.detail.clone(), v.step)).collect();
    assert_eq!(first.len(), 3, "{first:?}");
    assert_eq!(sc.violation_count(), 3);
    lines(sc.as_mut(), "run; step; run");
    let again: Vec<(String, u64)> = sc.violations().iter().map(|v| (v.detail.clone(), v.step)).collect();
    assert_eq!(again, first, "reported once, at the step it broke");
    assert_eq!(sc.violation_count(), 3);
    assert_eq!(report(sc.as_ref())["violation_count"], 3);
}

/// A safety monitor does not count the same breach again: two nodes in
/// the critical section are one violation until another pair breaks it.
#[test]
fn a_safety_breach_of_one_pair_is_counted_once() {
    let mut sc = open(config("ricart-agrawala", 3, 1, &[("variant", "no-defer"), ("cs", "0")]));
    lines(sc.as_mut(), "request 0; request 1; run; run; step");
    assert_eq!(violated(sc.as_ref()), ["mutual-exclusion"]);
    assert_eq!(sc.violations()[0].nodes.len(), 2);
}

/// One fault the card does not claim, per family, turns its liveness
/// loss into a status (the time family has no liveness property at all).
#[test]
fn per_family_an_unclaimed_fault_downgrades_liveness_to_a_status() {
    // Mutual exclusion: a dropped WAKE on the parked token ring.
    let mut sc = open(config("token-ring", 4, 9, &[("idle", "park")]));
    line(sc.as_mut(), "request 2");
    let wake = msg_id(sc.as_ref(), "WAKE", 2, 3);
    lines(sc.as_mut(), &format!("drop {wake}; run"));
    assert!(sc.violations().is_empty());
    assert_eq!(sc.statuses().len(), 1);
    assert!(sc.statuses()[0].ends_with(&format!("WAKE #{wake} 2→3 was dropped at step 1")), "{:?}", sc.statuses());

    // Client-server: a dropped REPLY to a load-balancer client without retry.
    let mut sc = open(config("load-balancer", 6, 1, &[]));
    line(sc.as_mut(), "submit 1");
    while in_flight(sc.as_ref()).iter().all(|m| m.kind != "REPLY") {
        line(sc.as_mut(), "step");
    }
    let id = msg_id(sc.as_ref(), "REPLY", 1, 0);
    lines(sc.as_mut(), &format!("drop {id}; run"));
    assert!(sc.violations().is_empty());
    assert!(sc.statuses()[0].starts_with("stuck: client 0 never got a response"), "{:?}", sc.statuses());

    // Election: ring-election does not claim lost messages; a lost
    // COORDINATOR leaves a node believing nobody, shown as a status.
    let mut sc = open(config("ring-election", 3, 1, &[]));
    line(sc.as_mut(), "elect 0");
    while in_flight(sc.as_ref()).iter().all(|m| m.kind != "COORDINATOR") {
        line(sc.as_mut(), "step");
    }
    let c = in_flight(sc.as_ref()).into_iter().find(|m| m.kind == "COORDINATOR").unwrap();
    lines(sc.as_mut(), &format!("drop {}; run", c.id));
    assert!(sc.violations().iter().all(|v| v.property != "agreement"), "{:?}", sc.violations());

    // Group: chat-rooms claims only delays (BSS assumes reliable links);
    // time: no liveness property, so no fault can make a "stuck" status.
    for name in ["berkeley", "logical-clocks"] {
        let card = algos::find(name).unwrap().card;
        assert!(card.liveness_names().is_empty(), "{name}");
    }
    let rooms = algos::find("chat-rooms").unwrap().card;
    assert_eq!(rooms.tolerated(|_| ""), vec![Fault::Delay]);
}

/// `distlab info` states the claims once per card.
#[test]
fn every_card_states_what_it_claims() {
    for e in algos::all() {
        let text = distlab::card::info_text(e.card, "a");
        assert!(text.contains("claims to survive: "), "{}", e.card.name);
        for c in e.card.tolerates {
            assert!(text.contains(c.fault.words()), "{}: {:?}", e.card.name, c.fault);
        }
    }
    let ra = algos::find("ricart-agrawala").unwrap().card;
    assert_eq!(ra.tolerated(|k| if k == "retry" { "0" } else { "" }), vec![Fault::Delay, Fault::Dup]);
    assert_eq!(ra.tolerated(|_| "20").len(), 4);
}

// ----- property tests ------------------------------------------------------------

/// The faults an input applies, as the cards name them (a `loss P` counts
/// only if a message was lost, which the caller checks).
fn fault_of(input: &Input) -> Option<Fault> {
    Some(match input {
        Input::Drop(_) => Fault::Loss,
        Input::Crash(_) => Fault::Crash,
        Input::Recover(_) => Fault::Recover,
        Input::Dup(_) => Fault::Dup,
        Input::Delay(..) => Fault::Delay,
        Input::Partition(_) | Input::Cut(..) => Fault::Partition,
        _ => return None,
    })
}

/// Did the run suffer a fault its card does not claim by step `step`? (A
/// replay of its inputs tells the step each fault came at.)
fn unclaimed_by(sc: &dyn Scenario, step: u64) -> bool {
    let card = sc.card();
    let params = &sc.config().params;
    let value =
        |k: &str| params.iter().find(|(p, _)| p == k).map(|(_, v)| v.as_str()).or(card.param(k).map(|p| p.default));
    let claimed = card.tolerated(|k| value(k).unwrap_or_default());
    let mut replay = open(sc.config().clone());
    for input in sc.inputs() {
        if replay.step() > step {
            return false;
        }
        if fault_of(input).is_some_and(|f| !claimed.contains(&f)) {
            return true;
        }
        let _ = apply(replay.as_mut(), input.clone());
    }
    false
}

/// Did the run suffer a fault its card does not claim with these parameters?
fn unclaimed(sc: &dyn Scenario) -> bool {
    let card = sc.card();
    let params = &sc.config().params;
    let value =
        |k: &str| params.iter().find(|(p, _)| p == k).map(|(_, v)| v.as_str()).or(card.param(k).map(|p| p.default));
    let claimed = card.tolerated(|k| value(k).unwrap_or_default());
    let lost = report(sc)["messages"]["lost"].as_u64().unwrap_or(0) > 0;
    sc.inputs().iter().any(|i| fault_of(i).is_some_and(|f| !claimed.contains(&f)))
        || (lost
            && !claimed.contains(&Fault::Loss)
            && sc.inputs().iter().any(|i| matches!(i, Input::Loss(p) if *p > 0.0)))
}

/// A correct variant under random faults: a liveness violation only when
/// every fault was claimed, and a "stuck" status only after one that was not.
fn severity_holds(sc: &dyn Scenario) -> Result<(), TestCaseError> {
    let card = sc.card();
    let live = |p: &str| card.property(p).is_some_and(|p| p.guarantee == Guarantee::Liveness);
    let red_liveness: Vec<_> = sc.violations().iter().filter(|v| live(&v.property)).collect();
    let stuck = sc.statuses().iter().filter(|s| s.starts_with("stuck: ")).count();
    // Red only for a loss that came before any unclaimed fault (a later
    // fault cannot excuse it).
    if let Some(v) = red_liveness.iter().find(|v| unclaimed_by(sc, v.step.saturating_sub(1))) {
        return Err(fail(sc, format!("red liveness after an unclaimed fault: {v:?}")));
    }
    if !unclaimed(sc) && stuck > 0 {
        return Err(fail(sc, format!("a stuck status without an unclaimed fault: {:?}", sc.statuses())));
    }
    Ok(())
}

fn severity_cases(name: &str, n: usize, params: &[(&str, &str)], actions: Actions) {
    let mut runner = TestRunner::new(ProptestConfig { cases: (cases() / 10).max(10), ..proptest_config() });
    let ops = proptest::collection::vec(fault_op(ALL, 8), 1..25);
    runner
        .run(&(ops, 0u64..1000), |(ops, seed)| {
            let mut sc = open(schedule_config(name, n, seed, params, false));
            actions.play(sc.as_mut(), &ops);
            let _ = apply(sc.as_mut(), Input::Run(Some(20_000)));
            severity_holds(sc.as_ref())
        })
        .unwrap();
}

#[test]
fn severity_rule_holds_for_mutual_exclusion_under_random_faults() {
    for (name, params) in [
        ("ricart-agrawala", &[("cs", "5")][..]),
        ("ricart-agrawala", &[("cs", "5"), ("retry", "40")][..]),
        ("suzuki-kasami", &[("cs", "5")][..]),
        ("lamport-mutex", &[("cs", "5")][..]),
        ("central-lock", &[("cs", "5")][..]),
    ] {
        severity_cases(name, 4, params, MUTEX);
    }
}

#[test]
fn severity_rule_holds_for_elections_under_random_faults() {
    severity_cases("ring-election", 4, &[], ELECT);
    severity_cases("bully-election", 4, &[], ELECT);
}

/// Broken variants are still caught under unclaimed faults: a safety
/// property is red whatever the faults.
#[test]
fn broken_variants_are_still_caught_under_unclaimed_faults() {
    let mut runner = TestRunner::new(ProptestConfig { cases: (cases() / 10).max(10), ..proptest_config() });
    let ops = proptest::collection::vec(fault_op(ALL, 8), 1..25);
    let mut caught = 0;
    for seed in 0..40u64 {
        let ops = sample(&mut runner, &ops);
        let mut sc = open(schedule_config("ricart-agrawala", 4, seed, &[("variant", "no-defer"), ("cs", "5")], false));
        lines(sc.as_mut(), "request 0; request 1; request 2");
        MUTEX.play(sc.as_mut(), &ops);
        let _ = apply(sc.as_mut(), Input::Run(Some(20_000)));
        if violated(sc.as_ref()).iter().any(|p| p == "mutual-exclusion") {
            caught += 1;
        }
    }
    assert!(caught >= 10, "no-defer caught in only {caught} of 40 faulty runs");
}

/// A timer dropped by hand is a fault no algorithm claims: with `retry`,
/// Ricart–Agrawala survives a lost REQUEST by resending it, but not a lost
/// REQUEST and the retry timer that would resend it. That is a yellow
/// status naming the timer, not a red violation.
#[test]
fn a_dropped_timer_is_an_unclaimed_fault_named_in_the_status() {
    let mut sc = open(config("ricart-agrawala", 3, 1, &[("cs", "0"), ("retry", "20")]));
    line(sc.as_mut(), "request 1");
    let req = msg_id(sc.as_ref(), "REQUEST", 1, 2);
    let retry = in_flight(sc.as_ref())
        .iter()
        .find(|m| m.from.is_none() && m.to == 1)
        .map(|m| m.id)
        .expect("node 1's retry timer");
    lines(sc.as_mut(), &format!("drop {req}; drop {retry}; run"));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    let statuses = sc.statuses();
    assert_eq!(statuses.len(), 1, "{statuses:?}");
    assert!(statuses[0].starts_with("stuck: node 1 waits"), "{statuses:?}");
    assert!(statuses[0].ends_with(&format!("timer #{retry} of node 1 was dropped at step 1")), "{statuses:?}");
}
