//! The run screen at every size: every pane of every scenario inside the
//! screen and apart from the others at 60×20, 80×24, 120×40 and 200×60,
//! in the normal layout, with each pane full screen (`f`) and with panes
//! hidden; the compact layout below 80×24; `hide` / `show` from the prompt
//! and from a lecture script, restored by `b`; the picker scrolled to its
//! end on small screens.

mod common;

use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use distlab::algos;
use distlab::tui::layout::{FULL_CYCLE, Pane, Panes, Shown};
use distlab::tui::{App, Start};
use ratatui::layout::Rect;

const SIZES: [(u16, u16); 4] = [(60, 20), (80, 24), (120, 40), (200, 60)];

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

/// Every pane inside the screen, and no two overlapping.
fn check(p: &Panes, w: u16, h: u16, what: &str) {
    let all = p.all();
    for (i, a) in all.iter().enumerate() {
        if a.is_empty() {
            continue;
        }
        assert!(a.right() <= w && a.bottom() <= h, "{what} at {w}x{h}: {a:?} leaves the screen");
        for b in &all[i + 1..] {
            assert!(!a.intersects(*b), "{what} at {w}x{h}: {a:?} overlaps {b:?}");
        }
    }
}

/// The views a lecturer can pick: normal, each pane full screen, and
/// the in-flight list and log hidden.
fn views() -> Vec<(String, Shown)> {
    let mut out = vec![("normal".to_string(), Shown::default())];
    for p in FULL_CYCLE {
        out.push((format!("{} full screen", p.name()), Shown { hidden: 0, full: Some(p) }));
    }
    let mut hidden = Shown::default();
    hidden.set(Pane::Inflight, false);
    hidden.set(Pane::Log, false);
    out.push(("inflight and log hidden".to_string(), hidden));
    out
}

#[test]
fn every_pane_of_every_scenario_fits_at_every_size() {
    for e in algos::all() {
        let name = e.card.name;
        let mut app = block_on(tui_app(config(name, e.card.nodes.default, 1, &[]), &["step 6"]));
        for (w, h) in SIZES {
            app.on_resize(w, h);
            for (what, shown) in views() {
                app.shown = shown;
                let p = app.panes().unwrap_or_else(|| panic!("{name} at {w}x{h}: no panes"));
                check(&p, w, h, &format!("{name}, {what}"));
                let text = screen(&app, w, h);
                assert!(text.lines().next().unwrap().contains(name), "{name} {what} {w}x{h}: header\n{text}");
                // The scenario's action key is always on the key bar (cut
                // with … only when even the kept keys do not fit).
                let bar = text.lines().last().unwrap();
                let action: String = e.card.action.chars().take(8).collect();
                assert!(bar.contains(&format!("r  {action}")), "{name} {what} {w}x{h}: key bar {bar:?}");
                if w >= 80 && h >= 24 {
                    assert!(bar.contains(e.card.action), "{name} {what} {w}x{h}: key bar {bar:?}");
                }
                if let Some(full) = shown.full {
                    let r = match full {
                        Pane::Topology => p.topology,
                        Pane::Inspector => p.inspector,
                        _ => p.spacetime,
                    };
                    assert_eq!((r.width, r.height), (w, h - 3 - p.narration.height), "{name} {what} {w}x{h}");
                }
            }
        }
    }
}

#[test]
fn the_compact_layout_60x20() {
    let app = block_on(tui_app(config(RA, 5, 1, &[]), &["request 1", "request 3", "step 9", "select 1"]));
    let text = screen(&app, 60, 20);
    insta::assert_snapshot!("compact_60x20", text);
    assert!(text.contains("topology") && text.contains("log"));
    assert!(!text.contains("in flight 6 ·") && !text.contains("space-time"), "only topology and log:\n{text}");
}

#[test]
fn f_cycles_one_pane_full_screen_and_back() {
    let mut app = block_on(tui_app(config(RA, 5, 1, &[]), &["request 1", "request 3", "step 9", "select 1"]));
    app.on_resize(80, 24);
    let normal = screen(&app, 80, 24);
    let mut seen = Vec::new();
    for want in ["diagram", "topology", "inspector"] {
        block_on(app.on_key(key('f')));
        let p = app.panes().unwrap();
        let text = screen(&app, 80, 24);
        assert!(app.status.as_ref().unwrap().text.starts_with(&format!("full screen: {want}")), "{:?}", app.status);
        let body = match want {
            "diagram" => p.spacetime,
            "topology" => p.topology,
            _ => p.inspector,
        };
        assert_eq!((body.width, body.height), (80, 21), "{want}: header, status and key bar stay");
        let others = [p.topology, p.spacetime, p.inspector, p.inflight, p.log, p.side];
        assert_eq!(others.iter().filter(|r| !r.is_empty()).count(), 1, "{want} alone");
        seen.push(text);
    }
    insta::assert_snapshot!("full_screen_diagram_80x24", seen[0]);
    assert!(seen[0].contains("space-time") && !seen[0].contains("topology ·"), "{}", seen[0]);
    block_on(app.on_key(key('f')));
    assert_eq!(app.shown, Shown::default());
    assert_eq!(screen(&app, 80, 24).lines().nth(1), normal.lines().nth(1), "back to the normal layout");
}

#[test]
fn hide_and_show_from_the_prompt() {
    let mut app = block_on(tui_app(config(RA, 5, 1, &[]), &["request 1", "step 2"]));
    app.on_resize(120, 40);
    block_on(app.exec("hide inflight log")).unwrap();
    assert_eq!(app.shown.hidden_names(), ["inflight", "log"]);
    let text = screen(&app, 120, 40);
    assert!(!text.contains("┌in flight") && !text.contains("┌log"), "{text}");
    let p = app.panes().unwrap();
    assert_eq!(p.inspector.width, 120, "the inspector takes the row");
    // Bad names and a bare verb change nothing and say why.
    for bad in ["hide inflight logs", "hide", "show all topology"] {
        let err = block_on(app.exec(bad)).unwrap_err();
        assert!(err.contains("the panes are topology diagram side inspector inflight log narration"), "{bad}: {err}");
        assert_eq!(app.shown.hidden_names(), ["inflight", "log"]);
    }
    block_on(app.on_key(key('f')));
    block_on(app.exec("show all")).unwrap();
    assert_eq!(app.shown, Shown::default(), "show all also ends full screen");
}

const SCRIPT: &str = "request 1
step 3
hide inflight log
say \"fewer panes\"
pause
step 2
show log
pause
step 1
";

#[test]
fn a_script_hides_panes_and_b_restores_them() {
    let cfg = config(RA, 4, 1, &[]);
    let mut app =
        block_on(App::new(Start { config: Some(cfg), script: Some(SCRIPT.into()), ..Default::default() })).unwrap();
    app.on_resize(80, 24);
    assert_eq!(app.shown.hidden_names(), ["inflight", "log"], "at the first pause");
    let text = screen(&app, 80, 24);
    assert!(text.contains("fewer panes") && !text.contains("┌in flight"), "{text}");
    block_on(app.on_key(key('n')));
    assert_eq!(app.shown.hidden_names(), ["inflight"], "show log ran");
    // b: back one step, into `step 2`, before `show log`.
    block_on(app.on_key(key('b')));
    assert_eq!(app.shown.hidden_names(), ["inflight", "log"], "b restores the panes of that step");
    // The lecturer's own choice stands until the script moves on.
    block_on(app.exec("show all")).unwrap();
    assert_eq!(app.shown.hidden_names(), Vec::<&str>::new());
    block_on(app.on_key(key('n')));
    assert_eq!(app.shown.hidden_names(), ["inflight"]);
    // B: back to the previous pause, before `hide` ran... and after it.
    block_on(app.on_key(key('B')));
    assert_eq!(app.shown.hidden_names(), ["inflight", "log"]);
    // Headless, the lines are checked and left out.
    let sc = open(config(RA, 4, 1, &[]));
    let inputs = distlab::script::parse_script(SCRIPT, sc.as_ref()).unwrap();
    assert!(inputs.iter().all(|(_, i)| !i.to_string().starts_with("hide")));
    assert!(distlab::script::parse_script("hide logs", sc.as_ref()).is_err());
}

#[test]
fn the_picker_scrolled_to_its_end_on_small_screens() {
    let all = algos::all();
    let last = all.last().unwrap().card;
    for (w, h) in [(60, 20), (80, 24)] {
        let mut app = block_on(App::new(Start::default())).unwrap();
        app.on_resize(w, h);
        for _ in 1..all.len() {
            block_on(app.on_key(key('j')));
        }
        let text = screen(&app, w, h);
        assert!(text.contains(&format!("▸ {} ", last.name)), "{w}x{h}: the highlighted entry is visible:\n{text}");
        assert!(text.contains(last.title), "{w}x{h}: its card:\n{text}");
        assert!(text.contains(&format!("{}/{}", all.len(), all.len())), "{w}x{h}: the position:\n{text}");
        insta::assert_snapshot!(format!("picker_end_{w}x{h}"), text);
        block_on(app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        assert_eq!(app.scenario.as_deref().map(|s| s.card().name), Some(last.name), "{w}x{h}: Enter opens it");
    }
}

#[test]
fn panes_are_the_same_for_drawing_and_clicks() {
    // The app's hit-test panes and the layout function agree.
    let mut app = block_on(tui_app(config("chat", 4, 1, &[]), &["step 4"]));
    for (w, h) in SIZES {
        app.on_resize(w, h);
        let p = app.panes().unwrap();
        let sc = app.scenario.as_deref().unwrap();
        let side = distlab::tui::view::Side::of(sc);
        let q = distlab::tui::layout::run_panes(Rect::new(0, 0, w, h), sc, None, &side, &app.shown).unwrap();
        assert_eq!(p, q);
    }
}
