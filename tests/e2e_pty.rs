//! The real binary in a pseudo-terminal: open ricart-agrawala, act, play,
//! crash a node, open help, quit with `q`, and check the terminal was
//! given back (alternate screen left, cursor shown, exit code 0); and the
//! `:` prompt fed hostile lines, each refused with a one-line error and no
//! step taken.
//! Screens are polled with a deadline; nothing waits a fixed time.

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ROWS: u16 = 40;
const COLS: u16 = 120;
const DEADLINE: Duration = Duration::from_secs(20);

struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
}

impl Term {
    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn header(&self) -> String {
        self.screen().lines().next().unwrap_or_default().to_string()
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Poll the screen until `pred` holds, or fail showing the screen.
    fn wait(&self, what: &str, pred: impl Fn(&str) -> bool) {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return;
            }
            if start.elapsed() > DEADLINE {
                panic!("timed out waiting for {what}; the screen was:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn wait_text(&self, text: &str) {
        self.wait(text, |s| s.contains(text));
    }
}

/// The step number in the header.
fn header_step(header: &str) -> Option<u64> {
    let rest = &header[header.find(" step ")? + 6..];
    rest.split_whitespace().next()?.parse().ok()
}

/// The binary running in a pty, its screen kept up to date by a thread.
struct Session {
    t: Term,
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    pump: std::thread::JoinHandle<()>,
    dir: std::path::PathBuf,
}

impl Session {
    fn start(args: &[&str]) -> Session {
        let pty = native_pty_system();
        let pair = pty.openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 }).unwrap();
        let dir = std::env::temp_dir().join(format!("distlab-e2e-{}-{}", std::process::id(), args.join("-")));
        std::fs::create_dir_all(&dir).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_distlab"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.cwd(&dir);
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);

        let parser = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let feed = parser.clone();
        let pump = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(k) => feed.lock().unwrap().process(&buf[..k]),
                }
            }
        });
        let t = Term { parser, writer: pair.master.take_writer().unwrap() };
        Session { t, child, master: pair.master, pump, dir }
    }

    /// Still running?
    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Press `q`: the app must exit 0 and give the terminal back.
    fn quit(mut self) {
        self.t.send("q");
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > DEADLINE {
                let _ = self.child.kill();
                panic!("distlab did not exit on q; the screen was:\n{}", self.t.screen());
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        drop(self.t.writer);
        drop(self.master);
        self.pump.join().unwrap();
        assert!(status.success(), "exit status {status:?}");
        let parser = self.t.parser.lock().unwrap();
        let screen = parser.screen();
        assert!(!screen.alternate_screen(), "the alternate screen was left");
        assert!(!screen.hide_cursor(), "the cursor is shown again");
        assert_eq!(screen.mouse_protocol_mode(), vt100::MouseProtocolMode::None, "mouse capture is off");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn real_binary_in_a_pty() {
    let mut s = Session::start(&["run", "ricart-agrawala"]);
    let t = &mut s.t;

    // Opened: the header names the scenario, the badge is green.
    t.wait("the run screen", |s| s.contains("ricart-agrawala") && s.contains("✓ OK") && s.contains("topology"));
    assert!(t.parser.lock().unwrap().screen().alternate_screen());
    assert_eq!(header_step(&t.header()), Some(0));

    // The action key on node 0 (request), then one step.
    t.send("r");
    t.wait_text("» request 0");
    t.send(" ");
    t.wait("step 2 in the header", |s| header_step(s.lines().next().unwrap_or("")) == Some(2));
    t.wait_text("» step");

    // Play faster until nothing is left in flight: play stops by itself.
    t.send("+++p");
    t.wait_text("nothing left in flight");
    assert!(header_step(&t.header()).unwrap() > 2);

    // Select node 1 and crash it: the ring and lane show ✗, the log the command.
    t.send("l");
    t.wait_text("─ node 1 ");

    t.send("c");
    t.wait_text("» crash 1");
    t.wait("the crash in the log", |s| s.lines().any(|l| l.contains("» crash 1") && l.contains('│')));

    // Help overlay.
    t.send("?");
    t.wait_text("Keys (each runs the command next to it");

    // Quit: exit code 0 and the terminal given back.
    s.quit();
}

/// Lines the `:` prompt must refuse without taking a step: counts beyond
/// the engine's ceiling of 1,000,000 (and beyond u64), NaN and infinity,
/// unknown verbs, unterminated quotes, control characters (the prompt drops
/// them; what is left is still refused), a 5 KB line, node ids and event
/// ids that do not exist.
fn hostile_lines() -> Vec<String> {
    let mut lines: Vec<String> = [
        "run 18446744073709551616",
        "step -1",
        "loss NaN",
        "dup-rate inf",
        "latency inf 1",
        "latency 10 1",
        "delay #1 1e308",
        "frobnicate 3",
        "say \"unterminated",
        "\"",
        "request 5",
        "request 18446744073709551615",
        "request ３",
        "crash -1",
        "partition 0,1 1,2",
        "cut 3 3",
        "hb e0 e99999",
        "deliver #99999",
        "expect role 99 leader",
        "sched sideways",
        "bogus\u{7}\u{2}\u{b}\t verb",
        "say \u{7}",
    ]
    .map(String::from)
    .to_vec();
    // A 5 KB line typed at once (crossterm's default edge-triggered reader
    // left all but 1 KB unread until the next key, so its Enter was never
    // seen), and counts above one command's limit.
    lines.push(format!("request {}", "9".repeat(5000)));
    lines.extend(["step 1000001", "run 4294967296", "step 18446744073709551615"].map(String::from));
    lines
}

/// The prompt's row (it starts with `:`), if the prompt is open.
fn prompt_row(screen: &str) -> Option<&str> {
    screen.lines().find(|l| l.starts_with(':'))
}

#[test]
fn the_prompt_refuses_hostile_lines_without_a_step() {
    let mut s = Session::start(&["run", "ricart-agrawala"]);
    s.t.wait("the run screen", |s| s.contains("ricart-agrawala") && s.contains("✓ OK") && s.contains("topology"));
    // Something in flight, so a step that slipped through would show.
    s.t.send("r");
    s.t.wait_text("» request 0");
    let step = header_step(&s.t.header()).expect("a step in the header");

    for line in hostile_lines() {
        let shown: String = line.chars().take(60).collect();
        s.t.send(":");
        s.t.wait("the prompt", |sc| prompt_row(sc).is_some());
        s.t.send(&line);
        s.t.send("\r");
        s.t.wait(&format!("an error for {shown:?}"), |sc| prompt_row(sc).is_some_and(|r| r.contains('✗')));
        assert!(s.alive(), "distlab exited on {shown:?}");
        let screen = s.t.screen();
        let errors: Vec<&str> = screen.lines().filter(|l| l.contains('✗')).collect();
        assert_eq!(errors.len(), 1, "one error row for {shown:?}, got:\n{screen}");
        assert_eq!(header_step(&s.t.header()), Some(step), "{shown:?} took a step; the screen:\n{screen}");
        // Clear the line (Ctrl+U), then an empty Enter closes the prompt.
        s.t.send("\u{15}");
        s.t.wait("the error cleared", |sc| prompt_row(sc).is_some_and(|r| !r.contains('✗')));
        s.t.send("\r");
        s.t.wait("the prompt closed", |sc| prompt_row(sc).is_none());
    }
    assert!(s.alive());
    assert_eq!(header_step(&s.t.header()), Some(step));
    s.quit();
}
