//! socket-echo: seed 001's Experiment 7 with its three tasks: errors
//! handled, a handler per client, base64 on the wire. The experiment's
//! exchange line by line, the wire form, many clients at once, an
//! undecodable line, a client and a server that crash, bad input;
//! property tests over random fault schedules; the broken variants
//! caught; screen snapshots at 80×24 and 120×40.
//!
//! Property cases: `DISTLAB_PROPTEST_CASES` (default 1000).

mod common;

use common::prop::*;
use common::*;
use distlab::algos::client_server::socket_echo::{decode, encode};
use distlab::engine::input::Input;
use distlab::engine::protocol::Role;
use distlab::engine::trace::RunConfig;
use distlab::scenario::Scenario;
use distlab::tui::App;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const SE: &str = "socket-echo";

fn screen_of(sc: &dyn Scenario, x: usize) -> Vec<String> {
    let t = sc.transcript(x, 1, 1000).expect("socket-echo has screens");
    t.screens[0].lines.clone()
}

fn replies(sc: &dyn Scenario, x: usize) -> Vec<(String, Option<String>)> {
    let r = &sc.report()["result"]["replies"][x.to_string()];
    r.as_array()
        .expect("replies")
        .iter()
        .map(|e| (e["sent"].as_str().unwrap().to_string(), e["reply"].as_str().map(String::from)))
        .collect()
}

#[test]
fn base64_round_trips_and_is_no_secret() {
    assert_eq!(encode("Hello from client"), "SGVsbG8gZnJvbSBjbGllbnQ=");
    assert_eq!(decode("SGVsbG8gZnJvbSBjbGllbnQ=").unwrap(), "Hello from client");
    assert_eq!(decode(&encode("héllo ✓")).unwrap(), "héllo ✓");
    assert!(decode("not base64!").unwrap_err().starts_with("invalid base64"));
}

#[test]
fn the_experiments_exchange() {
    let mut sc = run_script(config(SE, 2, 1, &[]), "send 1 \"Hello from client\"; step 2");
    // The DATA on its way carries the base64 form.
    let data = in_flight(sc.as_ref()).into_iter().find(|m| m.kind == "DATA").expect("DATA in flight");
    assert_eq!(data.summary, "DATA(conn 1 SGVsbG8gZnJvbSBjbGllbnQ=)");
    let rows = inspect(sc.as_mut(), 1);
    assert_eq!(rows["plain"], "Hello from client");
    assert_eq!(rows["on the wire"], "SGVsbG8gZnJvbSBjbGllbnQ=");
    assert_eq!(rows["base64"], "an encoding, not encryption: anyone can decode it");
    line(sc.as_mut(), "run");
    assert_eq!(screen_of(sc.as_ref(), 1), ["Connected.", "Received: Hello from server"]);
    assert_eq!(
        screen_of(sc.as_ref(), 0),
        [
            "Server listening...",
            "Connected by client 1 (conn 1)",
            "Received: Hello from client",
            "client 1 closed conn 1"
        ]
    );
    for kind in ["CONNECT", "ACCEPT", "DATA", "REPLY", "CLOSE"] {
        assert_eq!(by_kind(sc.as_ref(), kind), 1, "{kind}");
    }
    assert_eq!(total_messages(sc.as_ref()), 5);
    assert_eq!(replies(sc.as_ref(), 1), [("Hello from client".to_string(), Some("Hello from server".to_string()))]);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn one_handler_per_client_serves_many_at_once() {
    let mut sc = open(config(SE, 6, 1, &[("reply", "echo")]));
    for c in 1..6 {
        line(sc.as_mut(), &format!("send {c} line from {c}"));
    }
    line(sc.as_mut(), "step 7");
    assert!(sc.badge(0).ends_with("open") && sc.badge(0) != "0 open", "{}", sc.badge(0));
    line(sc.as_mut(), "run");
    for c in 1..6 {
        assert_eq!(replies(sc.as_ref(), c), [(format!("line from {c}"), Some(format!("line from {c}")))]);
    }
    assert_eq!(sc.badge(0), "0 open");
    assert_eq!(total_messages(sc.as_ref()), 25);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn a_clients_lines_go_one_connection_after_another() {
    let mut sc = run_script(config(SE, 2, 1, &[]), "send 1 one; send 1 two; send 1 three");
    assert_eq!(sc.badge(1), "+2 queued");
    line(sc.as_mut(), "run");
    let got: Vec<String> = replies(sc.as_ref(), 1).into_iter().map(|r| r.0).collect();
    assert_eq!(got, ["one", "two", "three"]);
    assert_eq!(by_kind(sc.as_ref(), "CONNECT"), 3);
}

#[test]
fn an_undecodable_line_is_answered_with_an_error_and_the_server_serves_on() {
    let sc = run_script(config(SE, 3, 1, &[]), "send-raw 1 \"not base64!\"; run; send 2 fine; run");
    let s1 = screen_of(sc.as_ref(), 1);
    assert_eq!(s1.last().unwrap(), "Failed: the server says invalid base64: Invalid symbol 32, offset 3.");
    assert!(
        screen_of(sc.as_ref(), 0).iter().any(|l| l.contains("cannot decode the message") && l.contains("serves on"))
    );
    assert_eq!(replies(sc.as_ref(), 2), [("fine".to_string(), Some("Hello from server".to_string()))]);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn a_client_that_crashes_mid_exchange_costs_one_handler() {
    let mut sc = run_script(config(SE, 3, 1, &[]), "send 1 hello; step 1; crash 1");
    assert_eq!(sc.badge(0), "1 open");
    lines(sc.as_mut(), "send 2 meanwhile; run");
    assert_eq!(replies(sc.as_ref(), 2), [("meanwhile".to_string(), Some("Hello from server".to_string()))]);
    assert_eq!(sc.badge(0), "0 open", "the idle handler was closed");
    assert!(screen_of(sc.as_ref(), 0).iter().any(|l| l.starts_with("client 1: connection reset")));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    assert_eq!(sc.role(0), Role::Leader);
}

#[test]
fn without_a_server_the_client_reports_failure() {
    let mut sc = run_script(config(SE, 2, 1, &[]), "crash 0; send 1 anyone; run");
    assert_eq!(screen_of(sc.as_ref(), 1).last().unwrap(), "Failed: no answer from the server");
    assert_eq!(sc.role(1), Role::Idle);
    lines(sc.as_mut(), "recover 0; send 1 again; run");
    // The first line never reached the server (no DATA was sent): only the second is listed.
    assert_eq!(replies(sc.as_ref(), 1), [("again".to_string(), Some("Hello from server".to_string()))]);
}

#[test]
fn without_except_the_first_error_stops_the_server() {
    let mut sc = run_script(config(SE, 3, 1, &[("variant", "no-except")]), "send-raw 1 oops; run");
    let v = sc.violations().first().expect("flagged").clone();
    assert_eq!(v.property, "server-keeps-serving");
    assert_eq!(sc.badge(0), "DOWN");
    lines(sc.as_mut(), "send 2 hello?; run");
    assert_eq!(screen_of(sc.as_ref(), 2).last().unwrap(), "Failed: no answer from the server");
    // A client crash mid-exchange stops it too (connection reset).
    let sc = run_script(config(SE, 3, 1, &[("variant", "no-except")]), "send 1 hi; step 1; crash 1; run");
    assert_eq!(sc.violations()[0].property, "server-keeps-serving");
    assert!(screen_of(sc.as_ref(), 0).iter().any(|l| l.contains("ConnectionResetError")));
}

#[test]
fn reading_base64_as_text_is_caught() {
    let sc = run_script(config(SE, 2, 1, &[("variant", "no-decode"), ("reply", "echo")]), "send 1 secret; run");
    let v = &sc.violations()[0];
    assert_eq!(v.property, "decode-roundtrip");
    assert_eq!(v.detail, "client 1 sent \"secret\" but the server read \"c2VjcmV0\"");
}

#[test]
fn bad_input_is_rejected_with_a_clear_message_and_changes_nothing() {
    let mut sc = run_script(config(SE, 3, 1, &[]), "send 1 a; run");
    let before = snapshot(sc.as_mut());
    for (l, want) in [
        ("send 0 hi", "node 0 is a server; `send C text` needs a client (nodes 1..2)"),
        ("send-raw 0 hi", "node 0 is a server; `send-raw C text` needs a client (nodes 1..2)"),
        ("send 7 hi", "node 7 does not exist (nodes are 0..2)"),
        ("send x hi", "`send C text`: C is a node id, not \"x\""),
        ("send 1", "usage: send C text (at least 2 argument(s), got 1)"),
        ("send 1 \"\"", "`send C text`: text is printable text, not \"\""),
        ("send", "usage: send C text (at least 2 argument(s), got none)"),
        ("send-raw 1", "usage: send-raw C text (at least 2 argument(s), got 1)"),
    ] {
        let err = try_line(sc.as_mut(), l).expect_err(l);
        assert!(err.contains(want), "{l}: {err}");
    }
    let long = format!("send 1 {}", "x".repeat(201));
    assert!(try_line(sc.as_mut(), &long).unwrap_err().contains("longer than 200"));
    let after = snapshot(sc.as_mut());
    assert_eq!((after.step, after.report, after.inspect), (before.step, before.report, before.inspect));
    for (k, v, want) in [
        ("variant", "x", "expected one of correct, no-except, no-decode"),
        ("timeout", "0", "parameter timeout=0: expected whole ms from 1 to 1000000000"),
        ("idle", "x", "parameter idle=x: expected whole ms from 1 to 1000000000"),
        ("reply", "", "reply: 1 to 200 characters"),
    ] {
        let err = block_on(distlab::algos::open_run(config(SE, 3, 1, &[(k, v)]))).err().unwrap();
        assert!(err.contains(want), "{k}={v}: {err}");
    }
}

/// The server named as the sending client is refused by the card's role
/// check, typed or applied as an input, and nothing changes.
#[test]
fn the_server_named_as_a_client_is_refused_with_the_cards_usage_and_nothing_changes() {
    let mut sc = run_script(config(SE, 3, 1, &[]), "send 1 a; run");
    let before = snapshot(sc.as_mut());
    let inputs = sc.inputs().to_vec();
    let log = sc.log().len();
    assert_eq!((0..3).map(|i| sc.node_role(i)).collect::<Vec<_>>(), ["server", "client", "client"]);
    for (verb, want) in [
        ("send", "node 0 is a server; `send C text` needs a client (nodes 1..2)"),
        ("send-raw", "node 0 is a server; `send-raw C text` needs a client (nodes 1..2)"),
    ] {
        assert_eq!(try_line(sc.as_mut(), &format!("{verb} 0 hello there")).unwrap_err(), want);
        let input = Input::Verb { verb: verb.into(), args: ["0", "hello"].map(String::from).to_vec() };
        assert_eq!(apply(sc.as_mut(), input).unwrap_err(), want);
    }
    assert_eq!(snapshot(sc.as_mut()), before);
    assert_eq!(sc.inputs(), inputs.as_slice());
    assert_eq!(sc.log().len(), log);
}

#[test]
fn runs_replay_exactly_and_step_back() {
    let mut sc = run_script(config(SE, 4, 3, &[]), "send 1 a; send 2 b; step 3; crash 2; send-raw 3 c; run; recover 2");
    let mut again = replay_inputs(sc.as_ref());
    assert_eq!(snapshot(again.as_mut()).report, snapshot(sc.as_mut()).report);
    assert_eq!(sc.trace(), again.trace());
    let at = snapshot(sc.as_mut());
    lines(sc.as_mut(), "send 1 more; step 1");
    step_back(sc.as_mut()).unwrap();
    step_back(sc.as_mut()).unwrap();
    let back = snapshot(sc.as_mut());
    assert_eq!((back.step, back.history, back.inspect), (at.step, at.history, at.inspect));
}

#[test]
fn a_thousand_nodes_run_headless() {
    let mut sc = open(config(SE, 1000, 1, &[]));
    for c in (1..1000).step_by(7) {
        line(sc.as_mut(), &format!("send {c} hello"));
    }
    line(sc.as_mut(), "run");
    let n = (1..1000).step_by(7).count() as u64;
    assert_eq!(by_kind(sc.as_ref(), "REPLY"), n);
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
    (2usize..=5, any::<u64>(), proptest::collection::vec(fault_op(ALL, 6), 1..50)).prop_map(|(n, seed, ops)| Case {
        n,
        seed,
        ops,
    })
}

fn run_config(c: &Case, variant: &str) -> RunConfig {
    schedule_config(SE, c.n, c.seed, &[("variant", variant), ("reply", "echo")], false)
}

fn act(sc: &dyn Scenario, x: u8) -> Input {
    let c = 1 + x as usize % (sc.n() - 1);
    let verb = if x.is_multiple_of(6) { "send-raw" } else { "send" };
    Input::Verb { verb: verb.into(), args: vec![c.to_string(), format!("m{x}")] }
}

fn input(sc: &dyn Scenario, op: &Op) -> Option<Input> {
    match op {
        Op::Act(x) => Some(act(sc, *x)),
        other => MUTEX.input(sc, other),
    }
}

const SAFETY: &[&str] = &["decode-roundtrip", "reply-matches", "server-keeps-serving"];

fn check_case(c: &Case) -> Result<(), TestCaseError> {
    let mut sc = open(run_config(c, "correct"));
    play(sc.as_mut(), &c.ops, input);
    safe_during_faults(sc.as_ref(), SAFETY)?;
    let crashed = recover_crashed(sc.as_ref());
    settle(sc.as_mut(), [heal(), crashed].concat(), "healing", 100_000)?;
    // Every client is free again, and a last line from each is answered.
    let before: Vec<usize> = (1..c.n).map(|x| replies(sc.as_ref(), x).len()).collect();
    let last: Vec<Input> =
        (1..c.n).map(|x| Input::Verb { verb: "send".into(), args: vec![x.to_string(), "last".into()] }).collect();
    settle(sc.as_mut(), last, "last lines", 100_000)?;
    for x in 1..c.n {
        let r = replies(sc.as_ref(), x);
        if r.len() != before[x - 1] + 1 || r.last().unwrap().1.as_deref() != Some("last") {
            return Err(fail(sc.as_ref(), format!("client {x}'s last line was not answered: {r:?}")));
        }
    }
    clean_run(sc.as_ref())
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Crashes of clients and of the server, partitions, drops, loss,
    /// delays, duplicates, undecodable lines: what the server reads is what
    /// was sent, what a client prints is its own answer, the server never
    /// stops; after healing every client is served.
    #[test]
    fn safe_and_live_after_healing(c in case()) {
        check_case(&c)?;
    }
}

#[test]
fn the_random_schedules_catch_the_broken_variants() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let total = 200;
    for (variant, prop) in [("no-except", "server-keeps-serving"), ("no-decode", "decode-roundtrip")] {
        let caught = count_caught(&mut runner, total, &case(), prop, |c| {
            let mut sc = open(run_config(c, variant));
            play(sc.as_mut(), &c.ops, input);
            sc
        });
        println!("{variant}: {prop} in {caught}/{total}");
        assert!(caught * 4 >= total, "{variant}: caught in only {caught} of {total}");
    }
}

// ----- the screen -----------------------------------------------------------------------

fn mid_exchange() -> App {
    block_on(tui_app(
        config(SE, 4, 1, &[]),
        &[
            "send 1 \"Hello from client\"",
            "send-raw 2 \"plain text\"",
            "run",
            "send 3 \"third one\"",
            "step 3",
            "select 3",
        ],
    ))
}

#[test]
fn screen_80x24() {
    let text = screen(&mid_exchange(), 80, 24);
    assert!(text.contains("socket-echo"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn screen_120x40() {
    let text = screen(&mid_exchange(), 120, 40);
    assert!(text.contains("dGhpcmQgb25l"), "{text}");
    insta::assert_snapshot!(text);
}
