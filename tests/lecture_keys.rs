//! Every lecture script built into distlab plays through the TUI's own key
//! path, as a lecturer would play it: `n` to each pause (the script's `run`
//! lines animated by play ticks), and at every pause one step back with `b`
//! and `n` again, which must land on exactly what the class saw. Every
//! `expect` holds all the way (a broken variant's script expects its
//! violation, so it passes too).

mod common;

use common::block_on;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use distlab::tui::{App, Start};

fn press(app: &mut App, c: char) {
    block_on(app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
}

/// The play ticks of an animated `run` until the script waits again.
fn settle(app: &mut App) {
    let mut ticks = 0;
    while app.lecture.as_ref().is_some_and(|l| l.animating()) {
        block_on(app.tick());
        ticks += 1;
        assert!(ticks < 1_000_000, "an animated run ends");
    }
}

/// What the class sees at a pause.
fn seen(app: &App) -> (u64, usize, Option<String>, Option<usize>, bool) {
    let sc = app.scenario.as_deref().unwrap();
    let lec = app.lecture.as_ref().unwrap();
    (sc.step(), sc.history().len(), sc.narration().map(str::to_string), lec.next_line(), lec.waiting)
}

#[test]
fn every_lecture_plays_by_keys_with_a_step_back_at_every_pause() {
    let lectures = distlab::lectures::all();
    assert!(lectures.len() >= 34, "{} lectures", lectures.len());
    for l in lectures {
        let config = l.config().unwrap_or_else(|e| panic!("{}: {e}", l.file));
        let start =
            Start { config: Some(config), script: Some(l.text.to_string()), replay: None, ..Default::default() };
        let mut app = block_on(App::new(start)).unwrap_or_else(|e| panic!("{}: {e}", l.file));
        app.speed = distlab::tui::app::SPEEDS.len() - 1;
        settle(&mut app);
        let mut pauses = 0;
        while !app.lecture.as_ref().unwrap().finished() {
            let lec = app.lecture.as_ref().unwrap();
            assert!(lec.error.is_none(), "{}: {:?}", l.file, lec.error);
            assert!(lec.waiting, "{}: waits for n", l.file);
            let here = seen(&app);
            if here.0 > 0 {
                press(&mut app, 'b');
                assert!(app.scenario.as_deref().unwrap().step() < here.0, "{}: b steps back", l.file);
                press(&mut app, 'n');
                settle(&mut app);
                // A step back inside a section may stop at an earlier pause
                // of the same step; n again reaches the pause it left.
                while seen(&app) != here && app.lecture.as_ref().unwrap().waiting {
                    assert!(seen(&app).0 <= here.0, "{}: n went past the pause at line {:?}", l.file, here.3);
                    press(&mut app, 'n');
                    settle(&mut app);
                }
                assert_eq!(seen(&app), here, "{}: b then n at pause {pauses}", l.file);
            }
            press(&mut app, 'n');
            settle(&mut app);
            pauses += 1;
        }
        let sc = app.scenario.as_deref().unwrap();
        assert!(app.lecture.as_ref().unwrap().error.is_none(), "{}", l.file);
        assert_eq!(sc.failed_expectations().len(), 0, "{}: {:?}", l.file, sc.failed_expectations());
        assert!(pauses >= 1, "{}", l.file);
    }
}
