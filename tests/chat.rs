//! The chat server (seed 000 "Group Communication", seed 002): the seed's
//! story with exact transcripts and message counts; leave, shutdown, a dead
//! client removed; copies and reordering; bad input; replay and step back;
//! property tests over random fault schedules; the broken variants caught;
//! screen snapshots with the transcript pane.

mod common;

use common::prop::*;
use common::*;
use distlab::engine::input::{Input, SchedMode};
use distlab::engine::protocol::Role;
use distlab::engine::trace::RunConfig;
use distlab::scenario::Scenario;
use distlab::tui::App;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

const CHAT: &str = "chat";

fn chat(n: usize, params: &[(&str, &str)]) -> Box<dyn Scenario> {
    open(config(CHAT, n, 1, params))
}

/// `result.transcripts.<node>` as plain strings.
fn transcript(sc: &dyn Scenario, node: usize) -> Vec<String> {
    sc.report()["result"]["transcripts"][node.to_string()]
        .as_array()
        .expect("transcripts are lists")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// `result.delivered.<node>`.
fn delivered(sc: &dyn Scenario, node: usize) -> Vec<String> {
    sc.report()["result"]["delivered"][node.to_string()]
        .as_array()
        .expect("delivered is a list")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn clients(sc: &dyn Scenario) -> Vec<u64> {
    sc.report()["result"]["clients"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect()
}

const SEED_STORY: &str = "join 1; run; join 2; run; \
    post 1 \"hello, this is from client 1\"; run; \
    post 2 \"hello, this is from client 2\"; run; \
    post 2 \"client 2 will close from client side\"; run; leave 2; run; \
    post 1 \"client 1 will close from server shutdown command\"; run; shutdown; run";

#[test]
fn the_seed_story_with_exact_transcripts() {
    let sc = run_script(config(CHAT, 3, 1, &[]), SEED_STORY);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    assert_eq!(
        transcript(sc.as_ref(), 0),
        [
            "1 added to the room",
            "2 added to the room",
            "<1>: hello, this is from client 1",
            "<2>: hello, this is from client 2",
            "<2>: client 2 will close from client side",
            "2 left the room",
            "<1>: client 1 will close from server shutdown command",
            "closing server",
            "1 disconnected (room closed)",
        ]
    );
    assert_eq!(
        transcript(sc.as_ref(), 1),
        [
            "connected to chat room at server 0",
            "<you> hello, this is from client 1",
            "<2>: hello, this is from client 2",
            "<2>: client 2 will close from client side",
            "<you> client 1 will close from server shutdown command",
            "server closed the room",
        ]
    );
    assert_eq!(
        transcript(sc.as_ref(), 2),
        [
            "connected to chat room at server 0",
            "<1>: hello, this is from client 1",
            "<you> hello, this is from client 2",
            "<you> client 2 will close from client side",
            "you left the room",
        ]
    );
    assert_eq!(delivered(sc.as_ref(), 0), ["1:1", "2:1", "2:2", "1:2"]);
    assert_eq!(delivered(sc.as_ref(), 1), ["2:1", "2:2"]);
    assert_eq!(delivered(sc.as_ref(), 2), ["1:1"]);
    assert!(clients(sc.as_ref()).is_empty());
    let r = report(sc.as_ref());
    assert_eq!(r["result"]["room"], "closed");
    assert_eq!(r["result"]["posts"], 4);
    assert_eq!(r["result"]["connected"], serde_json::json!([]));
    // Exact counts: 2 JOIN + 2 WELCOME (acked); 4 POST, 4 POST-ACK; relays to
    // the one other client of each post but the last (2 had left): 3; one
    // SHUTDOWN (only 1 is left); every channel item acked once: 2 + 3 + 1.
    for (kind, want) in [
        ("JOIN", 2),
        ("WELCOME", 2),
        ("POST", 4),
        ("POST-ACK", 4),
        ("RELAY", 3),
        ("LEAVE", 1),
        ("SHUTDOWN", 1),
        ("ACK", 6),
        ("REFUSED", 0),
    ] {
        assert_eq!(by_kind(sc.as_ref(), kind), want, "{kind}");
    }
    assert_eq!(total_messages(sc.as_ref()), 23);
    assert_eq!(roles(sc.as_ref()), [Role::Idle, Role::Idle, Role::Idle]);
}

#[test]
fn a_post_is_relayed_to_every_other_client_not_the_sender() {
    // N nodes, N−1 connected clients: N−2 relays and N−2 acks per post.
    for n in [2usize, 3, 5, 9] {
        let mut sc = chat(n, &[("autojoin", "true")]);
        line(sc.as_mut(), "run");
        assert!(sc.violations().is_empty());
        let before = (by_kind(sc.as_ref(), "RELAY"), by_kind(sc.as_ref(), "ACK"));
        lines(sc.as_mut(), "post 1 hi there; run");
        assert_eq!(by_kind(sc.as_ref(), "RELAY") - before.0, n as u64 - 2, "n={n}");
        assert_eq!(by_kind(sc.as_ref(), "ACK") - before.1, n as u64 - 2, "n={n}");
        assert_eq!(by_kind(sc.as_ref(), "POST"), 1);
        for c in 2..n {
            assert_eq!(transcript(sc.as_ref(), c).last().unwrap(), "<1>: hi there", "n={n}");
            assert_eq!(delivered(sc.as_ref(), c), ["1:1"]);
        }
        assert_eq!(transcript(sc.as_ref(), 1).last().unwrap(), "<you> hi there");
        assert!(delivered(sc.as_ref(), 1).is_empty());
        assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    }
}

#[test]
fn leave_takes_a_client_off_the_list() {
    let mut sc = chat(4, &[("autojoin", "true")]);
    lines(sc.as_mut(), "run; leave 3; run");
    assert_eq!(clients(sc.as_ref()), [1, 2]);
    assert_eq!(transcript(sc.as_ref(), 3).last().unwrap(), "you left the room");
    assert_eq!(transcript(sc.as_ref(), 0).last().unwrap(), "3 left the room");
    let relays = by_kind(sc.as_ref(), "RELAY");
    lines(sc.as_mut(), "post 1 \"after 3 left\"; run");
    assert_eq!(by_kind(sc.as_ref(), "RELAY") - relays, 1);
    assert_eq!(roles(sc.as_ref())[3], Role::Idle);
    assert_eq!(sc.badge(3), "");
    // 3 comes back: a new session, and it sees only what is posted from now on.
    lines(sc.as_mut(), "join 3; run; post 2 back; run");
    assert_eq!(clients(sc.as_ref()), [1, 2, 3]);
    assert_eq!(delivered(sc.as_ref(), 3), ["2:1"]);
    assert_eq!(sc.badge(3), "online");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn shutdown_disconnects_everyone_and_refuses_new_joins() {
    let mut sc = chat(5, &[("autojoin", "true")]);
    lines(sc.as_mut(), "run; shutdown; run");
    assert_eq!(by_kind(sc.as_ref(), "SHUTDOWN"), 4);
    for c in 1..5 {
        assert_eq!(transcript(sc.as_ref(), c).last().unwrap(), "server closed the room");
        assert_eq!(sc.role(c), Role::Idle);
    }
    assert!(clients(sc.as_ref()).is_empty());
    assert_eq!(sc.badge(0), "closed");
    assert_eq!(sc.status().as_deref(), Some("the room is closed"));
    lines(sc.as_mut(), "join 2; run; shutdown; run");
    assert_eq!(by_kind(sc.as_ref(), "REFUSED"), 1);
    assert_eq!(transcript(sc.as_ref(), 2).last().unwrap(), "failed to connect: the room is closed");
    assert_eq!(by_kind(sc.as_ref(), "SHUTDOWN"), 4, "a second shutdown sends nothing");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn a_crashed_client_is_detected_on_send_and_removed() {
    let mut sc = chat(4, &[("autojoin", "true"), ("timeout", "30"), ("retries", "3")]);
    lines(sc.as_mut(), "run; crash 2; post 1 \"anyone there?\"; run");
    // The RELAY to 2 and its 3 re-sends are lost; then 2 is removed.
    assert_eq!(by_kind(sc.as_ref(), "RELAY"), 2 + 3);
    assert_eq!(clients(sc.as_ref()), [1, 3]);
    assert_eq!(transcript(sc.as_ref(), 0).last().unwrap(), "2 is not answering: dead client removed");
    assert_eq!(transcript(sc.as_ref(), 2).last().unwrap(), "✗ crashed");
    assert_eq!(transcript(sc.as_ref(), 3).last().unwrap(), "<1>: anyone there?");
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    // Next post: no relay to 2 any more.
    let relays = by_kind(sc.as_ref(), "RELAY");
    lines(sc.as_mut(), "post 3 ok; run");
    assert_eq!(by_kind(sc.as_ref(), "RELAY") - relays, 1);
    // 2 comes back disconnected and can join again.
    lines(sc.as_mut(), "recover 2; run");
    assert_eq!(transcript(sc.as_ref(), 2).last().unwrap(), "restarted: not connected");
    assert_eq!(sc.role(2), Role::Idle);
    lines(sc.as_mut(), "join 2; run; post 2 \"I am back\"; run");
    assert_eq!(delivered(sc.as_ref(), 1), ["3:1", "2:1"]);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn a_crashed_server_is_given_up_by_a_posting_client() {
    let mut sc = chat(3, &[("autojoin", "true")]);
    lines(sc.as_mut(), "run; crash 0; post 1 hello; run");
    assert_eq!(by_kind(sc.as_ref(), "POST"), 1 + 3);
    assert_eq!(transcript(sc.as_ref(), 1).last().unwrap(), "lost connection to the server");
    assert_eq!(sc.status().as_deref(), Some("server 0 crashed: the room is down"));
    lines(sc.as_mut(), "recover 0; join 1; run; join 2; run; post 2 again; run");
    // 2 still believed it was connected: its join is a note, its post reaches an empty room...
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    assert_eq!(report(sc.as_ref())["result"]["room"], "open");
}

#[test]
fn copies_and_late_messages_are_shown_once_in_order() {
    let mut sc = chat(3, &[]);
    lines(sc.as_mut(), "join 1; join 2; run; latency 5 5");
    line(sc.as_mut(), "post 1 one");
    line(sc.as_mut(), "step 1"); // POST at the server, RELAY on its way
    let relay = msg_id(sc.as_ref(), "RELAY", 0, 2);
    line(sc.as_mut(), &format!("dup {relay}"));
    // Hold both copies back so the next post's RELAY overtakes them.
    let copies: Vec<_> = in_flight(sc.as_ref()).into_iter().filter(|m| m.kind == "RELAY").map(|m| m.id).collect();
    assert_eq!(copies.len(), 2);
    for id in copies {
        line(sc.as_mut(), &format!("delay {id} 40"));
    }
    lines(sc.as_mut(), "post 1 two; step 1");
    line(sc.as_mut(), "run");
    assert_eq!(delivered(sc.as_ref(), 2), ["1:1", "1:2"]);
    assert_eq!(transcript(sc.as_ref(), 2)[1..], ["<1>: one".to_string(), "<1>: two".to_string()]);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    // The same schedule with no-seq shows a copy twice or out of order.
    let mut sc = chat(3, &[("variant", "no-seq")]);
    lines(sc.as_mut(), "join 1; join 2; run; latency 5 5; post 1 one; step 1");
    let relay = msg_id(sc.as_ref(), "RELAY", 0, 2);
    lines(sc.as_mut(), &format!("dup {relay}; run"));
    assert_eq!(delivered(sc.as_ref(), 2), ["1:1", "1:1"]);
    assert_eq!(violated(sc.as_ref()), ["fifo-per-sender"]);
}

#[test]
fn lost_posts_and_relays_are_sent_again() {
    let mut sc = chat(3, &[]);
    lines(sc.as_mut(), "join 1; join 2; run; post 1 hello");
    let post = msg_id(sc.as_ref(), "POST", 1, 0);
    lines(sc.as_mut(), &format!("drop {post}; run"));
    assert_eq!(by_kind(sc.as_ref(), "POST"), 2);
    line(sc.as_mut(), "post 2 back");
    line(sc.as_mut(), "step 1");
    let relay = msg_id(sc.as_ref(), "RELAY", 0, 1);
    lines(sc.as_mut(), &format!("drop {relay}; run"));
    assert_eq!(delivered(sc.as_ref(), 1), ["2:1"]);
    assert_eq!(delivered(sc.as_ref(), 2), ["1:1"]);
    assert_eq!(clients(sc.as_ref()), [1, 2]);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
}

#[test]
fn bad_input_is_rejected_with_a_clear_message() {
    let mut sc = chat(3, &[]);
    for (l, want) in [
        ("join 0", "node 0 is the server; clients are 1..2"),
        ("join 3", "node 3 does not exist"),
        ("join x", "expects a node number"),
        ("join", "expects one node number"),
        ("post 1", "needs a text"),
        ("post 1 \"  \"", "needs a text"),
        ("post", "expects a client and a text"),
        ("post 0 hi", "is the server"),
        ("leave 9", "does not exist"),
        ("shutdown 1", "takes no arguments"),
        ("shout 1", "join C"),
    ] {
        let err = try_line(sc.as_mut(), l).unwrap_err();
        assert!(err.contains(want), "{l}: {err}");
    }
    assert_eq!(sc.step(), 0);
    assert!(sc.inputs().is_empty());
    // Valid verbs at the wrong moment are notes, not messages.
    lines(sc.as_mut(), "post 1 hi; leave 2; run");
    assert_eq!(total_messages(sc.as_ref()), 0);
    lines(sc.as_mut(), "join 1; join 1; run");
    assert_eq!(by_kind(sc.as_ref(), "JOIN"), 1);
    for (k, v, want) in [
        ("variant", "nope", "expected one of correct, echo, no-seq"),
        ("autojoin", "yes", "expected one of false, true"),
        ("timeout", "0", "at least 1 ms"),
        ("retries", "-1", "not a valid number"),
        ("server", "1", "unknown parameter"),
    ] {
        let err = block_on(distlab::algos::open_run(config(CHAT, 3, 1, &[(k, v)]))).err().unwrap();
        assert!(err.contains(want), "{k}={v}: {err}");
    }
    let err = block_on(distlab::algos::open_run(config(CHAT, 1, 1, &[]))).err().unwrap();
    assert!(err.contains("2 to 4096 nodes"), "{err}");
}

#[test]
fn the_action_key_joins_posts_and_shuts_down() {
    let mut sc = chat(3, &[]);
    assert_eq!(sc.action(1).unwrap().to_string(), "join 1");
    lines(sc.as_mut(), "join 1; run");
    assert_eq!(sc.action(1).unwrap().to_string(), "post 1 \"message 1 from 1\"");
    lines(sc.as_mut(), "post 1 x; run");
    assert_eq!(sc.action(1).unwrap().to_string(), "post 1 \"message 2 from 1\"");
    assert_eq!(sc.action(0).unwrap().to_string(), "shutdown");
    lines(sc.as_mut(), "shutdown; run");
    assert!(sc.action(0).is_none());
}

#[test]
fn the_inspector_shows_the_lists_and_sequence_numbers() {
    let mut sc = chat(4, &[("autojoin", "true")]);
    lines(sc.as_mut(), "run; post 1 a; post 1 b; post 3 c; run");
    let s = inspect(sc.as_mut(), 0);
    assert_eq!(s["client list"], "1 2 3");
    assert_eq!(s["next seq from"], "1:3 2:1 3:2");
    assert_eq!(s["room"], "open");
    assert_eq!(s["posts accepted"], "3");
    let c = inspect(sc.as_mut(), 2);
    assert_eq!(c["connection"], "connected (session 1)");
    assert_eq!(c["next seq"], "1");
    assert_eq!(c["last seen seq"], "1:2 3:1");
    assert_eq!(c["transcript"], "4 lines");
}

#[test]
fn replay_and_step_back_are_exact() {
    let mut sc = run_script(config(CHAT, 4, 7, &[]), SEED_STORY.replace("leave 2", "crash 2").as_str());
    let replayed = replay_inputs(sc.as_ref());
    let mut replayed = replayed;
    assert_eq!(snapshot(sc.as_mut()), snapshot(replayed.as_mut()));
    // Step back one delivery at a time, then forward again to the same state.
    let mut fresh = open(config(CHAT, 4, 7, &[]));
    lines(fresh.as_mut(), "join 1; join 2; run; post 1 hi; step 3");
    let mid = snapshot(fresh.as_mut());
    line(fresh.as_mut(), "step 2");
    step_back(fresh.as_mut()).unwrap();
    step_back(fresh.as_mut()).unwrap();
    assert_eq!(snapshot(fresh.as_mut()), mid);
}

#[test]
fn a_thousand_nodes_run_headless() {
    let t = std::time::Instant::now();
    let mut cfg = config(CHAT, 1000, 3, &[("autojoin", "true")]);
    cfg.sim.logging = false;
    let mut sc = open(cfg);
    lines(sc.as_mut(), "run; post 1 hello; run; post 999 \"hi all\"; run; crash 500; post 2 x; run; shutdown; run");
    // 998 others per post; the third also re-sends 3 times to the crashed 500.
    assert_eq!(by_kind(sc.as_ref(), "RELAY"), 998 * 3 + 3);
    assert_eq!(by_kind(sc.as_ref(), "SHUTDOWN"), 998);
    assert!(clients(sc.as_ref()).is_empty());
    assert_eq!(delivered(sc.as_ref(), 7), ["1:1", "999:1", "2:1"]);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    println!("1000 nodes: {:?}", t.elapsed());
}

// ----- the broken variants are caught -----------------------------------------

#[test]
fn echo_is_caught() {
    let sc = run_script(config(CHAT, 3, 1, &[("variant", "echo")]), "join 1; join 2; run; post 1 hi; run");
    assert_eq!(violated(sc.as_ref()), ["no-self-delivery"]);
    assert_eq!(transcript(sc.as_ref(), 1).last().unwrap(), "<1>: hi");
}

#[test]
fn no_seq_is_caught_under_reordering() {
    let mut caught = 0;
    for seed in 0..20 {
        let sc = run_script(
            config(CHAT, 3, seed, &[("variant", "no-seq")]),
            "join 1; join 2; run; latency 1 60; post 1 a; step 2; post 1 b; step 2; post 1 c; run",
        );
        if violated(sc.as_ref()).contains(&"fifo-per-sender".to_string()) {
            caught += 1;
        }
        let ok = run_script(
            config(CHAT, 3, seed, &[]),
            "join 1; join 2; run; latency 1 60; post 1 a; step 2; post 1 b; step 2; post 1 c; run",
        );
        assert!(ok.violations().is_empty(), "seed {seed}: {:?}", ok.violations());
        assert_eq!(delivered(ok.as_ref(), 2), ["1:1", "1:2", "1:3"], "seed {seed}");
    }
    assert!(caught >= 5, "no-seq caught in {caught}/20");
}
