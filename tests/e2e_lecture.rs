//! The lecture flow of issue 15 through the real binary in a pseudo-terminal,
//! keys in and screen out (80×24 unless a test says otherwise):
//! - a built-in lecture stepped back (`b`) and back to the previous pause
//!   (`B`) and played again, each pause showing the same step and the same
//!   narration, no `expect` failing; a script's `run` animates and a second
//!   `n` finishes it;
//! - a script opened without its header's arguments, or without a
//!   scenario, runs as written; one that contradicts its header is refused
//!   before the terminal is taken;
//! - the picker opening a lecture, and a run with a node count and variant;
//! - play stopping at the step of a new violation;
//! - a question holding a script's animated run; restart going back to
//!   the script's first pause;
//! - TUI usage errors: exit 2, one line first, nothing drawn;
//! - a narration longer than its pane scrolls with a "more" mark.

#[path = "common/pty.rs"]
mod pty;

use pty::{Session, Term, header_step, repo_path, status_row_of};
use std::time::Duration;

const COLS: u16 = 80;
const ROWS: u16 = 24;

const RUNNING: &str = "▶ running — n finishes";
const PLAYS: &str = "» next (the script's run plays: n finishes it)";

fn start(args: &[&str]) -> Session {
    Session::start_sized(args, COLS, ROWS)
}

/// No `expect` failed and the script did not stop on an error.
fn clean(screen: &str) -> bool {
    !screen.contains('✗') && !screen.contains("FAILED") && !screen.contains("script stopped")
}

fn step_of(screen: &str) -> Option<u64> {
    header_step(screen.lines().next().unwrap_or(""))
}

/// Wait for `pred` on a settled screen, failing at once if the screen
/// shows a failed expect; that screen.
fn wait_clean(t: &Term, what: &str, pred: impl Fn(&str) -> bool) -> String {
    t.wait_settled(what, |s| {
        assert!(clean(s), "a failure on screen while waiting for {what}:\n{s}");
        pred(s)
    })
}

/// The narration pane's rows: from its first row (the one with the script
/// state on the right) down to the status line.
fn narration(screen: &str, rows: u16) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.contains("▶ ") || l.contains("script finished"))
        .unwrap_or_else(|| panic!("no narration row on the screen:\n{screen}"));
    lines[first..rows as usize - 2].join("\n")
}

/// Wait for the script to pause before `line` at `step`; its narration.
fn at_pause(t: &Term, line: u32, step: u64) -> String {
    let mark = format!("▶ press n to continue (line {line})");
    let screen = wait_clean(t, &format!("the pause before line {line} at step {step}"), |s| {
        s.contains(&mark) && step_of(s) == Some(step)
    });
    narration(&screen, t.rows)
}

/// Wait for a script's `run` to be playing, at `min_step` or later, with
/// `status` (if given) on the status line.
fn running(t: &Term, min_step: u64, status: Option<&str>) {
    wait_clean(t, &format!("an animated run from step {min_step} (status {status:?})"), |s| {
        s.contains(RUNNING)
            && step_of(s).is_some_and(|k| k >= min_step)
            && status.is_none_or(|st| status_row_of(s, t.rows) == st)
    });
}

/// From the pause before line 30 (step 9) of assets/ricart-agrawala.dl to
/// the one before line 46 (step 30). The section has four `run`s: the
/// first has nothing to play (done at the first play tick) and the script
/// goes on to the second, which plays; `n` finishes it and the script goes
/// on to the third, which plays; `n` finishes it, and the fourth (nothing
/// to play) ends at its first tick, at the pause.
fn pause_30_to_46(t: &mut Term) -> String {
    t.send("n");
    running(t, 10, Some("» run (done); the script's next run plays: n finishes it"));
    t.send("n");
    running(t, 12, Some(PLAYS));
    t.send("n");
    at_pause(t, 46, 30)
}

/// The built-in lecture, its header's arguments (n=5, seed 1, cs=0): `n`
/// through four pauses, `b` inside a section and `B` across pauses, each
/// pause coming back with its own step and narration, no expect failing.
#[test]
fn a_lecture_steps_back_and_forth_across_pauses_with_every_expect_holding() {
    let mut s = start(&["run", "--lecture", "ricart-agrawala"]);
    let t = &mut s.t;
    let n22 = at_pause(t, 22, 0);
    assert!(
        t.header().starts_with(" ricart-agrawala n=5 step 0 ") && t.header().contains(" seed 1 "),
        "{}",
        t.header()
    );
    assert!(n22.contains("❝ Five sites, 0 to 4"), "{n22}");

    // A script's run plays: the narration row says so; n finishes it.
    t.send("n");
    running(t, 1, Some(PLAYS));
    t.send("n");
    let n30 = at_pause(t, 30, 9);
    assert!(n30.contains("Four REQUESTs, four REPLYs"), "{n30}");
    assert_eq!(t.status_row(), "» next (paused before line 30)");

    // b steps back one step, into the run; n comes back to the same pause.
    t.send("b");
    wait_clean(t, "one step back", |s| step_of(s) == Some(8));
    assert_eq!(t.status_row(), "» back (now at step 8)");
    assert!(!t.screen().contains("(line 30)"), "the script went back too:\n{}", t.screen());
    t.send("n");
    assert_eq!(at_pause(t, 30, 9), n30, "the same pause, the same narration");

    let n46 = pause_30_to_46(t);
    assert!(n46.contains("Three entries, 24 messages"), "{n46}");
    t.send("n");
    let n51 = at_pause(t, 51, 32);
    assert!(n51.contains("site 1 has ts=5, site 2 has ts=4"), "{n51}");

    // B: back to the previous pause, twice; then forward again with n.
    t.send("B");
    assert_eq!(at_pause(t, 46, 30), n46);
    assert_eq!(t.status_row(), "» back pause (step 30, before line 46)");
    t.send("B");
    assert_eq!(at_pause(t, 30, 9), n30);
    assert_eq!(t.status_row(), "» back pause (step 9, before line 30)");
    assert_eq!(pause_30_to_46(t), n46, "the section shown twice reads the same");
    t.send("n");
    assert_eq!(at_pause(t, 51, 32), n51);

    // All the way back to the first pause.
    t.send("BBB");
    assert_eq!(at_pause(t, 22, 0), n22);
    s.quit_confirmed();
}

/// The sections of assets/ricart-agrawala.dl up to the pause before line
/// 59: their expects need the header's `-p cs=0` (a site stays in the CS).
fn first_sections(t: &mut Term) {
    at_pause(t, 22, 0);
    t.send("n");
    running(t, 1, Some(PLAYS));
    t.send("n");
    at_pause(t, 30, 9);
    pause_30_to_46(t);
    t.send("n");
    at_pause(t, 51, 32);
    t.send("n");
    running(t, 33, Some(PLAYS));
    t.send("n");
    let n59 = at_pause(t, 59, 47);
    assert!(n59.contains("Timestamps, not message text"), "{n59}");
}

#[test]
fn a_script_without_its_headers_arguments_runs_as_written() {
    let script = repo_path("assets/ricart-agrawala.dl");
    let mut s = start(&["run", "ricart-agrawala", "--script", &script]);
    first_sections(&mut s.t);
    assert!(
        s.t.header().starts_with(" ricart-agrawala n=5 step ") && s.t.header().contains(" seed 1 "),
        "{}",
        s.t.header()
    );
    assert!(s.t.header().trim_end().ends_with("✓ OK"), "{}", s.t.header());
    s.quit_confirmed();
}

#[test]
fn a_script_without_a_scenario_opens_the_one_its_header_names() {
    let script = repo_path("assets/chat-rooms.dl");
    let mut s = start(&["run", "--script", &script]);
    let t = &mut s.t;
    // The script starts with a run: it plays at once (one step to play)
    // and goes on to the first pause.
    let n17 = at_pause(t, 17, 3);
    assert!(t.header().starts_with(" chat-rooms n=4 step ") && t.header().contains(" seed 3 "), "{}", t.header());
    assert!(n17.contains("❝ Node 0 is the controller."), "{n17}");
    assert!(n17.contains("Rooms are numbered from 0. ❞"), "{n17}");
    t.send("n");
    running(t, 4, Some(PLAYS));
    t.send("n");
    at_pause(t, 25, 15);
    s.quit_confirmed();
}

/// Runs `distlab ARGS` in a pty that must exit 2 before drawing anything,
/// with one line naming the problem first (RUST_BACKTRACE=1: still no
/// report with source locations).
fn refused(args: &[&str], first_line: &str) {
    let s = Session::start_with(args, COLS, ROWS, &[("RUST_BACKTRACE", "1")]);
    let exit = s.exit();
    assert_eq!(exit.code, 2, "{args:?} exits 2:\n{}", exit.output);
    let first = exit.screen.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim_end();
    assert!(first.starts_with(first_line), "{args:?}: the first line is {first:?}; all of it:\n{}", exit.output);
    for bad in ["Location:", "backtrace", "panicked", "at src/", "━━━"] {
        assert!(!exit.output.contains(bad), "{args:?} printed {bad:?}:\n{}", exit.output);
    }
    // Nothing of the TUI: no alternate screen, no hidden cursor, no mouse.
    for seq in ["\x1b[?1049h", "\x1b[?25l", "\x1b[?1000h"] {
        assert!(!exit.output.contains(seq), "{args:?} wrote {seq:?}: {:?}", exit.output);
    }
    assert!(!exit.alternate_screen);
}

#[test]
fn a_command_line_that_contradicts_the_scripts_header_is_refused_before_the_tui() {
    let script = repo_path("assets/ricart-agrawala.dl");
    refused(
        &["run", "ricart-agrawala", "--nodes", "3", "--script", &script],
        &format!("error: --nodes 3 contradicts {script} line 1 (--nodes 5)"),
    );
}

#[test]
fn tui_usage_errors_exit_2_with_one_line_and_draw_nothing() {
    refused(&["run", "ricart-agrawala", "--nodes", "0"], "error: ricart-agrawala runs with 1 to 4096 nodes, not 0");
    refused(&["run", "ricart-agrawala", "-p", "foo=1"], "error: unknown parameter \"foo\" for ricart-agrawala");
    refused(
        &["run", "ricart-agrawala", "-p", "variant=nodefer"],
        "error: parameter variant=nodefer: expected one of correct, no-defer",
    );
    refused(&["run", "--lecture", "nosuch"], "distlab: unknown lecture \"nosuch\"; `distlab lectures` lists them");
    refused(&["replay", "/nonexistent"], "distlab: cannot read /nonexistent: No such file or directory");
}

const DOWN: &str = "\x1b[B";
const RIGHT: &str = "\x1b[C";

#[test]
fn the_picker_opens_a_scenarios_first_lecture_with_its_arguments() {
    let mut s = start(&[]);
    let t = &mut s.t;
    t.wait_text("Pick a scenario");
    t.send(DOWN);
    t.wait_text("│ ▸ suzuki-kasami");
    t.wait_text("│ ▸ a run: 5 nodes (+ -), variant correct (v)");
    // → chooses the first lecture: the detail pane marks it.
    t.send(RIGHT);
    t.wait_text("│ ▸ lecture suzuki-kasami.dl:");
    assert_eq!(t.status_row(), "» Enter opens lecture suzuki-kasami.dl");
    assert!(t.screen().contains("│   a run: 5 nodes"), "the run is no longer marked:\n{}", t.screen());
    // Enter opens it with its header's arguments (4 nodes, not the default 5).
    t.send("\r");
    let first = at_pause(t, 26, 0);
    assert!(t.header().starts_with(" suzuki-kasami n=4 step 0 ") && t.header().contains(" seed 1 "), "{}", t.header());
    assert!(first.contains("❝ Four sites, 0 to 3, share one critical"), "{first}");
    assert!(first.contains("Site 0 starts with the token: ◆TOKEN on the ring. ❞"), "{first}");
    s.quit_confirmed();
}

#[test]
fn the_picker_opens_a_run_with_a_node_count_and_a_variant_at_120x40() {
    let mut s = Session::start_sized(&[], 120, 40);
    let t = &mut s.t;
    t.wait_text("│ ▸ ricart-agrawala");
    t.send("+");
    t.wait_text("▸ a run: 6 nodes (+ -), variant correct (v)");
    t.send("v");
    t.wait_text("▸ a run: 6 nodes (+ -), variant no-defer (v)");
    assert!(t.status_row().starts_with("» variant no-defer: "), "{}", t.status_row());
    t.send("\r");
    t.wait("the run", |s| {
        s.contains("topology") && s.lines().next().is_some_and(|h| h.contains("ricart-agrawala n=6 "))
    });
    // The header does not name the variant; the inspector does.
    t.wait("the variant in the inspector", |s| s.lines().any(|l| l.contains("│variant") && l.contains("no-defer")));
    assert_eq!(t.step(), Some(0));
    // Node 5 exists (6 nodes): its inspector opens.
    t.send("lllll");
    t.wait_text("─ node 5 ");
    s.quit();
}

/// `r l r p` on the broken variant: play stops at the step of the first
/// new violation, the badge shows it, and nothing steps on by itself.
#[test]
fn play_stops_at_the_step_of_a_new_violation() {
    let mut s = start(&["run", "ricart-agrawala", "--nodes", "5", "-p", "variant=no-defer"]);
    let t = &mut s.t;
    t.wait("the run screen", |s| s.contains("✓ OK") && s.contains("topology"));
    t.send("r");
    t.wait_text("» request 0");
    t.send("l");
    t.wait_text("─ node 1 ");
    t.send("r");
    t.wait_text("» request 1");
    // Faster play (20 steps a second), so the test is short.
    t.send("+++");
    t.wait("20/s", |s| s.lines().next().is_some_and(|h| h.contains(" 20/s ")));
    t.send("p");
    t.wait("play to stop", |s| status_row_of(s, ROWS).starts_with("✗ stop at step "));
    let status = t.status_row();
    let step: u64 = status["✗ stop at step ".len()..].split(':').next().unwrap().parse().unwrap();
    assert_eq!(status, format!("✗ stop at step {step}: new violation: mutual-exclusion (`halt off` plays on)"));
    let header = t.header();
    assert_eq!(header_step(&header), Some(step), "the diagram is at the violating step: {header}");
    assert!(header.contains(&format!("✗ mutual-exclusion @ step {step}")), "the badge: {header}");
    assert!(t.screen().contains(&format!("{step} VIOLATION mutual-exclusion")), "{}", t.screen());
    // Ten play ticks' time (the header at 80 columns has no room for the
    // play state): the step stays where it stopped.
    t.holds("the step at the violation", Duration::from_millis(500), |s| step_of(s) == Some(step));
    s.quit_confirmed();
}

/// A question holds a script's animated run; any other key cancels and the
/// run plays on. Restart (asked, then `y`) brings the script back to its
/// first pause.
#[test]
fn a_question_holds_a_scripts_run_and_restart_rewinds_the_script() {
    let mut s = start(&["run", "--lecture", "ricart-agrawala"]);
    let t = &mut s.t;
    let n22 = at_pause(t, 22, 0);
    t.send("n");
    running(t, 1, Some(PLAYS));
    t.send("q");
    t.wait_text("quit? this run's");
    let step = t.step().unwrap();
    // More than two play ticks at 2 steps a second: no step while asking.
    t.holds("the run held by the question", Duration::from_millis(1200), |s| {
        step_of(s) == Some(step) && s.contains(RUNNING)
    });
    t.send("x");
    t.wait_text("cancelled: quit (nothing changed)");
    assert!(s.alive());
    let t = &mut s.t;
    t.wait("the run to play on", |s| step_of(s).is_some_and(|k| k > step) && s.contains(RUNNING));

    t.send("R");
    t.wait_text("restart? this run's");
    t.send("y");
    assert_eq!(at_pause(t, 22, 0), n22, "the script is back at its first pause");
    assert_eq!(t.status_row(), "» restart");
    // And it plays again from there.
    t.send("n");
    running(t, 1, Some(PLAYS));
    s.quit_confirmed();
}

/// A script file in the temporary directory (named per test and process).
fn temp_script(name: &str, text: &str) -> std::path::PathBuf {
    let file = std::env::temp_dir().join(format!("distlab-e2e-{name}-{}.dl", std::process::id()));
    std::fs::write(&file, text).unwrap();
    file
}

/// After a script has ended, `b` steps back into it (its narration and
/// position as they were at that step) and `n` ends it the same way again.
#[test]
fn after_a_script_has_ended_b_and_n_work_the_same_way() {
    let file = temp_script(
        "ended",
        "# distlab: run ricart-agrawala --nodes 3 --seed 1 -p cs=0\n\
         say \"One request.\"\nrequest 0\nrun\nexpect role 0 in-cs\nsay \"Node 0 is in the CS.\"\n",
    );
    let path = file.to_string_lossy().into_owned();
    let mut s = start(&["run", "--script", &path]);
    let t = &mut s.t;
    // The script opens on its run, playing; n finishes it and the script.
    running(t, 1, None);
    t.send("n");
    let done = |s: &str| s.contains("script finished") && step_of(s) == Some(5);
    let end = narration(&wait_clean(t, "the end of the script at step 5", done), t.rows);
    assert!(end.contains("❝ One request.") && end.contains("Node 0 is in the CS. ❞"), "{end}");
    t.send("n");
    wait_clean(t, "n says why it does nothing", |s| {
        status_row_of(s, ROWS) == "· next: the script is not waiting at a pause"
    });
    assert_eq!(t.step(), Some(5));

    // b: back inside the run; the second `say` has not been said yet.
    t.send("b");
    let back = wait_clean(t, "one step back", |s| step_of(s) == Some(4) && s.contains("▶ press n to continue"));
    let back = narration(&back, t.rows);
    assert!(back.contains("❝ One request. ❞") && !back.contains("Node 0"), "{back}");
    // n: the run plays on to its end and the script ends as before.
    t.send("n");
    let again = narration(&wait_clean(t, "the end again", done), t.rows);
    assert_eq!(again, end);
    let _ = std::fs::remove_file(&file);
    s.quit_confirmed();
}

/// A script whose narration is longer than its pane: the pane shows a
/// "more" mark, PgDn scrolls to the last paragraph.
fn long_narration(cols: u16, rows: u16) {
    let mut text = String::from("# distlab: run ricart-agrawala --nodes 3 --seed 1\n");
    for k in 1..=30 {
        text.push_str(&format!(
            "say \"Paragraph {k}: the lecturer says this at length, so it wraps on a narrow screen.\"\n"
        ));
    }
    text.push_str("pause\n");
    let file = temp_script(&format!("narration-{cols}"), &text);
    let path = file.to_string_lossy().into_owned();

    let mut s = Session::start_sized(&["run", "--script", &path], cols, rows);
    let t = &mut s.t;
    t.wait("the more mark", |s| s.contains("▼ ") && s.contains(" more rows · PgDn"));
    // The narration pane (the log also shows the `say` lines).
    let pane = |t: &Term| narration(&t.screen(), t.rows);
    let shown = pane(t);
    assert!(shown.contains("▶ press n to continue"), "{shown}");
    assert!(shown.contains("❝ Paragraph 1: "), "the text starts at its top:\n{shown}");
    assert!(!shown.contains("Paragraph 30:"), "the last paragraph is below:\n{shown}");
    // PgDn until the end: each press scrolls (the pane changes).
    for _ in 0..30 {
        if pane(t).contains(" rows above · PgUp") {
            break;
        }
        let before = pane(t);
        t.send("\x1b[6~");
        t.wait("PgDn to scroll", |s| narration(s, rows) != before);
    }
    let shown = pane(t);
    assert!(shown.contains("Paragraph 30: "), "{shown}");
    assert!(shown.contains('❞'), "the end of the text is shown:\n{shown}");
    assert!(shown.contains(" rows above · PgUp"), "the mark says the rest is above:\n{shown}");
    assert!(!shown.contains("❝ Paragraph 1: "), "{shown}");
    let _ = std::fs::remove_file(&file);
    s.quit_confirmed();
}

#[test]
fn a_long_narration_scrolls_with_a_more_mark_at_80x24() {
    long_narration(80, 24);
}

#[test]
fn a_long_narration_scrolls_with_a_more_mark_at_120x40() {
    long_narration(120, 40);
}

/// The violations overlay through the terminal: `w` explains the red badge,
/// Enter (confirmed) takes the run back to the violation's step, and `Esc`
/// (confirmed) leaves the run for the picker.
#[test]
fn w_explains_a_violation_enter_goes_to_its_step_and_esc_leaves_for_the_picker() {
    let mut s = start(&["run", "ricart-agrawala", "--nodes", "5", "-p", "variant=no-defer"]);
    let t = &mut s.t;
    t.wait("the run screen", |s| s.contains("✓ OK") && s.contains("topology"));
    t.send(":request 0\r");
    t.wait_text("» request 0");
    t.send(":request 1\r");
    t.wait_text("» request 1");
    t.send(":run\r");
    t.wait("the badge turns red", |s| s.lines().next().is_some_and(|h| h.contains("✗ mutual-exclusion @ step ")));
    let header = t.header();
    let at = header.find("@ step ").unwrap() + "@ step ".len();
    let broke: u64 = header[at..].split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap();
    let end = t.step().unwrap();
    assert!(end > broke, "the run went on past step {broke}: {header}");
    t.send("w");
    t.wait_text(&format!("1. mutual-exclusion (safety) at step {broke}"));
    let screen = t.screen();
    assert!(screen.contains("what must hold: never are two nodes in the critical section at once"), "{screen}");
    assert!(screen.contains("involved: nodes 0, 1"), "{screen}");
    t.send("\r");
    t.wait_text(&format!("go back to step {broke}?"));
    t.send("y");
    t.wait("the run back at the violation", |s| step_of(s) == Some(broke));
    assert!(t.status_row().contains(&format!("back to step {broke}")), "{}", t.status_row());
    t.send("\x1b");
    t.wait_text("back to the picker?");
    t.send("y");
    t.wait("the picker", |s| s.contains("Pick a scenario") && s.contains("▸ ricart-agrawala"));
    s.quit();
}
