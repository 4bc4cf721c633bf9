//! Renders the README screenshots from the real TUI renderer:
//!
//! ```text
//! cargo run --release --example screenshots [-- --svg DIR]
//! ```
//!
//! Each screen is the real `App` drawn into a ratatui `TestBackend` at
//! 120×40 in the dark theme, converted to SVG by `distlab::svg::screen`
//! (the code behind `distlab export --screen` and the `P` key) and
//! rasterised with resvg using the DejaVu Sans Mono bundled in
//! `assets/fonts/`, so the PNGs do not depend on the fonts of the machine.
//! Writes `screenshots/<name>.png` (and `DIR/<name>.svg` with `--svg DIR`).
//! Fails if a character has no glyph in the bundled font.

use distlab::engine::sim::SimConfig;
use distlab::engine::trace::RunConfig;
use distlab::tui::{self, App, Start};
use ratatui::buffer::Buffer;
use resvg::{tiny_skia, usvg};
use std::path::{Path, PathBuf};

const COLS: u16 = 120;
const ROWS: u16 = 40;

// ----- SVG -> PNG ----------------------------------------------------------

fn fonts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join("fonts")
}

fn options() -> Result<usvg::Options<'static>, String> {
    let mut opt = usvg::Options { font_family: "DejaVu Sans Mono".into(), ..usvg::Options::default() };
    let db = opt.fontdb_mut();
    for file in ["DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"] {
        let path = fonts_dir().join(file);
        db.load_font_file(&path).map_err(|e| format!("cannot load {}: {e}", path.display()))?;
    }
    db.set_monospace_family("DejaVu Sans Mono");
    Ok(opt)
}

/// Characters the font had no glyph for (drawn as the empty .notdef box).
fn missing_glyphs(group: &usvg::Group, out: &mut Vec<String>) {
    for node in group.children() {
        match node {
            usvg::Node::Group(g) => missing_glyphs(g, out),
            usvg::Node::Text(t) => {
                for span in t.layouted() {
                    for glyph in &span.positioned_glyphs {
                        if glyph.id.0 == 0 && !out.contains(&glyph.text) {
                            out.push(glyph.text.clone());
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn rasterise(svg: &str, opt: &usvg::Options) -> Result<tiny_skia::Pixmap, String> {
    let tree = usvg::Tree::from_str(svg, opt).map_err(|e| format!("the generated SVG does not parse: {e}"))?;
    let mut missing = Vec::new();
    missing_glyphs(tree.root(), &mut missing);
    if !missing.is_empty() {
        let list: Vec<String> =
            missing.iter().map(|s| format!("{s:?} (U+{:04X})", s.chars().next().unwrap_or(' ') as u32)).collect();
        return Err(format!("no glyph in the bundled font for {}", list.join(", ")));
    }
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("empty image")?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    Ok(pixmap)
}

// ----- the screens -----------------------------------------------------------

fn config(scenario: &str, n: usize) -> RunConfig {
    RunConfig { scenario: scenario.into(), params: Vec::new(), sim: SimConfig::new(n, 1) }
}

async fn open(scenario: &str, n: usize) -> App {
    let mut app =
        App::new(Start { config: Some(config(scenario, n)), script: None, replay: None, ..Default::default() })
            .await
            .unwrap_or_else(|e| panic!("{scenario} opens: {e}"));
    app.on_resize(COLS, ROWS);
    app
}

async fn exec(app: &mut App, lines: &[&str]) {
    for line in lines {
        app.exec(line).await.unwrap_or_else(|e| panic!("`{line}` runs: {e}"));
    }
}

/// The value of an inspector row of the selected node.
fn inspector(app: &App, label: &str) -> String {
    app.inspect.iter().find(|r| r.label == label).map(|r| r.value.clone()).unwrap_or_default()
}

/// How many single steps after `setup` until `done` holds (at most 500).
async fn steps_until(scenario: &str, n: usize, setup: &[&str], done: impl Fn(&App) -> bool) -> u64 {
    let mut app = open(scenario, n).await;
    exec(&mut app, setup).await;
    for k in 1..=500 {
        exec(&mut app, &["step 1"]).await;
        if done(&app) {
            return k;
        }
    }
    panic!("{scenario}: the screenshot state never came (after {setup:?})");
}

/// The screens: (file name, buffer).
async fn screens() -> Vec<(&'static str, Buffer)> {
    let mut out = Vec::new();

    // Ricart–Agrawala: three requests race; node 0 holds the earliest
    // (timestamp, id) and, once both other requests reached it, defers them.
    // The step count is found first so the log shows one `step K`.
    let requests = ["request 1", "request 3", "request 0"];
    let setup = [&requests[..], &["select 0"]].concat();
    let k = steps_until("ricart-agrawala", 5, &setup, |app| {
        inspector(app, "deferred queue").split_whitespace().count() >= 2
    })
    .await;
    let mut app = open("ricart-agrawala", 5).await;
    exec(&mut app, &requests).await;
    exec(&mut app, &[&format!("step {k}"), "select 0"]).await;
    out.push(("ricart-agrawala", tui::render_to_buffer(&app, COLS, ROWS)));

    // The help overlay, over the same run.
    exec(&mut app, &["help"]).await;
    out.push(("help", tui::render_to_buffer(&app, COLS, ROWS)));

    // Ring election, seed 000: node 3 has failed, node 2 starts an election,
    // notices the missing acknowledgement and skips node 3.
    let mut app = open("ring-election", 5).await;
    exec(&mut app, &["crash 3", "elect 2", "step 6", "select 2"]).await;
    out.push(("ring-election", tui::render_to_buffer(&app, COLS, ROWS)));

    // Suzuki–Kasami, the seed's sequence part-way: node 2 in the CS holds
    // the token (◆TOKEN) with LN and the queue [0 3] in its inspector.
    let mut app = open("suzuki-kasami", 4).await;
    exec(
        &mut app,
        &["request 0", "run", "request 1", "request 2", "run", "release 0", "run", "request 0", "request 3", "run"],
    )
    .await;
    exec(&mut app, &["release 1", "run", "select 2"]).await;
    out.push(("suzuki-kasami", tui::render_to_buffer(&app, COLS, ROWS)));

    // Berkeley, seed 001's clocks drifting apart (a few thousand ppm, to
    // show on screen) and pulled together by a round every 50 ms: the chart
    // shows the lines fanning out and stepping back together.
    let mut app = App::new(Start {
        config: Some(RunConfig {
            scenario: "berkeley".into(),
            params: vec![
                ("clocks".into(), "100.3,102.5,98.4,101.0".into()),
                ("drift".into(), "4000,-6000,3000,-2000".into()),
                ("period".into(), "50".into()),
                ("rounds".into(), "5".into()),
            ],
            sim: SimConfig::new(4, 1),
        }),
        script: None,
        replay: None,
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("berkeley opens: {e}"));
    app.on_resize(COLS, ROWS);
    exec(&mut app, &["sync", "run", "select 0"]).await;
    out.push(("berkeley", tui::render_to_buffer(&app, COLS, ROWS)));

    // Logical clocks: the textbook exchange, then `hb` asked and answered.
    let mut app = open("logical-clocks", 3).await;
    exec(&mut app, &["send 0 1", "local 2", "run", "send 1 2", "run", "hb e3 e7", "select 2"]).await;
    out.push(("logical-clocks", tui::render_to_buffer(&app, COLS, ROWS)));

    // Chat rooms (seed 004): an answer overtook its question on the way to
    // client 3, which holds it back (BSS); the screens pane shows what each
    // client sees. Latency is fixed, so message #14 is the question's copy
    // for client 3.
    let mut app = open("chat-rooms", 4).await;
    exec(
        &mut app,
        &["latency 1 1", "create-room 1", "run", "join 1 0 Q", "join 2 0 A", "join 3 0 C", "run", "post 1 question"],
    )
    .await;
    exec(&mut app, &["step 1", "delay 14 50", "step 1", "post 2 answer", "run 3", "select 3"]).await;
    out.push(("chat-rooms", tui::render_to_buffer(&app, COLS, ROWS)));

    // Load balancer (seed 000): ten jobs round-robin over four servers,
    // then server 3 crashes and its next job is retried elsewhere.
    let mut app = open("load-balancer", 6).await;
    let mut lines: Vec<String> = vec!["fifo on".into()];
    lines.extend((1..=10).map(|i| format!("submit {i}")));
    lines.extend(
        ["run", "crash 3", "submit 11", "submit 12", "submit 13", "submit 14", "run", "select 1"].map(String::from),
    );
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    exec(&mut app, &lines).await;
    out.push(("load-balancer", tui::render_to_buffer(&app, COLS, ROWS)));
    out
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let svg_dir = match args.as_slice() {
        [] => None,
        [flag, dir] if flag == "--svg" => Some(PathBuf::from(dir)),
        _ => {
            eprintln!("usage: cargo run --release --example screenshots [-- --svg DIR]");
            return std::process::ExitCode::from(2);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("a current-thread runtime starts");
    let screens = rt.block_on(screens());
    let opt = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("screenshots: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    let mut failed = false;
    for (name, buf) in &screens {
        let svg = distlab::svg::screen::buffer_to_svg(buf, &tui::theme::DARK);
        if let Some(dir) = &svg_dir {
            let path = dir.join(format!("{name}.svg"));
            if let Err(e) = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&path, &svg)) {
                eprintln!("screenshots: cannot write {}: {e}", path.display());
                failed = true;
            }
        }
        let path = out_dir.join(format!("{name}.png"));
        match rasterise(&svg, &opt).and_then(|pm| pm.save_png(&path).map_err(|e| e.to_string())) {
            Ok(()) => println!("wrote {}", path.display()),
            Err(e) => {
                eprintln!("screenshots: {name}: {e}");
                failed = true;
            }
        }
    }
    if failed { std::process::ExitCode::FAILURE } else { std::process::ExitCode::SUCCESS }
}
