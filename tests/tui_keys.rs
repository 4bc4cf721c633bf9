//! Random keystrokes, prompt garbage, mouse clicks, play ticks and resizes
//! down to 1×1 on both scenarios and the picker: the app never panics, stays
//! consistent, and its input log always replays to the same run.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use distlab::engine::actor::DriverKind;
use distlab::engine::sim::SimConfig;
use distlab::engine::trace::RunConfig;
use distlab::tui::app::StatusKind;
use distlab::tui::{App, Start, render_to_buffer};

/// A small seeded generator (xorshift64*), so every run is the same.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Restart (`R`) is sent separately and rarely, so runs get somewhere.
const CHARS: &str = "  sssrrrrpP+-=_hlHjkdDbSnq:?xcvgG0123456789aé→\"#,.";
const CODES: &[KeyCode] = &[
    KeyCode::Left,
    KeyCode::Right,
    KeyCode::Up,
    KeyCode::Down,
    KeyCode::Tab,
    KeyCode::BackTab,
    KeyCode::Enter,
    KeyCode::Esc,
    KeyCode::Backspace,
    KeyCode::Delete,
    KeyCode::Home,
    KeyCode::End,
    KeyCode::PageUp,
    KeyCode::PageDown,
    KeyCode::F(1),
    KeyCode::Insert,
];
const WORDS: &[&str] = &[
    "step",
    "run",
    "run 40",
    "deliver",
    "drop",
    "delay",
    "dup",
    "crash",
    "recover",
    "cut",
    "heal",
    "partition",
    "loss",
    "dup-rate",
    "latency",
    "sched",
    "fifo",
    "say",
    "pause",
    "expect",
    "request",
    "release",
    "elect",
    "select",
    "back",
    "restart",
    "save",
    "play",
    "stop",
    "speed",
    "next",
    "help",
    "quit",
    "sched manual",
    "sched timed",
    "sched random",
    "fifo on",
    "expect ok",
    "expect role 1 leader",
    "expect steps == 3",
];
const ARGS: &[&str] = &["0", "1", "2", "3", "4", "7", "99", "-1", "0.5", "x", "\"a b\"", "0,1", "2,3", "#3", "1e9", ""];

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn random_key(rng: &mut Rng) -> KeyEvent {
    match rng.below(10) {
        0..=5 => {
            let chars: Vec<char> = CHARS.chars().collect();
            let c = *rng.pick(&chars);
            let m = if c.is_ascii_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
            KeyEvent::new(KeyCode::Char(c), m)
        }
        6..=8 => key(*rng.pick(CODES)),
        _ => {
            let c = *rng.pick(&['u', 'w', 'a', 'e', 'x', 'l']);
            KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
        }
    }
}

/// A prompt line: command words with random, often wrong, arguments.
fn random_line(rng: &mut Rng) -> String {
    let mut line = (*rng.pick(WORDS)).to_string();
    for _ in 0..rng.below(4) {
        line.push(' ');
        let arg = ARGS[rng.below(ARGS.len())];
        line.push_str(arg);
    }
    if rng.below(8) == 0 {
        line.push_str(" \"unterminated");
    }
    line
}

fn check(app: &App) {
    if let Some(sc) = app.scenario.as_deref() {
        assert!(app.selected < sc.n());
        assert_eq!(app.inspect_node, app.selected, "the inspector follows the selection");
        let total = sc.in_flight(0).1;
        assert!(app.cursor <= total.saturating_sub(1));
    }
    if let Some(p) = &app.prompt {
        assert!(p.cursor <= p.text.chars().count());
    }
}

async fn replay_matches(app: &App) {
    let Some(sc) = app.scenario.as_deref() else { return };
    let trace = sc.trace();
    let again = distlab::replay::replay_scenario(&trace).await.expect("the input log replays");
    assert_eq!(again.history(), sc.history());
    assert_eq!(again.step(), sc.step());
}

async fn fuzz(start: Start, seed: u64, events: usize) {
    let dir = std::env::temp_dir().join(format!("distlab-tui-keys-{}-{seed}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut app = App::new(start).await.unwrap();
    app.save_dir = dir.clone();
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let (mut w, mut h) = (120u16, 40u16);
    app.on_resize(w, h);
    // How much of the app the keys reached.
    let (mut max_step, mut max_inputs, mut errors, mut commands) = (0u64, 0usize, 0usize, 0usize);
    for i in 0..events {
        match rng.below(20) {
            0 => {
                // Resize, often below the minimum, down to 1×1.
                w = 1 + rng.below(160) as u16;
                h = 1 + rng.below(60) as u16;
                if rng.below(3) == 0 {
                    (w, h) = (80 + rng.below(60) as u16, 24 + rng.below(30) as u16);
                }
                app.on_resize(w, h);
            }
            1 => {
                let kind = *rng.pick(&[
                    MouseEventKind::Down(MouseButton::Left),
                    MouseEventKind::ScrollDown,
                    MouseEventKind::ScrollUp,
                    MouseEventKind::Moved,
                ]);
                let m = MouseEvent {
                    kind,
                    column: rng.below(w as usize + 2) as u16,
                    row: rng.below(h as usize + 2) as u16,
                    modifiers: KeyModifiers::NONE,
                };
                app.on_mouse(m).await;
            }
            2 if rng.below(100) == 0 => app.on_key(KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT)).await,
            2 => {
                app.playing = true;
                app.tick().await;
            }
            3 if app.prompt.is_none() => {
                app.on_key(KeyEvent::new(KeyCode::Char(':'), KeyModifiers::NONE)).await;
                // Half the lines use the open scenario's own verbs (from its
                // card), with random, often wrong, arguments.
                let own = app.scenario.as_deref().map(|sc| sc.card().verbs).filter(|v| !v.is_empty());
                let line = match own {
                    Some(verbs) if rng.below(2) == 0 => {
                        let mut line = rng.pick(verbs).name.to_string();
                        for _ in 0..rng.below(4) {
                            line.push(' ');
                            line.push_str(ARGS[rng.below(ARGS.len())]);
                        }
                        line
                    }
                    _ => random_line(&mut rng),
                };
                for c in line.chars() {
                    app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)).await;
                }
                app.on_key(key(KeyCode::Enter)).await;
            }
            _ => app.on_key(random_key(&mut rng)).await,
        }
        // Quitting is a flag the loop would obey; keep going.
        app.quit = false;
        check(&app);
        if let Some(sc) = app.scenario.as_deref() {
            max_step = max_step.max(sc.step());
            max_inputs = max_inputs.max(sc.inputs().len());
        }
        match app.status.as_ref().map(|s| s.kind) {
            Some(StatusKind::Error) => errors += 1,
            Some(StatusKind::Command) => commands += 1,
            _ => {}
        }
        let _ = render_to_buffer(&app, w, h);
        if i % 500 == 499 {
            replay_matches(&app).await;
        }
    }
    replay_matches(&app).await;
    let _ = std::fs::remove_dir_all(&dir);
    let name = app.scenario.as_deref().map(|s| s.card().name);
    eprintln!(
        "seed {seed} ({name:?}): max step {max_step}, max inputs {max_inputs}, status: {commands} commands, {errors} errors"
    );
    assert!(max_step > 30 && max_inputs > 50 && errors > 0 && commands > 0, "the keys reached too little");
}

fn config(scenario: &str, seed: u64, driver: DriverKind) -> RunConfig {
    let mut sim = SimConfig::new(5, seed);
    sim.driver = driver;
    RunConfig { scenario: scenario.into(), params: Vec::new(), sim }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

#[test]
fn random_keys_ricart_agrawala() {
    block_on(async {
        let start =
            Start { config: Some(config("ricart-agrawala", 2, DriverKind::Actors)), script: None, replay: None };
        fuzz(start, 2, 3_000).await;
    });
}

#[test]
fn random_keys_ring_election() {
    block_on(async {
        let script = "say \"go\"\ncrash 3\nelect 2\npause\nrun\npause\nexpect ok\n";
        let start = Start {
            config: Some(config("ring-election", 3, DriverKind::Inline)),
            script: Some(script.into()),
            replay: None,
        };
        fuzz(start, 3, 3_000).await;
    });
}

#[test]
fn random_keys_from_the_picker() {
    block_on(async {
        fuzz(Start { config: None, script: None, replay: None }, 4, 1_500).await;
    });
}
