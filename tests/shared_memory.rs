//! shared-memory: seed 000's writer and polling reader over a shared array
//! of −1s. The seed's logs line by line, exact access counts, the segment
//! outliving crashes, a racing second writer, lost accesses repeated, bad
//! input; property tests over random fault schedules; the broken reader
//! caught; screen snapshots at 80×24 and 120×40.
//!
//! Property cases: `DISTLAB_PROPTEST_CASES` (default 1000).

mod common;

use common::prop::*;
use common::*;
use distlab::engine::input::Input;
use distlab::engine::protocol::Role;
use distlab::engine::trace::RunConfig;
use distlab::scenario::Scenario;
use distlab::tui::App;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const SM: &str = "shared-memory";

fn result(sc: &dyn Scenario) -> serde_json::Value {
    sc.report()["result"].clone()
}

fn log(sc: &dyn Scenario, x: usize) -> Vec<String> {
    let l = &result(sc)["logs"][x.to_string()];
    l.as_array().expect("a log").iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

fn reads(sc: &dyn Scenario, x: usize) -> Vec<i64> {
    let r = &result(sc)["reads"][x.to_string()];
    r.as_array().expect("reads").iter().map(|v| v.as_i64().unwrap()).collect()
}

const WAIT: &str = "INFO:process2:Data not available sleeping for 1 second before retrying";

#[test]
fn the_seeds_run_logs_what_the_seed_logs() {
    // Every access takes 1 ms each way: a write is done 2 ms after it starts.
    let sc = run_script(config(SM, 3, 1, &[]), "latency 1 1; run");
    let mut writer: Vec<String> = vec!["INFO:process1:Pid:1001".into()];
    for i in 1..=10 {
        writer.push(format!("INFO:process1:Writing {i}"));
        if i == 6 {
            writer.push("INFO:process1:Intentionally sleeping for 5 seconds".into());
        }
    }
    writer.push("INFO:process1:Finished process 1".into());
    assert_eq!(log(sc.as_ref(), 1), writer);
    // The reader keeps pace with the writer up to 6, then polls through
    // the writer's five seconds of sleep: at 1 s, 2 s, 3 s, 4 s and 5 s.
    let reader = log(sc.as_ref(), 2);
    let mut want: Vec<String> = vec!["INFO:process2:Pid:1002".into()];
    for i in 1..=10 {
        if i == 7 {
            want.extend(std::iter::repeat_n(WAIT.to_string(), 5));
        }
        want.push(format!("INFO:process2:Read: {i}"));
    }
    want.push("INFO:process2:Finished process 2".into());
    assert_eq!(reader, want);
    assert_eq!(result(sc.as_ref())["array"], serde_json::json!([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    assert_eq!(reads(sc.as_ref(), 2), (1..=10).collect::<Vec<i64>>());
    for (kind, k) in [("WRITE", 10), ("ACK", 10), ("READ", 15), ("VALUE", 15)] {
        assert_eq!(by_kind(sc.as_ref(), kind), k, "{kind}");
    }
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    assert_eq!(sc.role(1), Role::Idle);
    assert_eq!(sc.role(2), Role::Idle);
}

#[test]
fn the_array_shows_who_touched_each_cell_last() {
    let mut sc = run_script(config(SM, 3, 1, &[]), "latency 1 1; run 20");
    let rows = inspect(sc.as_mut(), 0);
    assert_eq!(rows["shared"], "[1, 2, 3, 4, 5, -1, -1, -1, -1, -1]");
    assert_eq!(rows["touched by"], "r2 r2 r2 r2 r2 - - - - -");
    assert_eq!(sc.badge(0), "5/10 set");
    line(sc.as_mut(), "run");
    let rows = inspect(sc.as_mut(), 0);
    assert_eq!(rows["shared"], "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]");
    assert_eq!(rows["touched by"], "r2 r2 r2 r2 r2 r2 r2 r2 r2 r2");
    assert_eq!(result(sc.as_ref())["touched"][0], "r2");
}

#[test]
fn while_the_writer_sleeps_the_reader_is_told_to_wait() {
    let mut sc = run_script(config(SM, 3, 1, &[]), "latency 1 1; run 28");
    // The writer is asleep after writing 6; the reader polls shared[6].
    assert_eq!(sc.role(1), Role::Candidate, "sleeping");
    let w = inspect(sc.as_mut(), 1);
    assert_eq!(w["program"], "sleeping; then writes 7");
    let r = inspect(sc.as_mut(), 2);
    assert!(r["program"].contains("shared[6]"), "{r:?}");
    assert_eq!(r["read so far"], "1 2 3 4 5 6");
}

#[test]
fn without_waiting_the_reader_takes_minus_one_for_data() {
    let sc = run_script(config(SM, 3, 1, &[("variant", "no-wait")]), "latency 1 1; run");
    let v = sc.violations().first().expect("the checker flags it").clone();
    assert_eq!(v.property, "no-read-of-empty");
    assert_eq!(v.detail, "process2 took −1 from shared[6] for data: nothing was written there yet");
    assert_eq!(reads(sc.as_ref(), 2), [1, 2, 3, 4, 5, 6, -1, -1, -1, -1]);
}

#[test]
fn more_readers_all_read_everything() {
    let sc = run_script(config(SM, 5, 1, &[]), "run");
    for x in 2..5 {
        assert_eq!(reads(sc.as_ref(), x), (1..=10).collect::<Vec<i64>>(), "reader {x}");
    }
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn the_segment_outlives_crashes_and_processes_start_over() {
    let mut sc = run_script(config(SM, 3, 1, &[]), "latency 1 1; run 30; crash 0; recover 0");
    let rows = inspect(sc.as_mut(), 0);
    assert!(rows["shared"].starts_with("[1, 2, 3"), "the cells survive: {rows:?}");
    lines(sc.as_mut(), "run 20; crash 2; run 10; recover 2; crash 1; recover 1; run");
    assert!(log(sc.as_ref(), 2).contains(&"INFO:process2:restarted from the beginning".to_string()));
    // Both started over and finished: the reader read everything (again).
    assert_eq!(
        reads(sc.as_ref(), 2).iter().rev().take(10).rev().copied().collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );
    assert_eq!(result(sc.as_ref())["array"], serde_json::json!([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn a_lost_access_is_repeated_after_the_timeout() {
    let mut sc = run_script(config(SM, 3, 1, &[]), "latency 1 1; step 3");
    let w = msg_id(sc.as_ref(), "WRITE", 1, 0);
    lines(sc.as_mut(), &format!("drop {w}; run"));
    assert_eq!(by_kind(sc.as_ref(), "WRITE"), 11, "the lost store is made again");
    assert_eq!(result(sc.as_ref())["array"], serde_json::json!([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn a_racing_writer_is_seen_for_what_it_wrote() {
    // While its program sleeps, the writer stores 99 in shared[6] by hand,
    // the cell reader 2 polls: the reader takes 99 (it was stored there, so
    // no invariant breaks), and the program overwrites it with 7 on waking.
    let sc = run_script(config(SM, 3, 1, &[]), "latency 1 1; run 28; write 1 6 99; run");
    assert_eq!(reads(sc.as_ref(), 2), [1, 2, 3, 4, 5, 6, 99, 8, 9, 10]);
    assert_eq!(result(sc.as_ref())["array"][6], 7);
    assert!(log(sc.as_ref(), 1).contains(&"INFO:process1:wrote shared[6] by hand".to_string()));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

/// The segment named as the accessing process is refused by the card's
/// role check (node 0 plays "segment", the writer and readers "process"),
/// typed or applied as an input, and nothing changes.
#[test]
fn the_segment_named_as_a_process_is_refused_with_the_cards_usage_and_nothing_changes() {
    let mut sc = run_script(config(SM, 4, 1, &[]), "run 5");
    let before = snapshot(sc.as_mut());
    let inputs = sc.inputs().to_vec();
    let log = sc.log().len();
    assert_eq!((0..4).map(|i| sc.node_role(i)).collect::<Vec<_>>(), ["segment", "process", "process", "process"]);
    for (l, want) in [
        ("write 0 3 7", "node 0 is a segment; `write N CELL VALUE` needs a process (nodes 1..3)"),
        ("read 0 3", "node 0 is a segment; `read N CELL` needs a process (nodes 1..3)"),
    ] {
        assert_eq!(try_line(sc.as_mut(), l).unwrap_err(), want);
        let mut words = l.split(' ').map(String::from);
        let input = Input::Verb { verb: words.next().unwrap(), args: words.collect() };
        assert_eq!(apply(sc.as_mut(), input).unwrap_err(), want);
    }
    assert_eq!(snapshot(sc.as_mut()), before);
    assert_eq!(sc.inputs(), inputs.as_slice());
    assert_eq!(sc.log().len(), log);
}

#[test]
fn bad_input_is_rejected_with_a_clear_message_and_changes_nothing() {
    let mut sc = run_script(config(SM, 3, 1, &[]), "run 5");
    let before = snapshot(sc.as_mut());
    for (l, want) in [
        ("write 0 1 5", "node 0 is a segment; `write N CELL VALUE` needs a process (nodes 1..2)"),
        ("write 3 1 5", "node 3 does not exist (nodes are 0..2)"),
        ("write 1 x 5", "`write N CELL VALUE`: CELL is a whole number from 0 to 63, not \"x\""),
        (
            "write 1 1 five",
            "`write N CELL VALUE`: VALUE is a whole number from -9223372036854775808 to 9223372036854775807, not \"five\"",
        ),
        ("write 1 1", "usage: write N CELL VALUE (3 argument(s), got 2)"),
        ("read 1", "usage: read N CELL (2 argument(s), got 1)"),
        ("read 1 64", "`read N CELL`: CELL is a whole number from 0 to 63, not \"64\""),
        ("read 1 -1", "`read N CELL`: CELL is a whole number from 0 to 63, not \"-1\""),
        ("poke 1", "unknown command \"poke\""),
    ] {
        let err = try_line(sc.as_mut(), l).expect_err(l);
        assert!(err.contains(want), "{l}: {err}");
    }
    let after = snapshot(sc.as_mut());
    assert_eq!((after.step, after.report, after.inspect), (before.step, before.report, before.inspect));
    for (k, v, want) in [
        ("cells", "0", "parameter cells=0: expected a whole number from 1 to 64"),
        ("cells", "65", "parameter cells=65: expected a whole number from 1 to 64"),
        ("poll", "0", "parameter poll=0: expected whole ms from 1 to 1000000000"),
        ("nap", "-1", "parameter nap=-1: expected whole ms from 0 to 1000000000"),
        ("variant", "x", "expected one of correct, no-wait"),
    ] {
        let err = block_on(distlab::algos::open_run(config(SM, 3, 1, &[(k, v)]))).err().unwrap();
        assert!(err.contains(want), "{k}={v}: {err}");
    }
    // A cell beyond the array is refused by the process, nothing is sent.
    let mut sc = run_script(config(SM, 3, 1, &[("cells", "4")]), "run");
    let sent = total_messages(sc.as_ref());
    lines(sc.as_mut(), "read 2 9; run");
    assert_eq!(total_messages(sc.as_ref()), sent);
    assert_eq!(log(sc.as_ref(), 2).last().unwrap(), "INFO:process2:no such cell: shared has cells 0..3");
}

#[test]
fn runs_replay_exactly_and_step_back() {
    let mut sc = run_script(config(SM, 4, 5, &[]), "run 30; crash 2; run 5; recover 2; write 1 9 7; run");
    let mut again = replay_inputs(sc.as_ref());
    assert_eq!(snapshot(again.as_mut()).report, snapshot(sc.as_mut()).report);
    assert_eq!(sc.trace(), again.trace());
    let mut sc = run_script(config(SM, 3, 5, &[]), "run 20");
    let at = snapshot(sc.as_mut());
    line(sc.as_mut(), "step 1");
    step_back(sc.as_mut()).unwrap();
    let back = snapshot(sc.as_mut());
    assert_eq!((back.step, back.history, back.inspect), (at.step, at.history, at.inspect));
}

#[test]
fn a_thousand_processes_run_headless() {
    let sc = run_script(config(SM, 1000, 1, &[("cells", "3"), ("nap-after", "0")]), "run");
    assert_eq!(result(sc.as_ref())["array"], serde_json::json!([1, 2, 3]));
    for x in [2, 500, 999] {
        assert_eq!(reads(sc.as_ref(), x), [1, 2, 3], "{x}");
    }
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

// ----- property tests -------------------------------------------------------------------

#[derive(Clone, Debug)]
struct Case {
    n: usize,
    seed: u64,
    ops: Vec<Op>,
}

fn case() -> impl Strategy<Value = Case> {
    (3usize..=5, any::<u64>(), proptest::collection::vec(fault_op(ALL, 3), 1..60)).prop_map(|(n, seed, ops)| Case {
        n,
        seed,
        ops,
    })
}

fn run_config(c: &Case, variant: &str) -> RunConfig {
    schedule_config(SM, c.n, c.seed, &[("variant", variant), ("nap", "300"), ("poll", "100")], false)
}

/// `Op::Act(x)`: a hand-made read (or, now and then, a store of a value
/// the writer also writes there, so that reads stay checkable).
fn act(sc: &dyn Scenario, x: u8) -> Input {
    let p = 1 + x as usize % (sc.n() - 1);
    let cell = (x / 8) % 10;
    if x.is_multiple_of(5) {
        Input::Verb { verb: "write".into(), args: vec![p.to_string(), cell.to_string(), (cell + 1).to_string()] }
    } else {
        Input::Verb { verb: "read".into(), args: vec![p.to_string(), cell.to_string()] }
    }
}

fn input(sc: &dyn Scenario, op: &Op) -> Option<Input> {
    match op {
        Op::Act(x) => Some(act(sc, *x)),
        other => MUTEX.input(sc, other),
    }
}

fn check_case(c: &Case) -> Result<(), TestCaseError> {
    let mut sc = open(run_config(c, "correct"));
    play(sc.as_mut(), &c.ops, input);
    safe_during_faults(sc.as_ref(), &["no-read-of-empty", "reads-see-writes"])?;
    let crashed = recover_crashed(sc.as_ref());
    settle(sc.as_mut(), [heal(), crashed].concat(), "healing", 200_000)?;
    never_violated(sc.as_ref())?;
    let array = result(sc.as_ref())["array"].clone();
    if array != serde_json::json!([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
        return Err(fail(sc.as_ref(), format!("the array ended as {array}")));
    }
    check_clocks(sc.as_ref()).map_err(|e| fail(sc.as_ref(), e))
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Crashes (of the segment too), partitions, drops, loss, delays,
    /// duplicates, hand-made accesses: no reader ever takes −1 or a value
    /// nobody stored; after healing every reader reads every cell.
    #[test]
    fn safe_and_live_after_healing(c in case()) {
        check_case(&c)?;
    }
}

/// The same schedules catch the broken reader in a good share of cases.
#[test]
fn the_random_schedules_catch_no_wait() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let total = 200;
    let caught = count_caught(&mut runner, total, &case(), "no-read-of-empty", |c| {
        let mut sc = open(run_config(c, "no-wait"));
        play(sc.as_mut(), &c.ops, input);
        sc
    });
    println!("no-wait: no-read-of-empty in {caught}/{total}");
    assert!(caught * 4 >= total, "caught in only {caught} of {total}");
}

// ----- the screen -----------------------------------------------------------------------

fn asleep() -> App {
    block_on(tui_app(config(SM, 3, 1, &[]), &["latency 1 1", "run 28", "select 0"]))
}

#[test]
fn screen_80x24() {
    let text = screen(&asleep(), 80, 24);
    assert!(text.contains("6/10 set"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn screen_120x40() {
    let text = screen(&asleep(), 120, 40);
    assert!(text.contains("READ(shared[6])"), "{text}");
    insta::assert_snapshot!(text);
}
