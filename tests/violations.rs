//! A violation explains itself: `w` (or a click on the badge) lists every
//! violation and status in full, with the property's definition, the step,
//! the nodes and messages involved; `Enter` goes back to the chosen
//! violation's step. `Esc` leaves a run for the picker, asking first when
//! the run has inputs.

mod common;

use common::{block_on, screen};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use distlab::tui::app::OverlayKind;
use distlab::tui::{App, Start};

fn press(app: &mut App, code: KeyCode) {
    block_on(app.on_key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn open(scenario: &str, n: usize, params: &[(&str, &str)]) -> App {
    let config = common::config(scenario, n, 1, params);
    let mut app =
        block_on(App::new(Start { config: Some(config), script: None, replay: None, ..Default::default() })).unwrap();
    app.on_resize(100, 30);
    app
}

fn exec(app: &mut App, line: &str) {
    block_on(app.exec(line)).unwrap_or_else(|e| panic!("{line}: {e}"));
}

/// no-defer: nodes 0 and 1 request, the run goes on past the violation.
fn broken_run() -> App {
    let mut app = open("ricart-agrawala", 5, &[("variant", "no-defer")]);
    exec(&mut app, "request 0");
    exec(&mut app, "request 1");
    exec(&mut app, "run");
    app
}

#[test]
fn w_lists_every_violation_with_its_definition_step_and_nodes() {
    let mut app = broken_run();
    let sc = app.scenario.as_deref().unwrap();
    let v = sc.violations()[0].clone();
    assert_eq!(v.property, "mutual-exclusion");
    press(&mut app, KeyCode::Char('w'));
    assert!(matches!(app.overlay.map(|o| o.kind), Some(OverlayKind::Violations)));
    let text = screen(&app, 100, 30);
    let definition = app.scenario.as_deref().unwrap().card().property("mutual-exclusion").unwrap().definition;
    assert!(text.contains(&format!("1. mutual-exclusion (safety) at step {}", v.step)), "{text}");
    assert!(text.contains(&format!("what must hold: {definition}")), "{text}");
    assert!(text.contains(&format!("what happened: {}", v.detail)), "{text}");
    assert!(text.contains("involved: nodes 0, 1"), "{text}");
    assert!(text.contains(&format!("Enter: go back to step {}", v.step)), "{text}");
    press(&mut app, KeyCode::Char('q'));
    assert!(app.overlay.is_none(), "q closes the overlay, it does not quit");
    assert!(!app.should_quit());
}

#[test]
fn enter_goes_back_to_the_violations_step_after_a_confirmation() {
    let mut app = broken_run();
    let (end, step) = {
        let sc = app.scenario.as_deref().unwrap();
        (sc.step(), sc.violations()[0].step)
    };
    assert!(end > step, "the run went on past the violation ({end} > {step})");
    press(&mut app, KeyCode::Char('w'));
    press(&mut app, KeyCode::Enter);
    let asked = app.asking.as_ref().map(|c| c.question.clone()).unwrap_or_default();
    assert!(asked.contains(&format!("go back to step {step}?")), "{asked}");
    // Any other key cancels: nothing changes.
    press(&mut app, KeyCode::Char('x'));
    assert_eq!(app.scenario.as_deref().unwrap().step(), end);
    assert!(app.overlay.is_none(), "the question closed the list (it covers the status line)");
    press(&mut app, KeyCode::Char('w'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('y'));
    let sc = app.scenario.as_deref().unwrap();
    assert_eq!(sc.step(), step, "at the step where it broke");
    assert_eq!(sc.violations()[0].step, step, "the violation is on screen at its step");
    assert!(app.overlay.is_none());
    // The rewound log replays to the same history.
    let replayed = common::replay_inputs(sc);
    assert_eq!(replayed.history(), sc.history());
}

#[test]
fn a_click_on_the_badge_opens_the_list_and_statuses_are_explained() {
    // Classic Ricart–Agrawala with one REQUEST dropped: a yellow status.
    let mut app = open("ricart-agrawala", 3, &[]);
    exec(&mut app, "request 1");
    let id = app.scenario.as_deref().unwrap().in_flight(1).0[0].id;
    exec(&mut app, &format!("drop {id}"));
    exec(&mut app, "run");
    let sc = app.scenario.as_deref().unwrap();
    assert!(sc.violations().is_empty());
    assert!(sc.statuses().iter().any(|s| s.starts_with("stuck: ")), "{:?}", sc.statuses());
    let header = app.panes().unwrap().header;
    let badge = distlab::tui::header::badge_area(sc, header);
    block_on(app.on_mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: badge.x + 1,
        row: badge.y,
        modifiers: KeyModifiers::NONE,
    }));
    assert!(matches!(app.overlay.map(|o| o.kind), Some(OverlayKind::Violations)));
    let text = screen(&app, 100, 30);
    assert!(text.contains("Statuses: not broken, but worth knowing"), "{text}");
    assert!(text.contains(&format!("#{id}")), "the lost message is named: {text}");
}

#[test]
fn esc_goes_back_to_the_picker_asking_first_when_the_run_has_inputs() {
    let mut app = open("suzuki-kasami", 4, &[]);
    press(&mut app, KeyCode::Esc);
    assert!(app.scenario.is_none(), "no inputs: straight back");
    let picked = distlab::algos::all()[app.picker].card.name;
    assert_eq!(picked, "suzuki-kasami", "the picker highlights the run's scenario");
    press(&mut app, KeyCode::Enter);
    exec(&mut app, "request 1");
    press(&mut app, KeyCode::Esc);
    assert!(app.scenario.is_some() && app.asking.is_some(), "a run with inputs asks");
    press(&mut app, KeyCode::Char('n'));
    assert!(app.scenario.is_some(), "any other key keeps the run");
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('y'));
    assert!(app.scenario.is_none() && app.lecture.is_none());
}
