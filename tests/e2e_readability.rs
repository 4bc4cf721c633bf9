//! Readability of issue 16 through the real binary in a pseudo-terminal,
//! keys and mouse in, screen out:
//! - the picker scrolls and keeps the highlighted scenario visible at
//!   60×20, 80×24 and 120×40 (`j`×16 then Enter opens the one shown);
//! - the space-time diagram pans back (`,` and the wheel), forward (`.`),
//!   zooms (`z` `Z`), follows the present again on `End` or a new step,
//!   and a click on an event shows it in the inspector;
//! - the log scrolls back (`[`) and forward (`]`), the inspector scrolls
//!   (`}` `{`) to the Berkeley master's poll table at 80×24;
//! - `f` cycles a pane full screen; the compact layout at 60×20 plays a
//!   lecture with n, b, n.

#[path = "common/pty.rs"]
mod pty;

use pty::{Session, Term, header_step};

/// `distlab ARGS` at `cols`×`rows`, once it is ready for keys.
fn start(args: &[&str], cols: u16, rows: u16, ready: &str) -> Session {
    let s = Session::start_sized(args, cols, rows);
    s.t.wait_text(ready);
    s
}

/// Press space until the header shows `step`.
fn step_to(t: &mut Term, step: u64) {
    t.send(&" ".repeat(step as usize));
    t.wait(&format!("step {step}"), |s| header_step(s.lines().next().unwrap_or("")) == Some(step));
}

/// The highlighted scenario of the picker's list, if it is on screen (not
/// the highlighted choice of a run or a lecture in the detail pane).
fn highlighted(screen: &str) -> Option<String> {
    screen.lines().find_map(|l| {
        let rest = &l[l.find("│ ▸ ")? + "│ ▸ ".len()..];
        let name = rest.split_whitespace().next()?;
        (name != "a" && name != "lecture").then(|| name.to_string())
    })
}

fn picker_scrolls_to_its_end_and_opens_what_it_shows(cols: u16, rows: u16) {
    let mut s = start(&[], cols, rows, "1/17");
    assert_eq!(highlighted(&s.t.screen()).as_deref(), Some("ricart-agrawala"));
    for k in 1..=16 {
        s.t.send("j");
        let pos = format!("{}/17", k + 1);
        let screen = s.t.wait_settled(&pos, |sc| sc.contains(&pos));
        assert!(highlighted(&screen).is_some(), "entry {} is highlighted on screen at {cols}x{rows}:\n{screen}", k + 1);
    }
    let end = s.t.screen();
    assert_eq!(highlighted(&end).as_deref(), Some("dfs"), "{end}");
    assert!(!end.contains("ricart-agrawala "), "the list scrolled past its first entry:\n{end}");
    assert!(end.contains("Distributed file system"), "the description follows the highlight:\n{end}");
    // Back up to the top, the list follows.
    s.t.send(&"k".repeat(16));
    let top = s.t.wait_settled("1/17", |sc| sc.contains("1/17"));
    assert_eq!(highlighted(&top).as_deref(), Some("ricart-agrawala"), "{top}");
    s.t.send(&"j".repeat(16));
    s.t.wait_settled("17/17", |sc| sc.contains("17/17"));
    s.t.send("\r");
    s.t.wait("dfs opens", |sc| sc.lines().next().unwrap_or("").contains("dfs n="));
    s.quit();
}

#[test]
fn the_picker_scrolls_at_60x20() {
    picker_scrolls_to_its_end_and_opens_what_it_shows(60, 20);
}

#[test]
fn the_picker_scrolls_at_80x24() {
    picker_scrolls_to_its_end_and_opens_what_it_shows(80, 24);
}

#[test]
fn the_picker_scrolls_at_120x40() {
    picker_scrolls_to_its_end_and_opens_what_it_shows(120, 40);
}

/// The diagram's window: (first step, last step, following the present).
fn window(screen: &str) -> (u64, u64, bool) {
    let row = screen.lines().find(|l| l.contains("steps ")).unwrap_or_else(|| panic!("no diagram title:\n{screen}"));
    let rest = &row[row.find("steps ").unwrap() + 6..];
    let mut it = rest.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty());
    let s0 = it.next().unwrap().parse().unwrap();
    let s1 = it.next().unwrap().parse().unwrap();
    (s0, s1, !row.contains("End follows"))
}

/// A mouse event in SGR encoding at the 0-based cell (`col`, `row`).
fn mouse(button: u8, col: usize, row: usize, release: bool) -> String {
    format!("\x1b[<{button};{};{}{}", col + 1, row + 1, if release { 'm' } else { 'M' })
}

/// The 0-based cell of the first occurrence of `text` on the screen.
fn cell_of(screen: &str, text: &str) -> Option<(usize, usize)> {
    screen.lines().enumerate().find_map(|(r, l)| l.find(text).map(|b| (l[..b].chars().count(), r)))
}

#[test]
fn the_diagram_pans_zooms_follows_and_a_click_shows_an_event_at_80x24() {
    let mut s = start(&["run", "token-ring", "--seed", "1"], 80, 24, "space steps");
    step_to(&mut s.t, 40);
    let (a0, a1, follows) = window(&s.t.screen());
    assert!(follows && a1 == 40 && a0 > 0, "the diagram follows the present: {a0}–{a1}");

    // `,` pans back: an earlier window, and the title says how to return.
    s.t.send(",");
    s.t.wait("an earlier window", |sc| window(sc).1 < 40);
    let (b0, b1, follows) = window(&s.t.screen());
    assert!(!follows && b0 < a0 && b1 < a1, "{b0}–{b1}");
    assert!(s.t.screen().contains("of 40"), "{}", s.t.screen());
    s.t.send(&",".repeat(20));
    s.t.wait_settled("the start of the run", |sc| window(sc).0 == 0);
    // `.` pans forward again.
    s.t.send(".");
    s.t.wait("a later window", |sc| window(sc).0 > 0);

    // The wheel over the diagram pans too: up is earlier, down later.
    let title = cell_of(&s.t.screen(), "steps ").unwrap();
    let over = (title.0 + 4, title.1 + 3);
    s.t.send(&mouse(64, over.0, over.1, false));
    s.t.wait("the wheel pans back to 0", |sc| window(sc).0 == 0);
    s.t.send(&mouse(65, over.0, over.1, false));
    s.t.wait("the wheel pans later", |sc| window(sc).0 > 0);

    // End follows the present again.
    s.t.send("\x1b[F");
    s.t.wait("End follows", |sc| window(sc) == (a0, a1, true));

    // z zooms in (fewer steps on screen), Z zooms back out.
    s.t.send("z");
    s.t.wait("zoomed in", |sc| sc.contains("col/step") && window(sc).1 == 40 && window(sc).0 > a0);
    s.t.send("Z");
    s.t.wait("zoomed out", |sc| window(sc) == (a0, a1, true));

    // A new step while panned back returns to following the present.
    s.t.send(",,");
    s.t.wait("panned back", |sc| !window(sc).2);
    s.t.send(" ");
    s.t.wait("a step follows the present", |sc| {
        header_step(sc.lines().next().unwrap_or("")) == Some(41) && window(sc).2 && window(sc).1 == 41
    });

    // A click on an event label shows that event in the inspector.
    let screen = s.t.screen();
    let (col, row, label) = screen
        .lines()
        .enumerate()
        .find_map(|(r, l)| {
            let b = l.find("◷e")?;
            let digits: String = l[b + "◷e".len()..].chars().take_while(char::is_ascii_digit).collect();
            Some((l[..b].chars().count(), r, format!("e{digits}")))
        })
        .unwrap_or_else(|| panic!("no timer event label in the diagram:\n{screen}"));
    s.t.send(&mouse(0, col, row, false));
    s.t.send(&mouse(0, col, row, true));
    let inspected = s.t.wait_settled("the event in the inspector", |sc| sc.contains(&format!("event {label} at node")));
    assert!(inspected.contains("lamport clock"), "its clocks are shown:\n{inspected}");
    s.t.send("\x1b");
    s.t.wait("back to the node", |sc| !sc.contains(&format!("event {label} at node")));
    s.quit_confirmed();
}

#[test]
fn the_log_scrolls_back_and_the_inspector_reaches_the_poll_table_at_80x24() {
    let mut s = start(&["run", "token-ring", "--seed", "1"], 80, 24, "space steps");
    step_to(&mut s.t, 30);
    s.t.send("[[[[");
    let back = s.t.wait_settled("the log scrolled back", |sc| sc.contains("rows back · ] newer"));
    assert!(!back.contains("30 #30"), "the newest line is scrolled off:\n{back}");
    s.t.send(&"]".repeat(40));
    s.t.wait_settled("the log at its end", |sc| sc.contains("30 #30") && sc.contains("┌log─"));
    s.quit_confirmed();

    let mut s = start(&["run", "berkeley", "--seed", "1"], 80, 24, "space steps");
    s.t.send("r");
    s.t.wait("a sync round", |sc| sc.contains("#1"));
    s.t.send(&" ".repeat(6));
    let screen = s.t.wait_settled("more below in the inspector", |sc| sc.contains("more · }"));
    assert!(!screen.contains("poll"), "the poll table starts below at 80x24:\n{screen}");
    s.t.send(&"}".repeat(30));
    let end = s.t.wait_settled("the inspector at its end", |sc| sc.contains("above · {") && !sc.contains("more · }"));
    assert!(end.contains("poll"), "the poll table is reachable:\n{end}");
    s.t.send(&"{".repeat(30));
    s.t.wait_settled("the inspector at its top", |sc| !sc.contains("above · {"));
    s.quit_confirmed();
}

#[test]
fn f_cycles_full_screen_and_a_lecture_plays_n_b_n_at_60x20() {
    let mut s = start(&["run", "--lecture", "ricart-agrawala"], 60, 20, "▶ ");
    let first = s.t.screen();
    assert!(first.contains("topology"), "the compact layout shows the topology:\n{first}");
    s.t.send("n");
    s.t.wait("the script's run", |sc| sc.contains("▶ running — n finishes"));
    s.t.send("n");
    let paused = s.t.wait_settled("the pause before line 30", |sc| sc.contains("(line 30)"));
    let at = header_step(paused.lines().next().unwrap()).unwrap();
    s.t.send("b");
    s.t.wait_settled("one step back", |sc| header_step(sc.lines().next().unwrap_or("")) == Some(at - 1));
    s.t.send("n");
    let again = s.t.wait_settled("the same pause", |sc| sc.contains("(line 30)"));
    let status = 20 - 2;
    let without =
        |sc: &str| sc.lines().enumerate().filter(|(i, _)| *i != status).map(|(_, l)| l).collect::<Vec<_>>().join("\n");
    assert_eq!(without(&again), without(&paused), "n after b comes back to the same screen");

    // f: the diagram, the topology, the inspector full screen, then the
    // layout again (the same panes, only the status line differs).
    for (pane, next) in [("diagram", "topology"), ("topology", "inspector"), ("inspector", "normal")] {
        s.t.send("f");
        let status = format!("full screen: {pane} · f: {next}");
        let full = s.t.wait_settled(&status, |sc| sc.contains(&status));
        assert!(
            full.lines().nth(1).unwrap().contains(match pane {
                "diagram" => "space-time",
                "topology" => "topology",
                _ => "node 0",
            }),
            "{pane} fills the screen:\n{full}"
        );
    }
    s.t.send("f");
    let normal = s.t.wait_settled("the layout again", |sc| sc.contains("normal layout"));
    assert_eq!(without(&normal), without(&again), "f cycles back to the layout");
    s.quit_confirmed();
}
