//! The log, the inspector, the side table and the topology labels: no text
//! is cut without a mark and a way to read it (issue 16, item 2), and a cut
//! link and a partition differ without colour (item 9).
//!
//! Review every .snap file by eye: it must show what the test name says.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use distlab::engine::protocol::NodeId;
use distlab::tui::view::{Scroll, Side, View};
use distlab::tui::{App, Start, buffer_text, render_to_buffer, theme, topology};
use ratatui::layout::Rect;
use ratatui::{Terminal, backend::TestBackend};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

async fn open(scenario: &str, n: usize, seed: u64) -> App {
    let mut sim = distlab::engine::sim::SimConfig::new(n, seed);
    sim.driver = distlab::engine::actor::DriverKind::Inline;
    let config = distlab::engine::trace::RunConfig { scenario: scenario.into(), params: Default::default(), sim };
    App::new(Start { config: Some(config), ..Default::default() }).await.unwrap()
}

/// A lecture, run with `n` through `pauses` of its pauses (no animation).
async fn lecture(name: &str, pauses: usize) -> App {
    let lec = distlab::lectures::lookup(name).unwrap();
    let start = Start {
        config: Some(lec.config().unwrap()),
        script: Some(lec.text.into()),
        replay: None,
        ..Default::default()
    };
    let mut app = App::new(start).await.unwrap();
    app.animate_scripts = false;
    // A `run` before the first pause was already animating: finish it.
    while app.lecture.as_ref().is_some_and(|l| l.animating()) {
        press(&mut app, 'n').await;
    }
    for _ in 0..pauses {
        // The first `n` says the next line, a second finishes a `run`.
        press(&mut app, 'n').await;
        while app.lecture.as_ref().is_some_and(|l| l.animating()) {
            press(&mut app, 'n').await;
        }
    }
    app
}

async fn run(app: &mut App, lines: &[&str]) {
    for l in lines {
        app.exec(l).await.unwrap_or_else(|e| panic!("{l}: {e}"));
    }
}

async fn press(app: &mut App, c: char) {
    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)).await;
}

fn screen(app: &App, w: u16, h: u16) -> String {
    buffer_text(&render_to_buffer(app, w, h))
}

/// The text rows inside a pane of a drawn screen.
fn pane_rows(text: &str, area: Rect) -> Vec<String> {
    let inner = ratatui::widgets::Block::bordered().inner(area);
    text.lines()
        .skip(inner.y as usize)
        .take(inner.height as usize)
        .map(|l| l.chars().skip(inner.x as usize).take(inner.width as usize).collect())
        .collect()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every row of the log, oldest first, read as a lecturer would: from the
/// present, `[` page by page back to the oldest line.
async fn read_whole_log(app: &mut App, w: u16, h: u16) -> Vec<String> {
    app.on_resize(w, h);
    let log = app.panes().unwrap().log;
    let mut pages: Vec<(usize, Vec<String>)> = Vec::new();
    loop {
        let mut page = pane_rows(&screen(app, w, h), log);
        // A top row whose line starts above the pane shows `…` where the
        // step number goes: the row before it (on the next page) has it.
        if let Some(top) = page.first_mut().filter(|r| r.trim_start().starts_with('…')) {
            *top = top.replacen('…', " ", 1);
        }
        pages.push((app.scroll.log, page));
        let before = app.scroll.log;
        press(app, '[').await;
        if app.scroll.log == before {
            break;
        }
    }
    // Each page shows `height` rows ending `back` rows before the newest:
    // stitch the rows each new page adds at its top.
    let mut rows: Vec<String> = pages[0].1.clone();
    for k in 1..pages.len() {
        let added = pages[k].0 - pages[k - 1].0;
        let mut head: Vec<String> = pages[k].1[..added.min(pages[k].1.len())].to_vec();
        head.extend(rows);
        rows = head;
    }
    // `]` back to the present.
    while app.scroll.log > 0 {
        press(app, ']').await;
    }
    rows
}

/// `text` (a log line) is on the rows read, whole, across wrapped rows.
fn readable(rows: &[String], text: &str) -> bool {
    squeeze(&rows.concat()).contains(&squeeze(text))
}

/// chat-rooms' JSON reply wraps under its text at 80×24: the whole reply
/// is on screen, its continuation rows indented past the step number.
#[test]
fn a_long_log_line_wraps_80x24() {
    block_on(async {
        let mut app = open("chat-rooms", 4, 3).await;
        run(&mut app, &["latency 1 1", "create-room 1", "run"]).await;
        app.on_resize(80, 24);
        let sc = app.scenario.as_deref().unwrap();
        let log: Vec<&str> = sc.log().iter().map(|l| l.text.as_str()).collect();
        let reply = log.iter().find(|l| l.contains("CHATROOM CREATED")).unwrap_or_else(|| panic!("{log:#?}"));
        let reply = reply.to_string();
        assert!(reply.chars().count() > 80, "{reply}");
        let text = screen(&app, 80, 24);
        let rows = pane_rows(&text, app.panes().unwrap().log);
        assert!(readable(&rows, &reply), "{reply}\n{text}");
        // Continuation rows start under the text, not under the step.
        let first = rows.iter().position(|r| r.contains("{\"message\"")).unwrap();
        assert!(rows[first].starts_with("3 #2"), "{text}");
        assert!(rows[first + 1].starts_with("  ") && !rows[first + 1][2..].starts_with(' '), "{text}");
        insta::assert_snapshot!(text);
    });
}

#[test]
fn a_long_log_line_wraps_120x40() {
    block_on(async {
        let app = lecture("chat-rooms", 0).await;
        insta::assert_snapshot!(screen(&app, 120, 40));
    });
}

/// The `hb` answers, violation details and JSON replies are readable in
/// full at 80×24, scrolling back with `[`.
#[test]
fn answers_violations_and_replies_are_readable_in_full_80x24() {
    block_on(async {
        for (name, pauses, wanted) in [
            ("logical-clocks", 9, "hb e"),
            ("chat-rooms", 9, "{\""),
            ("ricart-agrawala-broken", 9, "VIOLATION"),
            ("token-ring-broken", 9, "VIOLATION"),
        ] {
            let mut app = lecture(name, pauses).await;
            let sc = app.scenario.as_deref().unwrap();
            let lines: Vec<String> =
                sc.log().iter().filter(|l| !l.input && l.text.contains(wanted)).map(|l| l.text.clone()).collect();
            assert!(!lines.is_empty(), "{name}: no {wanted} line");
            let rows = read_whole_log(&mut app, 80, 24).await;
            for l in &lines {
                assert!(readable(&rows, l), "{name}: {l}\n{}", rows.join("\n"));
            }
            assert_eq!(app.scroll.log, 0);
        }
    });
}

/// A message whose summary does not fit its row ends in `…`; under the
/// cursor it wraps onto the rows below, so it is readable in full, and a
/// click on a row below it still picks that row.
#[test]
fn the_message_under_the_cursor_is_readable_in_full_120x40() {
    block_on(async {
        let mut app = open("causal-order", 3, 1).await;
        let text = "who is in for lunch at the new place by the station tomorrow?";
        run(&mut app, &["sched manual", &format!("post 0 \"{text}\""), "post 1 \"me\""]).await;
        app.on_resize(120, 40);
        let pane = app.panes().unwrap().inflight;
        let rows = pane_rows(&screen(&app, 120, 40), pane);
        let sc = app.scenario.as_deref().unwrap();
        let list = sc.queued(10);
        assert_eq!(list.len(), 4, "two posts to two members each");
        assert!(rows[0].starts_with("▸ #") && !rows[0].contains('…'), "{rows:#?}");
        assert!(rows[1].starts_with("   ") && !rows[1].contains('#'), "the continuation row: {rows:#?}");
        // The picked message read across its rows, without the due time.
        let read = |rows: &[String]| {
            let first = rows[0].trim_end();
            squeeze(&format!("{}{}", &first[..first.rfind(' ').unwrap()], rows[1..].concat()))
        };
        assert!(read(&rows[..2]).contains(&squeeze(&list[0].summary)), "{}\n{rows:#?}", list[0].summary);
        assert!(rows[2].contains(&format!("#{}", list[1].id)) && rows[2].contains('…'), "{rows:#?}");

        // The cursor moves on: the first row is cut again, the second wraps.
        app.on_key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)).await;
        let rows = pane_rows(&screen(&app, 120, 40), pane);
        assert!(rows[0].contains('…') && rows[1].starts_with("▸ #"), "{rows:#?}");
        assert!(read(&rows[1..3]).contains(&squeeze(&list[1].summary)), "{rows:#?}");

        // A click on the row under the wrapped one picks the third message.
        let inner = ratatui::widgets::Block::bordered().inner(pane);
        let click = |row: u16| MouseEvent {
            kind: MouseEventKind::Down(crossterm::event::MouseButton::Left),
            column: inner.x + 2,
            row: inner.y + row,
            modifiers: KeyModifiers::NONE,
        };
        app.on_mouse(click(3)).await;
        assert_eq!(app.cursor, 2, "the row below the wrapped one is the third message");
        app.on_mouse(click(0)).await;
        assert_eq!(app.cursor, 0);
    });
}

/// `[` scrolls the log back a page; the title says how far and how to come
/// back; `]` at the bottom follows the present, and so does a new step.
#[test]
fn the_log_scrolls_back_and_a_step_follows_the_present() {
    block_on(async {
        let mut app = open("ricart-agrawala", 5, 1).await;
        run(&mut app, &["request 1", "request 3", "step 12"]).await;
        app.on_resize(80, 24);
        let log = app.panes().unwrap().log;
        let page = log.height as usize - 3;
        let newest = pane_rows(&screen(&app, 80, 24), log);
        press(&mut app, '[').await;
        assert_eq!(app.scroll.log, page);
        let text = screen(&app, 80, 24);
        assert!(text.contains(&format!("log · {page} rows back · ] newer")), "{text}");
        assert_ne!(pane_rows(&text, log), newest);
        insta::assert_snapshot!("log_scrolled_back_80x24", text);
        press(&mut app, '[').await;
        press(&mut app, ']').await;
        assert_eq!(app.scroll.log, page);
        press(&mut app, ']').await;
        assert_eq!(app.scroll.log, 0);
        assert_eq!(app.status.as_ref().unwrap().text, "log: following the present");
        assert_eq!(pane_rows(&screen(&app, 80, 24), log), newest);
        // At the bottom `]` says so and changes nothing.
        press(&mut app, ']').await;
        assert_eq!(app.scroll.log, 0);
        assert!(app.status.as_ref().unwrap().text.contains("already following"));
        // Far back, then a step: the present again.
        for _ in 0..50 {
            press(&mut app, '[').await;
        }
        assert!(app.status.as_ref().unwrap().text.contains("first line"), "{:?}", app.status);
        let oldest = app.scroll.log;
        assert!(oldest > page);
        assert!(pane_rows(&screen(&app, 80, 24), log)[0].trim_start().starts_with("0 » request 1"));
        press(&mut app, ' ').await;
        assert_eq!(app.scroll.log, 0);
        // The mouse wheel over the log: up is older.
        let wheel = |kind, p: Rect| MouseEvent { kind, column: p.x + 3, row: p.y + 2, modifiers: KeyModifiers::NONE };
        app.on_mouse(wheel(MouseEventKind::ScrollUp, log)).await;
        assert_eq!(app.scroll.log, 3);
        app.on_mouse(wheel(MouseEventKind::ScrollDown, log)).await;
        assert_eq!(app.scroll.log, 0);
        insta::assert_snapshot!("log_scrolled_back_120x40", {
            app.on_resize(120, 40);
            press(&mut app, '[').await;
            screen(&app, 120, 40)
        });
    });
}

/// During play the `» step` echoes do not push the deliveries off the log.
#[test]
fn play_shows_deliveries_not_step_echoes() {
    block_on(async {
        let mut app = open("ricart-agrawala", 5, 1).await;
        run(&mut app, &["request 1", "request 3"]).await;
        app.perform(distlab::tui::keymap::Action::PlayPause).await;
        for _ in 0..8 {
            app.tick().await;
        }
        let text = screen(&app, 80, 24);
        let rows = pane_rows(&text, app.panes().unwrap().log);
        assert!(rows.iter().all(|r| !r.contains("» step")), "{text}");
        assert!(rows.iter().filter(|r| r.contains("delivered")).count() >= 2, "{text}");
    });
}

/// The Berkeley master's poll table, reached with `}` at 80×24: aligned
/// columns, the column that does not fit named; selecting another node
/// starts its inspector at the top.
#[test]
fn the_inspector_scrolls_to_the_berkeley_poll_table() {
    block_on(async {
        let mut app = open("berkeley", 4, 1).await;
        run(&mut app, &["sync", "run", "select 0"]).await;
        app.on_resize(80, 24);
        let insp = app.panes().unwrap().inspector;
        let text = screen(&app, 80, 24);
        assert!(text.contains("more · }"), "{text}");
        assert!(!text.contains("rtt ms"), "the poll table is below: {text}");
        let mut presses = 0;
        while !pane_rows(&screen(&app, 80, 24), insp).iter().any(|r| r.starts_with("poll  rtt ms")) {
            press(&mut app, '}').await;
            presses += 1;
            assert!(presses < 10, "the poll table is never reached");
        }
        let text = screen(&app, 80, 24);
        let rows = pane_rows(&text, insp);
        let head = rows.iter().position(|r| r.starts_with("poll")).unwrap();
        // Right-aligned, two cells apart: each column ends where its header does.
        // Where each cell ends: the last three columns end at the same
        // place on every row.
        let ends = |r: &str| {
            let chars: Vec<char> = r.chars().collect();
            let ends: Vec<usize> =
                (0..chars.len()).filter(|&i| chars[i] != ' ' && chars.get(i + 1).is_none_or(|&c| c == ' ')).collect();
            ends[ends.len() - 3..].to_vec()
        };
        let want = ends(&rows[head]);
        let mut body = 0;
        for r in rows.iter().skip(head + 1).take_while(|r| r.starts_with(char::is_numeric)) {
            assert_eq!(ends(r), want, "{text}");
            body += 1;
        }
        assert_eq!(body, 4, "{text}");
        assert!(text.contains("+1 col hidden: reading"), "{text}");
        assert!(text.contains("▲"), "{text}");
        insta::assert_snapshot!("inspector_scrolled_berkeley_80x24", text);
        // `}` at the end says so.
        for _ in 0..5 {
            press(&mut app, '}').await;
        }
        assert!(app.status.as_ref().unwrap().text.contains("at its end"), "{:?}", app.status);
        // `{` goes back up; the wheel too.
        press(&mut app, '{').await;
        let up = app.scroll.inspector;
        let wheel = MouseEvent {
            kind: MouseEventKind::ScrollUp,
            column: insp.x + 2,
            row: insp.y + 2,
            modifiers: KeyModifiers::NONE,
        };
        app.on_mouse(wheel).await;
        assert_eq!(app.scroll.inspector, up - 3);
        app.on_mouse(MouseEvent { kind: MouseEventKind::ScrollDown, ..wheel }).await;
        assert_eq!(app.scroll.inspector, up);
        // Another node: its inspector from the top.
        press(&mut app, 'l').await;
        assert_eq!((app.inspect_node, app.scroll.inspector), (1, 0));
        // At 120×40 the whole table, every column.
        app.on_key(KeyEvent::new(KeyCode::Left, KeyModifiers::NONE)).await;
        app.on_resize(120, 40);
        let text = screen(&app, 120, 40);
        insta::assert_snapshot!("inspector_berkeley_120x40", text);
    });
}

/// Load-balancer's side table: `w` and `assigned` two cells apart.
#[test]
fn the_load_balancer_table_is_aligned() {
    block_on(async {
        let mut app = lecture("load-balancer", 2).await;
        for (w, h) in [(80, 24), (120, 40)] {
            app.on_resize(w, h);
            let text = screen(&app, w, h);
            assert!(text.contains("w  assigned"), "{text}");
            insta::assert_snapshot!(format!("load_balancer_table_{w}x{h}"), text);
        }
    });
}

fn view<'a>(sc: &'a dyn distlab::scenario::Scenario, selected: NodeId) -> View<'a> {
    View {
        sc,
        selected,
        cursor: 0,
        playing: false,
        steps_per_second: 1,
        inspect: &[],
        inspect_node: selected,
        script: None,
        side: Side::of(sc),
        scroll: Scroll::default(),
        event: None,
    }
}

/// Draw the topology pane into `pane`, in the middle of a larger screen.
fn draw_topology(sc: &dyn distlab::scenario::Scenario, pane: Rect, theme: &'static theme::Theme) -> String {
    let mut term = Terminal::new(TestBackend::new(pane.width + 8, pane.height + 4)).unwrap();
    theme::set(theme);
    term.draw(|f| topology::render(&view(sc, 0), f, pane)).unwrap();
    buffer_text(term.backend().buffer())
}

/// Every label stays inside the topology pane, whole or ending in `…`, at
/// every pane size of 60×20..200×60 screens and ring sizes 2..12; a click
/// on a node's cell still selects it.
#[test]
fn topology_labels_stay_inside_the_pane() {
    block_on(async {
        for n in 2..=12 {
            for (scenario, lines) in [
                ("berkeley", &["sync", "run"][..]),
                ("load-balancer", &["submit 0", "submit 0", "submit 0", "run", "crash 2", "submit 0", "run"][..]),
            ] {
                let mut app = open(scenario, n.max(3), 1).await;
                run(&mut app, lines).await;
                let sc = app.scenario.as_deref().unwrap();
                let n = sc.n();
                for (w, h) in [(60, 20), (80, 24), (100, 30), (120, 40), (160, 50), (200, 60)] {
                    // The topology pane's size on such a screen.
                    let pane = Rect::new(4, 2, ((w * 2 / 5) as u16).clamp(30, 64), (h - 3) / 2);
                    let text = draw_topology(sc, pane, &theme::DARK);
                    let rows: Vec<&str> = text.lines().collect();
                    for (y, row) in rows.iter().enumerate() {
                        for (x, c) in row.chars().enumerate() {
                            let inside = pane.contains(ratatui::layout::Position::new(x as u16, y as u16));
                            assert!(inside || c == ' ', "{scenario} n={n} {w}x{h}: {c:?} at {x},{y}\n{text}");
                        }
                    }
                    let inner = ratatui::widgets::Block::bordered().inner(pane);
                    let ring = topology::ring(inner, sc, 0);
                    for i in 0..n {
                        let (col, row) = ring.cell(i);
                        assert!(inner.contains((col, row).into()), "{scenario} n={n} {w}x{h}: node {i}");
                        let hit = topology::node_at(pane, sc, 0, (col, row).into()).unwrap();
                        assert_eq!(ring.cell(hit), (col, row), "{scenario} n={n} {w}x{h}: click on node {i}");
                        if n > 4 {
                            // More labels than room: they may cover each other,
                            // never the border.
                            continue;
                        }
                        let (id, badge) = topology::label(sc, i, 0).unwrap();
                        let line: String = rows[row as usize].chars().collect();
                        let whole = format!("{id} {badge}");
                        let has = if badge.is_empty() {
                            line.contains(&id)
                        } else {
                            line.contains(whole.trim()) || line.contains(&format!("{badge} {id}")) || line.contains('…')
                        };
                        assert!(has, "{scenario} n={n} {w}x{h}: node {i} label {whole:?}\n{text}");
                    }
                }
            }
        }
    });
}

/// `○ 1 Δ-1.95`: no longer cut at the right edge, even at 200 columns.
#[test]
fn the_berkeley_badges_are_whole() {
    block_on(async {
        let mut app = open("berkeley", 4, 1).await;
        run(&mut app, &["sync", "run"]).await;
        for (w, h) in [(80, 24), (120, 40), (200, 60)] {
            app.on_resize(w, h);
            let text = screen(&app, w, h);
            let topo = pane_rows(&text, app.panes().unwrap().topology).join("\n");
            let sc = app.scenario.as_deref().unwrap();
            for i in 0..4 {
                let badge = sc.badge(i);
                assert!(topo.contains(&badge), "{w}x{h}: {badge}\n{topo}");
            }
        }
    });
}

/// Without colour a cut link (dashed, ╳ at its middle) and a partition
/// (dotted) differ from a live link and from each other, and the bottom
/// row names each with its mark.
#[test]
fn cut_links_and_partitions_differ_without_colour() {
    block_on(async {
        let pane = Rect::new(0, 0, 40, 16);
        let mut shots = Vec::new();
        for faults in [&[][..], &["cut 0 1"][..], &["partition 0 1"][..]] {
            let mut app = open("ricart-agrawala", 2, 1).await;
            run(&mut app, faults).await;
            shots.push(draw_topology(app.scenario.as_deref().unwrap(), pane, &theme::MONO));
        }
        theme::set(&theme::DARK);
        // The link between the two nodes, without the node rows.
        let link = |s: &str| -> String {
            let rows: Vec<&str> = s.lines().collect();
            rows[3..11].iter().map(|r| r.chars().skip(14).take(12).collect::<String>()).collect::<Vec<_>>().join("\n")
        };
        let (live, cut, parted) = (link(&shots[0]), link(&shots[1]), link(&shots[2]));
        assert!(live != cut && cut != parted && live != parted, "{live}\n--\n{cut}\n--\n{parted}");
        assert!(shots[1].contains("╳ cut 0-1") && shots[1].matches('╳').count() == 2, "{}", shots[1]);
        assert!(shots[2].contains("┈ partition 0 | 1") && !shots[2].contains('╳'), "{}", shots[2]);
        // Gaps: the cut link has empty cells along it, the live one none.
        let dots = |s: &str| s.chars().filter(|c| ('\u{2801}'..='\u{28ff}').contains(c)).count();
        assert!(dots(&cut) < dots(&live) && dots(&parted) <= dots(&live), "{live}\n--\n{cut}\n--\n{parted}");
        insta::assert_snapshot!("topology_mono_cut_and_partition", format!("{}\n{}\n{}", shots[0], shots[1], shots[2]));
    });
}
