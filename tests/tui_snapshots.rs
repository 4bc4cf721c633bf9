//! Whole-screen snapshots of the TUI through ratatui's TestBackend, at
//! 80×24 and 120×40. Review every .snap file by eye: it must show what the
//! test name says (see the comment on each test).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use distlab::engine::actor::DriverKind;
use distlab::engine::sim::SimConfig;
use distlab::engine::trace::RunConfig;
use distlab::tui::{App, Start, buffer_text, render_to_buffer};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

fn config(scenario: &str, n: usize, driver: DriverKind, params: &[(&str, &str)]) -> RunConfig {
    let mut sim = SimConfig::new(n, 1);
    sim.driver = driver;
    let params = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    RunConfig { scenario: scenario.into(), params, sim }
}

async fn open(scenario: &str, n: usize, driver: DriverKind) -> App {
    App::new(Start { config: Some(config(scenario, n, driver, &[])), script: None, replay: None, ..Default::default() })
        .await
        .unwrap()
}

async fn run(app: &mut App, lines: &[&str]) {
    for l in lines {
        app.exec(l).await.unwrap_or_else(|e| panic!("{l}: {e}"));
    }
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

async fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        app.on_key(key(KeyCode::Char(c))).await;
    }
}

fn screen(app: &App, w: u16, h: u16) -> String {
    buffer_text(&render_to_buffer(app, w, h))
}

/// Ricart–Agrawala, 5 nodes: nodes 1 and 3 ask at the same Lamport time;
/// node 1 wins the tie on its id, so it has deferred node 3's request:
/// the inspector of the selected node 1 shows `deferred queue 3(ts=1)`.
async fn ricart() -> App {
    let mut app = open("ricart-agrawala", 5, DriverKind::Inline).await;
    run(&mut app, &["request 1", "request 3", "step 9", "select 1"]).await;
    app
}

/// Ring election, 5 nodes, node 3 crashed, node 2 starts an election: the
/// crashed node is ✗ on the ring and its lane is broken; the ELECTION
/// message to it is lost (✗ on lane 3).
async fn ring() -> App {
    let mut app = open("ring-election", 5, DriverKind::Actors).await;
    run(&mut app, &["crash 3", "elect 2", "step 7", "select 2"]).await;
    app
}

#[test]
fn ricart_agrawala_80x24() {
    block_on(async {
        let app = ricart().await;
        assert!(app.inspect.iter().any(|r| r.label == "deferred queue" && r.value.contains('3')));
        insta::assert_snapshot!(screen(&app, 80, 24));
    });
}

#[test]
fn ricart_agrawala_120x40() {
    block_on(async {
        let app = ricart().await;
        insta::assert_snapshot!(screen(&app, 120, 40));
    });
}

#[test]
fn ring_election_80x24() {
    block_on(async {
        let app = ring().await;
        insta::assert_snapshot!(screen(&app, 80, 24));
    });
}

#[test]
fn ring_election_120x40() {
    block_on(async {
        let app = ring().await;
        insta::assert_snapshot!(screen(&app, 120, 40));
    });
}

/// Ring election run to the end: every live node believes 4 is the
/// coordinator (★ at node 4, `L=4` badges).
#[test]
fn ring_election_finished_120x40() {
    block_on(async {
        let mut app = ring().await;
        run(&mut app, &["run", "select 4"]).await;
        insta::assert_snapshot!(screen(&app, 120, 40));
    });
}

/// The help overlay lists the keymap, ring-election's own verb and the
/// generic command verbs.
#[test]
fn help_overlay() {
    block_on(async {
        let mut app = ring().await;
        app.on_key(key(KeyCode::Char('?'))).await;
        insta::assert_snapshot!("help_120x40", screen(&app, 120, 40));
        insta::assert_snapshot!("help_80x24", screen(&app, 80, 24));
        // Scrolled to the end: the prompt and picker keys.
        app.on_resize(120, 40);
        app.on_key(key(KeyCode::End)).await;
        insta::assert_snapshot!("help_120x40_end", screen(&app, 120, 40));
        app.on_key(key(KeyCode::Esc)).await;
        assert!(app.overlay.is_none());
    });
}

/// No scenario given: the picker lists every registered algorithm.
#[test]
fn picker() {
    block_on(async {
        let mut app = App::new(Start { config: None, script: None, replay: None, ..Default::default() }).await.unwrap();
        insta::assert_snapshot!("picker_80x24", screen(&app, 80, 24));
        app.on_key(key(KeyCode::Down)).await;
        app.on_key(key(KeyCode::Enter)).await;
        let sc = app.scenario.as_deref().expect("Enter opens the picked scenario");
        assert_eq!(sc.card().name, distlab::algos::all()[1].card.name);
        assert_eq!((sc.n(), sc.config().sim.seed), (sc.card().nodes.default, 1));
    });
}

/// Below 60×20 a one-line message replaces everything, at every size
/// down to 1×1; from 60×20 to 80×24 the compact layout shows the run.
#[test]
fn too_small() {
    block_on(async {
        let app = ricart().await;
        insta::assert_snapshot!("too_small_59x20", screen(&app, 59, 20));
        for (w, h) in [(59, 24), (80, 19), (20, 30), (1, 1), (0, 0), (3, 200), (300, 2)] {
            let text = screen(&app, w, h);
            let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
            assert!(lines.len() <= 1, "{w}x{h}: one line at most:\n{text}");
            if w >= 20 && h > 0 {
                assert!(text.contains("need 60×20"), "{w}x{h}: {text}");
            }
        }
        for w in (60..80).step_by(3) {
            for h in 20..=24 {
                let text = screen(&app, w, h);
                assert!(
                    text.contains("ricart-agrawala") && text.contains("topology") && text.contains("log"),
                    "{w}x{h}"
                );
                assert!(text.contains("request / release"), "{w}x{h}: the action key:\n{text}");
            }
        }
        // And every pane clips at every size from the minimum up.
        for w in (80..=150).step_by(7).chain([199, 300]) {
            for h in (24..=70).step_by(5).chain([120]) {
                let text = screen(&app, w, h);
                assert!(text.contains("ricart-agrawala") && text.contains("space-time"), "{w}x{h}");
            }
        }
    });
}

/// A bad command at the `:` prompt is reported on the prompt line and
/// changes nothing; a good one runs and shows in the status line and log.
#[test]
fn prompt_error_and_command() {
    block_on(async {
        let mut app = ricart().await;
        let before = app.scenario.as_deref().unwrap().inputs().len();
        keys(&mut app, ":crash 9").await;
        app.on_key(key(KeyCode::Enter)).await;
        let prompt = app.prompt.as_ref().expect("the prompt stays open on an error");
        assert!(prompt.error.as_deref().unwrap().contains("node 9 does not exist"), "{prompt:?}");
        assert_eq!(app.scenario.as_deref().unwrap().inputs().len(), before);
        insta::assert_snapshot!("prompt_error_80x24", screen(&app, 80, 24));
        app.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)).await;
        keys(&mut app, "crash 4").await;
        app.on_key(key(KeyCode::Enter)).await;
        assert!(app.prompt.is_none());
        let sc = app.scenario.as_deref().unwrap();
        assert_eq!(sc.inputs().last().map(|i| i.to_string()).as_deref(), Some("crash 4"));
        assert!(!sc.alive(4));
    });
}

/// A broken variant (no deferring): the badge turns red and names the
/// property and the step it broke at.
#[test]
fn violation_badge() {
    block_on(async {
        let start = Start {
            config: Some(config("ricart-agrawala", 3, DriverKind::Inline, &[("variant", "no-defer"), ("cs", "0")])),
            script: None,
            replay: None,
            ..Default::default()
        };
        let mut app = App::new(start).await.unwrap();
        run(&mut app, &["request 0", "request 1", "run"]).await;
        let sc = app.scenario.as_deref().unwrap();
        let v = sc.violations().first().expect("the broken variant is caught").clone();
        let buf = render_to_buffer(&app, 80, 24);
        let text = buffer_text(&buf);
        let first = text.lines().next().unwrap();
        assert!(first.contains(&format!("✗ {} @ step {}", v.property, v.step)), "{first}");
        let x = first.chars().position(|c| c == '✗').unwrap() as u16;
        assert_eq!(buf[(x, 0)].bg, distlab::tui::theme::DARK.bad);
        insta::assert_snapshot!("violation_80x24", text);
    });
}

/// A lecture script: `say` shows in the narration line, `pause` waits for
/// `n`, which runs on to the next pause.
#[test]
fn script_narration_and_pause() {
    block_on(async {
        let script = "say \"Node 1 asks for the critical section\"\nrequest 1\npause\nsay \"Everyone replies\"\nrun\npause\nexpect ok\n";
        let start = Start {
            config: Some(config("ricart-agrawala", 3, DriverKind::Actors, &[])),
            script: Some(script.into()),
            replay: None,
            ..Default::default()
        };
        let mut app = App::new(start).await.unwrap();
        let lec = app.lecture.as_ref().unwrap();
        assert!(lec.waiting && lec.pos == 3, "{lec:?}");
        insta::assert_snapshot!("script_paused_80x24", screen(&app, 80, 24));
        // `n` says the next line and plays the script's `run` at the play
        // speed; a second `n` finishes it and the script waits again.
        app.on_key(key(KeyCode::Char('n'))).await;
        assert!(app.lecture.as_ref().unwrap().animating());
        assert_eq!(app.scenario.as_deref().unwrap().narration(), Some("Everyone replies"));
        assert!(screen(&app, 80, 24).contains("▶ running — n finishes"));
        app.on_key(key(KeyCode::Char('n'))).await;
        assert!(app.lecture.as_ref().unwrap().waiting);
        assert_eq!(app.scenario.as_deref().unwrap().in_flight(0).1, 0, "the run ran to its end");
        app.on_key(key(KeyCode::Char('n'))).await;
        assert!(app.lecture.as_ref().unwrap().finished());
        assert!(app.scenario.as_deref().unwrap().failed_expectations().is_empty());
    });
}

/// A long narration at 80×24: only its first row shares the line with
/// "press n to continue", the rest use the whole width, so the whole text
/// shows; one too long for a third of the screen scrolls, with a mark.
#[test]
fn a_long_narration_uses_the_whole_width() {
    block_on(async {
        let open = |script: &str| {
            let start = Start {
                config: Some(config("ring-election", 5, DriverKind::Inline, &[])),
                script: Some(script.into()),
                replay: None,
                ..Default::default()
            };
            App::new(start)
        };
        let said =
            "Five processes, 0 to 4, on a logical ring: each talks only to its successor, 0 → 1 → 2 → 3 → 4 → 0.";
        let goal = "Goal: every live process agrees on one coordinator, the one with the highest id.";
        let app = open(&format!("say \"{said}\"\nsay \"{goal}\"\npause\n")).await.unwrap();
        let text = screen(&app, 80, 24);
        let rows: Vec<&str> = text.lines().collect();
        let at = rows.iter().position(|r| r.contains("❝ Five processes")).expect("the narration shows");
        assert!(rows[at].contains("▶ press n to continue"), "{text}");
        let narration = rows[at..at + 4].join(" ");
        assert!(rows[at + 2].trim_start().starts_with("Goal:"), "each say its own paragraph: {text}");
        assert!(narration.contains("the one with the highest") && narration.contains("id. ❞"), "{text}");
        assert!(!narration.contains('…'), "{text}");
        // Eight times as long: a third of the screen, then a mark to scroll.
        let long = format!("say \"{said} {goal} {said} {goal}\"\nsay \"{said} {goal}\"\n").repeat(2) + "pause\n";
        let app = open(&long).await.unwrap();
        let text = screen(&app, 80, 24);
        let rows: Vec<&str> = text.lines().collect();
        let at = rows.iter().position(|r| r.contains("❝ Five processes")).expect("the narration shows");
        assert!(rows[at - 1].contains("▼ 9 more rows · PgDn") && rows[at - 1].contains("▶ press n"), "{text}");
        assert_eq!(rows.len() - at, 7 + 2, "seven rows of text, the status and the key bar: {text}");
        // (The log's `» say` echo may end in `…`: the narration has it whole.)
        assert!(!rows[at - 1..].concat().contains('…'), "{text}");
    });
}

/// A script with a typo is reported and nothing runs.
#[test]
fn script_error() {
    block_on(async {
        let start = Start {
            config: Some(config("ring-election", 5, DriverKind::Inline, &[])),
            script: Some("crash 3\nelect two\n".into()),
            replay: None,
            ..Default::default()
        };
        let app = App::new(start).await.unwrap();
        assert!(app.scenario.as_deref().unwrap().inputs().is_empty());
        let text = screen(&app, 80, 24);
        assert!(text.contains("script line 2"), "{text}");
        assert!(text.contains("script stopped"), "{text}");
    });
}

/// 64 nodes: the ring shows every node, the space-time diagram the lanes
/// that fit around the selected node and "+N more".
#[test]
fn many_nodes_120x40() {
    block_on(async {
        let mut app = open("ricart-agrawala", 64, DriverKind::Inline).await;
        run(&mut app, &["request 5", "request 40", "step 150", "select 40"]).await;
        let text = screen(&app, 120, 40);
        assert!(text.contains("more"), "{text}");
        insta::assert_snapshot!(text);
    });
}

/// Keys select nodes, pick and deliver a message; a click on a node in
/// the ring selects it.
#[test]
fn keys_and_mouse() {
    block_on(async {
        let mut app = ricart().await;
        app.on_resize(120, 40);
        app.on_key(key(KeyCode::Right)).await;
        assert_eq!(app.selected, 2);
        app.on_key(key(KeyCode::Char('h'))).await;
        app.on_key(key(KeyCode::Char('h'))).await;
        assert_eq!(app.selected, 0);
        app.on_key(key(KeyCode::Down)).await;
        let sc = app.scenario.as_deref().unwrap();
        // The cursor moves down the list as the pane shows it: in the
        // order `step` delivers.
        let picked = sc.queued(2)[1].id;
        app.on_key(key(KeyCode::Char('d'))).await;
        let sc = app.scenario.as_deref().unwrap();
        assert_eq!(sc.inputs().last().unwrap().to_string(), format!("deliver {picked}"));
        // Click node 3 on the ring.
        let p = app.panes().unwrap();
        let inner = ratatui::widgets::Block::bordered().inner(p.topology);
        let ring = distlab::tui::topology::ring(inner, app.scenario.as_deref().unwrap(), app.selected);
        let (x, y) = ring.cell(3);
        let click = MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        };
        app.on_mouse(click).await;
        assert_eq!(app.selected, 3);
        assert_eq!(app.inspect_node, 3);
    });
}

/// Ricart–Agrawala's action key runs `request N | release N`, a wide
/// command column: at 80 columns every description wraps under itself
/// instead of being cut at the border, and scrolling reaches its end.
#[test]
fn help_wraps_to_a_narrow_screen() {
    use distlab::tui::keymap::KEYMAP;
    block_on(async {
        let mut app = ricart().await;
        app.on_resize(80, 24);
        app.on_key(key(KeyCode::Char('?'))).await;
        insta::assert_snapshot!("help_ricart_80x24", screen(&app, 80, 24));
        // The overlay's inner width at 80 columns: 80 - 4 margin - 2 borders.
        let lines: Vec<String> =
            distlab::tui::help::lines(app.scenario.as_deref(), 74).iter().map(|l| l.to_string()).collect();
        let wide: Vec<_> = lines.iter().filter(|l| distlab::tui::theme::width(l) > 74).collect();
        assert!(wide.is_empty(), "lines wider than the overlay: {wide:#?}");
        let flat = lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
        for b in KEYMAP {
            assert!(flat.contains(b.help), "{:?} is not in help", b.help);
        }
        assert!(
            lines.len() > distlab::tui::help::lines(app.scenario.as_deref(), 1000).len(),
            "nothing wrapped at 80 columns"
        );
        app.on_key(key(KeyCode::End)).await;
        let end = screen(&app, 80, 24);
        assert!(end.contains("When asked"), "End shows the last section: {end}");
    });
}

/// Help and the key bar come from the one keymap table: every binding is
/// in help with its keys and command, and every key-bar word is bound.
#[test]
fn help_and_key_bar_follow_the_keymap() {
    use distlab::tui::keymap::ACTION_WORD;
    block_on(async {
        let mut app = ring().await;
        app.on_key(key(KeyCode::Char('?'))).await;
        let help: Vec<String> =
            distlab::tui::help::lines(app.scenario.as_deref(), 1000).iter().map(|l| l.to_string()).collect();
        for b in distlab::tui::keymap::bindings(distlab::tui::keymap::Mode::Run) {
            let line = help
                .iter()
                .find(|l| l.trim_start().starts_with(b.label) && l.contains(b.help))
                .unwrap_or_else(|| panic!("{:?} is not in help", b.label));
            if b.bar.is_none_or(|(_, w)| w != ACTION_WORD) {
                assert!(line.contains(b.command), "{line}");
            } else {
                assert!(line.contains("elect N"), "{line}");
            }
        }
        for (usage, _) in distlab::script::GENERIC {
            assert!(help.iter().any(|l| l.contains(usage)), "{usage} is not in help");
        }
        app.on_key(key(KeyCode::Esc)).await;
        let bar = app.key_bar();
        let bound: Vec<_> =
            distlab::tui::keymap::bindings(distlab::tui::keymap::Mode::Run).filter_map(|b| b.bar).collect();
        assert_eq!(bar.len(), bound.len());
        for (bk, bw) in bound {
            let word = if bw == ACTION_WORD { "elect" } else { bw };
            assert!(bar.iter().any(|i| i.key == bk && i.word == word), "{bk} {word} is not in the bar {bar:?}");
        }
        // `? help` and `q quit` close the bar (a narrow bar keeps them).
        let tail: Vec<&str> = bar[bar.len() - 2..].iter().map(|i| i.word.as_str()).collect();
        assert_eq!(tail, ["help", "quit"]);
    });
}

/// The picker scrolls: at every size the highlighted scenario is on
/// screen (▸), with its card below the list (80×24) or beside it (120×40);
/// End highlights the last scenario and Enter opens exactly that one.
#[test]
fn picker_scrolls_and_shows_the_highlighted_card() {
    block_on(async {
        let all = distlab::algos::all();
        for (w, h) in [(80, 24), (120, 40), (200, 60)] {
            let mut app =
                App::new(Start { config: None, script: None, replay: None, ..Default::default() }).await.unwrap();
            app.on_resize(w, h);
            for (i, e) in all.iter().enumerate() {
                let s = screen(&app, w, h);
                assert!(s.contains(&format!("▸ {} ", e.card.name)), "{w}×{h}: entry {i} highlighted and visible:\n{s}");
                assert!(s.contains(e.card.title), "{w}×{h}: the card of {} is shown:\n{s}", e.card.name);
                app.on_key(key(KeyCode::Char('j'))).await;
            }
            app.on_key(key(KeyCode::Char('k'))).await;
            app.on_key(key(KeyCode::Home)).await;
            assert_eq!(app.picker, 0);
            app.on_key(key(KeyCode::End)).await;
            let last = all.last().expect("scenarios").card.name;
            assert!(screen(&app, w, h).contains(&format!("▸ {last} ")));
            app.on_key(key(KeyCode::Enter)).await;
            assert_eq!(app.scenario.as_deref().map(|s| s.card().name), Some(last));
        }
        let app = App::new(Start { config: None, script: None, replay: None, ..Default::default() }).await.unwrap();
        insta::assert_snapshot!("picker_120x40", screen(&app, 120, 40));
    });
}

/// `i` opens the guide of the run's scenario: its card (algorithm,
/// variants with what catches them, properties, scripts), scrollable to its
/// end; Esc closes it. In the picker, `i` shows the highlighted card.
#[test]
fn guide_overlay_shows_the_card() {
    block_on(async {
        let mut app = ricart().await;
        app.on_resize(80, 24);
        app.on_key(key(KeyCode::Char('i'))).await;
        let s = screen(&app, 80, 24);
        insta::assert_snapshot!("guide_ricart_80x24", s);
        assert!(s.contains("guide: ricart-agrawala") && s.contains("Ricart–Agrawala mutual exclusion"), "{s}");
        app.on_key(key(KeyCode::End)).await;
        let end = screen(&app, 80, 24);
        assert!(end.contains("assets/ricart-agrawala-broken.dl"), "{end}");
        app.on_key(key(KeyCode::Esc)).await;
        assert!(app.overlay.is_none());
        // `help VERB` at the prompt: the card's usage line and help.
        app.exec("help request").await.unwrap();
        assert_eq!(
            app.status.as_ref().map(|s| s.text.as_str()),
            Some("request N — node N asks for the critical section")
        );
        assert!(app.exec("help frobnicate").await.unwrap_err().contains("not a command of ricart-agrawala"));
        let mut picker =
            App::new(Start { config: None, script: None, replay: None, ..Default::default() }).await.unwrap();
        picker.on_key(key(KeyCode::Char('j'))).await;
        picker.on_key(key(KeyCode::Char('i'))).await;
        let second = distlab::algos::all()[1].card;
        assert!(screen(&picker, 120, 40).contains(&format!("guide: {}", second.name)));
    });
}

/// The key bar greys out what cannot run now: with nothing in flight
/// `step` is grey, and on a live node `recover` is grey while `crash` is not.
#[test]
fn key_bar_greys_out_what_cannot_run_now() {
    block_on(async {
        let app = open("ricart-agrawala", 3, DriverKind::Inline).await;
        let bar = app.key_bar();
        let state =
            |word: &str| bar.iter().find(|i| i.word == word).unwrap_or_else(|| panic!("{word} in {bar:?}")).available;
        assert!(!state("step"), "nothing in flight");
        assert!(!state("recover") && state("crash"), "node 0 is up");
        assert!(state("request / release") && state("help") && state("quit"));
        let buf = render_to_buffer(&app, 120, 40);
        let text = buffer_text(&buf);
        let row = text.lines().count() - 1;
        let col = text.lines().nth(row).and_then(|l| l.find(" recover ")).expect("recover in the key bar");
        let x = text.lines().nth(row).unwrap()[..col].chars().count() as u16 + 1;
        assert_eq!(buf[(x, row as u16)].fg, distlab::tui::theme::DARK.greyed_word, "recover is drawn grey");
    });
}

/// The words a screen shows must be the scenario's: none of these generic
/// ones may appear where the scenario names the role otherwise.
fn assert_words(screen: &str, has: &[&str], not: &[&str]) {
    for w in has {
        assert!(screen.contains(w), "missing {w:?}:\n{screen}");
    }
    for w in not {
        assert!(!screen.contains(w), "shows {w:?}:\n{screen}");
    }
}

/// Chat, 4 nodes: client 1 joined (● connected), client 2's JOIN is on its
/// way (◐ joining), client 3 never joined (○ offline), node 0 is the
/// server (★ server): the legend and the inspector's title say the chat's
/// words, never in-cs or leader; `expect role` takes them and refuses the
/// generic word with a hint naming the chat's.
#[test]
fn chat_names_its_roles_120x40() {
    block_on(async {
        let mut app = open("chat", 4, DriverKind::Inline).await;
        run(&mut app, &["join 1", "run", "join 2", "select 1", "expect role 1 connected", "expect role 2 joining"])
            .await;
        run(&mut app, &["expect role 0 server", "expect role 3 offline"]).await;
        let err = app.exec("expect role 1 in-cs").await.unwrap_err();
        assert!(err.contains("\"in-cs\" is called \"connected\" here"), "{err}");
        let err = app.exec("expect role 0 leader").await.unwrap_err();
        assert!(err.contains("\"leader\" is called \"server\" here"), "{err}");
        assert!(app.scenario.as_ref().unwrap().failed_expectations().is_empty());
        let s = screen(&app, 120, 40);
        assert_words(
            &s,
            &["● connected", "◐ joining", "○ offline", "★ server", "node 1 ● connected"],
            &["in-cs", "leader"],
        );
        insta::assert_snapshot!(s);
    });
}

/// DFS, 3 nodes: servers A and B are ★ server (not leader) in the legend
/// and the inspector; the action key on a server says "node 1 is a
/// server: no list files now".
#[test]
fn dfs_servers_are_servers_80x24() {
    block_on(async {
        let mut app = open("dfs", 3, DriverKind::Inline).await;
        run(&mut app, &["select 1"]).await;
        keys(&mut app, "r").await;
        let s = screen(&app, 80, 24);
        assert_words(&s, &["★ server", "node 1 ★ server", "node 1 is a server: no list files now"], &["leader"]);
        insta::assert_snapshot!(s);
    });
}

/// Load balancer and chat rooms: the balancer is ★ balancer, a server
/// running a job ● running, a client awaiting an answer ◐ waiting; the
/// chat-rooms controller is ★ controller and a client in a room ●
/// connected. `expect role` takes those words.
#[test]
fn balancer_and_controller_are_named_so() {
    block_on(async {
        let mut app = open("load-balancer", 5, DriverKind::Inline).await;
        run(&mut app, &["submit a 0 50", "step 2"]).await;
        let sc = app.scenario.as_ref().unwrap();
        let balancer = (0..sc.n()).find(|&i| sc.node_role(i) == "balancer").unwrap();
        let server = (0..sc.n()).find(|&i| sc.node_role(i) == "server" && sc.role(i) != sc.role(balancer));
        run(&mut app, &[&format!("select {balancer}"), &format!("expect role {balancer} balancer")]).await;
        run(&mut app, &["expect role 0 waiting"]).await;
        let s = screen(&app, 120, 40);
        assert_words(&s, &["★ balancer", "◐ waiting", &format!("node {balancer} ★ balancer")], &["leader", "in-cs"]);
        assert!(server.is_some());

        let mut app = open("chat-rooms", 4, DriverKind::Inline).await;
        run(&mut app, &["create-room 1", "run", "join 2 0 A", "run", "select 2", "expect role 2 connected"]).await;
        run(&mut app, &["expect role 0 controller"]).await;
        let err = app.exec("expect role 2 in-cs").await.unwrap_err();
        assert!(err.contains("\"connected\""), "{err}");
        let s = screen(&app, 120, 40);
        assert_words(&s, &["★ controller", "● connected", "node 2 ● connected"], &["leader", "in-cs"]);
        assert!(app.scenario.as_ref().unwrap().failed_expectations().is_empty());
    });
}

/// A crashed chat client: the ring shows ✗, the inspector's title says
/// ✗ crashed and its first line says the rows below are what the node
/// will recover with (only what it persisted), not a live state.
#[test]
fn crashed_inspector_80x24() {
    block_on(async {
        let mut app = open("chat", 4, DriverKind::Inline).await;
        run(&mut app, &["join 1", "run", "crash 1", "select 1", "expect role 1 crashed"]).await;
        let s = screen(&app, 80, 24);
        assert_words(&s, &["node 1 ✗ crashed", "✗ crashed; recovers with:"], &["in-cs", "leader"]);
        insta::assert_snapshot!(s);
    });
}
