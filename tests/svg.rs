//! Pictures for slides: every SVG distlab writes (the space-time diagram of
//! `export --svg`, the screen of `export --screen` and of the `P` key) is
//! parsed with usvg, with the bundled font, and its content checked
//! against the run it shows: lanes, every event with its clocks, every
//! message, losses, crashes, cuts, violations, the screen's text row by row.

#[path = "common/pty.rs"]
mod pty;

use distlab::engine::export::shiviz;
use distlab::engine::record::EvKind;
use distlab::engine::sim::SimConfig;
use distlab::engine::trace::{RunConfig, Trace};
use distlab::svg::export::{diagram_of_trace, parse_size, parse_steps, resolve_steps};
use distlab::svg::screen::{CELL, buffer_to_svg};
use distlab::tui::screenshot::screen_at_step;
use distlab::tui::theme::{self, Theme};
use distlab::tui::{App, Start, buffer_text, render_to_buffer};
use resvg::usvg;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

fn config(scenario: &str, n: usize, params: &[(&str, &str)]) -> RunConfig {
    let params = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    RunConfig { scenario: scenario.into(), params, sim: SimConfig::new(n, 1) }
}

/// A run of `scenario` after `lines`, as the app holds it.
async fn app(c: RunConfig, lines: &[&str]) -> App {
    let mut app = App::new(Start { config: Some(c), ..Default::default() }).await.unwrap();
    for l in lines {
        app.exec(l).await.unwrap_or_else(|e| panic!("{l}: {e}"));
    }
    app
}

fn trace_of(c: RunConfig, lines: &[&str]) -> Trace {
    block_on(async { app(c, lines).await.scenario.unwrap().trace() })
}

/// Ricart–Agrawala on 4 nodes with a crash and recovery, a lost message,
/// a cut and a heal.
fn faulty() -> Trace {
    trace_of(
        config("ricart-agrawala", 4, &[]),
        &["request 1", "request 2", "step 2", "crash 3", "cut 0 1", "step 4", "recover 3", "heal", "run"],
    )
}

/// The broken Ricart–Agrawala: two nodes in the critical section.
fn broken() -> Trace {
    trace_of(config("ricart-agrawala", 3, &[("variant", "no-defer")]), &["request 1", "request 2", "run"])
}

fn options() -> usvg::Options<'static> {
    let mut opt = usvg::Options { font_family: "DejaVu Sans Mono".into(), ..usvg::Options::default() };
    let db = opt.fontdb_mut();
    for f in ["DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"] {
        db.load_font_file(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/fonts").join(f)).unwrap();
    }
    db.set_monospace_family("DejaVu Sans Mono");
    opt
}

/// What a parsed SVG holds: its group ids, and its texts with where they start.
struct Parsed {
    ids: BTreeSet<String>,
    texts: Vec<(f32, f32, String)>,
    /// Every glyph as laid out: where it is drawn and its text.
    glyphs: Vec<(f32, f32, String)>,
    /// Ids of the groups that hold a dashed stroke.
    dashed: BTreeSet<String>,
}

fn parse(svg: &str) -> Parsed {
    let tree = usvg::Tree::from_str(svg, &options()).unwrap_or_else(|e| panic!("the SVG does not parse: {e}"));
    let mut p = Parsed { ids: BTreeSet::new(), texts: Vec::new(), glyphs: Vec::new(), dashed: BTreeSet::new() };
    fn walk(g: &usvg::Group, owner: &str, p: &mut Parsed) {
        let owner = if g.id().is_empty() { owner.to_string() } else { g.id().to_string() };
        if !g.id().is_empty() {
            assert!(p.ids.insert(owner.clone()), "id {owner} twice");
        }
        for node in g.children() {
            match node {
                usvg::Node::Group(c) => walk(c, &owner, p),
                usvg::Node::Text(t) => {
                    let text: String = t.chunks().iter().map(|c| c.text()).collect();
                    let (x, y) =
                        t.chunks().first().map_or((0.0, 0.0), |c| (c.x().unwrap_or(0.0), c.y().unwrap_or(0.0)));
                    p.texts.push((x, y, text));
                    for span in t.layouted() {
                        for g in &span.positioned_glyphs {
                            let at = g.transform();
                            p.glyphs.push((at.tx, at.ty, g.text.clone()));
                        }
                    }
                }
                usvg::Node::Path(path) if path.stroke().is_some_and(|s| s.dasharray().is_some()) => {
                    p.dashed.insert(owner.clone());
                }
                _ => {}
            }
        }
    }
    walk(tree.root(), "", &mut p);
    p
}

impl Parsed {
    fn has_text(&self, s: &str) -> bool {
        self.texts.iter().any(|(_, _, t)| t == s)
    }
    fn count(&self, prefix: &str) -> usize {
        self.ids.iter().filter(|i| i.starts_with(prefix)).count()
    }
}

fn diagram(trace: &Trace, steps: Option<&str>, theme: &'static Theme) -> Result<String, String> {
    block_on(diagram_of_trace(trace, steps, theme))
}

#[test]
fn the_diagram_shows_every_lane_event_message_loss_crash_and_cut() {
    let trace = faulty();
    let p = parse(&diagram(&trace, None, &theme::DARK).unwrap());
    let n = trace.config.sim.n;
    assert_eq!(p.count("lane-"), n, "one lane per node: {:?}", p.ids);
    for node in 0..n {
        assert!(p.has_text(&format!("node {node}")), "lane {node} is named");
    }
    let clocks = shiviz::vector_clocks(&trace.events, n);
    let (mut recvs, mut lost, mut crashes) = (0, 0, 0);
    for (i, e) in trace.events.iter().enumerate() {
        match e.kind {
            EvKind::Recv { send, .. } => {
                recvs += 1;
                assert!(p.ids.contains(&format!("msg-{send}-{i}")), "message e{send}→e{i} drawn");
            }
            EvKind::Lost { send, .. } => {
                lost += 1;
                assert!(p.ids.contains(&format!("lost-{send}-{i}")), "lost message of e{send} drawn");
            }
            EvKind::Crash => {
                crashes += 1;
                assert!(p.ids.contains(&format!("crash-{i}")), "crash {i} drawn");
            }
            _ => {}
        }
        if e.is_node_event() {
            assert!(p.ids.contains(&format!("e{i}")), "event e{i} drawn");
            assert!(p.has_text(&format!("e{i} L{}", e.lamport)), "e{i} labelled with its Lamport clock");
            let vc = clocks[i].as_ref().unwrap();
            let dense: Vec<String> = (0..n as u32).map(|h| vc.get(&h).copied().unwrap_or(0).to_string()).collect();
            assert!(p.has_text(&format!("[{}]", dense.join(" "))), "e{i}'s vector clock shown");
        }
    }
    assert!(recvs >= 8 && lost >= 1 && crashes == 1, "the run has them all: {recvs} {lost} {crashes}");
    assert_eq!(p.count("msg-"), recvs);
    assert_eq!(p.count("lost-"), lost);
    assert_eq!(p.count("e"), trace.events.iter().filter(|e| e.is_node_event()).count());
    // Node 3's lane is dashed (down) from its crash to its recovery only;
    // no other lane is.
    assert_eq!(p.dashed.iter().filter(|id| id.starts_with("lane-")).collect::<Vec<_>>(), vec!["lane-3"]);
    assert!(p.has_text("crash") && p.has_text("recover"));
    // The cut and the heal.
    assert_eq!(p.count("fault-"), 2);
    assert!(p.has_text("cut 0–1") && p.has_text("heal"));
    // Every kind in the legend.
    assert!(p.has_text("REQUEST") && p.has_text("REPLY"));
    assert_eq!(p.count("violation-"), 0);
}

#[test]
fn a_violation_is_marked_at_its_step_with_the_property() {
    let trace = broken();
    let sc = block_on(distlab::replay::replay_scenario(&trace)).unwrap();
    let v = sc.violations().first().expect("the broken variant breaks mutual exclusion").clone();
    let p = parse(&diagram(&trace, None, &theme::LIGHT).unwrap());
    assert!(p.ids.contains("violation-0"));
    assert!(p.has_text(&format!("✗ {}", v.property)), "{:?}", p.texts);
    // Outside the range it is not drawn.
    let before = format!("0..{}", v.step - 1);
    let p = parse(&diagram(&trace, Some(&before), &theme::LIGHT).unwrap());
    assert!(!p.ids.contains("violation-0"));
}

#[test]
fn steps_restrict_the_diagram_to_their_events_and_messages() {
    let trace = faulty();
    let (a, b) = (3, 6);
    let p = parse(&diagram(&trace, Some("3..6"), &theme::HIGH_CONTRAST).unwrap());
    let inside = |i: usize| (a..=b).contains(&trace.events[i].step);
    for (i, e) in trace.events.iter().enumerate() {
        if e.is_node_event() {
            assert_eq!(p.ids.contains(&format!("e{i}")), inside(i), "e{i} at step {}", e.step);
        }
        if let EvKind::Recv { send, .. } = e.kind {
            // An arrow shows when either end is in the range.
            let shown = inside(i) || inside(send as usize);
            assert_eq!(p.ids.contains(&format!("msg-{send}-{i}")), shown, "e{send}→e{i}");
        }
    }
    assert!(p.count("e") > 0 && p.count("e") < trace.events.len());
    assert_eq!(p.count("lane-"), 4, "every lane, whatever the range");
    assert!(p.has_text(&format!("ricart-agrawala · 4 nodes · seed 1 · steps {a}–{b}")));
}

#[test]
fn mono_is_black_on_white_and_tells_kinds_apart_by_dashes() {
    let svg = diagram(&faulty(), None, &theme::MONO).unwrap();
    parse(&svg);
    assert!(svg.contains(r##"<rect width="100%" height="100%" fill="#ffffff"/>"##));
    let colours: BTreeSet<&str> = svg.match_indices("=\"#").map(|(i, _)| &svg[i + 2..i + 9]).collect();
    assert_eq!(colours, BTreeSet::from(["#000000", "#ffffff"]), "only black and white");
    // Each kind has one dash pattern, and REQUEST and REPLY differ.
    let mut dashes: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for (at, _) in svg.match_indices("<g id=\"msg-") {
        let group = &svg[at..at + svg[at..].find("</g>").unwrap()];
        let kind = group.split("<title>").nth(1).unwrap().split(' ').next().unwrap().to_string();
        let line = &group[group.find("<line").unwrap()..];
        let dash = line.split("stroke-dasharray=\"").nth(1).map_or("", |d| d.split('"').next().unwrap());
        dashes.entry(kind).or_default().insert(dash.to_string());
    }
    assert!(dashes.values().all(|d| d.len() == 1), "{dashes:?}");
    assert_ne!(dashes["REQUEST"], dashes["REPLY"]);
}

#[test]
fn bad_ranges_and_sizes_are_refused_in_one_line() {
    for bad in ["9..3", "x", "3", "1..y", "0..99999999999999999999", "-1..4"] {
        let e = parse_steps(bad).unwrap_err();
        assert!(e.starts_with(&format!("--steps {bad}:")) && !e.contains('\n'), "{e}");
    }
    assert_eq!(parse_steps("2..7"), Ok((Some(2), Some(7))));
    assert_eq!(parse_steps("2.."), Ok((Some(2), None)));
    assert_eq!(parse_steps("..7"), Ok((None, Some(7))));
    assert_eq!(resolve_steps((Some(2), None), 9), Ok((2, 9)));
    assert_eq!(resolve_steps((Some(0), Some(12)), 9), Err("--steps 0..12: the run ends at step 9".into()));
    assert!(resolve_steps((Some(10), None), 9).is_err());
    for bad in ["120", "0x0", "10x10", "120x", "99999x40", "120x40x2"] {
        assert!(parse_size(bad).is_err(), "{bad}");
    }
    assert_eq!(parse_size("200x60"), Ok((200, 60)));
    assert_eq!(parse_size("80×24"), Ok((80, 24)));
}

/// The text of each row of a screen SVG, rebuilt from where its glyphs are.
fn rows_of(p: &Parsed, w: usize, h: usize) -> Vec<String> {
    let (cw, ch) = (CELL.0 as f32, CELL.1 as f32);
    let pad = cw * 2.0;
    let mut grid = vec![vec![" ".to_string(); w]; h];
    for (x, y, t) in &p.glyphs {
        let (col, row) = (((x - pad) / cw).round() as usize, ((y - pad) / ch).floor() as usize);
        grid[row][col] = t.clone();
    }
    grid.into_iter().map(|r| r.concat()).collect()
}

/// Box drawing, block elements and braille are drawn as shapes, not text
/// (the diagram's diagonals `╱╲` are text).
fn drawn_as_text(c: char) -> bool {
    !distlab::tui::svg::drawn_as_shape(c)
}

#[test]
fn the_screen_svg_holds_the_screen_text_row_by_row() {
    let (w, h) = (100u16, 30u16);
    for theme in [&theme::DARK, &theme::MONO] {
        let mut app = block_on(app(config("ricart-agrawala", 3, &[]), &["request 1", "step 3", "select 1"]));
        app.theme = theme;
        app.on_resize(w, h);
        let buf = render_to_buffer(&app, w, h);
        let svg = buffer_to_svg(&buf, theme);
        let p = parse(&svg);
        let want: Vec<String> = buffer_text(&buf)
            .lines()
            .map(|l| l.chars().map(|c| if drawn_as_text(c) { c } else { ' ' }).collect())
            .collect();
        let got = rows_of(&p, w as usize, h as usize);
        for (y, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g.trim_end(), w.trim_end(), "row {y} ({})", theme.name);
        }
        let step = app.scenario.as_ref().unwrap().step();
        assert!(want[0].contains("ricart-agrawala") && want[0].contains(&format!("step {step} ")));
    }
}

#[test]
fn the_screen_at_a_step_is_the_run_rewound_to_it() {
    let trace = faulty();
    let svg = block_on(screen_at_step(trace.clone(), 4, (120, 40), &theme::LIGHT)).unwrap();
    let rows = rows_of(&parse(&svg), 120, 40);
    assert!(rows[0].contains("ricart-agrawala") && rows[0].contains("step 4 "), "{}", rows[0]);
    assert!(rows.iter().any(|r| r.contains(&format!("step 4 of {}", trace.events.last().unwrap().step))));
    let end = trace.events.last().unwrap().step;
    let e = block_on(screen_at_step(trace, end + 1, (120, 40), &theme::LIGHT)).unwrap_err();
    assert_eq!(e, format!("--screen {}: the run ends at step {end}", end + 1));
}

// ----- the binary ------------------------------------------------------------

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("svg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn distlab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_distlab")).args(args).env_remove("NO_COLOR").output().unwrap();
    let s = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.code().unwrap(), s(out.stdout), s(out.stderr))
}

#[test]
fn export_writes_parseable_svg_and_refuses_bad_input_writing_nothing() {
    let trace = tmp("faulty.trace");
    std::fs::write(&trace, faulty().encode()).unwrap();
    let trace = trace.to_string_lossy().into_owned();
    // To standard output, and to a file: the same picture.
    let (code, stdout, stderr) = distlab(&["export", &trace, "--svg", "--theme", "light"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(parse(&stdout).count("lane-") == 4);
    let out = tmp("faulty.svg");
    let o = out.to_string_lossy().into_owned();
    let (code, stdout, _) = distlab(&["export", &trace, "--svg", "--theme", "light", "-o", &o]);
    assert_eq!((code, stdout.as_str()), (0, ""));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), distlab(&["export", &trace, "--svg", "--theme", "light"]).1);
    let (code, stdout, _) = distlab(&["export", &trace, "--screen", "3", "--size", "90x30", "--theme", "mono"]);
    assert_eq!(code, 0);
    assert!(rows_of(&parse(&stdout), 90, 30)[0].contains("step 3"));

    let missing = tmp("none.svg").to_string_lossy().into_owned();
    let cases: Vec<Vec<&str>> = vec![
        vec!["export", "no-such.trace", "--svg"],
        vec!["export", &o, "--svg"], // an SVG is not a trace
        vec!["export", &trace, "--svg", "--steps", "9..3"],
        vec!["export", &trace, "--svg", "--steps", "x"],
        vec!["export", &trace, "--svg", "--steps", "0..500"],
        vec!["export", &trace, "--svg", "--steps", "0..99999999999999999999"],
        vec!["export", &trace, "--svg", "--theme", "sepia"],
        vec!["export", &trace, "--screen", "500"],
        vec!["export", &trace, "--screen", "99999999999999999999"],
        vec!["export", &trace, "--screen", "2", "--size", "5x5"],
        vec!["export", &trace, "--svg", "--shiviz"],
        vec!["export", &trace, "--svg", "--screen", "2"],
        vec!["export", &trace],
        vec!["export", &trace, "--shiviz", "--steps", "1..2"],
        vec!["export", &trace, "--svg", "--size", "90x30"],
    ];
    for args in cases {
        let mut args = args.clone();
        args.extend(["-o", &missing]);
        let (code, stdout, stderr) = distlab(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty() && !stderr.is_empty(), "{args:?}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!std::path::Path::new(&missing).exists(), "{args:?} wrote {missing}");
        if !stderr.starts_with("error:") {
            // Ours (clap's own errors carry a usage block).
            assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        }
    }
}

#[test]
fn key_p_writes_the_screen_as_svg_under_a_free_name() {
    let mut s = pty::Session::start_sized(&["run", "ricart-agrawala", "-n", "3"], 100, 30);
    s.t.wait_text("space steps");
    // The request is step 1.
    s.t.send("r");
    s.t.wait("step 1", |sc| pty::header_step(sc.lines().next().unwrap_or("")) == Some(1));
    s.t.send("P");
    let name = "distlab-ricart-agrawala-1-1.svg";
    s.t.wait_text(&format!("screen saved as {name}"));
    s.t.send("P");
    s.t.wait_text("screen saved as distlab-ricart-agrawala-1-1-2.svg");
    let first = std::fs::read_to_string(s.dir.join(name)).unwrap();
    let rows = rows_of(&parse(&first), 100, 30);
    assert!(rows[0].contains("ricart-agrawala") && rows[0].contains("step 1"), "{}", rows[0]);
    // The second is the screen with the first one's status line.
    let second = std::fs::read_to_string(s.dir.join("distlab-ricart-agrawala-1-1-2.svg")).unwrap();
    assert!(rows_of(&parse(&second), 100, 30).iter().any(|r| r.contains(&format!("screen saved as {name}"))));
    s.quit_confirmed();
}
