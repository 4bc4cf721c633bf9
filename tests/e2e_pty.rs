//! The real binary in a pseudo-terminal: open ricart-agrawala, act, play,
//! crash a node, open help, quit with `q`, and check the terminal was
//! given back (alternate screen left, cursor shown, exit code 0); and the
//! `:` prompt fed hostile lines, each refused with a one-line error and no
//! step taken.
//! Keys that must not surprise (issue 15, items 9–13): `q` closes help,
//! quitting and restarting a run with inputs ask first, `S` asks for a
//! name and never overwrites silently, `:open` replays a saved trace, an
//! idle step records nothing, identical log lines fold, `x` toggles a
//! link, and the prompt refuses what it cannot run with a reason.
//! Screens are polled with a deadline; nothing waits a fixed time.

#[path = "common/pty.rs"]
mod pty;

use pty::{Session, header_step};

const ROWS: u16 = 40;
const COLS: u16 = 120;

/// `distlab ARGS` at 120×40.
fn start(args: &[&str]) -> Session {
    Session::start_sized(args, COLS, ROWS)
}

#[test]
fn real_binary_in_a_pty() {
    let mut s = start(&["run", "ricart-agrawala"]);
    let t = &mut s.t;

    // Opened: the header names the scenario, the badge is green.
    t.wait("the run screen", |s| s.contains("ricart-agrawala") && s.contains("✓ OK") && s.contains("topology"));
    assert!(t.parser.lock().unwrap().screen().alternate_screen());
    assert_eq!(header_step(&t.header()), Some(0));

    // The action key on node 0 (request), then one step.
    t.send("r");
    t.wait_text("» request 0");
    t.send(" ");
    t.wait("step 2 in the header", |s| header_step(s.lines().next().unwrap_or("")) == Some(2));
    t.wait_text("» step");

    // Play faster until nothing is left in flight: play stops by itself.
    t.send("+++p");
    t.wait_text("nothing left in flight");
    assert!(header_step(&t.header()).unwrap() > 2);

    // Select node 1 and crash it: the ring and lane show ✗, the log the command.
    t.send("l");
    t.wait_text("─ node 1 ");

    t.send("c");
    t.wait_text("» crash 1");
    t.wait("the crash in the log", |s| s.lines().any(|l| l.contains("» crash 1") && l.contains('│')));

    // Help overlay; `q` closes it and does not quit.
    t.send("?");
    t.wait_text("Keys (each runs the command next to it");
    t.send("q");
    t.wait("help closed", |s| !s.contains("Keys (each runs the command next to it"));
    assert!(s.alive(), "q in help closes help");

    // Quit (the run has inputs: it asks): exit code 0 and the terminal given back.
    s.quit_confirmed();
}

/// Lines the `:` prompt must refuse without taking a step: counts beyond
/// the engine's ceiling of 1,000,000 (and beyond u64), NaN and infinity,
/// unknown verbs, unterminated quotes, control characters (the prompt drops
/// them; what is left is still refused), a 5 KB line, node ids and event
/// ids that do not exist.
fn hostile_lines() -> Vec<String> {
    let mut lines: Vec<String> = [
        "run 18446744073709551616",
        "step -1",
        "loss NaN",
        "dup-rate inf",
        "latency inf 1",
        "latency 10 1",
        "delay #1 1e308",
        "frobnicate 3",
        "say \"unterminated",
        "\"",
        "request 5",
        "request 18446744073709551615",
        "request ３",
        "crash -1",
        "partition 0,1 1,2",
        "cut 3 3",
        "hb e0 e99999",
        "deliver #99999",
        "expect role 99 leader",
        "sched sideways",
        "bogus\u{7}\u{2}\u{b}\t verb",
        "say \u{7}",
        "partition 0,,1",
        "pause",
    ]
    .map(String::from)
    .to_vec();
    // A 5 KB line typed at once (crossterm's default edge-triggered reader
    // left all but 1 KB unread until the next key, so its Enter was never
    // seen), and counts above one command's limit.
    lines.push(format!("request {}", "9".repeat(5000)));
    lines.extend(["step 1000001", "run 4294967296", "step 18446744073709551615"].map(String::from));
    lines
}

/// The prompt's row (it starts with `:`), if the prompt is open.
fn prompt_row(screen: &str) -> Option<&str> {
    screen.lines().find(|l| l.starts_with(':'))
}

#[test]
fn the_prompt_refuses_hostile_lines_without_a_step() {
    let mut s = start(&["run", "ricart-agrawala"]);
    s.t.wait("the run screen", |s| s.contains("ricart-agrawala") && s.contains("✓ OK") && s.contains("topology"));
    // Something in flight, so a step that slipped through would show.
    s.t.send("r");
    s.t.wait_text("» request 0");
    let step = header_step(&s.t.header()).expect("a step in the header");

    for line in hostile_lines() {
        let shown: String = line.chars().take(60).collect();
        s.t.send(":");
        s.t.wait("the prompt", |sc| prompt_row(sc).is_some());
        s.t.send(&line);
        s.t.send("\r");
        s.t.wait(&format!("an error for {shown:?}"), |sc| prompt_row(sc).is_some_and(|r| r.contains('✗')));
        assert!(s.alive(), "distlab exited on {shown:?}");
        let screen = s.t.screen();
        let errors: Vec<&str> = screen.lines().filter(|l| l.contains('✗')).collect();
        assert_eq!(errors.len(), 1, "one error row for {shown:?}, got:\n{screen}");
        assert_eq!(header_step(&s.t.header()), Some(step), "{shown:?} took a step; the screen:\n{screen}");
        // Clear the line (Ctrl+U), then an empty Enter closes the prompt.
        s.t.send("\u{15}");
        s.t.wait("the error cleared", |sc| prompt_row(sc).is_some_and(|r| !r.contains('✗')));
        s.t.send("\r");
        s.t.wait("the prompt closed", |sc| prompt_row(sc).is_none());
    }
    assert!(s.alive());
    assert_eq!(header_step(&s.t.header()), Some(step));
    s.quit_confirmed();
}

/// The status line (the row above the key bar).
fn status_row(screen: &str) -> String {
    pty::status_row_of(screen, ROWS)
}

fn start_ricart() -> Session {
    let s = start(&["run", "ricart-agrawala"]);
    s.t.wait("the run screen", |s| s.contains("ricart-agrawala") && s.contains("✓ OK") && s.contains("topology"));
    s
}

#[test]
fn q_closes_help_and_quits_at_once_without_inputs() {
    let mut s = start_ricart();
    s.t.send("?");
    s.t.wait_text("Keys (each runs the command next to it");
    s.t.send("q");
    s.t.wait("help closed", |sc| !sc.contains("Keys (each runs") && sc.contains("topology"));
    assert!(s.alive());
    // No inputs: the next `q` quits without a question.
    s.quit();
}

#[test]
fn quit_and_restart_ask_first_with_inputs() {
    let mut s = start_ricart();
    s.t.send("r  ");
    s.t.wait("step 3", |sc| header_step(sc.lines().next().unwrap_or("")) == Some(3));
    // q asks; any other key cancels.
    s.t.send("q");
    s.t.wait_text("quit? this run's 3 inputs are lost unless saved (S) — y / any other key cancels");
    s.t.wait("the key bar offers y", |sc| sc.lines().last().is_some_and(|l| l.contains("y  yes")));
    s.t.send("n");
    s.t.wait_text("cancelled: quit (nothing changed)");
    assert!(s.alive());
    // R asks; a space cancels (and does not step).
    s.t.send("R");
    s.t.wait_text("restart? this run's 3 inputs are undone");
    s.t.send(" ");
    s.t.wait_text("cancelled: restart");
    assert_eq!(header_step(&s.t.header()), Some(3));
    // R then y restarts.
    s.t.send("Ry");
    s.t.wait("step 0", |sc| header_step(sc.lines().next().unwrap_or("")) == Some(0));
    s.t.wait("the restart in the status line", |sc| status_row(sc) == "» restart");
    s.t.send("r");
    s.t.wait_text("» request 0");
    s.quit_confirmed();
}

#[test]
fn save_asks_for_a_name_refuses_to_overwrite_silently_and_open_replays_it() {
    let mut s = start_ricart();
    s.t.send("r  ");
    s.t.wait("step 3", |sc| header_step(sc.lines().next().unwrap_or("")) == Some(3));
    // S: the prompt, prefilled with the default name; Enter saves.
    s.t.send("S");
    s.t.wait("the save prompt", |sc| {
        prompt_row(sc).is_some_and(|r| r.starts_with(":save distlab-ricart-agrawala-1-3.trace"))
    });
    s.t.send("\r");
    s.t.wait_text("» save distlab-ricart-agrawala-1-3.trace (");
    let file = s.dir.join("distlab-ricart-agrawala-1-3.trace");
    let saved = std::fs::read(&file).expect("the trace was written");

    // Two more steps, then save under the same name: it asks; `n` keeps the file.
    s.t.send("  ");
    s.t.wait("step 5", |sc| header_step(sc.lines().next().unwrap_or("")) == Some(5));
    s.t.send(":save distlab-ricart-agrawala-1-3.trace\r");
    s.t.wait_text("overwrite distlab-ricart-agrawala-1-3.trace? it exists — y / any other key cancels");
    s.t.send("n");
    s.t.wait_text("cancelled: overwrite distlab-ricart-agrawala-1-3.trace");
    assert_eq!(std::fs::read(&file).unwrap(), saved, "the file was not overwritten");

    // A bad file: one line at the prompt; nothing changes.
    std::fs::write(s.dir.join("junk.trace"), b"junk").unwrap();
    s.t.send(":open junk.trace\r");
    s.t.wait("the error", |sc| {
        prompt_row(sc).is_some_and(|r| r.contains("✗ open: junk.trace: not a distlab trace file"))
    });
    s.t.send("\u{1b}");
    s.t.wait("the prompt closed", |sc| prompt_row(sc).is_none());
    assert_eq!(header_step(&s.t.header()), Some(5));

    // Open the saved trace: the run has inputs, so it asks; y replays it.
    s.t.send(":open distlab-ricart-agrawala-1-3.trace\r");
    s.t.wait_text("open distlab-ricart-agrawala-1-3.trace? it replaces this run and its 5 inputs");
    s.t.send("y");
    s.t.wait_text("» open distlab-ricart-agrawala-1-3.trace (ricart-agrawala, replayed 3 inputs to step 3)");
    assert_eq!(header_step(&s.t.header()), Some(3));
    s.quit_confirmed();
}

#[test]
fn idle_steps_record_nothing_identical_lines_fold_and_x_toggles() {
    let mut s = start_ricart();
    // Nothing in flight: space says so and records nothing (b has nothing to undo).
    s.t.send(" ");
    s.t.wait("the reason", |sc| status_row(sc) == "· nothing in flight: no step to take");
    s.t.send("b");
    s.t.wait_text("back: already at the start of the run");
    s.t.send("p");
    s.t.wait_text("play: nothing in flight: no step to take");
    assert_eq!(header_step(&s.t.header()), Some(0));

    // Twelve identical commands show as one log line.
    for _ in 0..12 {
        s.t.send(":loss 0\r");
    }
    s.t.wait_text("» loss 0 ×12");
    assert_eq!(s.t.screen().matches("» loss 0").count(), 2, "the log line and the status line");

    // x cuts the link 0–1; x again heals it, and says so.
    s.t.send("x");
    s.t.wait("the cut", |sc| status_row(sc) == "» cut 0 1");
    s.t.send("x");
    s.t.wait_text("» heal 0 1 (the link was cut; x cuts it again)");
    s.t.wait("the heal in the log", |sc| sc.lines().any(|l| l.contains("» heal 0 1") && l.contains('│')));
    s.t.send("H");
    s.t.wait_text("heal: no link is cut or partitioned");
    s.quit_confirmed();
}

#[test]
fn the_prompt_says_why_it_refuses_a_line() {
    let mut s = start_ricart();
    // A line past the limit is "too long", not "unterminated quoted text".
    s.t.send(":");
    s.t.wait("the prompt", |sc| prompt_row(sc).is_some());
    s.t.send(&format!("say \"{}\"", "a".repeat(1_200)));
    s.t.send("\r");
    s.t.wait("too long", |sc| prompt_row(sc).is_some_and(|r| r.contains("✗ too long: a command is at most 1000")));
    s.t.send("\u{15}\u{1b}");
    s.t.wait("the prompt closed", |sc| prompt_row(sc).is_none());

    for (line, why) in [
        ("partition 0,,1", "✗ partition: \"0,,1\" has an empty place between commas"),
        ("pause", "✗ pause: no script is running"),
    ] {
        s.t.send(&format!(":{line}\r"));
        s.t.wait(why, |sc| prompt_row(sc).is_some_and(|r| r.contains(why)));
        // Esc, then `:` again: the prompt starts empty.
        s.t.send("\u{1b}");
        s.t.wait("the prompt closed", |sc| prompt_row(sc).is_none());
        s.t.send(":");
        s.t.wait("an empty prompt", |sc| prompt_row(sc).is_some_and(|r| r.trim_end() == ":"));
        s.t.send("\u{1b}");
        s.t.wait("the prompt closed", |sc| prompt_row(sc).is_none());
    }
    assert_eq!(header_step(&s.t.header()), Some(0));
    // Nothing was recorded: q quits without asking.
    s.quit();
}
