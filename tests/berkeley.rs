//! Berkeley clock synchronisation (seed 000 "Clock Synchronization", seed
//! 001 Experiment 8): the seed's numbers, round-trip compensation under
//! latency, outliers, timeouts, elections of the lowest clock, periodic
//! rounds against drift, the chart's data, property tests over random
//! fault schedules, the broken variants caught, and the screen.
//!
//! Cases per property: `DISTLAB_PROPTEST_CASES` (default 1000). A failing
//! case prints the script that reproduces it.

mod common;

use common::prop::{
    fail, never_violated, partition, pick, play, proptest_config, recover_crashed, sample, schedule_config, settle,
    verb,
};
use common::*;
use distlab::algos::time::berkeley::{CHART_POINTS, Clock, MAX_DRIFT, MAX_SECONDS, TRUE0, true_time};
use distlab::engine::actor::DriverKind;
use distlab::engine::input::{Input, SchedMode};
use distlab::engine::protocol::{MS, Role};
use distlab::engine::record::EvKind;
use distlab::engine::trace::RunConfig;
use distlab::scenario::Scenario;
use distlab::tui::App;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value;

const BK: &str = "berkeley";
/// Seed 001's clocks.
const SEED_CLOCKS: &str = "100.3,102.5,98.4,101.0";
const SAFETY: &[&str] = &["skew-bound", "adjust-sum"];

fn res(sc: &dyn Scenario) -> Value {
    sc.report()["result"].clone()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"))
}

/// A result list of numbers (null: `None`).
fn list(sc: &dyn Scenario, key: &str) -> Vec<Option<f64>> {
    res(sc)[key].as_array().unwrap_or_else(|| panic!("result.{key} is a list")).iter().map(|v| v.as_f64()).collect()
}

fn assert_close(got: &[Option<f64>], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let g = g.unwrap_or_else(|| panic!("{what}[{i}] is null in {got:?}"));
        assert!((g - w).abs() <= tol, "{what}[{i}] = {g}, want {w} (±{tol}); all: {got:?}");
    }
}

fn log_has(sc: &dyn Scenario, text: &str) -> bool {
    sc.log().iter().any(|l| l.text.contains(text))
}

// ----- the seeds -----------------------------------------------------------------

/// Seed 001, Experiment 8: with zero latency the round reproduces the
/// lab's output exactly: adjustments 0.25, −1.95, 2.15, −0.45 and every
/// clock at 100.55 — in 3(N−1) messages.
#[test]
fn seed_001_clocks_give_the_labs_adjustments_and_100_55_everywhere() {
    let mut sc = open(config(BK, 4, 1, &[("clocks", SEED_CLOCKS)]));
    lines(sc.as_mut(), "latency 0 0; sync; run");
    assert_close(&list(sc.as_ref(), "adjustments"), &[0.25, -1.95, 2.15, -0.45], 1e-9, "adjustments");
    assert_close(&list(sc.as_ref(), "clocks"), &[100.55; 4], 1e-9, "clocks");
    // True time starts at 100 s: the clocks agree, 0.55 s ahead of it.
    assert_close(&list(sc.as_ref(), "offsets"), &[0.55; 4], 1e-9, "offsets");
    let r = res(sc.as_ref());
    assert_eq!((r["rounds"].clone(), r["master"].clone()), (1.into(), 0.into()));
    assert!(num(&r["residual_skew"]) <= 1e-9 && num(&r["skew_now"]) <= 1e-9, "{r}");
    assert_eq!(report(sc.as_ref())["messages"]["by_kind"], serde_json::json!({"POLL": 3, "REPLY": 3, "ADJUST": 3}));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    // The master's poll table: readings, zero round trips, estimates, adjustments.
    let m = inspect(sc.as_mut(), 0);
    assert_eq!(m["round 1"], "avg +0.250000 s of 4 clocks");
    assert_eq!(m["poll"], "rtt ms\test.off\tadjust\treading");
    assert_eq!(m["1"], "0.00\t+2.2000\t-1.9500\t102.500");
    assert_eq!(m["2"], "0.00\t-1.9000\t+2.1500\t98.400");
    assert_eq!(m["0"], "self\t+0.0000\t+0.2500\t100.300");
    assert_eq!(m["skew"], "≤ 0.000 ms by the RTTs");
    for i in 0..4 {
        let row = inspect(sc.as_mut(), i);
        assert_eq!(row["clock"], "100.550000 s at t=0 ms", "node {i}");
        assert_eq!(row["offset"], "+0.550000 s vs true time", "node {i}");
    }
    assert_eq!(inspect(sc.as_mut(), 3)["adjusted"], "-0.450000 s (round 1, master 0)");
    assert_eq!(sc.badge(1), "Δ-1.95");
}

/// Seed 001 task 2: the master is elected, the lowest clock (98.4, node 2)
/// wins; its round gives the same adjustments and the same 100.55.
#[test]
fn seed_001_with_an_elected_master_of_the_lowest_clock() {
    let mut sc = open(config(BK, 4, 1, &[("clocks", SEED_CLOCKS), ("master", "elect")]));
    assert_eq!(inspect(sc.as_mut(), 1)["master"], "unknown (`sync` or `elect N` elects one)");
    // `sync` at node 0, which knows no master: it runs an election first.
    lines(sc.as_mut(), "latency 0 0; sync");
    assert_eq!(sc.role(0), Role::Candidate);
    line(sc.as_mut(), "run");
    assert_eq!(roles(sc.as_ref()), vec![Role::Idle, Role::Idle, Role::Leader, Role::Idle]);
    assert_eq!(res(sc.as_ref())["master"], 2);
    assert_close(&list(sc.as_ref(), "adjustments"), &[0.25, -1.95, 2.15, -0.45], 1e-9, "adjustments");
    assert_close(&list(sc.as_ref(), "clocks"), &[100.55; 4], 1e-9, "clocks");
    assert_eq!(
        report(sc.as_ref())["messages"]["by_kind"],
        serde_json::json!({"ELECTION": 3, "CLOCK": 3, "MASTER": 3, "POLL": 3, "REPLY": 3, "ADJUST": 3})
    );
    // The MASTER announcement goes from the initiator to everyone.
    let mut masters = recvs(sc.as_ref(), "MASTER");
    masters.sort_unstable();
    assert_eq!(masters, vec![(0, 1), (0, 2), (0, 3)]);
    assert_eq!(inspect(sc.as_mut(), 3)["master"], "2 (elected in election 1.0)");
    assert!(sc.violations().is_empty());
}

/// Seed 000's example: three clocks at t, t+5 s and t−3 s; all end on the
/// average, t + 2/3 s.
#[test]
fn seed_000_three_clocks_meet_at_their_average() {
    let sc = run_script(config(BK, 3, 1, &[("clocks", "100,105,97")]), "latency 0 0; sync; run");
    let third = 1.0 / 3.0;
    assert_close(&list(sc.as_ref(), "adjustments"), &[2.0 * third, -5.0 + 2.0 * third, 3.0 + 2.0 * third], 1e-9, "adj");
    assert_close(&list(sc.as_ref(), "clocks"), &[100.0 + 2.0 * third; 3], 1e-9, "clocks");
}

// ----- latency, outliers, timeouts ---------------------------------------------------

/// With latency the master compensates half the round trip: the residual
/// skew is reported, is positive, and stays within what the round trips
/// allow, whatever the latencies and the size.
#[test]
fn under_latency_the_residual_skew_is_reported_and_bounded_by_the_round_trips() {
    let mut positive = 0;
    for seed in 0..120u64 {
        let n = 2 + seed as usize % 7;
        let lo = seed % 5;
        let hi = lo + 1 + (seed * 7) % 25;
        let mut sc = open(config(BK, n, seed, &[]));
        lines(sc.as_mut(), &format!("latency {lo} {hi}; sync; run"));
        let r = res(sc.as_ref());
        let (skew, bound) = (num(&r["residual_skew"]), num(&r["skew_bound"]));
        assert!(skew <= bound, "seed {seed}: residual {skew} > bound {bound}");
        // Two round trips of at most 2·hi ms each, halved.
        assert!(bound <= 2.0 * hi as f64 * 1e-3 * 1.001, "seed {seed}: bound {bound} for latency ≤ {hi} ms");
        // Right after the round the clocks still agree within the bound (plus drift since).
        assert!(num(&r["skew_now"]) <= bound + 1e-5, "seed {seed}: {r}");
        assert!(list(sc.as_ref(), "adjustments").iter().all(|a| a.is_some()), "seed {seed}: {r}");
        assert!(sc.violations().is_empty(), "seed {seed}: {:?}", sc.violations());
        positive += (skew > 0.0) as usize;
        // The master's own estimate of the bound, from its clock's RTTs, is shown too.
        assert!(inspect(sc.as_mut(), 0)["skew"].starts_with('≤'));
    }
    assert!(positive > 100, "latency leaves some residual skew: {positive}/120");
}

/// The fault-tolerant average: a clock far from the others (beyond `bound`
/// seconds from the median) is left out of the average but still corrected.
#[test]
fn an_outlier_is_left_out_of_the_average_and_still_corrected() {
    let mut sc = open(config(BK, 4, 1, &[("clocks", "100,100.2,99.8,200")]));
    lines(sc.as_mut(), "latency 0 0; sync; run");
    assert_close(&list(sc.as_ref(), "adjustments"), &[0.0, -0.2, 0.2, -100.0], 1e-9, "adjustments");
    assert_close(&list(sc.as_ref(), "clocks"), &[100.0; 4], 1e-9, "clocks");
    let m = inspect(sc.as_mut(), 0);
    assert_eq!(m["round 1"], "avg +0.000000 s of 3 clocks");
    assert_eq!(m["outliers"], "1 (beyond ±5 s of the median +0.100 s)");
    assert_eq!(m["3 ✗"], "0.00\t+100.0000\t-100.0000\t200.000");
    assert_eq!(inspect(sc.as_mut(), 3)["adjusted"], "-100.000000 s (round 1, master 0), an outlier: not averaged");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());

    // With a bound wide enough, the same clock drags everyone along.
    let sc =
        run_script(config(BK, 4, 1, &[("clocks", "100,100.2,99.8,200"), ("bound", "1000")]), "latency 0 0; sync; run");
    assert_close(&list(sc.as_ref(), "clocks"), &[125.0; 4], 1e-9, "clocks");
}

/// A crashed node cannot stall the round: after the poll timeout the
/// master averages what it has and adjusts only the nodes that answered.
#[test]
fn a_crashed_node_is_skipped_after_the_poll_timeout() {
    let mut sc = open(config(BK, 4, 1, &[("clocks", SEED_CLOCKS), ("timeout", "80"), ("drift", "0")]));
    lines(sc.as_mut(), "latency 0 0; crash 2; sync");
    let out = line(sc.as_mut(), "run");
    assert!(out.quiescent);
    assert_eq!(sc.now(), 80 * MS, "the round ends at the timeout");
    assert_eq!(losses(sc.as_ref(), "POLL"), vec![(0, 2)]);
    assert_eq!(by_kind(sc.as_ref(), "ADJUST"), 2);
    // Average of 100.3, 102.5 and 101.0 (offsets 0, 2.2, 0.7 → 0.9667).
    let avg = (0.0 + 2.2 + 0.7) / 3.0;
    let adj = list(sc.as_ref(), "adjustments");
    assert_eq!(adj[2], None);
    assert_close(&[adj[0], adj[1], adj[3]], &[avg, avg - 2.2, avg - 0.7], 1e-9, "adjustments");
    assert_eq!(inspect(sc.as_mut(), 0)["silent"], "1 did not answer in time");
    assert!(log_has(sc.as_ref(), "round 1: 1 clocks did not answer in time; skips them"));
    // The crashed node's clock kept running, unadjusted; it recovers with it.
    line(sc.as_mut(), "recover 2");
    assert_close(&[list(sc.as_ref(), "offsets")[2]], &[-1.6], 1e-9, "offset of 2");
    lines(sc.as_mut(), "sync; run");
    // Round 2 (at 80 ms, zero latency) brings all four to their mean.
    let mean = (3.0 * (100.3 + avg + 0.08) + 98.48) / 4.0;
    assert_close(&list(sc.as_ref(), "clocks"), &[mean; 4], 1e-9, "clocks after round 2");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

/// The master crashes mid-round: the round dies with it, the screen says
/// the master is down, and an election of the lowest live clock takes over.
#[test]
fn a_crashed_master_is_reported_and_replaced_by_election() {
    let mut sc = open(config(BK, 4, 1, &[("clocks", SEED_CLOCKS), ("drift", "0")]));
    lines(sc.as_mut(), "latency 0 0; sync; step 2; crash 0; run");
    assert_eq!(by_kind(sc.as_ref(), "ADJUST"), 0);
    assert_eq!(res(sc.as_ref())["rounds"], 0);
    assert_eq!(sc.status().as_deref(), Some("master 0 is down"));
    // Node 2 has the lowest clock and 0 is down: 2 becomes master.
    lines(sc.as_mut(), "elect 3; run");
    assert_eq!(sc.role(2), Role::Leader);
    assert_eq!(sc.status(), None);
    lines(sc.as_mut(), "sync 1; run");
    let r = res(sc.as_ref());
    assert_eq!((r["master"].clone(), r["rounds"].clone()), (2.into(), 1.into()));
    // Offsets 2.2, −1.9 (node 2 itself 0), 0.7 relative to node 0's 100.3: the
    // live three average to (102.5 + 98.4 + 101.0) / 3.
    let live_avg = (102.5 + 98.4 + 101.0) / 3.0;
    let offsets = list(sc.as_ref(), "offsets");
    assert_close(&[offsets[1], offsets[2], offsets[3]], &[live_avg - TRUE0; 3], 1e-9, "offsets");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

// ----- verbs, routing, elections --------------------------------------------------------

#[test]
fn set_clock_and_drift_change_one_clock_from_now_on() {
    let mut sc = open(config(BK, 3, 1, &[("clocks", "100,100,100"), ("drift", "0")]));
    lines(sc.as_mut(), "set-clock 1 105.5; drift 2 250");
    assert_close(&list(sc.as_ref(), "offsets"), &[0.0, 5.5, 0.0], 1e-12, "offsets");
    assert_eq!(inspect(sc.as_mut(), 2)["drift"], "+250 ppm");
    assert_eq!(inspect(sc.as_mut(), 1)["clock"], "105.500000 s at t=0 ms");
    // A 250 ppm clock gains 0.25 ms per second of true time.
    let mut c = Clock::new(100.0, 250.0);
    assert!((c.read(4_000 * MS) - 104.001).abs() < 1e-12);
    assert!((c.offset(4_000 * MS) - 0.001).abs() < 1e-12);
    c = Clock { t0: 1_000 * MS, ..c };
    assert!((c.read(3_000 * MS) - 102.0005).abs() < 1e-12);
    assert_eq!(true_time(0), TRUE0);
}

/// `sync` goes to node 0 unless a node is named; a node that is not the
/// master sends the master a SYNC, and the master runs the round.
#[test]
fn sync_at_a_node_that_is_not_master_asks_the_master() {
    let mut sc = open(config(BK, 4, 1, &[("master", "2")]));
    assert_eq!(sc.role(2), Role::Leader);
    lines(sc.as_mut(), "sync 1; run");
    assert_eq!(recvs(sc.as_ref(), "SYNC"), vec![(1, 2)]);
    let mut polls = recvs(sc.as_ref(), "POLL");
    polls.sort_unstable();
    assert_eq!(polls, vec![(2, 0), (2, 1), (2, 3)]);
    lines(sc.as_mut(), "sync; run");
    assert_eq!(recvs(sc.as_ref(), "SYNC"), vec![(1, 2), (0, 2)]);
    assert_eq!(res(sc.as_ref())["rounds"], 2);
    assert_eq!(total_messages(sc.as_ref()), 2 * (1 + 3 * 3));
    // The TUI's action key on a node is `sync N`.
    assert_eq!(sc.action(3).map(|i| i.to_string()).as_deref(), Some("sync 3"));
}

/// The election compares estimated offsets, not raw readings taken at
/// different moments: under latency the lowest clock still wins, and a
/// crashed node is skipped after the timeout.
#[test]
fn the_election_picks_the_lowest_live_clock() {
    for seed in 0..30u64 {
        let n = 3 + seed as usize % 4;
        let mut sc = open(config(BK, n, seed, &[("master", "elect")]));
        let lowest = (0..n)
            .min_by(|&a, &b| {
                distlab::algos::time::berkeley::default_clock(a)
                    .total_cmp(&distlab::algos::time::berkeley::default_clock(b))
            })
            .unwrap();
        lines(sc.as_mut(), &format!("elect {}; run", seed as usize % n));
        let leaders: Vec<usize> = (0..n).filter(|&i| sc.role(i) == Role::Leader).collect();
        assert_eq!(leaders, vec![lowest], "seed {seed} n {n}");
        for i in 0..n {
            assert!(inspect(sc.as_mut(), i)["master"].starts_with(&format!("{lowest} (elected")), "seed {seed}");
        }
        assert_eq!(by_kind(sc.as_ref(), "MASTER") as usize, n - 1);
        // The lowest clock crashes: the next lowest wins the next election.
        let next = (0..n)
            .filter(|&i| i != lowest)
            .min_by(|&a, &b| {
                distlab::algos::time::berkeley::default_clock(a)
                    .total_cmp(&distlab::algos::time::berkeley::default_clock(b))
            })
            .unwrap();
        lines(sc.as_mut(), &format!("crash {lowest}; elect {next}; run"));
        assert_eq!(sc.role(next), Role::Leader, "seed {seed}");
        assert!(sc.violations().is_empty());
    }
}

#[test]
fn bad_verbs_and_parameters_are_rejected_with_a_reason() {
    let mut sc = open(config(BK, 4, 1, &[]));
    // The card's parser: arity, node range, numbers and their ranges.
    for (bad, why) in [
        ("sync 9", "node 9 does not exist (nodes are 0..3)"),
        ("sync 1 2", "usage: sync [N] (0 to 1 argument(s), got 2)"),
        ("set-clock 1", "usage: set-clock N SECONDS (2 argument(s), got 1)"),
        (
            "set-clock 1 abc",
            "`set-clock N SECONDS`: SECONDS is a number from -1000000000000 to 1000000000000, not \"abc\"",
        ),
        ("set-clock x 3", "`set-clock N SECONDS`: N is a node id, not \"x\""),
        (
            "set-clock 1 inf",
            "`set-clock N SECONDS`: SECONDS is a number from -1000000000000 to 1000000000000, not \"inf\"",
        ),
        (
            "set-clock 1 2e12",
            "`set-clock N SECONDS`: SECONDS is a number from -1000000000000 to 1000000000000, not \"2e12\"",
        ),
        ("drift 0 1e9", "`drift N PPM`: PPM is a number from -100000 to 100000, not \"1e9\""),
        ("drift 0", "usage: drift N PPM (2 argument(s), got 1)"),
        ("elect", "usage: elect N (1 argument(s), got none)"),
    ] {
        let err = try_line(sc.as_mut(), bad).expect_err(bad);
        assert_eq!(err, why, "{bad}");
    }
    assert!(sc.inputs().is_empty(), "rejected lines change nothing");
    assert!(sc.history().iter().all(|e| matches!(e.kind, EvKind::Start)), "nothing happened but the starts");
    // The ends of the card's ranges are accepted.
    lines(sc.as_mut(), "drift 0 100000; drift 1 -100000; set-clock 2 1e12");
    for (params, why) in [
        // What the card cannot say: lists, and a node id or `elect`.
        (vec![("clocks", "1,2,3")], "parameter clocks lists 3 values for 4 nodes (give one per node)"),
        (
            vec![("clocks", "1,x,3,4")],
            "parameter clocks: \"x\" is not a number from -1000000000000 to 1000000000000 (seconds)",
        ),
        (vec![("drift", "1,2")], "parameter drift lists 2 values for 4 nodes (give one per node)"),
        (vec![("drift", "200000")], "parameter drift: \"200000\" is not a number from -100000 to 100000 (ppm)"),
        (vec![("master", "4")], "parameter master=4: expected `elect` or a node id below 4"),
        // The card's types and ranges.
        (vec![("bound", "-1")], "parameter bound=-1: expected a number from 0 to 1000000000000"),
        (vec![("timeout", "0")], "parameter timeout=0: expected whole ms from 1 to 1000000000"),
        (vec![("period", "soon")], "parameter period=soon: expected whole ms from 0 to 1000000000"),
        (vec![("rounds", "-1")], "parameter rounds=-1: expected a whole number from 0 to 1000000000"),
        (vec![("variant", "wrong")], "parameter variant=wrong: expected one of correct, no-rtt, absolute"),
        (
            vec![("nope", "1")],
            "unknown parameter \"nope\" for berkeley (known: clocks, drift, master, bound, timeout, period, rounds, variant)",
        ),
    ] {
        let err = match block_on(distlab::algos::open_run(config(BK, 4, 1, &params))) {
            Ok(_) => panic!("{params:?} accepted"),
            Err(e) => e,
        };
        assert_eq!(err, why, "{params:?}");
    }
}

// ----- numbers that are not numbers, and numbers at the ends of the range -----------------

/// Why opening berkeley with `params` at 4 nodes is refused (what
/// `distlab run` prints before it exits 2 with nothing run).
fn refusal(params: &[(&str, &str)]) -> String {
    match block_on(distlab::algos::open_run(config(BK, 4, 1, params))) {
        Ok(_) => panic!("{params:?} accepted"),
        Err(e) => e,
    }
}

/// Every float a run starts with has a finite range on the card: `clocks`
/// within ±MAX_SECONDS, `drift` within ±MAX_DRIFT; NaN, ±inf and what lies
/// beyond are refused, naming the parameter, the value and the range.
#[test]
fn clocks_and_drifts_that_are_not_finite_or_beyond_their_range_are_refused() {
    assert_eq!((MAX_SECONDS, MAX_DRIFT), (1e12, 1e5));
    let clocks =
        |v: &str| format!("parameter clocks: {v:?} is not a number from -1000000000000 to 1000000000000 (seconds)");
    for (list, bad) in [
        ("1e308,1,1,1", "1e308"),
        ("NaN,1,1,1", "NaN"),
        ("1,nan,1,1", "nan"),
        ("inf,1,1,1", "inf"),
        ("1,1,1,-inf", "-inf"),
        ("1,infinity,1,1", "infinity"),
        ("1000000000000.001,1,1,1", "1000000000000.001"),
        ("1, -2e12 ,1,1", "-2e12"),
        ("1,,1,1", ""),
        // The first bad value is the one named.
        ("NaN,1e308,1,1", "NaN"),
    ] {
        assert_eq!(refusal(&[("clocks", list)]), clocks(bad), "clocks={list}");
    }
    let drift = |v: &str| format!("parameter drift: {v:?} is not a number from -100000 to 100000 (ppm)");
    for (list, bad) in
        [("NaN", "NaN"), ("inf", "inf"), ("-inf", "-inf"), ("1,2,3,1e308", "1e308"), ("100000.5", "100000.5")]
    {
        assert_eq!(refusal(&[("drift", list)]), drift(bad), "drift={list}");
    }
    // Real verb arguments: the card's parser refuses NaN and ±inf like any
    // number out of range, and the parameters of kind Real too.
    let mut sc = open(config(BK, 4, 1, &[]));
    for (verb, bad, range) in [
        ("set-clock 0", "NaN", "SECONDS is a number from -1000000000000 to 1000000000000"),
        ("set-clock 0", "-inf", "SECONDS is a number from -1000000000000 to 1000000000000"),
        ("set-clock 0", "1e308", "SECONDS is a number from -1000000000000 to 1000000000000"),
        ("drift 1", "nan", "PPM is a number from -100000 to 100000"),
        ("drift 1", "inf", "PPM is a number from -100000 to 100000"),
    ] {
        let usage = if verb.starts_with("set") { "set-clock N SECONDS" } else { "drift N PPM" };
        let err = try_line(sc.as_mut(), &format!("{verb} {bad}")).expect_err(bad);
        assert_eq!(err, format!("`{usage}`: {range}, not {bad:?}"));
    }
    assert!(sc.inputs().is_empty(), "refused lines change nothing");
    for bad in ["NaN", "inf", "-inf", "1e13"] {
        assert_eq!(
            refusal(&[("bound", bad)]),
            format!("parameter bound={bad}: expected a number from 0 to 1000000000000")
        );
    }
    // The card says the ranges where `distlab info` shows them.
    let card = distlab::algos::find(BK).expect("berkeley").card;
    assert!(card.param("clocks").unwrap().help.contains("each from -1000000000000 to 1000000000000"));
    assert!(card.param("drift").unwrap().help.contains("from -100000 to 100000"));
    // The ends of the ranges are accepted.
    let sc = open(config(BK, 4, 1, &[("clocks", "1e12,-1e12,0,1e12"), ("drift", "100000,-100000,0,1")]));
    assert_eq!(list(sc.as_ref(), "clocks"), [Some(1e12), Some(-1e12), Some(0.0), Some(1e12)]);
}

/// The exit code and output of the real binary for a refused clock.
#[test]
fn the_binary_exits_2_and_runs_nothing_for_a_clock_that_is_not_a_number() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_distlab"))
        .args(["run", BK, "--headless", "-p", "clocks=1e308,1,1,1"])
        .output()
        .expect("distlab runs");
    assert_eq!(out.status.code(), Some(2));
    let why = "parameter clocks: \"1e308\" is not a number from -1000000000000 to 1000000000000 (seconds)";
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), serde_json::json!({ "error": why }).to_string());
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), format!("distlab: {why}"));
}

/// Large clocks are numbers like any other: the correct algorithm raises no
/// false alarm where f64 rounds at their size (the monitor's tolerance
/// grows with the clocks, see `check::rounding`). Clocks of 10⁹ s, a
/// master set to 10⁸ s, and the ends of the range, under latency, with
/// the largest drifts and with every clock averaged or outliers left out.
#[test]
fn large_clocks_raise_no_false_alarm_in_the_correct_algorithm() {
    // The cases: both were an `adjust-sum` violation by rounding.
    let sc = run_script(config(BK, 4, 1, &[("clocks", "1e9,0,0,0")]), "sync; run");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    let r = res(sc.as_ref());
    assert_eq!(r["rounds"], 1);
    // The master, 10⁹ s ahead, is the outlier and joins the others.
    let adj = list(sc.as_ref(), "adjustments");
    assert!((adj[0].unwrap() + 1e9).abs() < 0.1, "{r}");
    assert!(num(&r["skew_now"]) <= num(&r["skew_bound"]) + 1e-5, "{r}");
    let sc = run_script(config(BK, 4, 1, &[]), "set-clock 0 1e8; sync; run");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    assert_eq!(res(sc.as_ref())["rounds"], 1);

    let ends = ["1e12,-1e12,1e12,-1e12", "1e12,1e12,1e12,1e12", "-1e12,0,0,1e12", "999999999999.9999,1e9,-1e9,100"];
    for (i, clocks) in ends.iter().enumerate() {
        for bound in ["5", "1e12"] {
            for seed in 0..4u64 {
                let params = [("clocks", *clocks), ("bound", bound), ("drift", "100000,-100000,0,-100000")];
                let sc = run_script(
                    config(BK, 4, seed, &params),
                    "latency 1 30; sync; run; sync 2; run; set-clock 1 1e12; set-clock 3 -1e12; drift 0 -100000; \
                     sync 3; run; set-clock 0 1e8; sync; run",
                );
                let what = format!("clocks={clocks} bound={bound} seed {seed}");
                assert!(sc.violations().is_empty(), "{what}: {:?}", sc.violations());
                assert_eq!(res(sc.as_ref())["rounds"], 4, "{what}");
            }
        }
        // Elections compare these clocks too.
        let sc = run_script(
            config(BK, 4, i as u64, &[("clocks", clocks), ("master", "elect")]),
            "latency 1 30; sync 1; run",
        );
        assert!(sc.violations().is_empty(), "{clocks}, elected: {:?}", sc.violations());
    }
}

/// The tolerance does not blunt the checker: at 10⁹ s it is microseconds,
/// and the broken variants' errors of milliseconds are still caught.
#[test]
fn the_broken_variants_are_still_caught_at_large_clocks() {
    let big = "1000000100.3,1000000102.5,1000000098.4,1000000101.0";
    let sc = run_script(
        config(BK, 4, 1, &[("clocks", big), ("variant", "no-rtt"), ("drift", "0")]),
        "latency 0 0; sync; latency 10 10; run",
    );
    assert_eq!(violated(sc.as_ref()), vec!["skew-bound"; 3], "{:?}", sc.violations());
    // The bound is the seed's ±5 ms plus 4 µs of rounding at 10⁹ s.
    assert_eq!(
        sc.violations()[0].detail,
        "after round 1 of master 0, node 1 is +10.000 ms from the master's clock; \
         its round trip of 10.000 ms allows at most ±5.004 ms"
    );
    let sc = run_script(
        config(BK, 4, 1, &[("clocks", big), ("variant", "absolute"), ("drift", "0")]),
        "latency 0 0; sync; latency 10 10; run",
    );
    assert_eq!(
        violated(sc.as_ref()),
        vec!["skew-bound", "skew-bound", "skew-bound", "adjust-sum"],
        "{:?}",
        sc.violations()
    );
    // Each of the four sums rounds by at most 3.6 µs at 10⁹ s.
    assert_eq!(
        sc.violations()[3].detail,
        "the adjustments of the 4 clocks averaged in round 1 of master 0 sum to -0.044999957 s, not 0 \
         (rounding explains ±1.4e-5 s): the round moved their mean"
    );
    for variant in ["no-rtt", "absolute"] {
        let mut caught = 0;
        for seed in 0..20u64 {
            let sc =
                run_script(config(BK, 4, seed, &[("clocks", big), ("variant", variant)]), "latency 1 20; sync; run");
            caught += !sc.violations().is_empty() as usize;
        }
        assert!(caught >= 15, "{variant} at 10⁹ s caught in {caught}/20 seeds");
    }
}

// ----- periodic rounds against drift ----------------------------------------------------

/// Largest minus smallest live clock now.
fn skew_now(sc: &dyn Scenario) -> f64 {
    num(&res(sc)["skew_now"])
}

/// Seed 001 task 3: clocks drifting thousands of ppm apart stay within
/// the round-trip bound plus what they drift in one period, round after
/// round; the same clocks synchronised once drift apart without limit.
#[test]
fn periodic_rounds_keep_drifting_clocks_within_the_bound() {
    let params = [("clocks", SEED_CLOCKS), ("drift", "5000,-5000,2000,-3000"), ("period", "500")];
    let mut sc = open(config(BK, 4, 3, &params));
    line(sc.as_mut(), "latency 1 10");
    // Round trips ≤ 20 ms: ±10 ms per node, 20 ms between two; 10,000 ppm
    // apart for a period and a round (550 ms): 5.5 ms more. Sampled whenever
    // no ADJUST is on its way (mid-round, half-adjusted clocks are apart by
    // what the round is correcting).
    let bound = 0.020 + 0.010 * 0.55;
    let mut worst: f64 = 0.0;
    let mut samples = 0;
    while sc.now() < 20_000 * MS {
        line(sc.as_mut(), "step");
        let settled = !in_flight(sc.as_ref()).iter().any(|m| m.kind == "ADJUST");
        if num(&res(sc.as_ref())["rounds"]) >= 1.0 && settled {
            let s = skew_now(sc.as_ref());
            assert!(s <= bound, "t={} ms: skew {s} beyond {bound}", sc.now() / MS);
            worst = worst.max(s);
            samples += 1;
        }
    }
    assert!(samples > 200, "{samples}");
    let rounds = num(&res(sc.as_ref())["rounds"]);
    assert!((39.0..=40.0).contains(&rounds), "a round every 500 ms: {rounds}");
    assert!(worst > 0.002, "the clocks do drift between rounds: worst skew {worst}");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());

    // One round at the start, the next only 20 s later: by then the clocks
    // are far apart (10,000 ppm × 20 s ≈ 0.2 s).
    let mut sc = open(config(BK, 4, 3, &[params[0], params[1], ("period", "20000"), ("rounds", "2")]));
    lines(sc.as_mut(), "latency 1 10; sync");
    while sc.now() < 20_000 * MS {
        line(sc.as_mut(), "step");
    }
    let spread = skew_now(sc.as_ref());
    assert!(spread > 0.15, "unsynchronised for 20 s: {spread}");
}

#[test]
fn periodic_rounds_stop_after_the_configured_number() {
    let mut sc = open(config(BK, 3, 1, &[("period", "100"), ("rounds", "3")]));
    let out = line(sc.as_mut(), "run");
    assert!(out.quiescent);
    assert_eq!(res(sc.as_ref())["rounds"], 3);
    assert_eq!(by_kind(sc.as_ref(), "POLL"), 6);
    assert!(sc.now() >= 300 * MS && sc.now() < 400 * MS, "{}", sc.now());
    assert!(sc.violations().is_empty());
}

// ----- subtle orders ------------------------------------------------------------------

/// An ADJUST that arrives after its node answered a later poll is stale:
/// the later round's estimate already saw the unadjusted clock, so applying
/// both would correct twice. The node ignores it; round 2 fixes everything.
#[test]
fn an_adjust_overtaken_by_the_next_poll_is_ignored() {
    let mut sc = open(config(BK, 3, 1, &[("clocks", "100,101,99"), ("drift", "0")]));
    line(sc.as_mut(), "sync");
    for to in [1, 2] {
        let id = msg_id(sc.as_ref(), "POLL", 0, to);
        line(sc.as_mut(), &format!("deliver {id}"));
    }
    for from in [1, 2] {
        let id = msg_id(sc.as_ref(), "REPLY", from, 0);
        line(sc.as_mut(), &format!("deliver {id}"));
    }
    assert_eq!(res(sc.as_ref())["rounds"], 1);
    // Round 2 starts while round 1's ADJUSTs are still in flight; node 1
    // gets the new POLL first.
    line(sc.as_mut(), "sync");
    let poll = msg_id(sc.as_ref(), "POLL", 0, 1);
    line(sc.as_mut(), &format!("deliver {poll}"));
    let stale = msg_id(sc.as_ref(), "ADJUST", 0, 1);
    line(sc.as_mut(), &format!("deliver {stale}"));
    assert!(log_has(sc.as_ref(), "node 1: ignores a stale ADJUST (round 1 of 0): its clock was read again since"));
    assert_close(&[list(sc.as_ref(), "offsets")[1]], &[1.0], 1e-9, "node 1 still unadjusted");
    line(sc.as_mut(), "run");
    let clocks = list(sc.as_ref(), "clocks");
    let r = res(sc.as_ref());
    let spread = clocks.iter().flatten().fold(f64::MIN, |a, &b| a.max(b))
        - clocks.iter().flatten().fold(f64::MAX, |a, &b| a.min(b));
    assert!(spread <= num(&r["skew_bound"]) + 1e-9, "{r}");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

/// Same configuration and inputs: the same run; and a step back undoes one delivery.
#[test]
fn runs_replay_exactly_and_step_back() {
    let script = "latency 2 30; dup-rate 0.2; sync; step 4; crash 3; run; recover 3; set-clock 1 99; sync 2; run";
    let cfg = config(BK, 5, 9, &[("period", "40"), ("rounds", "4")]);
    let mut sc = run_script(cfg, script);
    let mut again = replay_inputs(sc.as_ref());
    assert_eq!(snapshot(sc.as_mut()), snapshot(again.as_mut()));
    let before = snapshot(sc.as_mut());
    line(sc.as_mut(), "sync 4");
    line(sc.as_mut(), "step");
    step_back(sc.as_mut()).unwrap();
    step_back(sc.as_mut()).unwrap();
    assert_eq!(snapshot(sc.as_mut()), before);
    check_clocks(sc.as_ref()).unwrap();
}

// ----- the chart ------------------------------------------------------------------------

#[test]
fn the_chart_has_one_line_per_node_that_steps_at_each_adjustment() {
    let mut sc = open(config(BK, 4, 1, &[("clocks", SEED_CLOCKS), ("drift", "0")]));
    let chart = sc.chart().expect("berkeley charts its clocks");
    assert_eq!(chart.y_label, "offset (s)");
    let names: Vec<&str> = chart.series.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["0★", "1", "2", "3"]);
    lines(sc.as_mut(), "latency 5 5; sync; run");
    let chart = sc.chart().unwrap();
    for (i, (start, adj)) in [(0.3, 0.25), (2.5, -1.95), (-1.6, 2.15), (1.0, -0.45)].into_iter().enumerate() {
        let pts = &chart.series[i].1;
        // Start, end of the old line and start of the new at the adjustment, now.
        assert_eq!(pts.len(), 4, "node {i}: {pts:?}");
        assert!(pts[0].0 == 0.0 && (pts[0].1 - start).abs() < 1e-9, "node {i}: {pts:?}");
        let at = if i == 0 { 10.0 } else { 15.0 };
        assert_eq!((pts[1].0, pts[2].0), (at, at), "node {i}: {pts:?}");
        assert!((pts[2].1 - pts[1].1 - adj).abs() < 1e-9, "node {i}: {pts:?}");
        assert!((pts[3].1 - 0.55).abs() < 1e-9 && pts[3].0 == 15.0, "node {i}: {pts:?}");
    }
}

#[test]
fn the_chart_keeps_bounded_memory_and_samples_many_nodes() {
    // 1,500 rounds of 2 nodes: 3,000 adjustment points per node, decimated.
    let mut sc = open(config(BK, 2, 1, &[("period", "1"), ("rounds", "1500"), ("drift", "1000,-1000")]));
    lines(sc.as_mut(), "latency 0 0; run");
    assert_eq!(res(sc.as_ref())["rounds"], 1500);
    let chart = sc.chart().unwrap();
    for (name, pts) in &chart.series {
        assert!(pts.len() <= CHART_POINTS + 1, "{name}: {} points", pts.len());
        assert!(pts.len() > CHART_POINTS / 4, "{name}: {} points", pts.len());
        assert_eq!(pts[0].0, 0.0, "the start is kept");
        assert_eq!(pts.last().unwrap().0, sc.now() as f64 / 1000.0, "the present is last");
        assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0), "{name}: time only goes forward");
    }
    // 100 nodes: every 4th node is charted.
    let sc = open(config(BK, 100, 1, &[]));
    let chart = sc.chart().unwrap();
    assert_eq!(chart.series.len(), 25);
    assert_eq!(chart.series[1].0, "4");
    assert!(chart.title.contains("every 4th node"), "{}", chart.title);
}

// ----- scale ------------------------------------------------------------------------------

/// 1,000 nodes headless: one round is 3·999 messages and every clock is adjusted.
#[test]
fn a_thousand_nodes_synchronise_headless() {
    let mut cfg = config(BK, 1000, 5, &[]);
    cfg.sim.logging = false;
    let started = std::time::Instant::now();
    let mut sc = open(cfg);
    lines(sc.as_mut(), "sync; run; sync 17; run");
    let r = res(sc.as_ref());
    assert_eq!(r["rounds"], 2);
    assert_eq!(by_kind(sc.as_ref(), "POLL"), 2 * 999);
    assert_eq!(by_kind(sc.as_ref(), "ADJUST"), 2 * 999);
    assert_eq!(by_kind(sc.as_ref(), "SYNC"), 1);
    assert!(list(sc.as_ref(), "adjustments").iter().all(|a| a.is_some()));
    assert!(num(&r["residual_skew"]) <= num(&r["skew_bound"]));
    assert!(sc.violations().is_empty());
    assert!(started.elapsed().as_secs() < 20, "took {:?}", started.elapsed());
}

// ----- property tests -----------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Op {
    Step(u8),
    Sync(u8),
    Elect(u8),
    Crash(u8),
    Recover(u8),
    Delay(u8, u16),
    Drop(u8),
    Dup(u8),
    Loss(u8),
    Latency(u8, u8),
    Partition(u8),
    Heal,
    SetClock(u8, i16),
    Drift(u8, i16),
}

#[derive(Clone, Debug)]
struct Case {
    n: usize,
    seed: u64,
    elect: bool,
    random_sched: bool,
    period: bool,
    ops: Vec<Op>,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => (1u8..=20).prop_map(Op::Step),
        5 => any::<u8>().prop_map(Op::Sync),
        2 => any::<u8>().prop_map(Op::Elect),
        2 => any::<u8>().prop_map(Op::Crash),
        2 => any::<u8>().prop_map(Op::Recover),
        2 => (any::<u8>(), 0u16..300).prop_map(|(i, ms)| Op::Delay(i, ms)),
        1 => any::<u8>().prop_map(Op::Drop),
        1 => any::<u8>().prop_map(Op::Dup),
        1 => (0u8..=3).prop_map(Op::Loss),
        2 => (0u8..=20, 0u8..=40).prop_map(|(a, b)| Op::Latency(a, b)),
        1 => any::<u8>().prop_map(Op::Partition),
        1 => Just(Op::Heal),
        1 => (any::<u8>(), any::<i16>()).prop_map(|(i, s)| Op::SetClock(i, s)),
        1 => (any::<u8>(), any::<i16>()).prop_map(|(i, p)| Op::Drift(i, p)),
    ]
}

fn case(elect: bool) -> impl Strategy<Value = Case> {
    (2usize..=6, any::<u64>(), any::<bool>(), any::<bool>(), proptest::collection::vec(op(), 1..60))
        .prop_map(move |(n, seed, random_sched, period, ops)| Case { n, seed, elect, random_sched, period, ops })
}

fn run_config(c: &Case) -> RunConfig {
    let mut params = vec![("timeout", "60")];
    if c.elect {
        params.push(("master", "elect"));
    }
    if c.period {
        params.extend([("period", "70"), ("rounds", "6")]);
    }
    schedule_config(BK, c.n, c.seed, &params, c.random_sched)
}

/// Turn an abstract action into an input. With a configured master (node
/// 0) only the others crash: the master's own crash is tested by hand.
fn input(sc: &dyn Scenario, c: &Case, op: &Op) -> Option<Input> {
    let n = sc.n();
    let node = |x: u8| x as usize % n;
    let crashable = |x: u8| if c.elect { node(x) } else { 1 + x as usize % (n - 1) };
    let verb_args = |v: &str, args: Vec<String>| Input::Verb { verb: v.into(), args };
    Some(match *op {
        Op::Step(k) => Input::Step(k as u64),
        Op::Sync(x) => verb_args("sync", vec![node(x).to_string()]),
        Op::Elect(x) if c.elect => verb_args("elect", vec![node(x).to_string()]),
        Op::Elect(_) => return None,
        Op::Crash(x) => Input::Crash(crashable(x)),
        Op::Recover(x) => Input::Recover(node(x)),
        Op::Delay(i, ms) => Input::Delay(pick(sc, i, false)?, ms as u64 * MS),
        Op::Drop(i) => Input::Drop(pick(sc, i, true)?),
        Op::Dup(i) => Input::Dup(pick(sc, i, true)?),
        Op::Loss(p) => Input::Loss(p as f64 / 10.0),
        Op::Latency(a, b) => Input::Latency(a as u64 * MS, (a as u64 + b as u64) * MS),
        Op::Partition(mask) => partition(n, mask),
        Op::Heal => Input::Heal,
        Op::SetClock(x, s) => {
            verb_args("set-clock", vec![node(x).to_string(), format!("{}", 100.0 + s as f64 / 1000.0)])
        }
        Op::Drift(x, p) => verb_args("drift", vec![node(x).to_string(), (p / 100).to_string()]),
    })
}

/// A random schedule never breaks the skew bound or the adjustment sum,
/// every round ends (no master waits for ever), and once the faults heal
/// one more round brings every clock within the round-trip bound.
fn check_case(c: &Case) -> Result<(), TestCaseError> {
    let mut sc = open(run_config(c));
    play(sc.as_mut(), &c.ops, |sc, op| input(sc, c, op));
    if let Some(v) = sc.violations().first() {
        return Err(fail(sc.as_ref(), format!("{} broken during the faults: {}", v.property, v.detail)));
    }
    // Heal: every round still open ends by its timeout; then all come back.
    let heal = vec![Input::Heal, Input::Loss(0.0), Input::DupRate(0.0), Input::Sched(SchedMode::Timed)];
    settle(sc.as_mut(), heal, "healing", 100_000)?;
    let crashed = recover_crashed(sc.as_ref());
    settle(sc.as_mut(), crashed, "recovering", 100_000)?;
    if c.elect {
        settle(sc.as_mut(), vec![verb("elect", 0)], "election", 100_000)?;
    }
    let rounds = num(&res(sc.as_ref())["rounds"]);
    settle(sc.as_mut(), vec![Input::Latency(MS, 10 * MS), verb("sync", 0)], "last round", 100_000)?;
    let r = res(sc.as_ref());
    if num(&r["rounds"]) != rounds + 1.0 || list(sc.as_ref(), "adjustments").iter().any(|a| a.is_none()) {
        return Err(fail(sc.as_ref(), format!("the last round did not adjust every clock: {r}")));
    }
    // Drift during the round (up to ±327 ppm × tens of ms) is tiny beside RTT/2.
    if num(&r["residual_skew"]) > num(&r["skew_bound"]) || num(&r["skew_now"]) > num(&r["skew_bound"]) + 5e-5 {
        return Err(fail(sc.as_ref(), format!("clocks apart beyond the bound after the last round: {r}")));
    }
    never_violated(sc.as_ref())
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Configured master 0; the others crash and recover; any message fault.
    #[test]
    fn berkeley_keeps_its_bound_under_random_faults(c in case(false)) {
        check_case(&c)?;
    }

    /// Elected masters: any node crashes, elections race each other.
    #[test]
    fn berkeley_with_elections_keeps_its_bound_under_random_faults(c in case(true)) {
        check_case(&c)?;
    }
}

// ----- the broken variants ---------------------------------------------------------------

/// Without round-trip compensation an answer looks as old as its whole
/// trip back: under latency the checker sees a node end further from the
/// master than its round trip allows. Sending the average *time* instead of
/// a delta loses the ADJUST's own latency: caught the same way, and the
/// adjustments no longer sum to zero. With zero latency both bugs are
/// invisible, and the checker rightly says nothing.
#[test]
fn the_broken_variants_are_caught_under_latency() {
    for variant in ["no-rtt", "absolute"] {
        let mut caught = 0;
        for seed in 0..60u64 {
            let n = 3 + seed as usize % 4;
            let cfg = config(BK, n, seed, &[("variant", variant)]);
            let sc = run_script(cfg, "latency 1 20; sync; run");
            let props = violated(sc.as_ref());
            assert!(props.iter().all(|p| SAFETY.contains(&p.as_str())), "{variant} seed {seed}: {props:?}");
            caught += !props.is_empty() as usize;
            if variant == "absolute" {
                assert!(props.contains(&"adjust-sum".to_string()), "{variant} seed {seed}: {props:?}");
            }
            // The correct variant on the same inputs: nothing to report.
            let sc = run_script(config(BK, n, seed, &[]), "latency 1 20; sync; run");
            assert!(sc.violations().is_empty(), "correct, seed {seed}: {:?}", sc.violations());
        }
        assert!(caught >= 40, "{variant} caught in {caught}/60 seeds");
        let mut sc =
            run_script(config(BK, 4, 1, &[("clocks", SEED_CLOCKS), ("variant", variant)]), "latency 0 0; sync; run");
        assert!(sc.violations().is_empty(), "{variant} at zero latency: {:?}", sc.violations());
        assert_close(&list(sc.as_ref(), "clocks"), &[100.55; 4], 1e-9, variant);
        assert_eq!(inspect(sc.as_mut(), 0)["variant"], format!("{variant} (BROKEN on purpose)"));
    }
    // The seed's clocks with a slow way back: no-rtt takes 98.4 for "now".
    let sc = run_script(
        config(BK, 4, 1, &[("clocks", SEED_CLOCKS), ("variant", "no-rtt"), ("drift", "0")]),
        "latency 0 0; sync; latency 10 10; run",
    );
    assert_eq!(violated(sc.as_ref()), vec!["skew-bound"; 3], "{:?}", sc.violations());
    assert_eq!(
        sc.violations()[0].detail,
        "after round 1 of master 0, node 1 is +10.000 ms from the master's clock; \
         its round trip of 10.000 ms allows at most ±5.000 ms"
    );
}

/// The random schedules of the property tests have teeth: run on the
/// broken variants they are caught in a good share of the cases.
#[test]
fn the_random_schedules_catch_the_broken_variants() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let total = 150;
    for variant in ["no-rtt", "absolute"] {
        let mut caught = 0;
        for _ in 0..total {
            let c = sample(&mut runner, &case(false));
            let mut cfg = run_config(&c);
            cfg.params.push(("variant".into(), variant.into()));
            let mut sc = open(cfg);
            play(sc.as_mut(), &c.ops, |sc, op| input(sc, &c, op));
            let _ = apply(sc.as_mut(), Input::Run(Some(20_000)));
            caught += sc.violations().iter().any(|v| SAFETY.contains(&v.property.as_str())) as usize;
        }
        println!("{variant}: caught in {caught}/{total} random schedules");
        assert!(caught * 10 >= total, "{variant} caught in only {caught} of {total} random schedules");
    }
}

// ----- the screen ----------------------------------------------------------------------------

/// Seed 001's four clocks after one round under the default latency,
/// master 0 selected: the chart shows the four offset lines (legend ━0★ ━1
/// ━2 ━3) stepping together to about +0.55 s around 10–16 ms; the
/// inspector shows the master's poll table (readings, round trips,
/// estimates, adjustments −1.9507…); the badges show the adjustments.
async fn seed_round() -> App {
    let cfg = with_driver(config(BK, 4, 1, &[("clocks", SEED_CLOCKS)]), DriverKind::Actors);
    tui_app(cfg, &["sync", "run", "select 0"]).await
}

/// 80×24: the chart takes the space-time pane's place.
#[test]
fn berkeley_screen_80x24() {
    block_on_fresh(async {
        let app = seed_round().await;
        let text = screen(&app, 80, 24);
        assert!(text.contains("clock offsets vs true time") && text.contains("━0★ ━1 ━2 ━3"), "{text}");
        assert!(!text.contains("space-time"));
        insta::assert_snapshot!(text);
    });
}

/// 120×40: the space-time diagram and the chart side by side.
#[test]
fn berkeley_screen_120x40() {
    block_on_fresh(async {
        let app = seed_round().await;
        let text = screen(&app, 120, 40);
        assert!(text.contains("space-time") && text.contains("━0★ ━1 ━2 ━3"), "{text}");
        assert!(text.contains("9.75  +2.2007  -1.9507  102.506"), "{text}");
        insta::assert_snapshot!(text);
    });
}
