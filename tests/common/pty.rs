//! The real binary in a pseudo-terminal (portable-pty), its screen kept up
//! to date by a vt100 parser: keys in, screen text out. Every wait polls
//! the screen with a deadline and fails showing the screen; nothing waits
//! a fixed time. A session that is dropped while its binary still runs (a
//! failed test) kills it, so no process outlives its test.
//!
//! Included with `#[path = "common/pty.rs"] mod pty;` by the pty tests
//! (tests/e2e_pty.rs, tests/e2e_lecture.rs); each uses a part of it.

#![allow(dead_code)]

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The longest any one wait may take.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// The screen of a running binary, and its keyboard.
pub struct Term {
    pub parser: Arc<Mutex<vt100::Parser>>,
    writer: Option<Box<dyn Write + Send>>,
    /// Every byte the binary wrote, as written (escape sequences included).
    raw: Arc<Mutex<Vec<u8>>>,
    pub rows: u16,
    pub cols: u16,
}

impl Term {
    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// The first row: scenario, n, seed, time, step, play state, badge.
    pub fn header(&self) -> String {
        self.screen().lines().next().unwrap_or_default().to_string()
    }

    /// The step number in the header.
    pub fn step(&self) -> Option<u64> {
        header_step(&self.header())
    }

    /// The status line (the row above the key bar), trimmed.
    pub fn status_row(&self) -> String {
        status_row_of(&self.screen(), self.rows)
    }

    /// Everything the binary wrote so far, lossily decoded.
    pub fn raw(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned()
    }

    pub fn send(&mut self, keys: &str) {
        let w = self.writer.as_mut().expect("the session is open");
        w.write_all(keys.as_bytes()).unwrap();
        w.flush().unwrap();
    }

    /// Poll the screen until `pred` holds, or fail showing the screen.
    pub fn wait(&self, what: &str, pred: impl Fn(&str) -> bool) {
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

    /// Wait until `pred` holds on a settled screen (the same on two reads
    /// 30 ms apart, so not a frame caught half drawn); that screen.
    pub fn wait_settled(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            self.wait(what, &pred);
            let first = self.screen();
            std::thread::sleep(Duration::from_millis(30));
            let second = self.screen();
            if first == second && pred(&second) {
                return second;
            }
            if start.elapsed() > DEADLINE {
                panic!("the screen did not settle waiting for {what}; it was:\n{second}");
            }
        }
    }

    pub fn wait_text(&self, text: &str) {
        self.wait(text, |s| s.contains(text));
    }

    /// Watch the screen for `window`: `pred` must hold on every frame seen
    /// (the proof that something does *not* happen, e.g. play does not
    /// step on after it stopped). Fails at the first frame where it breaks.
    pub fn holds(&self, what: &str, window: Duration, pred: impl Fn(&str) -> bool) {
        let start = Instant::now();
        while start.elapsed() < window {
            let s = self.screen();
            assert!(pred(&s), "{what} broke; the screen was:\n{s}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// The step number in a header row.
pub fn header_step(header: &str) -> Option<u64> {
    let rest = &header[header.find(" step ")? + 6..];
    rest.split_whitespace().next()?.parse().ok()
}

/// The status line of a screen `rows` high (the row above the key bar).
pub fn status_row_of(screen: &str, rows: u16) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    lines.get(rows as usize - 2).map(|r| r.trim().to_string()).unwrap_or_default()
}

/// How a session ended: its exit code and everything it wrote.
pub struct Exit {
    pub code: u32,
    pub output: String,
    /// The screen at the end, as text (no escape sequences).
    pub screen: String,
    /// The alternate screen was still on at the end.
    pub alternate_screen: bool,
}

/// The binary running in a pty.
pub struct Session {
    pub t: Term,
    child: Box<dyn Child + Send + Sync>,
    master: Option<Box<dyn MasterPty + Send>>,
    pump: Option<std::thread::JoinHandle<()>>,
    /// Its working directory, a fresh temporary one (removed at the end).
    pub dir: PathBuf,
}

/// A file of this repository (the working directory of a session is not it).
pub fn repo_path(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel).to_string_lossy().into_owned()
}

impl Session {
    /// `distlab ARGS` in a `cols`×`rows` terminal.
    pub fn start_sized(args: &[&str], cols: u16, rows: u16) -> Session {
        Session::start_with(args, cols, rows, &[])
    }

    /// `distlab ARGS` in a `cols`×`rows` terminal with extra environment.
    pub fn start_with(args: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Session {
        let pty = native_pty_system();
        let pair = pty.openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).unwrap();
        static SESSIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let k = SESSIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("distlab-e2e-{}-{k}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_distlab"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        // The theme comes from the test alone, never from the machine's
        // NO_COLOR, DISTLAB_THEME or config file.
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("DISTLAB_THEME");
        cmd.env("DISTLAB_CONFIG", dir.join("no-config.toml"));
        for (key, value) in env {
            cmd.env(key, value);
        }
        cmd.cwd(&dir);
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);

        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (feed, keep) = (parser.clone(), raw.clone());
        let pump = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(k) => {
                        keep.lock().unwrap().extend_from_slice(&buf[..k]);
                        feed.lock().unwrap().process(&buf[..k]);
                    }
                }
            }
        });
        let t = Term { parser, writer: Some(pair.master.take_writer().unwrap()), raw, rows, cols };
        Session { t, child, master: Some(pair.master), pump: Some(pump), dir }
    }

    /// Still running?
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Wait (with the deadline) for the binary to exit by itself; read all
    /// it wrote.
    pub fn exit(mut self) -> Exit {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > DEADLINE {
                panic!("distlab did not exit; the screen was:\n{}", self.t.screen());
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        self.t.writer = None;
        self.master = None;
        if let Some(pump) = self.pump.take() {
            pump.join().unwrap();
        }
        let (screen, alternate_screen) = {
            let parser = self.t.parser.lock().unwrap();
            (parser.screen().contents(), parser.screen().alternate_screen())
        };
        Exit { code: status.exit_code(), output: self.t.raw(), screen, alternate_screen }
    }

    /// Press `q` (a run with no inputs quits at once): the app must exit 0
    /// and give the terminal back.
    pub fn quit(self) {
        self.quit_with("q");
    }

    /// Press `q`, see the question, answer `y` (a run with inputs).
    pub fn quit_confirmed(mut self) {
        self.t.send("q");
        self.t.wait_text("quit? this run's");
        assert!(self.alive(), "q with inputs asks before quitting");
        self.quit_with("y");
    }

    /// Send `keys`: the app must exit 0 and give the terminal back.
    pub fn quit_with(mut self, keys: &str) {
        self.t.send(keys);
        let parser = self.t.parser.clone();
        let exit = self.exit();
        assert_eq!(exit.code, 0, "exit status after {keys:?}");
        let parser = parser.lock().unwrap();
        let screen = parser.screen();
        assert!(!screen.alternate_screen(), "the alternate screen was left");
        assert!(!screen.hide_cursor(), "the cursor is shown again");
        assert_eq!(screen.mouse_protocol_mode(), vt100::MouseProtocolMode::None, "mouse capture is off");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
