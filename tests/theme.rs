//! Every theme is readable from the back row: each text and mark has a
//! WCAG 2 contrast ratio of at least 4.5:1 against the background it is
//! drawn on. Checked twice: on each theme's colour table (every text
//! colour against every background, every chip's text against the chip),
//! and on rendered screens (every drawn cell of the picker, help and
//! several scenarios at several sizes), so no pane escapes the table.

use distlab::engine::actor::DriverKind;
use distlab::engine::sim::SimConfig;
use distlab::engine::trace::RunConfig;
use distlab::tui::theme::{ALL_THEMES, Theme, contrast};
use distlab::tui::{App, Start, render_to_buffer};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

const MIN: f64 = 4.5;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

fn coloured() -> impl Iterator<Item = &'static Theme> {
    ALL_THEMES.iter().copied().filter(|t| !t.is_mono())
}

#[test]
fn every_table_colour_reads_on_every_background() {
    let mut bad = Vec::new();
    for th in coloured() {
        for (bg_name, bg) in th.backgrounds() {
            for (fg_name, fg) in th.foregrounds() {
                let r = contrast(fg, bg).expect("theme colours are RGB");
                if r < MIN {
                    bad.push(format!("{}: {fg_name} {fg:?} on {bg_name} {bg:?} is {r:.2}:1", th.name));
                }
            }
        }
        for (name, fg, bg) in th.chips() {
            let r = contrast(fg, bg).expect("theme colours are RGB");
            if r < MIN {
                bad.push(format!("{}: text on the {name} chip is {r:.2}:1", th.name));
            }
        }
    }
    assert!(bad.is_empty(), "below {MIN}:1:\n{}", bad.join("\n"));
}

#[test]
fn the_formula_is_wcags() {
    assert!((contrast(Color::Rgb(0, 0, 0), Color::Rgb(255, 255, 255)).unwrap() - 21.0).abs() < 1e-9);
    assert!((contrast(Color::Rgb(0x77, 0x77, 0x77), Color::Rgb(255, 255, 255)).unwrap() - 4.48).abs() < 0.01);
    assert_eq!(contrast(Color::Red, Color::Black), None);
}

#[test]
fn themes_differ_and_mono_has_no_colour() {
    let names: Vec<_> = ALL_THEMES.iter().map(|t| t.name).collect();
    assert_eq!(names, ["dark", "light", "high-contrast", "mono"]);
    assert_ne!(ALL_THEMES[0].bg, ALL_THEMES[1].bg);
    assert!(ALL_THEMES[3].foregrounds().iter().all(|(_, c)| *c == Color::Reset));
}

/// Every drawn (non-blank) cell of `buf`: its colours are the theme's
/// (never the terminal's default) and read at 4.5:1.
fn check(buf: &Buffer, what: &str, bad: &mut Vec<String>) {
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let cell = &buf[(x, y)];
            let (mut fg, mut bg) = (cell.fg, cell.bg);
            if cell.modifier.contains(Modifier::REVERSED) {
                std::mem::swap(&mut fg, &mut bg);
            }
            if cell.symbol().trim().is_empty() || bad.len() > 20 {
                continue;
            }
            match contrast(fg, bg) {
                Some(r) if r >= MIN => {}
                r => bad.push(format!("{what} ({x},{y}) {:?}: {fg:?} on {bg:?} = {r:.2?}", cell.symbol())),
            }
        }
    }
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

async fn app(config: Option<RunConfig>, th: &'static Theme, lines: &[&str]) -> App {
    let mut app = App::new(Start { config, theme: th, ..Default::default() }).await.unwrap();
    for l in lines {
        app.exec(l).await.unwrap_or_else(|e| panic!("{l}: {e}"));
    }
    app
}

#[test]
fn every_drawn_cell_reads_in_every_theme() {
    block_on(async {
        let mut bad = Vec::new();
        for th in coloured() {
            let cases = [
                ("picker", app(None, th, &[]).await),
                (
                    "ricart-agrawala",
                    app(
                        Some(config("ricart-agrawala", 5, &[])),
                        th,
                        &["request 1", "request 3", "step 9", "crash 4", "cut 0 1", "select 1"],
                    )
                    .await,
                ),
                (
                    "ricart-agrawala no-defer",
                    app(
                        Some(config("ricart-agrawala", 3, &[("variant", "no-defer"), ("cs", "0")])),
                        th,
                        &["request 0", "request 1", "run"],
                    )
                    .await,
                ),
                ("berkeley", app(Some(config("berkeley", 4, &[])), th, &["run 40"]).await),
                ("chat-rooms", app(Some(config("chat-rooms", 4, &[])), th, &["run 30"]).await),
                ("ring-election", app(Some(config("ring-election", 5, &[])), th, &["crash 3", "elect 2", "run"]).await),
            ];
            for (name, mut a) in cases {
                for (w, h) in [(80, 24), (120, 40), (200, 60)] {
                    check(&render_to_buffer(&a, w, h), &format!("{} {name} {w}x{h}", th.name), &mut bad);
                }
                a.exec("help").await.ok();
                check(&render_to_buffer(&a, 120, 40), &format!("{} {name} help", th.name), &mut bad);
            }
        }
        assert!(bad.is_empty(), "cells below {MIN}:1 (first {}):\n{}", bad.len(), bad.join("\n"));
    });
}
