//! A lecture script's position is part of the run's state: stepping back
//! inside a script, or back to its previous pause, restores the line, the
//! narration and the pause the class saw, and `n` carries on as it did.

mod common;

use common::block_on;
use distlab::engine::record::EventRec;
use distlab::tui::{App, Start};

/// What the class sees of a lecture: the step, the history, the narration,
/// the script's next line and whether it waits, the failed expectations.
#[derive(Debug, PartialEq)]
struct Seen {
    step: u64,
    history: Vec<EventRec>,
    narration: Option<String>,
    next_line: Option<usize>,
    waiting: bool,
    failed: usize,
}

fn seen(app: &App) -> Seen {
    let sc = app.scenario.as_deref().expect("a run is open");
    let lec = app.lecture.as_ref().expect("a script is running");
    Seen {
        step: sc.step(),
        history: sc.history().to_vec(),
        narration: sc.narration().map(str::to_string),
        next_line: lec.next_line(),
        waiting: lec.waiting,
        failed: sc.failed_expectations().len(),
    }
}

/// The ricart-agrawala lecture, opened as its header says.
fn ricart_agrawala() -> App {
    let script = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/ricart-agrawala.dl")).unwrap();
    let config = common::config("ricart-agrawala", 5, 1, &[("cs", "0")]);
    block_on(App::new(Start { config: Some(config), script: Some(script), replay: None, ..Default::default() }))
        .unwrap()
}

fn exec(app: &mut App, line: &str) {
    block_on(app.exec(line)).unwrap_or_else(|e| panic!("{line}: {e}"));
}

/// `n`, then the play ticks of an animated `run` until the script waits.
fn next(app: &mut App) {
    exec(app, "next");
    let mut ticks = 0;
    while app.lecture.as_ref().is_some_and(|l| l.animating()) {
        block_on(app.tick());
        ticks += 1;
        assert!(ticks < 100_000, "an animated run ends");
    }
}

#[test]
fn stepping_back_inside_a_script_and_on_replays_what_the_class_saw() {
    // The reproduction: n n n, b ×12, n used to fail
    // `expect role 1 wanting: got idle` (the script stayed on its line).
    let mut reference = ricart_agrawala();
    let mut app = ricart_agrawala();
    let mut at_pause = Vec::new();
    for _ in 0..3 {
        next(&mut reference);
        next(&mut app);
        at_pause.push(seen(&app));
    }
    for k in 1..=12 {
        exec(&mut app, "back");
        let s = seen(&app);
        assert!(s.waiting, "back {k}: the script waits for n");
        assert!(s.step < at_pause[2].step, "back {k}: every b undoes a step");
        // Back at the step of the second pause: exactly what the class saw
        // there (the lines said after it are undone with the step).
        if s.step == at_pause[1].step {
            assert_eq!(s, at_pause[1], "back {k}");
        }
        // Further back, inside the second section: its narration, and the
        // script waits before a line of that section.
        if s.step < at_pause[1].step {
            assert!(s.next_line > at_pause[0].next_line && s.next_line <= at_pause[1].next_line, "back {k}: {s:?}");
        }
    }
    let back = seen(&app);
    assert_eq!(back.step, at_pause[2].step - 12, "one step per b");
    // n runs on from there: to the very pause it reached the first time.
    while seen(&app).step < at_pause[2].step || seen(&app).next_line != at_pause[2].next_line {
        next(&mut app);
    }
    assert_eq!(seen(&app), at_pause[2]);
    next(&mut reference);
    next(&mut app);
    assert_eq!(seen(&app), seen(&reference), "the fourth section as it was");
    assert_eq!(seen(&app).failed, 0);
}

#[test]
fn back_to_the_previous_pause_shows_a_section_again() {
    let mut app = ricart_agrawala();
    let first = seen(&app);
    next(&mut app);
    let second = seen(&app);
    next(&mut app);
    let third = seen(&app);
    assert!(third.step > second.step && second.step > first.step, "{first:?} {second:?} {third:?}");
    // At a pause, back to the one before; in the middle of a section (the
    // lecturer stepped on by hand), back to the pause that began it.
    exec(&mut app, "back pause");
    assert_eq!(seen(&app), second);
    // (The run is quiescent at this pause, so a bare `step` would record
    // nothing: the lecturer asks, then steps.)
    exec(&mut app, "request 0");
    exec(&mut app, "step");
    exec(&mut app, "back pause");
    assert_eq!(seen(&app), second, "the lecturer's own steps are undone");
    next(&mut app);
    assert_eq!(seen(&app), third, "the section plays again exactly");
    exec(&mut app, "back pause");
    exec(&mut app, "back pause");
    assert_eq!(seen(&app), first);
    let e = block_on(app.exec("back pause")).unwrap_err();
    assert_eq!(e, "the script has no earlier pause");
}

#[test]
fn after_the_script_has_ended_back_and_next_work_the_same_way() {
    let mut reference = ricart_agrawala();
    while !reference.lecture.as_ref().unwrap().finished() {
        next(&mut reference);
    }
    let end = seen(&reference);
    assert_eq!(end.failed, 0, "the lecture passes");
    let mut app = ricart_agrawala();
    while !app.lecture.as_ref().unwrap().finished() {
        next(&mut app);
    }
    for _ in 0..5 {
        exec(&mut app, "back");
    }
    assert!(seen(&app).waiting, "rewound into the script: n carries on");
    while !app.lecture.as_ref().unwrap().finished() {
        next(&mut app);
    }
    assert_eq!(seen(&app), end);
}

/// Play a run to its end or its stop; the steps it made.
fn play(app: &mut App) -> u64 {
    exec(app, "play");
    for _ in 0..10_000 {
        if !app.playing() {
            break;
        }
        block_on(app.tick());
    }
    app.scenario.as_deref().unwrap().step()
}

#[test]
fn play_stops_at_the_step_of_a_new_violation_unless_told_not_to() {
    // The run: no-defer, nodes 0 and 1 request, play. The violation
    // appears at step 18; play used to run on to step 20.
    let open = || {
        let config = common::config("ricart-agrawala", 5, 1, &[("variant", "no-defer")]);
        let mut app =
            block_on(App::new(Start { config: Some(config), script: None, replay: None, ..Default::default() }))
                .unwrap();
        exec(&mut app, "request 0");
        exec(&mut app, "request 1");
        exec(&mut app, "speed 1000");
        app
    };
    let mut app = open();
    let stopped = play(&mut app);
    let sc = app.scenario.as_deref().unwrap();
    let first = &sc.violations()[0];
    assert_eq!((first.property.as_str(), first.step), ("mutual-exclusion", 18));
    assert_eq!(stopped, 18, "play stops at the violating step, even many steps per tick");
    assert_eq!(sc.violation_count(), 1);
    let status = app.status.as_ref().unwrap().text.clone();
    assert_eq!(status, "stop at step 18: new violation: mutual-exclusion (`halt off` plays on)");
    // The input log says what was done: a replay reaches the same step.
    let replayed = common::replay_inputs(sc);
    assert_eq!(replayed.history(), sc.history());
    // Play again: on to the next violation or the end.
    assert!(play(&mut app) > 18);
    // `halt off`: play runs past it.
    let mut app = open();
    exec(&mut app, "halt off");
    assert!(play(&mut app) > 18, "{:?}", app.status);
}

/// The ricart-agrawala lecture with its `run` lines played at once.
fn ricart_agrawala_instant() -> App {
    let script = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/ricart-agrawala.dl")).unwrap();
    let config = common::config("ricart-agrawala", 5, 1, &[("cs", "0")]);
    let mut app =
        block_on(App::new(Start { config: Some(config), script: None, replay: None, ..Default::default() })).unwrap();
    app.animate_scripts = false;
    block_on(app.start_script(script));
    app
}

#[test]
fn a_scripts_run_plays_at_the_play_speed_and_n_finishes_it() {
    // Second section: `request 2`, then `run` (8 messages). Animated, `n`
    // stops at the run with the REQUESTs in flight; each tick delivers the
    // tick's steps (2 per second: one step a tick).
    let mut app = ricart_agrawala();
    exec(&mut app, "next");
    let lec = app.lecture.as_ref().unwrap();
    assert!(lec.animating() && !lec.waiting, "the run plays");
    assert!(app.playing(), "play ticks run while a script's run plays");
    let sc = app.scenario.as_deref().unwrap();
    let (start, in_flight) = (sc.step(), sc.in_flight(0).1);
    assert_eq!(in_flight, 4, "the four REQUESTs");
    block_on(app.tick());
    assert_eq!(app.scenario.as_deref().unwrap().step(), start + app.steps_per_tick());
    assert!(app.lecture.as_ref().unwrap().animating());
    // `n` finishes the run at once and the script goes on to its pause,
    // exactly where the instant script stops.
    exec(&mut app, "next");
    let mut instant = ricart_agrawala_instant();
    exec(&mut instant, "next");
    assert!(!app.lecture.as_ref().unwrap().animating());
    assert_eq!(seen(&app), seen(&instant));
    assert!(seen(&app).waiting && seen(&app).failed == 0);
}

#[test]
fn an_animated_lecture_ends_where_an_instant_one_does_and_steps_back_into_its_runs() {
    let mut animated = ricart_agrawala();
    let mut instant = ricart_agrawala_instant();
    let mut pauses = 0;
    while !instant.lecture.as_ref().unwrap().finished() {
        next(&mut animated);
        exec(&mut instant, "next");
        assert_eq!(seen(&animated), seen(&instant), "pause {pauses}");
        pauses += 1;
        // One step back into the section's run, and on again.
        if seen(&animated).step > 0 && !animated.lecture.as_ref().unwrap().finished() {
            exec(&mut animated, "back");
            next(&mut animated);
            assert_eq!(seen(&animated), seen(&instant), "back and n at pause {pauses}");
        }
    }
    assert!(animated.lecture.as_ref().unwrap().finished());
    assert_eq!(seen(&animated).failed, 0);
}

#[test]
fn each_say_is_a_paragraph_and_a_long_narration_scrolls_with_a_more_mark() {
    let config = common::config("ricart-agrawala", 3, 1, &[]);
    let mut app =
        block_on(App::new(Start { config: Some(config), script: None, replay: None, ..Default::default() })).unwrap();
    let says: Vec<String> =
        (1..=12).map(|k| format!("say \"Paragraph {k} of the narration, long enough to fill a row.\"")).collect();
    block_on(app.start_script(format!("{}\npause\n", says.join("\n"))));
    let narration = app.scenario.as_deref().unwrap().narration().unwrap().to_string();
    assert_eq!(narration.lines().count(), 12, "one paragraph per say");
    let screen = common::screen(&app, 80, 24);
    let rows: Vec<&str> = screen.lines().collect();
    // A third of the screen, each paragraph on a row of its own, and a mark.
    let shown: Vec<&&str> = rows.iter().filter(|r| r.contains("Paragraph") && !r.contains('│')).collect();
    assert_eq!(shown.len(), 7, "{screen}");
    assert!(shown[0].contains("❝ Paragraph 1 "), "{screen}");
    assert!(shown[1].trim_start().starts_with("Paragraph 2 "), "{screen}");
    assert!(screen.contains("▼ 5 more rows · PgDn"), "{screen}");
    // PgDn scrolls to the end; nothing was cut on the way.
    app.on_resize(80, 24);
    block_on(app.perform(distlab::tui::keymap::Action::NarrationDown));
    let screen = common::screen(&app, 80, 24);
    assert!(screen.contains("Paragraph 12 of the narration, long enough to fill a row. ❞"), "{screen}");
    // (The inspector's own `▼ N more · }` mark may show.)
    assert!(screen.contains("▲ 5 rows above · PgUp") && !screen.contains("more rows"), "{screen}");
    block_on(app.perform(distlab::tui::keymap::Action::NarrationUp));
    assert!(common::screen(&app, 80, 24).contains("▼ 5 more rows"), "back at the top");
    // Every paragraph is readable in full at some scroll position.
    for k in 1..=12 {
        let whole = format!("Paragraph {k} of the narration, long enough to fill a row.");
        assert!(narration.contains(&whole));
    }
}
