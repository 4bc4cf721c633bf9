//! TUI cost: frame time and memory. Run with `cargo bench --bench tui`.
//!
//! 1. Memory: 1,000,000 events driven through the `App` the way the TUI's
//!    event loop does it in play mode at top speed (play ticks, logging on,
//!    a frame drawn after every tick), then VmRSS from /proc/self/status.
//!    Measured first, in a fresh process, so nothing else is counted.
//! 2. Frame time: Ricart–Agrawala, 64 nodes, continuous requests, stepped
//!    to 100,000 events; then full 120×40 frames drawn into a reused
//!    `TestBackend` terminal (layout, every pane, ratatui's diff), both
//!    redrawing an unchanged screen and drawing after every step (the step
//!    itself untimed). Median and 99th percentile.
//!
//! Prints a table and, last, one JSON line (`{"bench":"tui",...}`).

use distlab::engine::sim::SimConfig;
use distlab::engine::trace::RunConfig;
use distlab::tui::{self, App, Start};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};

#[path = "common/mod.rs"]
mod common;
use common::{busy_note, cores, load_average};

const NODES: usize = 64;
const THINK_MS: u64 = 5;
const COLS: u16 = 120;
const ROWS: u16 = 40;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().build().expect("a current-thread runtime starts")
}

/// The TUI's own configuration of a run (logging on), with a continuous workload.
async fn open_app() -> App {
    let mut sim = SimConfig::new(NODES, 1);
    sim.logging = true;
    let config =
        RunConfig { scenario: "ricart-agrawala".into(), params: vec![("think".into(), THINK_MS.to_string())], sim };
    let mut app = App::new(Start { config: Some(config), script: None, replay: None, ..Default::default() })
        .await
        .expect("the app opens");
    app.on_resize(COLS, ROWS);
    app
}

/// Resident and peak resident set size in MB (Linux).
fn rss_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(f64::NAN)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Frames {
    median: Duration,
    p99: Duration,
    max: Duration,
    count: usize,
}

fn summarise(mut v: Vec<Duration>) -> Frames {
    v.sort();
    Frames { median: percentile(&v, 0.5), p99: percentile(&v, 0.99), max: v[v.len() - 1], count: v.len() }
}

struct Memory {
    before: f64,
    after: f64,
    peak: f64,
    events: u64,
    ticks: u64,
    draws: u64,
    secs: f64,
    steps_per_tick: u64,
}

/// Play mode at top speed until `events` events have been delivered,
/// drawing one frame every `draw_every` ticks.
async fn memory(events: u64, draw_every: u64) -> Memory {
    let before = rss_mb().0;
    let t = Instant::now();
    let mut app = open_app().await;
    app.exec("speed 1000").await.expect("speed is a prompt command");
    app.exec("play").await.expect("play is a prompt command");
    let mut terminal = Terminal::new(TestBackend::new(COLS, ROWS)).expect("a test backend never fails");
    let (mut ticks, mut draws) = (0, 0);
    loop {
        let step = app.scenario.as_deref().map(|s| s.step()).unwrap_or(0);
        if step >= events {
            break;
        }
        assert!(app.playing(), "play mode stopped at step {step}");
        app.tick().await;
        ticks += 1;
        if ticks % draw_every == 0 {
            tui::draw_frame(&mut terminal, &app);
            draws += 1;
        }
    }
    tui::draw_frame(&mut terminal, &app);
    let (after, peak) = rss_mb();
    let events = app.scenario.as_deref().map(|s| s.step()).unwrap_or(0);
    let steps_per_tick = app.steps_per_tick();
    Memory { before, after, peak, events, ticks, draws: draws + 1, secs: t.elapsed().as_secs_f64(), steps_per_tick }
}

struct FrameBench {
    history: usize,
    log_lines: usize,
    in_flight: usize,
    still: Frames,
    moving: Frames,
}

async fn frames(history_events: u64, still: usize, moving: usize) -> FrameBench {
    let mut app = open_app().await;
    app.exec(&format!("step {history_events}")).await.expect("step is a command");
    let mut terminal = Terminal::new(TestBackend::new(COLS, ROWS)).expect("a test backend never fails");
    for _ in 0..50 {
        tui::draw_frame(&mut terminal, &app);
    }
    let (history, log_lines, in_flight) = {
        let sc = app.scenario.as_deref().expect("a scenario is open");
        (sc.history().len(), sc.log().len(), sc.in_flight(0).1)
    };
    let mut times = Vec::with_capacity(still);
    for _ in 0..still {
        let t = Instant::now();
        std::hint::black_box(tui::draw_frame(&mut terminal, &app));
        times.push(t.elapsed());
    }
    let still = summarise(times);
    let mut times = Vec::with_capacity(moving);
    for _ in 0..moving {
        app.exec("step 1").await.expect("step is a command");
        let t = Instant::now();
        std::hint::black_box(tui::draw_frame(&mut terminal, &app));
        times.push(t.elapsed());
    }
    let moving = summarise(times);
    FrameBench { history, log_lines, in_flight, still, moving }
}

fn main() {
    let started = Instant::now();
    let rt = runtime();
    println!(
        "distlab TUI benchmark (ricart-agrawala, {NODES} nodes, think={THINK_MS} ms, {COLS}x{ROWS}, release build)"
    );
    let load = load_average();
    println!("load average at start: {load:.2} on {} cores{}\n", cores(), busy_note(load));

    const EVENTS: u64 = 1_000_000;
    const DRAW_EVERY: u64 = 1;
    let m = rt.block_on(memory(EVENTS, DRAW_EVERY));
    println!(
        "memory: play mode at top speed ({} steps per tick), logging on, a frame after every {DRAW_EVERY} tick(s)",
        m.steps_per_tick
    );
    println!("  {:<40} {:>12}", "events delivered", m.events);
    println!("  {:<40} {:>12}", "play ticks / frames drawn", format!("{} / {}", m.ticks, m.draws));
    println!("  {:<40} {:>9.1} MB", "VmRSS before opening the run", m.before);
    println!("  {:<40} {:>9.1} MB", "VmRSS after 1,000,000 events", m.after);
    println!("  {:<40} {:>9.1} MB", "VmHWM (peak RSS)", m.peak);
    println!("  {:<40} {:>9.1} s", "wall time", m.secs);
    let mem_ok = m.after <= 150.0;
    println!(
        "  goal <= 150 MB RSS after 1,000,000 events: {}",
        if mem_ok {
            format!("met ({:.0}% of the budget)", m.after / 150.0 * 100.0)
        } else {
            format!("MISSED by {:.0}%", (m.after / 150.0 - 1.0) * 100.0)
        }
    );
    println!();

    const HISTORY: u64 = 100_000;
    let f = rt.block_on(frames(HISTORY, 2_000, 1_000));
    println!(
        "frame: {} events of history, {} log lines kept, {} messages and timers in flight",
        f.history, f.log_lines, f.in_flight
    );
    println!("  {:<40} {:>10} {:>10} {:>10} {:>7}", "full frame, 120x40", "median", "p99", "max", "frames");
    let row = |name: &str, fr: &Frames| {
        println!(
            "  {:<40} {:>7.3} ms {:>7.3} ms {:>7.3} ms {:>7}",
            name,
            ms(fr.median),
            ms(fr.p99),
            ms(fr.max),
            fr.count
        );
    };
    row("unchanged screen, redrawn", &f.still);
    row("after each step (step untimed)", &f.moving);
    let frame_ok = ms(f.moving.median) <= 2.0 && ms(f.still.median) <= 2.0;
    let worst = ms(f.moving.median).max(ms(f.still.median));
    println!(
        "  goal <= 2 ms per frame (median): {}",
        if frame_ok {
            format!("met ({:.0}% of the budget; p99 {:.3} ms)", worst / 2.0 * 100.0, ms(f.moving.p99))
        } else {
            format!("MISSED by {:.0}%", (worst / 2.0 - 1.0) * 100.0)
        }
    );
    println!("total benchmark time {:.1} s", started.elapsed().as_secs_f64());

    let r3 = |x: f64| (x * 1000.0).round() / 1000.0;
    let json = serde_json::json!({
        "bench": "tui",
        "nodes": NODES,
        "size": format!("{COLS}x{ROWS}"),
        "frame_history_events": f.history,
        "frame_in_flight": f.in_flight,
        "frame_still_median_ms": r3(ms(f.still.median)),
        "frame_still_p99_ms": r3(ms(f.still.p99)),
        "frame_step_median_ms": r3(ms(f.moving.median)),
        "frame_step_p99_ms": r3(ms(f.moving.p99)),
        "memory_events": m.events,
        "rss_before_mb": r3(m.before),
        "rss_after_mb": r3(m.after),
        "rss_peak_mb": r3(m.peak),
        "memory_wall_secs": r3(m.secs),
        "goals": { "frame_le_2ms": frame_ok, "rss_le_150mb": mem_ok },
        "load_average_at_start": load,
        "total_secs": r3(started.elapsed().as_secs_f64()),
    });
    println!("{json}");
}
