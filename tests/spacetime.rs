//! The space-time diagram (issue 16 items 5–7): true history (a crash in a
//! column of its own, a lane dashed only while its node is down, lost
//! messages and crashes told apart), pan and zoom by key and wheel, a
//! clicked event's details in the inspector, and kinds told apart without
//! colour. Review every .snap by eye: it must show what the test says.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use distlab::engine::actor::DriverKind;
use distlab::engine::record::EvKind;
use distlab::engine::sim::SimConfig;
use distlab::engine::trace::RunConfig;
use distlab::tui::spacetime::{self, arrows};
use distlab::tui::{App, Start, buffer_text, render_to_buffer};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

async fn open(scenario: &str, n: usize) -> App {
    let mut sim = SimConfig::new(n, 1);
    sim.driver = DriverKind::Inline;
    let config = RunConfig { scenario: scenario.into(), params: Default::default(), sim };
    App::new(Start { config: Some(config), ..Default::default() }).await.unwrap()
}

async fn run(app: &mut App, lines: &[&str]) {
    for l in lines {
        app.exec(l).await.unwrap_or_else(|e| panic!("{l}: {e}"));
    }
}

async fn key(app: &mut App, c: KeyCode) {
    app.on_key(KeyEvent::new(c, KeyModifiers::NONE)).await;
}

async fn mouse(app: &mut App, kind: MouseEventKind, at: Position) {
    app.on_mouse(MouseEvent { kind, column: at.x, row: at.y, modifiers: KeyModifiers::NONE }).await;
}

fn screen(app: &App, w: u16, h: u16) -> String {
    buffer_text(&render_to_buffer(app, w, h))
}

/// The diagram's pane at the app's size.
fn pane(app: &App) -> Rect {
    app.panes().expect("a run shows").spacetime
}

/// Where history event `index` is drawn, if it is.
fn cell(app: &App, index: usize) -> Option<Position> {
    let sc = app.scenario.as_deref()?;
    let g = spacetime::geometry(sc, &app.diagram, app.selected, pane(app))?;
    let x = g.layout.x(index)?;
    let r = g.lanes.row(sc.history()[index].node as usize)?;
    Some(Position::new(g.plot.x + x, g.plot.y + r))
}

fn title_row(buf: &Buffer, area: Rect) -> String {
    (area.x..area.right()).map(|x| buf[(x, area.y)].symbol()).collect()
}

fn row_text(buf: &Buffer, y: u16, from: u16, to: u16) -> String {
    (from..to).map(|x| buf[(x, y)].symbol()).collect()
}

/// Ring election: node 2 elects, a delivery lands at node N, then N
/// crashes, the run steps on, N recovers and steps once more.
async fn crash_after_delivery(w: u16, h: u16) -> (App, usize, usize) {
    let mut app = open("ring-election", 5).await;
    app.on_resize(w, h);
    run(&mut app, &["elect 2", "step 2"]).await;
    let sc = app.scenario.as_deref().unwrap();
    let delivery = sc.history().len() - 1;
    let node = sc.history()[delivery].node as usize;
    assert!(matches!(sc.history()[delivery].kind, EvKind::Recv { .. }));
    run(&mut app, &[&format!("crash {node}"), "step 3", &format!("recover {node}"), "step 1"]).await;
    (app, delivery, node)
}

/// `c` after a delivery: the event keeps its mark and label, the crash
/// `✗` sits in the next column, and the node's lane is dashed from the
/// crash to its recovery `↻` only.
#[test]
fn a_crash_after_a_delivery_keeps_the_event() {
    block_on(async {
        for (w, h) in [(80, 24), (120, 40)] {
            let (app, delivery, node) = crash_after_delivery(w, h).await;
            let buf = render_to_buffer(&app, w, h);
            let sc = app.scenario.as_deref().unwrap();
            let hist = sc.history();
            let crash = hist.iter().position(|e| e.kind == EvKind::Crash).unwrap();
            let recover = hist.iter().position(|e| e.kind == EvKind::Recover).unwrap();
            let (d, c, r) = (cell(&app, delivery).unwrap(), cell(&app, crash).unwrap(), cell(&app, recover).unwrap());
            assert_eq!(d.y, c.y);
            assert!(c.x > d.x, "the crash has its own column: {d:?} {c:?}");
            let EvKind::Recv { kind, .. } = hist[delivery].kind else { unreachable!() };
            assert_eq!(buf[(d.x, d.y)].symbol(), arrows::HEADS[kind as usize], "{w}x{h}");
            assert_eq!(buf[(c.x, c.y)].symbol(), "✗");
            assert_eq!(buf[(r.x, r.y)].symbol(), "↻");
            let lane = row_text(&buf, d.y, pane(&app).x + 1, pane(&app).right() - 1);
            assert!(lane.contains(&format!("e{delivery}")), "{w}x{h}: {lane}");
            let plot_x = pane(&app).x + 1 + 2;
            let before = row_text(&buf, d.y, plot_x, c.x);
            let down = row_text(&buf, d.y, c.x + 1, r.x);
            let after = row_text(&buf, d.y, r.x + 1, pane(&app).right() - 1);
            assert!(!before.contains('┄') && !after.contains('┄'), "{w}x{h}: solid outside: {lane}");
            assert!(down.contains('┄') && !down.contains('─'), "{w}x{h}: dashed while down: {lane}");
            let _ = node;
            insta::assert_snapshot!(format!("crash_after_delivery_{w}x{h}"), buffer_text(&buf));
        }
    });
}

/// A message lost with its crashed receiver ends in `⊘`; the crash is `✗`
/// (a chip), and the legend on the bottom border says which is which.
#[test]
fn a_lost_message_and_a_crash_differ() {
    block_on(async {
        let mut app = open("ring-election", 5).await;
        run(&mut app, &["crash 3", "elect 2", "step 7", "select 2"]).await;
        for (w, h) in [(80, 24), (120, 40)] {
            app.on_resize(w, h);
            let text = screen(&app, w, h);
            let sc = app.scenario.as_deref().unwrap();
            let lost = sc.history().iter().position(|e| matches!(e.kind, EvKind::Lost { .. })).unwrap();
            let crash = sc.history().iter().position(|e| e.kind == EvKind::Crash).unwrap();
            let buf = render_to_buffer(&app, w, h);
            let (l, c) = (cell(&app, lost).unwrap(), cell(&app, crash).unwrap());
            assert_eq!((buf[(l.x, l.y)].symbol(), buf[(c.x, c.y)].symbol()), ("⊘", "✗"));
            assert!(text.contains("⊘ = lost") && text.contains("✗ = crash"), "{text}");
            insta::assert_snapshot!(format!("lost_and_crash_{w}x{h}"), text);
        }
    });
}

/// Token ring for 120 steps: `,` pans back (the title says where and that
/// End follows), `.` pans later, `End` and a new step follow the present;
/// `,` at step 0 says so and changes nothing.
#[test]
fn pan_by_key_and_follow() {
    block_on(async {
        let mut app = open("token-ring", 4).await;
        run(&mut app, &["step 120"]).await;
        app.on_resize(120, 40);
        let now = app.scenario.as_deref().unwrap().step();
        let area = pane(&app);
        key(&mut app, KeyCode::Char(',')).await;
        let end = app.diagram.end.expect("panned back");
        assert!(end < now);
        let buf = render_to_buffer(&app, 120, 40);
        let title = title_row(&buf, area);
        assert!(title.contains(&format!("–{end} of {now} · End follows")), "{title}");
        insta::assert_snapshot!("panned_120x40", buffer_text(&buf));
        key(&mut app, KeyCode::Char(',')).await;
        assert!(app.diagram.end.unwrap() < end);
        key(&mut app, KeyCode::Char('.')).await;
        assert_eq!(app.diagram.end, Some(end));
        key(&mut app, KeyCode::End).await;
        assert_eq!(app.diagram.end, None);
        // Back to the start: every step is reachable, and no further.
        for _ in 0..40 {
            key(&mut app, KeyCode::Char(',')).await;
        }
        let sc = app.scenario.as_deref().unwrap();
        let g = spacetime::geometry(sc, &app.diagram, 0, area).unwrap();
        assert_eq!(g.layout.s0, 0);
        assert!(app.status.as_ref().unwrap().text.contains("already at step 0"));
        insta::assert_snapshot!("panned_to_the_start_80x24", screen(&app, 80, 24));
        key(&mut app, KeyCode::Char(' ')).await;
        assert_eq!(app.diagram.end, None, "a new step follows the present");
        key(&mut app, KeyCode::Char('.')).await;
        assert!(app.status.as_ref().unwrap().text.contains("already at the present"));
    });
}

/// The mouse wheel over the diagram pans it; elsewhere it does not.
#[test]
fn the_wheel_pans() {
    block_on(async {
        let mut app = open("token-ring", 4).await;
        run(&mut app, &["step 100"]).await;
        app.on_resize(80, 24);
        let area = pane(&app);
        let inside = Position::new(area.x + area.width / 2, area.y + 2);
        mouse(&mut app, MouseEventKind::ScrollUp, inside).await;
        let end = app.diagram.end.expect("the wheel pans back");
        mouse(&mut app, MouseEventKind::ScrollUp, inside).await;
        assert!(app.diagram.end.unwrap() < end);
        mouse(&mut app, MouseEventKind::ScrollDown, inside).await;
        assert_eq!(app.diagram.end, Some(end));
        mouse(&mut app, MouseEventKind::ScrollUp, Position::new(1, 1)).await;
        assert_eq!(app.diagram.end, Some(end), "the wheel over the header does nothing here");
    });
}

/// `Z` zooms out (more steps a column: the whole run shows), `z` zooms in
/// (more columns a step), each to the end of the ladder and no further.
#[test]
fn zoom_in_and_out() {
    block_on(async {
        let mut app = open("token-ring", 4).await;
        run(&mut app, &["step 120"]).await;
        app.on_resize(120, 40);
        let area = pane(&app);
        let s0 =
            |app: &App| spacetime::geometry(app.scenario.as_deref().unwrap(), &app.diagram, 0, area).unwrap().layout.s0;
        let before = s0(&app);
        key(&mut app, KeyCode::Char('Z')).await;
        key(&mut app, KeyCode::Char('Z')).await;
        assert!(s0(&app) < before);
        let buf = render_to_buffer(&app, 120, 40);
        assert!(title_row(&buf, area).contains("steps/col"), "{}", title_row(&buf, area));
        insta::assert_snapshot!("zoomed_out_120x40", buffer_text(&buf));
        for _ in 0..12 {
            key(&mut app, KeyCode::Char('z')).await;
        }
        assert!(app.status.as_ref().unwrap().text.contains("already zoomed all the way in"));
        assert!(s0(&app) > before);
        insta::assert_snapshot!("zoomed_in_80x24", screen(&app, 80, 24));
        for _ in 0..12 {
            key(&mut app, KeyCode::Char('Z')).await;
        }
        assert!(app.status.as_ref().unwrap().text.contains("already zoomed all the way out"));
    });
}

/// A click on an event shows its details in the inspector (message id,
/// kind, from→to, payload, step, time, clocks) and highlights it; Esc or a
/// node click returns to the node.
#[test]
fn a_clicked_event_shows_its_details() {
    block_on(async {
        let mut app = open("ring-election", 5).await;
        run(&mut app, &["crash 3", "elect 2", "step 7", "select 2"]).await;
        for (w, h) in [(80, 24), (120, 40)] {
            app.on_resize(w, h);
            let sc = app.scenario.as_deref().unwrap();
            let election = |k: &EvKind| matches!(k, EvKind::Recv { kind, .. } if sc.kind_name(*kind) == "ELECTION");
            let e = sc.history().iter().rposition(|e| election(&e.kind)).unwrap();
            let rec = sc.history()[e];
            let last = sc.history().iter().rposition(|x| x.node == rec.node && x.is_node_event()) == Some(e);
            let at = cell(&app, e).unwrap();
            mouse(&mut app, MouseEventKind::Down(MouseButton::Left), at).await;
            assert_eq!(app.diagram.event, Some(e));
            assert_eq!(app.inspect_node, rec.node as usize);
            let row = |label: &str| app.inspect.iter().find(|r| r.label == label).map(|r| r.value.clone());
            assert!(row("event").unwrap().starts_with(&format!("e{e} · receive ELECTION")));
            let EvKind::Recv { from, .. } = rec.kind else { unreachable!() };
            assert!(row("message").unwrap().ends_with(&format!("ELECTION {from}→{}", rec.node)), "{:?}", app.inspect);
            assert!(row("message").unwrap().starts_with('#'));
            assert!(row("payload").unwrap().starts_with("ELECTION["));
            assert_eq!(row("lamport clock"), Some(rec.lamport.to_string()));
            let v: Vec<String> =
                app.scenario.as_deref().unwrap().vector(rec.node as usize).iter().map(|c| c.to_string()).collect();
            if last {
                assert_eq!(
                    row("vector clock"),
                    Some(format!("[{}]", v.join(" "))),
                    "the last event's clock is the node's"
                );
            }
            assert!(row("vector clock").unwrap().starts_with('['));
            let buf = render_to_buffer(&app, w, h);
            assert!(buf[(at.x, at.y)].modifier.contains(ratatui::style::Modifier::REVERSED), "highlighted");
            insta::assert_snapshot!(format!("clicked_event_{w}x{h}"), buffer_text(&buf));
            key(&mut app, KeyCode::Esc).await;
            assert_eq!(app.diagram.event, None);
            assert!(app.asking.is_none(), "Esc from an event returns to the node, not the picker");
            assert_eq!(app.inspect_node, 2);
        }
        // A click on a lane's node id selects the node (and leaves an event).
        let at = cell(&app, 0).unwrap();
        mouse(&mut app, MouseEventKind::Down(MouseButton::Left), at).await;
        assert_eq!(app.diagram.event, Some(0));
        let g = spacetime::geometry(app.scenario.as_deref().unwrap(), &app.diagram, 2, pane(&app)).unwrap();
        let id = Position::new(g.inner.x, g.plot.y + g.lanes.row(4).unwrap());
        mouse(&mut app, MouseEventKind::Down(MouseButton::Left), id).await;
        assert_eq!((app.selected, app.diagram.event, app.inspect_node), (4, None, 4));
    });
}

/// In mono (NO_COLOR) two message kinds in flight at the same time are
/// drawn with different glyphs: their receive marks and their lines.
#[test]
fn kinds_differ_without_colour() {
    block_on(async {
        let mut app = open("ring-election", 5).await;
        app.theme = distlab::tui::theme::Theme::by_name("mono").unwrap();
        run(&mut app, &["elect 2", "step 8"]).await;
        app.on_resize(120, 40);
        let sc = app.scenario.as_deref().unwrap();
        let hist = sc.history();
        // Two receives of different kinds whose messages overlapped in time.
        let recvs: Vec<(usize, u16, u64, u64)> = hist
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e.kind {
                EvKind::Recv { send, kind, .. } => Some((i, kind, hist[send as usize].step, e.step)),
                _ => None,
            })
            .collect();
        let (a, b) = recvs
            .iter()
            .flat_map(|a| recvs.iter().map(move |b| (a, b)))
            .find(|(a, b)| a.1 != b.1 && a.2 < b.3 && b.2 < a.3)
            .expect("two kinds in flight at once");
        let buf = render_to_buffer(&app, 120, 40);
        let (pa, pb) = (cell(&app, a.0).unwrap(), cell(&app, b.0).unwrap());
        let (ca, cb) = (&buf[(pa.x, pa.y)], &buf[(pb.x, pb.y)]);
        assert_ne!(ca.symbol(), cb.symbol(), "receive marks differ");
        assert_eq!(ca.fg, cb.fg, "mono: no colour tells them apart");
        assert_ne!(arrows::line_glyphs(a.1), arrows::line_glyphs(b.1), "line glyphs differ");
        let plot: String = buffer_text(&buf);
        assert!(plot.contains(arrows::line_glyphs(a.1).0) || plot.contains(arrows::line_glyphs(a.1).1));
        assert!(plot.contains(arrows::line_glyphs(b.1).0) || plot.contains(arrows::line_glyphs(b.1).1));
    });
}

/// At 200×60 five lanes spread over the pane's height.
#[test]
fn lanes_fill_a_tall_pane() {
    block_on(async {
        let mut app = open("ring-election", 5).await;
        run(&mut app, &["elect 2", "step 6"]).await;
        app.on_resize(200, 60);
        let sc = app.scenario.as_deref().unwrap();
        let g = spacetime::geometry(sc, &app.diagram, 0, pane(&app)).unwrap();
        let span = g.lanes.row(4).unwrap() - g.lanes.row(0).unwrap() + 1;
        assert!(span * 10 >= g.lanes.rows * 8, "5 lanes span {span} of {} rows", g.lanes.rows);
    });
}
