//! Every number a user can type has a documented range, and a run has a
//! ceiling: huge counts and times are refused with one line, virtual time
//! saturates instead of wrapping, and a run that reaches its ceiling stops
//! with its summary.

mod common;

use common::{RA, apply, block_on, config, lines, open, try_line};
use distlab::engine::input::Input;
use distlab::engine::protocol::{MAX_MS, MS};
use distlab::engine::sim::RUN_LIMIT;
use distlab::headless::{self, EXIT_FAILED};

#[test]
fn one_command_delivers_at_most_a_million_events() {
    let mut sc = open(config("token-ring", 4, 1, &[]));
    for line in ["step 1000001", "run 1000001", "step 18446744073709551615", "run 18446744073709551615"] {
        let e = try_line(sc.as_mut(), line).unwrap_err();
        assert_eq!(e, format!("at most 1000000 events per command, not {}", line[4..].trim()));
    }
    // The same count in a trace's input log (never parsed) is refused too.
    let e = block_on(sc.apply(Input::Step(RUN_LIMIT + 1))).unwrap_err();
    assert_eq!(e, "at most 1000000 events per command, not 1000001");
    assert_eq!(sc.step(), 0, "nothing ran");
    // A run that never quiesces stops after the default bound.
    try_line(sc.as_mut(), "run 2000").unwrap();
    assert_eq!(sc.step(), 2000);
}

#[test]
fn times_are_refused_above_a_billion_ms_where_they_enter() {
    let mut sc = open(config(RA, 3, 1, &[]));
    lines(sc.as_mut(), "request 0");
    let id = sc.in_flight(1).0[0].id;
    for (line, message) in [
        (format!("delay {id} 1000000001"), "1000000001 ms is out of range (0 to 1000000000)"),
        (format!("delay {id} 1e300"), "1e300 ms is out of range (0 to 1000000000)"),
        (format!("delay {id} NaN"), "NaN ms is out of range (0 to 1000000000)"),
        ("latency 0 1000000000.5".into(), "1000000000.5 ms is out of range (0 to 1000000000)"),
        ("latency 5 1".into(), "latency MIN MAX needs MIN <= MAX"),
    ] {
        assert_eq!(try_line(sc.as_mut(), &line).unwrap_err(), message, "{line}");
    }
    // Unparsed inputs (a trace's) meet the same checks in the engine.
    let e = block_on(sc.apply(Input::Latency(0, u64::MAX))).unwrap_err();
    assert_eq!(e, "18446744073709551 ms is out of range (0 to 1000000000)");
    let e = block_on(sc.apply(Input::Delay(id, MAX_MS * MS + 1))).unwrap_err();
    assert_eq!(e, "1000000000 ms is out of range (0 to 1000000000)");
    assert_eq!(sc.inputs().len(), 1, "nothing refused was logged");
}

#[test]
fn the_largest_times_add_up_exactly() {
    // Delaying one message by the largest time, again and again, takes it
    // twenty thousand billion-ms later (sums of times saturate at the end of
    // time, which twenty million steps of the largest latency could reach).
    let mut sc = open(config(RA, 3, 1, &[]));
    lines(sc.as_mut(), "request 0");
    let first = &sc.in_flight(1).0[0];
    let (id, due) = (first.id, first.due);
    for _ in 0..20_000 {
        apply(sc.as_mut(), Input::Delay(id, MAX_MS * MS)).unwrap();
    }
    lines(sc.as_mut(), "latency 1000000000 1000000000\nrun");
    let delivered = sc.history().iter().find(|e| e.time == due + 20_000 * MAX_MS * MS);
    assert!(delivered.is_some(), "#{id} arrived exactly 20,000 × 10^9 ms late");
    let times: Vec<u64> = sc.history().iter().map(|e| e.time).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "time never goes back");
    assert_eq!(common::violated(sc.as_ref()), Vec::<String>::new());
}

#[test]
fn a_run_stops_at_its_ceiling_with_its_summary() {
    // The ceiling is 20 million steps; a test lowers it to see the stop.
    let mut cfg = config("token-ring", 4, 1, &[]);
    cfg.sim.step_ceiling = 500;
    let report = block_on(headless::run(cfg.clone(), "run 300\nrun 300\nrequest 1\nexpect ok\n"));
    assert_eq!(report.code, EXIT_FAILED, "lines were left unrun: {}", report.json);
    assert_eq!(report.json["steps"], 500);
    assert_eq!(report.json["stopped"], "the run reached its ceiling of 500 steps");
    assert_eq!(report.json["unrun_lines"], 2);
    // In a run, stepping is refused from there on; looking is not.
    let mut sc = open(cfg);
    lines(sc.as_mut(), "run 300\nrun 300");
    assert_eq!(sc.step(), 500);
    let e = try_line(sc.as_mut(), "step").unwrap_err();
    assert_eq!(e, "the run reached its ceiling of 500 steps: it takes no more steps (start a new run)");
    try_line(sc.as_mut(), "say \"still here\"").unwrap();
    try_line(sc.as_mut(), "expect ok").unwrap();
    // A script that ends at the ceiling is not a failure.
    let mut cfg = config("token-ring", 4, 1, &[]);
    cfg.sim.step_ceiling = 500;
    let report = block_on(headless::run(cfg, "run 600\n"));
    assert_eq!((report.code, report.json["stopped"].is_string()), (0, true), "{}", report.json);
}

#[test]
fn a_key_between_two_due_times_keeps_the_big_time_queue_in_order() {
    // The reproduction: thousands of events in flight (the radix
    // heap), then keys due between the head's time and the next one.
    let mut sc = open(config("logical-clocks", 4096, 1, &[]));
    lines(
        sc.as_mut(),
        "latency 1 1\nbroadcast 0\nbroadcast 1\nbroadcast 2\nbroadcast 3\nlatency 5 5\nbroadcast 3\nbroadcast 4\nstep",
    );
    let id = sc.in_flight(1).0[0].id;
    lines(sc.as_mut(), &format!("delay {id} 1\nrun"));
    let times: Vec<u64> = sc.history().iter().map(|e| e.time).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "events in time order");
    assert_eq!(common::total_messages(sc.as_ref()), 6 * 4095);
}
