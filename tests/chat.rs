//! The chat server (seed 000 "Group Communication", seed 002): the seed's
//! story with exact transcripts and message counts; leave, shutdown, a dead
//! client removed; copies and reordering; bad input; replay and step back;
//! property tests over random fault schedules; the broken variants caught;
//! screen snapshots with the transcript pane.

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
    assert_eq!(sc.badge(3), "on");
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
    assert_eq!(transcript(sc.as_ref(), 0).last().unwrap(), "dead client 2 removed (no answer)");
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
    line(sc.as_mut(), "recover 0");
    assert_eq!(
        sc.status().as_deref(),
        Some("half-open: 2 still think they are connected; the server does not know them")
    );
    lines(sc.as_mut(), "join 1; run; join 2; run; post 2 again; run");
    // 2 still believed it was connected: its join is a note; its post gets
    // no answer from a server that does not know it, and 2 gives up.
    assert_eq!(transcript(sc.as_ref(), 2).last().unwrap(), "lost connection to the server");
    assert_eq!(clients(sc.as_ref()), [1]);
    assert_eq!(sc.status(), None);
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
        ("join 0", "node 0 is a server; `join C` needs a client (nodes 1..2)"),
        ("join 3", "node 3 does not exist (nodes are 0..2)"),
        ("join x", "`join C`: C is a node id, not \"x\""),
        ("join", "usage: join C (1 argument(s), got none)"),
        ("post 1", "usage: post C text (at least 2 argument(s), got 1)"),
        ("post 1 \"  \"", "`post 1` needs a text: `post 1 \"hello\"`"),
        ("post", "usage: post C text (at least 2 argument(s), got none)"),
        ("post 0 hi", "node 0 is a server; `post C text` needs a client (nodes 1..2)"),
        ("leave 9", "node 9 does not exist (nodes are 0..2)"),
        ("shutdown 1", "usage: shutdown (0 argument(s), got 1)"),
    ] {
        let err = try_line(sc.as_mut(), l).unwrap_err();
        assert_eq!(err, want, "{l}");
    }
    let err = try_line(sc.as_mut(), "shout 1").unwrap_err();
    assert!(err.ends_with("or chat's own: join C, post C text, leave C, shutdown"), "{err}");
    assert_eq!(sc.step(), 0);
    assert!(sc.inputs().is_empty());
    // Valid verbs at the wrong moment are notes, not messages.
    lines(sc.as_mut(), "post 1 hi; leave 2; run");
    assert_eq!(total_messages(sc.as_ref()), 0);
    lines(sc.as_mut(), "join 1; join 1; run");
    assert_eq!(by_kind(sc.as_ref(), "JOIN"), 1);
    for (k, v, want) in [
        ("variant", "nope", "parameter variant=nope: expected one of correct, echo, no-seq, no-resend"),
        ("autojoin", "yes", "parameter autojoin=yes: expected one of false, true"),
        ("timeout", "0", "parameter timeout=0: expected whole ms from 1 to 1000000000"),
        ("retries", "-1", "parameter retries=-1: expected a whole number from 0 to 1000"),
        ("retries", "1001", "parameter retries=1001: expected a whole number from 0 to 1000"),
        ("server", "1", "unknown parameter \"server\" for chat (known: autojoin, timeout, retries, variant)"),
    ] {
        let err = block_on(distlab::algos::open_run(config(CHAT, 3, 1, &[(k, v)]))).err().unwrap();
        assert_eq!(err, want, "{k}={v}");
    }
    let err = block_on(distlab::algos::open_run(config(CHAT, 1, 1, &[]))).err().unwrap();
    assert!(err.contains("2 to 4096 nodes"), "{err}");
}

/// The card gives the server and the clients their roles: a client verb
/// naming the server is refused with the verb's usage and changes nothing,
/// in a room already in use; `shutdown` needs no node, it is the server's.
#[test]
fn client_verbs_on_the_server_are_refused_by_the_card() {
    let mut sc = chat(4, &[("autojoin", "true")]);
    lines(sc.as_mut(), "run; post 1 hello; run");
    let roles: Vec<&str> = (0..4).map(|i| sc.node_role(i)).collect();
    assert_eq!(roles, ["server", "client", "client", "client"]);
    let before = snapshot(sc.as_mut());
    let inputs = sc.inputs().len();
    for (l, want) in [
        ("join 0", "node 0 is a server; `join C` needs a client (nodes 1..3)"),
        ("post 0 hi there", "node 0 is a server; `post C text` needs a client (nodes 1..3)"),
        ("leave 0", "node 0 is a server; `leave C` needs a client (nodes 1..3)"),
        ("post 4 hi", "node 4 does not exist (nodes are 0..3)"),
        ("leave", "usage: leave C (1 argument(s), got none)"),
        ("join 1 2", "usage: join C (1 argument(s), got 2)"),
        ("shutdown 0", "usage: shutdown (0 argument(s), got 1)"),
    ] {
        assert_eq!(sc.check_verb(l.split(' ').next().unwrap(), &words(l)[1..]).unwrap_err(), want, "{l}");
        assert_eq!(try_line(sc.as_mut(), l).unwrap_err(), want, "{l}");
    }
    assert_eq!(sc.inputs().len(), inputs);
    assert_eq!(snapshot(sc.as_mut()), before);
    // `shutdown` goes to the server.
    lines(sc.as_mut(), "shutdown");
    assert_eq!(transcript(sc.as_ref(), 0).last().map(String::as_str), Some("closing server"));
}

fn words(l: &str) -> Vec<String> {
    l.split_whitespace().map(String::from).collect()
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
fn actors_and_the_inline_driver_agree() {
    use distlab::engine::actor::DriverKind;
    let script = SEED_STORY.replace("leave 2", "crash 2");
    let mut inline = run_script(config(CHAT, 4, 3, &[]), &script);
    let mut actors = open(with_driver(config(CHAT, 4, 3, &[]), DriverKind::Actors));
    lines(actors.as_mut(), &script);
    assert_eq!(snapshot(inline.as_mut()), snapshot(actors.as_mut()));
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
fn no_resend_is_caught_when_a_relay_is_lost() {
    let mut sc = chat(3, &[("variant", "no-resend")]);
    lines(sc.as_mut(), "join 1; join 2; run; post 1 hi; step 1");
    let relay = msg_id(sc.as_ref(), "RELAY", 0, 2);
    lines(sc.as_mut(), &format!("drop {relay}; run"));
    assert_eq!(violated(sc.as_ref()), ["every-post-delivered"]);
    let v = &sc.violations()[0];
    assert_eq!(v.detail, "client 2 is in the room but never showed 1:1 (1 missing)");
    // The correct server re-sends: no violation on the same schedule.
    let mut ok = chat(3, &[]);
    lines(ok.as_mut(), "join 1; join 2; run; post 1 hi; step 1");
    let relay = msg_id(ok.as_ref(), "RELAY", 0, 2);
    lines(ok.as_mut(), &format!("drop {relay}; run"));
    assert!(ok.violations().is_empty(), "{:?}", ok.violations());
    assert_eq!(delivered(ok.as_ref(), 2), ["1:1"]);
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

// ----- property tests ------------------------------------------------------------

const SAFETY: &[&str] = &["fifo-per-sender", "no-self-delivery"];

/// What `Op::Act` does: at the server, now and then a shutdown (else client
/// 1 acts); at a client, join when disconnected, otherwise mostly post and
/// sometimes leave (the choice follows the step count, so it is part of
/// the run's inputs).
fn chat_act(sc: &dyn Scenario, node: usize) -> Input {
    let step = sc.step();
    let node = if node == 0 && !step.is_multiple_of(9) { 1 } else { node };
    if node == 0 {
        return Input::Verb { verb: "shutdown".into(), args: vec![] };
    }
    let v = |verb: &str, args: Vec<String>| Input::Verb { verb: verb.into(), args };
    match sc.role(node) {
        Role::InCs if step.is_multiple_of(5) => v("leave", vec![node.to_string()]),
        Role::InCs | Role::Wanting | Role::Crashed => v("post", vec![node.to_string(), format!("m{step}")]),
        _ => v("join", vec![node.to_string()]),
    }
}

const CHAT_ACTIONS: Actions = Actions { act: chat_act, delay_timers: true };

#[derive(Clone, Debug)]
struct Case {
    n: usize,
    seed: u64,
    autojoin: bool,
    random_sched: bool,
    ops: Vec<Op>,
}

fn case() -> impl Strategy<Value = Case> {
    (2usize..=7, any::<u64>(), any::<bool>(), any::<bool>(), proptest::collection::vec(fault_op(ALL, 8), 1..100))
        .prop_map(|(n, seed, autojoin, random_sched, ops)| Case { n, seed, autojoin, random_sched, ops })
}

fn run_config(c: &Case, variant: &str) -> RunConfig {
    let aj = if c.autojoin { "true" } else { "false" };
    schedule_config(CHAT, c.n, c.seed, &[("autojoin", aj), ("variant", variant)], c.random_sched)
}

fn check_case(c: &Case) -> Result<(), TestCaseError> {
    let mut sc = open(run_config(c, "correct"));
    CHAT_ACTIONS.play(sc.as_mut(), &c.ops);
    safe_during_faults(sc.as_ref(), SAFETY)?;
    // Heal, bring the crashed back, let everything finish: at quiescence
    // nothing may be broken (every post reached every client still on the
    // server's list; after a shutdown nobody reachable stays connected).
    let crashed = recover_crashed(sc.as_ref());
    settle(sc.as_mut(), [heal(), crashed].concat(), "healing", 200_000)?;
    never_violated(sc.as_ref())?;
    // Half-open clients (given up by the server while cut off) find out
    // when they post; then everyone joins again and one client posts.
    let n = sc.n();
    let posts: Vec<Input> = (1..n)
        .filter(|&i| sc.role(i) == Role::InCs)
        .map(|i| Input::Verb { verb: "post".into(), args: vec![i.to_string(), "still there?".into()] })
        .collect();
    settle(sc.as_mut(), posts, "flush", 200_000)?;
    let joins: Vec<Input> = (1..n).filter(|&i| sc.role(i) == Role::Idle).map(|i| verb("join", i)).collect();
    settle(sc.as_mut(), joins, "rejoin", 200_000)?;
    let open_room = report(sc.as_ref())["result"]["room"] == "open";
    for i in 1..n {
        let want = if open_room { Role::InCs } else { Role::Idle };
        if sc.role(i) != want {
            return Err(fail(sc.as_ref(), format!("after healing client {i} is {:?}", sc.role(i))));
        }
    }
    if open_room {
        let last = |sc: &dyn Scenario, i: usize| transcript(sc, i).last().cloned().unwrap_or_default();
        settle(
            sc.as_mut(),
            vec![Input::Verb { verb: "post".into(), args: vec!["1".into(), "final".into()] }],
            "final post",
            200_000,
        )?;
        for i in 2..n {
            if last(sc.as_ref(), i) != "<1>: final" {
                return Err(fail(
                    sc.as_ref(),
                    format!("client {i} did not show the final post: {:?}", transcript(sc.as_ref(), i)),
                ));
            }
        }
    }
    clean_run(sc.as_ref())
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Crashes (the server's included) and comebacks, partitions, cuts,
    /// drops, loss, delays of messages and timers, duplicates, either
    /// scheduler: FIFO per sender and no self-delivery always; after
    /// healing, every invariant holds at quiescence, everyone can join and
    /// a post reaches every other client.
    #[test]
    fn safe_and_live_after_healing(c in case()) {
        check_case(&c)?;
    }
}

/// The property tests have teeth: the same random schedules on the broken
/// variants are caught in a good share of the cases.
#[test]
fn the_random_schedules_catch_the_broken_variants() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let total = 200;
    for (variant, prop, share) in
        [("echo", "no-self-delivery", 4), ("no-seq", "fifo-per-sender", 20), ("no-resend", "every-post-delivered", 20)]
    {
        let caught = count_caught(&mut runner, total, &case(), prop, |c| {
            let mut sc = open(run_config(c, variant));
            CHAT_ACTIONS.play(sc.as_mut(), &c.ops);
            sc
        });
        println!("{variant}: {prop} in {caught}/{total}");
        assert!(caught * share >= total, "{variant} caught in only {caught} of {total} schedules");
    }
}

// ----- screen snapshots ------------------------------------------------------------

/// The seed's story up to client 2's leave, four nodes (client 3 never
/// joins), client 1 selected: the side pane shows client 1's screen first.
fn story_app() -> App {
    block_on(tui_app(
        config(CHAT, 4, 1, &[]),
        &[
            "join 1",
            "run",
            "join 2",
            "run",
            "post 1 \"hello, this is from client 1\"",
            "run",
            "post 2 \"hello, this is from client 2\"",
            "run",
            "leave 2",
            "run",
            "select 1",
        ],
    ))
}

#[test]
fn screen_80x24() {
    let app = story_app();
    let text = screen(&app, 80, 24);
    assert!(text.contains("client 1"), "{text}");
    assert!(text.contains("<2>: hello"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn screen_120x40() {
    let app = story_app();
    let text = screen(&app, 120, 40);
    assert!(text.contains("connected to chat room"), "{text}");
    assert!(text.contains("you left the room"), "{text}");
    assert!(text.contains("2 left the room"), "{text}");
    insta::assert_snapshot!(text);
}

/// After the server's shutdown and a dead client: the server's console
/// (selected) shows "closing server" and the removal.
#[test]
fn screen_shutdown_120x40() {
    let app = block_on(tui_app(
        config(CHAT, 4, 1, &[("autojoin", "true")]),
        &["run", "crash 3", "post 1 \"anyone there?\"", "run", "shutdown", "run", "select 0"],
    ));
    let text = screen(&app, 120, 40);
    assert!(text.contains("closing server"), "{text}");
    assert!(text.contains("dead client 3 removed"), "{text}");
    insta::assert_snapshot!(text);
}

/// Many clients: the pane shows as many screens as fit and says how many
/// there are; no panic at either size.
#[test]
fn many_clients_degrade_to_the_screens_that_fit() {
    let app = block_on(tui_app(
        config(CHAT, 40, 1, &[("autojoin", "true")]),
        &["run", "post 7 \"hi from 7\"", "run", "select 7"],
    ));
    for (w, h) in [(80, 24), (120, 40), (200, 60)] {
        let text = screen(&app, w, h);
        assert!(text.contains("client 7"), "{w}x{h}: {text}");
        assert!(text.contains(" of 40)"), "{w}x{h}: {text}");
    }
}

/// The random schedules are not vacuous: over 200 of them, posts are
/// relayed and shown, dead clients are removed, rooms are shut down, and
/// the server crashes.
#[test]
fn the_random_schedules_exercise_the_protocol() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut shown, mut dead, mut closed, mut server_down) = (0, 0, 0, 0);
    for _ in 0..200 {
        let c = sample(&mut runner, &case());
        let mut sc = open(run_config(&c, "correct"));
        CHAT_ACTIONS.play(sc.as_mut(), &c.ops);
        let _ = apply(sc.as_mut(), Input::Run(Some(20_000)));
        let lines: Vec<String> = (0..c.n).flat_map(|i| transcript(sc.as_ref(), i)).collect();
        shown += (1..c.n).map(|i| delivered(sc.as_ref(), i).len()).sum::<usize>();
        dead += lines.iter().filter(|l| l.starts_with("dead client")).count();
        closed += lines.iter().filter(|l| *l == "closing server").count();
        server_down += usize::from(transcript(sc.as_ref(), 0).iter().any(|l| l == "✗ crashed"));
    }
    println!("shown {shown}, dead clients {dead}, shutdowns {closed}, server crashes in {server_down}/200");
    assert!(shown >= 200 && dead >= 20 && closed >= 20 && server_down >= 20, "{shown} {dead} {closed} {server_down}");
}

/// A click on a box of the screens pane selects that node.
#[test]
fn clicking_a_screen_selects_its_node() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut app = story_app();
    app.on_resize(120, 40);
    let side = app.panes().unwrap().side;
    assert!(side.width > 0);
    // Client 2's box is the second one, under client 1's.
    let at = |row: u16| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: side.x + side.width / 2,
        row,
        modifiers: KeyModifiers::NONE,
    };
    block_on(app.on_mouse(at(side.y + side.height - 3)));
    assert_eq!(app.selected, 2);
    block_on(app.on_mouse(at(side.y + 2)));
    assert_eq!(app.selected, 2, "the focused box stays first: 2 is selected, its box is on top");
}

/// Headless, a chat script says the chat's words: client 1 is
/// `connected`, the server `server`, a client that never joined
/// `offline`; a wrong one fails the run with the chat's word for what the
/// node is, and the generic `in-cs` is refused as usage (exit 2) with a
/// hint naming `connected`. dfs and load-balancer likewise.
#[test]
fn headless_expect_role_takes_the_scenarios_words() {
    use distlab::headless::{self, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
    let run = |name: &str, n: usize, text: &str| block_on(headless::run(config(name, n, 1, &[]), text));
    let ok = run("chat", 4, "join 1\nrun\nexpect role 1 connected\nexpect role 0 server\nexpect role 3 offline\n");
    assert_eq!(ok.code, EXIT_OK, "{}", ok.json);
    let failed = run("chat", 4, "join 1\nrun\nexpect role 3 connected\n");
    assert_eq!(failed.code, EXIT_FAILED, "{}", failed.json);
    assert_eq!(failed.json["failed_expectations"][0]["actual"], "offline", "{}", failed.json);
    let refused = run("chat", 4, "join 1\nrun\nexpect role 1 in-cs\n");
    assert_eq!(refused.code, EXIT_USAGE);
    let err = refused.json["error"].as_str().unwrap();
    assert!(err.contains("\"in-cs\" is called \"connected\" here"), "{err}");
    assert!(err.contains("offline|joining|connected|server|crashed"), "{err}");
    let dfs = run("dfs", 3, "expect role 0 server\nexpect role 2 idle\ncrash 1\nexpect role 1 crashed\n");
    assert_eq!(dfs.code, EXIT_OK, "{}", dfs.json);
    let leader = run("dfs", 3, "expect role 0 leader\n");
    assert!(leader.json["error"].as_str().unwrap().contains("\"leader\" is called \"server\" here"), "{}", leader.json);
    let lb = run("load-balancer", 5, "submit a 0 50\nstep 1\nexpect role 0 waiting\n");
    assert_eq!(lb.code, EXIT_OK, "{}", lb.json);
}

/// Found by `safe_and_live_after_healing` (seed 8075008568137449218): the
/// server gives client 4 up as dead, then a delayed copy of its first JOIN
/// arrives. Re-admitting it on that same session restarted the channel at
/// n=1, numbers the client had already shown, so it took the next RELAY
/// for a copy and never showed `<1>: still there?`. A JOIN for a session
/// the server ended is now ignored: the client's posts go unanswered and
/// it says it lost the server, as a client the server gave up on does.
#[test]
fn a_late_join_for_an_ended_session_does_not_bring_the_client_back() {
    let mut sc = open(config("chat", 5, 8075008568137449218, &[("autojoin", "true")]));
    let script = "post 1 m0; loss 0.2; delay 7 180; step 15; step 11; post 3 m27; step 13; step 9; heal; loss 0; \
                  run 200000; post 1 \"still there?\"; post 2 \"still there?\"; post 3 \"still there?\"; \
                  post 4 \"still there?\"; run 200000; run 200000; post 1 final; run 200000";
    lines(sc.as_mut(), script);
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    let shown = transcript(sc.as_ref(), 4).join("\n");
    assert!(shown.ends_with("lost connection to the server"), "{shown}");
    assert!(transcript(sc.as_ref(), 0).iter().filter(|l| *l == "4 added to the room").count() == 1, "not re-added");
}
