//! The real binary in a pseudo-terminal: open ricart-agrawala, act, play,
//! crash a node, open help, quit with `q`, and check the terminal was
//! given back (alternate screen left, cursor shown, exit code 0).
//! Screens are polled with a deadline; nothing waits a fixed time.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
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

#[test]
fn real_binary_in_a_pty() {
    let pty = native_pty_system();
    let pair = pty.openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 }).unwrap();
    let dir = std::env::temp_dir().join(format!("distlab-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_distlab"));
    cmd.args(["run", "ricart-agrawala"]);
    cmd.env("TERM", "xterm-256color");
    cmd.cwd(&dir);
    let mut child = pair.slave.spawn_command(cmd).unwrap();
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
    let mut t = Term { parser, writer: pair.master.take_writer().unwrap() };

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
    t.send("q");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("distlab did not exit on q; the screen was:\n{}", t.screen());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    drop(t.writer);
    drop(pair.master);
    pump.join().unwrap();
    assert!(status.success(), "exit status {status:?}");
    let parser = t.parser.lock().unwrap();
    let screen = parser.screen();
    assert!(!screen.alternate_screen(), "the alternate screen was left");
    assert!(!screen.hide_cursor(), "the cursor is shown again");
    assert_eq!(screen.mouse_protocol_mode(), vt100::MouseProtocolMode::None, "mouse capture is off");
    let _ = std::fs::remove_dir_all(&dir);
}
