//! rpc: client stubs and a server skeleton through the public API. The
//! seed's calls with exact results and exactly 2 messages per call; the
//! marshalled bytes in the inspector are bincode's encoding of the call;
//! a lost reply, a duplicated request and a server crash re-run `deposit`
//! at-least-once and not at-most-once; bad verbs rejected; replay and step
//! back; property tests over random fault schedules; the broken variants
//! caught; screen snapshots at 80×24 and 120×40.
//!
//! Property cases: `DISTLAB_PROPTEST_CASES` (default 1000). A failing case
//! prints the script that reproduces it.

mod common;

use common::prop::*;
use common::*;
use distlab::algos::client_server::rpc::wire::{Call, Reply};
use distlab::engine::input::{Input, SchedMode};
use distlab::engine::protocol::Role;
use distlab::engine::trace::RunConfig;
use distlab::scenario::Scenario;
use distlab::tui::App;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::json;

const RPC: &str = "rpc";

fn result(sc: &dyn Scenario) -> serde_json::Value {
    sc.report()["result"].clone()
}

/// The calls of client `c` in the result.
fn calls(sc: &dyn Scenario, c: usize) -> Vec<serde_json::Value> {
    result(sc)["calls"][c.to_string()].as_array().cloned().unwrap_or_default()
}

fn balance(sc: &dyn Scenario) -> i64 {
    result(sc)["balance"].as_i64().expect("balance")
}

/// How often the server ran call `id` of client `c`.
fn times(sc: &dyn Scenario, c: u64, id: u64) -> u64 {
    result(sc)["executions"]
        .as_array()
        .expect("executions")
        .iter()
        .find(|e| e["client"] == c && e["id"] == id)
        .map_or(0, |e| e["times"].as_u64().unwrap())
}

fn unhex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap_or_else(|_| panic!("hex byte {b:?} in {s:?}")))
        .collect()
}

fn bincode_of<T: serde::Serialize>(v: &T) -> Vec<u8> {
    bincode::serde::encode_to_vec(v, bincode::config::standard()).unwrap()
}

fn manual(params: &[(&str, &str)]) -> Box<dyn Scenario> {
    open(with_sched(config(RPC, 3, 1, params), SchedMode::Manual))
}

// ----- exact behaviour ----------------------------------------------------------

#[test]
fn the_seeds_calls_give_exact_results_in_two_messages_each() {
    let script = [
        ("add 3 4", json!({"result": 7, "status": "ok"})),
        ("subtract 3 4", json!({"result": -1, "status": "ok"})),
        ("multiply 6 7", json!({"result": 42, "status": "ok"})),
        ("divide 7 2", json!({"result": 3, "status": "ok"})),
        ("divide -7 2", json!({"result": -3, "status": "ok"})),
        ("divide 1 0", json!({"error": "division by zero", "status": "error"})),
        ("list", json!({"error": "Function list not found", "status": "error"})),
        ("power 2 10", json!({"error": "Function power not found", "status": "error"})),
        ("add 1", json!({"error": "add takes 2 arguments, not 1", "status": "error"})),
        ("add 9223372036854775807 1", json!({"error": "integer overflow (i64)", "status": "error"})),
        ("deposit 5", json!({"result": 5, "status": "ok"})),
        ("deposit 7", json!({"result": 12, "status": "ok"})),
    ];
    for sched in [SchedMode::Timed, SchedMode::Random] {
        for n in [2usize, 3, 6] {
            let mut sc = open(with_sched(config(RPC, n, 3, &[]), sched));
            for (call, _) in &script {
                line(sc.as_mut(), &format!("call {} {call}", n - 1));
            }
            assert!(line(sc.as_mut(), "run").quiescent);
            let got = calls(sc.as_ref(), n - 1);
            assert_eq!(got.len(), script.len());
            for (i, ((call, want), got)) in script.iter().zip(&got).enumerate() {
                assert_eq!(got["id"], i as u64 + 1, "{call}");
                assert_eq!(got["function"], call.split(' ').next().unwrap(), "{call}");
                assert_eq!(got["attempts"], 1, "{call}");
                for (k, v) in want.as_object().unwrap() {
                    assert_eq!(&got[k], v, "{call}: {k} in {got}");
                }
            }
            let k = script.len() as u64;
            assert_eq!(total_messages(sc.as_ref()), 2 * k, "n={n} {sched:?}");
            assert_eq!(by_kind(sc.as_ref(), "REQUEST"), k);
            assert_eq!(by_kind(sc.as_ref(), "REPLY"), k);
            assert_eq!(balance(sc.as_ref()), 12);
            assert_eq!(result(sc.as_ref())["semantics"], "at-most-once");
            assert!(sc.violations().is_empty(), "{:?}", sc.violations());
            assert_eq!(roles(sc.as_ref())[0], Role::Leader, "the server is drawn as leader");
        }
    }
    // The stub is blocking: later calls of a client wait in its queue.
    let mut sc = open(config(RPC, 3, 1, &[]));
    lines(sc.as_mut(), "call 1 add 1 2; call 1 add 3 4; call 2 multiply 2 3");
    assert_eq!(in_flight(sc.as_ref()).iter().filter(|m| m.kind == "REQUEST").count(), 2);
    assert_eq!(inspect(sc.as_mut(), 1)["queued"], "call 2 add(3, 4)");
    assert_eq!(sc.badge(1), "wait 2");
    assert_eq!(sc.role(1), Role::Wanting);
    line(sc.as_mut(), "run");
    assert_eq!(calls(sc.as_ref(), 1)[1]["result"], 7);
    assert_eq!(calls(sc.as_ref(), 2)[0]["result"], 6);
    assert_eq!(sc.badge(1), "");
    assert_eq!(sc.badge(0), "AMO bal 0");
}

#[test]
fn the_inspector_shows_every_stage_and_the_hex_is_bincode() {
    let mut sc = manual(&[]);
    line(sc.as_mut(), "call 1 add 3 4");
    let call = Call { id: 1, function: "add".into(), args: vec![3, 4] };
    let want = bincode_of(&call);
    let stub = inspect(sc.as_mut(), 1);
    assert_eq!(stub["role"], "client of 0");
    assert_eq!(stub["stub"], "waiting for call 1");
    assert_eq!(stub["call"], "call 1 add(3, 4)");
    assert_eq!(stub["marshalled"], format!("{} B", want.len()));
    assert_eq!(unhex(&stub["request hex"]), want, "the stub's bytes are bincode's encoding of the call");
    let (back, _): (Call, usize) =
        bincode::serde::decode_from_slice(&unhex(&stub["request hex"]), bincode::config::standard()).unwrap();
    assert_eq!(back, call);
    assert_eq!(stub["sent"], "attempt 1 at 0 ms");
    assert_eq!(stub["reply hex"], "-");
    assert_eq!(stub["result"], "(waiting)");
    let req = msg_id(sc.as_ref(), "REQUEST", 1, 0);
    assert_eq!(in_flight(sc.as_ref())[0].summary, format!("REQUEST call 1 add(3, 4) [{} B]", want.len()));
    line(sc.as_mut(), &format!("deliver {req}"));
    let skel = inspect(sc.as_mut(), 0);
    assert_eq!(skel["role"], "server");
    assert_eq!(skel["last request"], format!("from 1, {} B", want.len()));
    assert_eq!(unhex(&skel["request hex"]), want);
    assert_eq!(skel["unmarshalled"], "call 1 add(3, 4)");
    assert_eq!(skel["dispatch"], "ran add → 7");
    let reply = Reply { id: Some(1), outcome: Ok(7) };
    assert_eq!(unhex(&skel["reply hex"]), bincode_of(&reply));
    assert_eq!(skel["executions"], "1");
    assert_eq!(skel["dup table"], "c1 call 1=7");
    assert_eq!(skel["after a crash"], "balance + table kept");
    let rep = msg_id(sc.as_ref(), "REPLY", 0, 1);
    line(sc.as_mut(), &format!("deliver {rep}"));
    let stub = inspect(sc.as_mut(), 1);
    assert_eq!(stub["stub"], "idle");
    assert_eq!(unhex(&stub["reply hex"]), bincode_of(&reply));
    assert_eq!(stub["result"], "7");
    assert_eq!(stub["sent"], "1 attempt");
    assert_eq!(stub["next id"], "2");
    // Long calls are truncated with their byte count.
    line(sc.as_mut(), "call 2 multiply 9223372036854775807 -9223372036854775807 1 2 3 4 5 6");
    let hex = inspect(sc.as_mut(), 2)["request hex"].clone();
    let len =
        bincode_of(&Call { id: 1, function: "multiply".into(), args: vec![i64::MAX, -i64::MAX, 1, 2, 3, 4, 5, 6] })
            .len();
    assert!(hex.ends_with(&format!("… ({len} B)")), "{hex}");
    assert_eq!(hex.split(' ').count(), 24 + 3, "24 bytes, then … (N B)");
}

#[test]
fn a_lost_reply_reruns_deposit_at_least_once_but_not_at_most_once() {
    for (semantics, bal, runs) in [("at-least-once", 20, 2), ("at-most-once", 10, 1)] {
        let mut sc = manual(&[("semantics", semantics)]);
        line(sc.as_mut(), "call 1 deposit 10");
        let id = msg_id(sc.as_ref(), "REQUEST", 1, 0);
        line(sc.as_mut(), &format!("deliver {id}"));
        let id = msg_id(sc.as_ref(), "REPLY", 0, 1);
        lines(sc.as_mut(), &format!("drop {id}; sched timed; run"));
        assert_eq!(balance(sc.as_ref()), bal, "{semantics}");
        assert_eq!(times(sc.as_ref(), 1, 1), runs, "{semantics}");
        let c = &calls(sc.as_ref(), 1)[0];
        assert_eq!((c["result"].as_i64(), c["attempts"].as_u64()), (Some(bal), Some(2)), "{semantics}");
        assert_eq!(by_kind(sc.as_ref(), "REQUEST"), 2, "the retry re-sends the same id");
        assert!(sc.violations().is_empty(), "{semantics}: {:?}", sc.violations());
        let skel = inspect(sc.as_mut(), 0);
        if semantics == "at-most-once" {
            assert_eq!(skel["dispatch"], "duplicate: table says 10");
            assert_eq!(skel["duplicates"], "1");
        } else {
            assert_eq!(skel["dispatch"], "ran deposit → 20");
            assert_eq!(skel["dup table"], "none (at-least-once)");
        }
    }
}

#[test]
fn a_duplicated_request_reruns_deposit_at_least_once_but_not_at_most_once() {
    for (semantics, bal, runs) in [("at-least-once", 20, 2), ("at-most-once", 10, 1)] {
        // Equal latencies: the copy arrives right after the original.
        let mut sc = open(config(RPC, 3, 1, &[("semantics", semantics)]));
        lines(sc.as_mut(), "latency 2 2; call 2 deposit 10");
        let id = msg_id(sc.as_ref(), "REQUEST", 2, 0);
        lines(sc.as_mut(), &format!("dup {id}; run"));
        assert_eq!(balance(sc.as_ref()), bal, "{semantics}");
        assert_eq!(times(sc.as_ref(), 2, 1), runs, "{semantics}");
        assert_eq!(by_kind(sc.as_ref(), "REPLY"), 2);
        // The stub takes the first reply; the second finds no call waiting.
        assert_eq!(calls(sc.as_ref(), 2)[0]["result"], 10);
        assert_eq!(inspect(sc.as_mut(), 2)["stale replies"], "1");
        assert!(sc.violations().is_empty(), "{semantics}: {:?}", sc.violations());
    }
}

#[test]
fn a_server_crash_between_execute_and_reply() {
    // The server runs the deposit and crashes; its reply dies with it. It
    // comes back; the stub's retry arrives.
    for (semantics, variant, bal, broken) in [
        ("at-least-once", "correct", 20, false),
        ("at-most-once", "correct", 10, false),
        ("at-most-once", "forgetful", 20, true),
    ] {
        let mut sc = manual(&[("semantics", semantics), ("variant", variant)]);
        line(sc.as_mut(), "call 1 deposit 10");
        let id = msg_id(sc.as_ref(), "REQUEST", 1, 0);
        line(sc.as_mut(), &format!("deliver {id}"));
        let id = msg_id(sc.as_ref(), "REPLY", 0, 1);
        lines(sc.as_mut(), &format!("crash 0; drop {id}"));
        assert_eq!(sc.status().as_deref(), Some("server 0 crashed: calls go unanswered, 1 clients waiting"));
        lines(sc.as_mut(), "recover 0; sched timed; run");
        let what = format!("{semantics} {variant}");
        assert_eq!(sc.status(), None);
        assert_eq!(balance(sc.as_ref()), bal, "{what}: the balance is on stable storage");
        assert_eq!(calls(sc.as_ref(), 1)[0]["result"], bal, "{what}");
        if broken {
            assert_eq!(violated(sc.as_ref()), vec!["at-most-once"], "{what}");
            assert_eq!(
                sc.violations()[0].detail,
                "the server ran call 1 of client 1 again (2 times) in at-most-once mode"
            );
            assert_eq!(inspect(sc.as_mut(), 0)["after a crash"], "balance kept, table lost");
        } else {
            assert!(sc.violations().is_empty(), "{what}: {:?}", sc.violations());
        }
    }
}

#[test]
fn a_down_server_makes_the_stub_give_up_after_its_attempts() {
    let mut sc = open(config(RPC, 3, 1, &[("attempts", "3")]));
    lines(sc.as_mut(), "crash 0; call 1 add 3 4; call 1 add 5 6; run");
    let c = calls(sc.as_ref(), 1);
    assert_eq!(c[0]["status"], "gave-up");
    assert_eq!(c[0]["attempts"], 3);
    assert_eq!(c[1]["status"], "gave-up");
    assert_eq!(losses(sc.as_ref(), "REQUEST").len(), 6);
    assert_eq!(inspect(sc.as_mut(), 1)["result"], "gave up (may or may not have run)");
    assert!(sc.violations().is_empty(), "giving up is allowed: {:?}", sc.violations());
    // Without retries a lost request leaves the caller waiting forever.
    let mut sc = manual(&[("timeout", "0")]);
    line(sc.as_mut(), "call 1 add 3 4");
    let id = msg_id(sc.as_ref(), "REQUEST", 1, 0);
    lines(sc.as_mut(), &format!("drop {id}; sched timed; run"));
    assert_eq!(calls(sc.as_ref(), 1)[0]["status"], "pending");
    assert_eq!(sc.role(1), Role::Wanting);
    // A client crash loses its pending calls; its ids are never reused.
    let mut sc = open(config(RPC, 3, 1, &[]));
    lines(sc.as_mut(), "call 1 deposit 1; crash 1; recover 1; run; call 1 deposit 2; run");
    let c = calls(sc.as_ref(), 1);
    assert_eq!(
        (c[0]["status"].clone(), c[1]["id"].clone(), c[1]["result"].clone()),
        (json!("lost"), json!(2), json!(3))
    );
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn the_semantics_verb_switches_the_server() {
    let mut sc = open(config(RPC, 3, 1, &[]));
    lines(sc.as_mut(), "call 1 add 1 1; run; semantics at-least-once");
    assert_eq!(sc.badge(0), "ALO bal 0");
    assert_eq!(inspect(sc.as_mut(), 0)["dup table"], "none (at-least-once)");
    assert_eq!(result(sc.as_ref())["semantics"], "at-least-once");
    assert_eq!(sc.action(0), Some(Input::Verb { verb: "semantics".into(), args: vec!["at-most-once".into()] }));
    assert_eq!(
        sc.action(1),
        Some(Input::Verb { verb: "call".into(), args: ["1", "add", "3", "4"].map(String::from).to_vec() })
    );
    lines(sc.as_mut(), "semantics at-most-once; call 2 deposit 3; run");
    assert_eq!(inspect(sc.as_mut(), 0)["dup table"], "c2 call 1=3", "a fresh table");
    assert_eq!(sc.badge(0), "AMO bal 3");
    assert_eq!(total_messages(sc.as_ref()), 4, "switching costs no message");
}

/// The server named as the calling client is refused by the card's role
/// check, with the card's usage, whether typed or applied as an input.
#[test]
fn the_server_named_as_a_client_is_refused_with_the_cards_usage_and_nothing_changes() {
    let mut sc = run_script(config(RPC, 4, 1, &[]), "call 1 add 1 2; run");
    let before = snapshot(sc.as_mut());
    let inputs = sc.inputs().to_vec();
    let log = sc.log().len();
    assert_eq!((0..4).map(|i| sc.node_role(i)).collect::<Vec<_>>(), ["server", "client", "client", "client"]);
    let want = "node 0 is a server; `call C FN A B` needs a client (nodes 1..3)";
    assert_eq!(try_line(sc.as_mut(), "call 0 deposit 10").unwrap_err(), want);
    let input = Input::Verb { verb: "call".into(), args: ["0", "deposit", "10"].map(String::from).to_vec() };
    assert_eq!(apply(sc.as_mut(), input).unwrap_err(), want);
    assert_eq!(snapshot(sc.as_mut()), before);
    assert_eq!(sc.inputs(), inputs.as_slice());
    assert_eq!(sc.log().len(), log);
    // `semantics` goes to the server whatever the prompt's selection.
    lines(sc.as_mut(), "semantics at-least-once");
    assert_eq!(sc.report()["result"]["semantics"], "at-least-once");
}

#[test]
fn bad_input_is_rejected_with_a_clear_message_and_changes_nothing() {
    let mut sc = open(config(RPC, 3, 1, &[]));
    line(sc.as_mut(), "call 1 add 1 2");
    let before = snapshot(sc.as_mut());
    let inputs = sc.inputs().len();
    for (bad, want) in [
        ("call", "usage: call C FN A B (at least 2 argument(s), got none)"),
        ("call 1", "usage: call C FN A B (at least 2 argument(s), got 1)"),
        ("call 0 add 3 4", "node 0 is a server; `call C FN A B` needs a client (nodes 1..2)"),
        ("call 3 add 3 4", "node 3 does not exist (nodes are 0..2)"),
        ("call x add 3 4", "`call C FN A B`: C is a node id, not \"x\""),
        ("call 1 add 3 four", "argument \"four\" is not an integer (i64)"),
        ("call 1 add 3 99999999999999999999", "is not an integer (i64)"),
        ("call 1 3 4", "\"3\" is not a function name"),
        ("call 1 a.b 4", "is not a function name"),
        ("call 1 add 1 2 3 4 5 6 7 8 9", "at most 8 arguments, not 9"),
        ("semantics", "usage: semantics at-least-once|at-most-once (1 argument(s), got none)"),
        ("semantics at-most-once now", "usage: semantics at-least-once|at-most-once (1 argument(s), got 2)"),
        ("semantics exactly-once", "one of at-least-once, at-most-once, not \"exactly-once\""),
        ("invoke 1 add 3 4", "call C FN A B"),
    ] {
        let err = try_line(sc.as_mut(), bad).unwrap_err();
        assert!(err.contains(want), "`{bad}`: {err}");
    }
    assert_eq!(sc.inputs().len(), inputs);
    assert_eq!(snapshot(sc.as_mut()), before);
    lines(sc.as_mut(), "crash 0");
    let err = try_line(sc.as_mut(), "semantics at-least-once").unwrap_err();
    assert!(err.contains("node 0 is crashed"), "{err}");
    for (k, v, want) in [
        ("variant", "nope", "expected one of correct, no-dedup, forgetful, any-reply"),
        ("semantics", "exactly-once", "expected one of at-most-once, at-least-once"),
        ("timeout", "-1", "parameter timeout=-1: expected whole ms from 0 to 1000000000"),
        ("timeout", "1000000001", "parameter timeout=1000000001: expected whole ms from 0 to 1000000000"),
        ("attempts", "x", "parameter attempts=x: expected a whole number from 0 to 4294967295"),
        ("think", "-5", "parameter think=-5: expected whole ms from 0 to 1000000000"),
        ("server", "1", "unknown parameter"),
    ] {
        let err = block_on(distlab::algos::open_run(config(RPC, 3, 1, &[(k, v)]))).err().unwrap();
        assert!(err.contains(want), "{k}={v}: {err}");
    }
    let err = block_on(distlab::algos::open_run(config(RPC, 1, 1, &[]))).err().unwrap();
    assert!(err.contains("2 to 4096 nodes"), "{err}");
}

#[test]
fn replay_and_step_back_are_deterministic() {
    let script = "call 1 deposit 5; call 2 add 3 4; dup-rate 0.3; loss 0.2; run 200; semantics at-least-once; \
                  call 1 deposit 1; crash 0; run 20; recover 0; loss 0; dup-rate 0; run";
    for sched in [SchedMode::Timed, SchedMode::Random] {
        let mut sc = open(with_sched(config(RPC, 4, 11, &[]), sched));
        lines(sc.as_mut(), script);
        let want = snapshot(sc.as_mut());
        let mut again = replay_inputs(sc.as_ref());
        assert_eq!(snapshot(again.as_mut()), want, "{sched:?}: replay");
        let keep = sc.inputs().len();
        lines(sc.as_mut(), "call 3 deposit 2; call 1 divide 1 0; run");
        while sc.inputs().len() > keep || sc.step() > want.step {
            step_back(sc.as_mut()).unwrap();
        }
        assert_eq!(snapshot(sc.as_mut()), want, "{sched:?}: step back");
    }
}

#[test]
fn think_keeps_a_workload_going_without_violations() {
    let mut cfg = config(RPC, 6, 9, &[("think", "5")]);
    cfg.sim.logging = false;
    let mut sc = open(cfg);
    line(sc.as_mut(), "run 5000");
    let made: usize = (1..6).map(|c| calls(sc.as_ref(), c).len()).sum();
    assert!(made > 500, "{made} calls");
    assert!(balance(sc.as_ref()) > 200);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn a_thousand_nodes_run_headless() {
    let t = std::time::Instant::now();
    let mut cfg = config(RPC, 1000, 5, &[]);
    cfg.sim.logging = false;
    let mut sc = open(cfg);
    for c in 1..1000 {
        line(sc.as_mut(), &format!("call {c} deposit 1"));
    }
    lines(sc.as_mut(), "call 999 add 3 4; run");
    assert_eq!(balance(sc.as_ref()), 999);
    assert_eq!(total_messages(sc.as_ref()), 2 * 1000);
    assert_eq!(calls(sc.as_ref(), 999)[1]["result"], 7);
    // A server crash at this size: every stub retries the same id, the
    // table answers, nothing runs twice.
    lines(sc.as_mut(), "call 5 deposit 1; call 500 deposit 1; step; crash 0; recover 0; run");
    assert_eq!(balance(sc.as_ref()), 1001);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    println!("1000 nodes: {:?}", t.elapsed());
}

// ----- the broken variants are caught -----------------------------------------

#[test]
fn no_dedup_is_caught() {
    let mut sc = open(config(RPC, 3, 1, &[("variant", "no-dedup")]));
    line(sc.as_mut(), "call 1 deposit 10");
    let id = msg_id(sc.as_ref(), "REQUEST", 1, 0);
    let script = format!("call 1 deposit 10; dup {id}; run");
    lines(sc.as_mut(), &format!("dup {id}; run"));
    assert_eq!(balance(sc.as_ref()), 20, "it claims at-most-once and runs the deposit twice");
    assert_eq!(violated(sc.as_ref()), vec!["at-most-once"]);
    assert_eq!(sc.violations()[0].detail, "the server ran call 1 of client 1 again (2 times) in at-most-once mode");
    assert_eq!(inspect(sc.as_mut(), 0)["variant"], "no-dedup (BROKEN)");
    let sc = run_script(config(RPC, 3, 1, &[]), &script);
    assert_eq!(balance(sc.as_ref()), 10);
    assert!(sc.violations().is_empty());
}

#[test]
fn any_reply_is_caught() {
    // A duplicated reply to call 1 is still on its way when the next call
    // starts: the broken stub takes it as the answer to call 2.
    let run = |variant: &str| {
        let mut sc = open(config(RPC, 3, 1, &[("variant", variant)]));
        lines(sc.as_mut(), "latency 2 2; call 1 add 3 4; step");
        let id = msg_id(sc.as_ref(), "REPLY", 0, 1);
        lines(sc.as_mut(), &format!("dup {id}; step; call 1 multiply 5 6; run"));
        sc
    };
    let sc = run("any-reply");
    assert_eq!(calls(sc.as_ref(), 1)[1]["result"], 7);
    assert_eq!(violated(sc.as_ref()), vec!["reply-matches-call"]);
    assert_eq!(
        sc.violations()[0].detail,
        "client 1 accepted 7 as the result of call 2 multiply(5, 6); the correct result is 30"
    );
    let mut sc = run("correct");
    assert_eq!(calls(sc.as_ref(), 1)[1]["result"], 30);
    assert_eq!(inspect(sc.as_mut(), 1)["stale replies"], "1");
    assert!(sc.violations().is_empty());
}

// ----- property tests ------------------------------------------------------------

const SAFETY: &[&str] = &["at-most-once", "reply-matches-call"];
const FUNCTIONS: [&str; 7] = ["add", "subtract", "multiply", "divide", "divide0", "deposit", "list"];

/// A call at a client picked by `x`, of a function and arguments picked by `x`.
fn call_input(n: usize, x: u8) -> Input {
    let c = 1 + x as usize % (n - 1);
    let a = (x as i64 * 37) % 101 - 50;
    let args: Vec<String> = match FUNCTIONS[(x / 7) as usize % FUNCTIONS.len()] {
        "divide0" => vec!["divide".into(), a.to_string(), "0".into()],
        "deposit" => vec!["deposit".into(), a.to_string()],
        "list" => vec!["list".into()],
        f => vec![f.into(), a.to_string(), (x as i64 % 13 + 1).to_string()],
    };
    Input::Verb { verb: "call".into(), args: [vec![c.to_string()], args].concat() }
}

fn play_rpc(sc: &mut dyn Scenario, ops: &[Op]) {
    let actions = Actions { act: |_, _| Input::Step(0), delay_timers: true };
    play(sc, ops, |sc, op| match op {
        Op::Act(x) => Some(call_input(sc.n(), *x)),
        _ => actions.input(sc, op),
    });
}

#[derive(Clone, Debug)]
struct Case {
    n: usize,
    seed: u64,
    at_most_once: bool,
    attempts: u8,
    random_sched: bool,
    ops: Vec<Op>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        2usize..=6,
        any::<u64>(),
        any::<bool>(),
        prop_oneof![Just(0u8), Just(3u8)],
        any::<bool>(),
        proptest::collection::vec(fault_op(ALL, 6), 1..100),
    )
        .prop_map(|(n, seed, at_most_once, attempts, random_sched, ops)| Case {
            n,
            seed,
            at_most_once,
            attempts,
            random_sched,
            ops,
        })
}

fn run_config(c: &Case, variant: &str) -> RunConfig {
    let attempts = c.attempts.to_string();
    let semantics = if c.at_most_once { "at-most-once" } else { "at-least-once" };
    let params = [("timeout", "40"), ("attempts", attempts.as_str()), ("semantics", semantics), ("variant", variant)];
    schedule_config(RPC, c.n, c.seed, &params, c.random_sched)
}

fn check_case(c: &Case) -> Result<(), TestCaseError> {
    let mut sc = open(run_config(c, "correct"));
    play_rpc(sc.as_mut(), &c.ops);
    safe_during_faults(sc.as_ref(), SAFETY)?;
    // Heal, bring the crashed nodes back, let everything finish; then every
    // client calls once more and gets the right answer.
    let crashed = recover_crashed(sc.as_ref());
    settle(sc.as_mut(), [heal(), crashed].concat(), "healing", 200_000)?;
    at_rest(sc.as_ref(), &[Role::Idle, Role::Leader])?;
    let n = sc.n();
    let before: Vec<usize> = (0..n).map(|x| if x == 0 { 0 } else { calls(sc.as_ref(), x).len() }).collect();
    let last: Vec<Input> = (1..n)
        .map(|x| Input::Verb {
            verb: "call".into(),
            args: vec![x.to_string(), "add".into(), x.to_string(), "100".into()],
        })
        .collect();
    settle(sc.as_mut(), last, "last round", 200_000)?;
    for x in 1..n {
        let got = calls(sc.as_ref(), x);
        let want = json!(x as i64 + 100);
        if got.len() != before[x] + 1 || got[before[x]]["result"] != want {
            return Err(fail(sc.as_ref(), format!("after healing client {x}'s calls end with {:?}", got.last())));
        }
    }
    clean_run(sc.as_ref())
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Crashes (server included), partitions, cuts, drops, loss, delays
    /// beyond the timeout, duplicates, either scheduler and semantics: no
    /// call runs twice at-most-once, every accepted result is right; after
    /// healing, every client's next call is answered.
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
    let (variant, prop) = ("no-dedup", "at-most-once");
    let at_most_once = case().prop_map(|c| Case { at_most_once: true, ..c });
    let caught = count_caught(&mut runner, total, &at_most_once, prop, |c| {
        let mut sc = open(run_config(c, variant));
        play_rpc(sc.as_mut(), &c.ops);
        sc
    });
    println!("{variant}: {prop} in {caught}/{total}");
    assert!(caught * 20 >= total, "{variant} caught in only {caught} of {total} schedules");
}

/// forgetful is wrong only when the server crashes after running a call
/// whose reply is then lost, and the retry comes after the restart; generic
/// schedules almost never line that up (0 in 200), so these pick size,
/// seed, scheduler, loss, the callers and the crash point at random around
/// it. The correct variant on the same schedules stays safe.
#[test]
fn forgetful_is_caught_across_random_crash_points() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let schedules = (2usize..=5, any::<u64>(), 1u8..=6, 1u64..=8, 0u64..=3, any::<bool>());
    let total = 100;
    let mut caught = 0;
    for _ in 0..total {
        let (n, seed, loss, before, down, random) = sample(&mut runner, &schedules);
        let script: Vec<String> = [format!("loss 0.{loss}")]
            .into_iter()
            .chain((1..n).map(|c| format!("call {c} deposit {c}")))
            .chain([format!("step {before}"), "crash 0".into(), format!("step {down}"), "recover 0".into()])
            .chain(["loss 0".into(), "run".into()])
            .collect();
        let script = script.join(";");
        for variant in ["forgetful", "correct"] {
            let params = [("attempts", "0"), ("variant", variant)];
            let sc = run_script(schedule_config(RPC, n, seed, &params, random), &script);
            if variant == "correct" {
                assert!(sc.violations().is_empty(), "n={n} seed={seed} {script}: {:?}", sc.violations());
            } else if violated(sc.as_ref()).contains(&"at-most-once".to_string()) {
                caught += 1;
            }
        }
    }
    println!("forgetful: at-most-once in {caught}/{total}");
    assert!(caught * 10 >= total, "forgetful caught in only {caught} of {total} schedules");
}

/// any-reply is wrong only when a stale reply (a duplicate, or the answer
/// to an attempt the stub already retried) arrives while the same client
/// waits on a newer call with another result; the generic schedules spread
/// calls over many clients and rarely line that up. These keep one or two
/// clients, duplicates and delays beyond the timeout, and no loss. The
/// correct stub on the same schedules stays right.
#[test]
fn any_reply_is_caught_across_random_schedules() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let schedules = (2usize..=3, any::<u64>(), any::<bool>(), proptest::collection::vec(lossless_op(), 1..100));
    let total = 200;
    let mut caught = 0;
    for _ in 0..total {
        let (n, seed, random_sched, ops) = sample(&mut runner, &schedules);
        for variant in ["any-reply", "correct"] {
            let cfg = schedule_config(RPC, n, seed, &[("timeout", "40"), ("variant", variant)], random_sched);
            let mut sc = open(cfg);
            play_rpc(sc.as_mut(), &ops);
            let _ = apply(sc.as_mut(), Input::Run(Some(20_000)));
            if variant == "correct" {
                assert!(sc.violations().is_empty(), "{:?}\n{}", sc.violations(), repro(sc.as_ref()));
            } else if violated(sc.as_ref()).contains(&"reply-matches-call".to_string()) {
                caught += 1;
            }
        }
    }
    println!("any-reply: reply-matches-call in {caught}/{total}");
    assert!(caught * 5 >= total, "any-reply caught in only {caught} of {total} schedules");
}

// ----- screen snapshots ------------------------------------------------------------

/// Three nodes: client 1 added 3 and 4; client 2's deposit reply was lost
/// and its retry answered from the duplicate table; client 1's divide by
/// zero is on its way to the server.
fn app(select: usize) -> App {
    block_on(async {
        let mut app = tui_app(with_sched(config(RPC, 3, 1, &[]), SchedMode::Manual), &[]).await;
        let steps: [(&str, &str, usize, usize); 7] = [
            ("call 1 add 3 4", "REQUEST", 1, 0),
            ("", "REPLY", 0, 1),
            ("call 2 deposit 10", "REQUEST", 2, 0),
            ("drop", "REPLY", 0, 2),
            ("", "RETRY", 2, 2),
            ("", "REQUEST", 2, 0),
            ("", "REPLY", 0, 2),
        ];
        for (verb, kind, from, to) in steps {
            if verb.starts_with("call") {
                app.exec(verb).await.unwrap();
            }
            let sc = app.scenario.as_deref().unwrap();
            let id = if kind == "RETRY" { timer_id(sc, kind, to) } else { msg_id(sc, kind, from, to) };
            let cmd = if verb == "drop" { format!("drop {id}") } else { format!("deliver {id}") };
            app.exec(&cmd).await.unwrap_or_else(|e| panic!("{cmd}: {e}"));
        }
        for l in ["call 1 divide 1 0".to_string(), format!("select {select}")] {
            app.exec(&l).await.unwrap_or_else(|e| panic!("{l}: {e}"));
        }
        app
    })
}

#[test]
fn screen_80x24() {
    let app = app(0);
    let text = screen(&app, 80, 24);
    assert!(text.contains("AMO bal 10"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn screen_120x40() {
    let app = app(1);
    let text = screen(&app, 120, 40);
    assert!(text.contains("call 2 divide(1, 0)"), "{text}");
    insta::assert_snapshot!(text);
}
