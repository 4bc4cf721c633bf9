//! Every pane in every theme at every lecture size: for three scenarios
//! and the picker (scrolled to its end), the screen's text at 60×20,
//! 80×24, 120×40 and 200×60, and at 60×20 and 80×24 a map of what each
//! drawn cell is coloured as in each theme (a letter per colour of the
//! theme's table, listed under the map; a chip, text on a coloured
//! background, as its background's letter in upper case; in mono, `R`
//! reversed, `B` bold).
//! Review the maps by eye: titles and the selection are the accent, step
//! numbers dim, violations bad, lanes and edges faint, and so on.

use distlab::engine::actor::DriverKind;
use distlab::engine::sim::SimConfig;
use distlab::engine::trace::RunConfig;
use distlab::tui::theme::{ALL_THEMES, Theme};
use distlab::tui::{App, Start, buffer_text, render_to_buffer};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::fmt::Write;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

const SIZES: [(u16, u16); 4] = [(60, 20), (80, 24), (120, 40), (200, 60)];
const MAPPED: [(u16, u16); 2] = [(60, 20), (80, 24)];

/// The theme's colours with a letter each (the first field that has it).
fn letters(th: &Theme) -> Vec<(char, String, Color)> {
    let mut named: Vec<(String, Color)> =
        vec![("bg".into(), th.bg), ("panel".into(), th.panel), ("greyed_key".into(), th.greyed_key)];
    named.extend(th.foregrounds().into_iter().map(|(n, c)| (n.to_string(), c)));
    let mut out: Vec<(char, String, Color)> = Vec::new();
    let mut next = "abcdefghijklmnopqrstuvwxyz0123456789".chars();
    for (name, c) in named {
        if let Some(e) = out.iter_mut().find(|e| e.2 == c) {
            if !e.1.split(' ').any(|n| n == name) {
                e.1.push(' ');
                e.1.push_str(&name);
            }
        } else {
            out.push((next.next().expect("enough letters"), name, c));
        }
    }
    out
}

/// Each drawn cell's foreground as its letter (`?` a colour outside the
/// theme); blank cells as spaces. In mono: `R` reversed, `B` bold, `·`
/// plain.
fn colour_map(buf: &Buffer, th: &Theme) -> String {
    let table = letters(th);
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let cell = &buf[(x, y)];
            let blank = cell.symbol().trim().is_empty();
            let ch = if th.is_mono() {
                match (blank, cell.modifier) {
                    (_, m) if m.contains(Modifier::REVERSED) => 'R',
                    (true, _) => ' ',
                    (false, m) if m.contains(Modifier::BOLD) => 'B',
                    _ => '·',
                }
            } else {
                let (mut fg, mut bg) = (cell.fg, cell.bg);
                if cell.modifier.contains(Modifier::REVERSED) {
                    std::mem::swap(&mut fg, &mut bg);
                }
                let letter = |c: Color| table.iter().find(|e| e.2 == c).map_or('?', |e| e.0);
                if th.backgrounds().iter().all(|(_, b)| *b != bg) {
                    // A chip: its background's letter, in upper case.
                    letter(bg).to_ascii_uppercase()
                } else if blank {
                    ' '
                } else {
                    letter(fg)
                }
            };
            out.push(ch);
        }
        out.push('\n');
    }
    if !th.is_mono() {
        let used: Vec<_> = table
            .iter()
            .filter(|e| out.contains(e.0) || out.contains(e.0.to_ascii_uppercase()))
            .map(|e| format!("{}={}", e.0, e.1))
            .collect();
        let _ = writeln!(out, "{}", used.join(", "));
    }
    out
}

fn config(scenario: &str, n: usize, params: &[(&str, &str)]) -> RunConfig {
    let mut sim = SimConfig::new(n, 1);
    sim.driver = DriverKind::Inline;
    RunConfig {
        scenario: scenario.into(),
        params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        sim,
    }
}

async fn open(config: Option<RunConfig>, lines: &[&str]) -> App {
    let mut app = App::new(Start { config, ..Default::default() }).await.unwrap();
    for l in lines {
        app.exec(l).await.unwrap_or_else(|e| panic!("{l}: {e}"));
    }
    app
}

/// Text at every size, colour maps at the small sizes, in every theme.
fn snap(name: &str, app: &mut App) {
    for (w, h) in SIZES {
        let mut out = String::new();
        for th in ALL_THEMES {
            app.theme = th;
            let buf = render_to_buffer(app, w, h);
            let text = buffer_text(&buf);
            if th.name == "dark" || th.is_mono() {
                let _ = writeln!(out, "── text, {} ──\n{text}", th.name);
            }
            if MAPPED.contains(&(w, h)) {
                let _ = writeln!(out, "── colours, {} ──\n{}", th.name, colour_map(&buf, th));
            }
        }
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), out);
    }
    app.theme = &distlab::tui::theme::DARK;
}

/// Ricart–Agrawala, node 3 crashed after a delivery, a link cut, the
/// broken no-defer variant's violation in the header, a long `hb` answer
/// in the log.
#[test]
fn ricart_agrawala_in_every_theme() {
    block_on(async {
        let mut app = open(
            Some(config("ricart-agrawala", 4, &[("variant", "no-defer"), ("cs", "0")])),
            &["request 0", "request 1", "step 4", "crash 3", "cut 0 1", "run", "hb e0 e5", "select 1"],
        )
        .await;
        snap("ricart_agrawala", &mut app);
    });
}

/// Berkeley: the clock-offset chart's series and the master's inspector.
#[test]
fn berkeley_in_every_theme() {
    block_on(async {
        let mut app = open(Some(config("berkeley", 4, &[])), &["run 60", "select 0"]).await;
        snap("berkeley", &mut app);
    });
}

/// Chat rooms: the clients' screens with JSON replies.
#[test]
fn chat_rooms_in_every_theme() {
    block_on(async {
        let mut app = open(Some(config("chat-rooms", 4, &[])), &["run 40", "select 2"]).await;
        snap("chat_rooms", &mut app);
    });
}

/// The picker scrolled to its last scenario.
#[test]
fn picker_at_its_end_in_every_theme() {
    block_on(async {
        let mut app = open(None, &[]).await;
        app.on_key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::End)).await;
        snap("picker_end", &mut app);
    });
}
