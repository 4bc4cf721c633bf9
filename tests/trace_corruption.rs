//! Damaged trace files against the real binary: `replay FILE --headless`
//! and `export FILE --shiviz` on a real trace with random byte flips, cut
//! at every length class, and decoded, edited (node count, scenario name,
//! parameters, network settings, node and event ids in the inputs and the
//! recorded events) and encoded again.
//!
//! Whatever the damage: no panic, no hang (each command is killed after
//! 20 s, failing with its case), exit code 0, 1 or 2, and `replay
//! --headless` prints exactly one JSON object. A trace whose configuration
//! or ids are bad is refused with exit 2 and a one-line error that says
//! what the command line says for the same bad value (`--nodes 0`, `-p
//! cs=-1`, `crash 99`…).
//!
//! Random flips per base trace: `DISTLAB_FUZZ_CASES` (default 24), seeded:
//! every run damages the same bytes. The damaged files stay in the test's
//! temporary directory (named in each failure) to reproduce by hand.

mod common;

use common::prop::fuzz_cases;
use common::{block_on, config};
use distlab::card::check_param;
use distlab::engine::input::{Expect, Input};
use distlab::engine::protocol::MS;
use distlab::engine::record::EvKind;
use distlab::engine::trace::Trace;
use distlab::{algos, headless};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A command still running after this has hung: it is killed and its
/// case fails.
const DEADLINE: Duration = Duration::from_secs(20);

const RA: &str = "ricart-agrawala";

/// A ricart-agrawala trace (5 nodes) with verbs, a crash and a recovery,
/// network settings, narration and an expectation in its inputs.
const RA_SCRIPT: &str = "request 0\nrequest 1\nstep 12\nrun 200\ncrash 4\nloss 0.5\nlatency 2 20\nloss 0\n\
                         say \"hi ✓\"\nrecover 4\nrequest 3\nrequest 2\nrun 200\nexpect ok\n";

/// A chat trace (text in its inputs, a client that leaves).
const CHAT_SCRIPT: &str = "join 1\njoin 2\nrun 100\npost 1 \"hello there\"\nrun 100\nleave 2\nrun 100\n";

fn base_trace(scenario: &str, n: usize, script: &str) -> Trace {
    let report = block_on(headless::run(config(scenario, n, 7, &[]), script));
    assert_eq!(report.code, 0, "the base trace's run is clean: {}", report.json);
    let trace = report.scenario.expect("a finished run").trace();
    assert!(trace.events.len() > 20, "a base trace with some history");
    trace
}

fn ra_trace() -> Trace {
    base_trace(RA, 5, RA_SCRIPT)
}

// ----- running the binary --------------------------------------------------------

fn dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("trace-corruption-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

static SPAWNED: AtomicUsize = AtomicUsize::new(0);

struct Out {
    /// `None`: killed by a signal (or by the deadline).
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
}

/// Run distlab with a deadline; stdout and stderr go to files (no pipe can
/// fill up and stall it).
fn distlab(args: &[&str]) -> Out {
    let k = SPAWNED.fetch_add(1, Ordering::Relaxed);
    let (out_path, err_path) = (dir().join(format!("{k}.stdout")), dir().join(format!("{k}.stderr")));
    let mut child = Command::new(env!("CARGO_BIN_EXE_distlab"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("distlab starts");
    let start = Instant::now();
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break (Some(status), false);
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            break (None, true);
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let read = |p: &PathBuf| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    let o = Out { code: status.and_then(|s| s.code()), stdout: read(&out_path), stderr: read(&err_path), timed_out };
    let _ = std::fs::remove_file(out_path);
    let _ = std::fs::remove_file(err_path);
    o
}

/// What the command line answers for the same bad value: the `"error"` of
/// `distlab run …--headless`, without its `script line N: ` prefix.
fn cli_error(args: &[&str], script: Option<&str>) -> String {
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    all.push("--headless".into());
    let path;
    if let Some(text) = script {
        path = dir().join(format!("twin-{}.dl", SPAWNED.fetch_add(1, Ordering::Relaxed)));
        std::fs::write(&path, text).expect("twin script");
        all.extend(["--script".to_string(), path.to_string_lossy().into_owned()]);
    }
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let o = distlab(&refs);
    let json: Value = serde_json::from_str(o.stdout.lines().next().unwrap_or("")).unwrap_or(Value::Null);
    let e = json["error"].as_str().unwrap_or("").to_string();
    if o.code != Some(2) || e.is_empty() {
        // Then no replay can match it: the case fails, saying why.
        return format!(
            "(the command line itself must refuse `distlab {}` with script {script:?}; it exited {:?})",
            refs.join(" "),
            o.code
        );
    }
    match e.strip_prefix("script line ").and_then(|rest| rest.split_once(": ")) {
        Some((_, message)) => message.to_string(),
        None => e,
    }
}

// ----- the cases -----------------------------------------------------------------

/// What a damaged trace must get.
#[derive(Clone, Debug)]
enum Want {
    /// Anything but a panic or a hang: exit 0, 1 or 2.
    Any,
    /// Refused, exit 2, with an error containing this (empty: any error).
    Refused(String),
    /// Not a clean replay: exit 1 or 2.
    NotOk,
}

struct Case {
    name: String,
    bytes: Vec<u8>,
    /// What `replay --headless` must do.
    replay: Want,
    /// What `export --shiviz` must do (it reads the configuration and the
    /// events, not the inputs).
    export: Want,
}

impl Case {
    /// Both commands must do `want`.
    fn new(name: impl Into<String>, bytes: Vec<u8>, want: Want) -> Self {
        Case { name: name.into(), bytes, replay: want.clone(), export: want }
    }
    /// A decoded trace, edited and encoded again.
    fn edited(name: impl Into<String>, base: &Trace, want: Want, edit: impl FnOnce(&mut Trace)) -> Self {
        let mut t = base.clone();
        edit(&mut t);
        Case::new(name, t.encode(), want)
    }
    /// Only the replay must do `want`; the export anything but panic or hang.
    fn replay_only(mut self) -> Self {
        self.export = Want::Any;
        self
    }
}

/// One line of text without control characters (a line break least of all).
fn one_line(e: &str) -> bool {
    !e.trim().is_empty() && !e.chars().any(char::is_control)
}

/// Run both commands on a case; what went wrong, if anything.
fn check(case: &Case) -> Vec<String> {
    let file = dir().join(format!("{}.trace", case.name.replace(|c: char| !c.is_ascii_alphanumeric(), "-")));
    std::fs::write(&file, &case.bytes).expect("trace written");
    let path = file.to_string_lossy().into_owned();
    let mut problems = Vec::new();
    for (command, args) in
        [("replay --headless", ["replay", &path, "--headless"]), ("export --shiviz", ["export", &path, "--shiviz"])]
    {
        let o = distlab(&args);
        let mut bad = |what: String| problems.push(format!("{}: `distlab {}`: {what}", case.name, args.join(" ")));
        if o.timed_out {
            bad(format!("no exit within {DEADLINE:?} (killed)"));
            continue;
        }
        if o.stderr.contains("panicked") || o.code == Some(101) {
            let at = o.stderr.lines().find(|l| l.contains("panicked")).unwrap_or("");
            bad(format!("panicked (exit {:?}): {at} {}", o.code, o.stderr.lines().nth(1).unwrap_or("")));
            continue;
        }
        let Some(code) = o.code.filter(|c| [0, 1, 2].contains(c)) else {
            bad(format!("exit {:?}, not 0, 1 or 2; stderr: {}", o.code, o.stderr.trim()));
            continue;
        };
        // The error as the command reports it: the JSON's for replay, the
        // last stderr line for export.
        let mut error = String::new();
        if command == "replay --headless" {
            let lines: Vec<&str> = o.stdout.lines().collect();
            let json = match lines.as_slice() {
                [one] => serde_json::from_str::<Value>(one).ok().filter(Value::is_object),
                _ => None,
            };
            let Some(json) = json else {
                bad(format!(
                    "stdout is not exactly one JSON object (exit {code}): {:?}; stderr: {}",
                    o.stdout.chars().take(300).collect::<String>(),
                    o.stderr.trim()
                ));
                continue;
            };
            match (code, json.get("error").and_then(Value::as_str)) {
                (_, Some(e)) if !one_line(e) => bad(format!("the error is not one line of text: {e:?}")),
                (2, Some(e)) => error = e.to_string(),
                (2, None) => bad(format!("exit 2 without an \"error\": {json}")),
                (0, Some(e)) => bad(format!("exit 0 with an error: {e}")),
                // Exit 1 with an error: the replay diverged from the trace.
                _ => {}
            }
        } else if code == 2 {
            error = o.stderr.trim().lines().last().unwrap_or("").to_string();
            if !one_line(&error) {
                bad(format!("exit 2 without a one-line error on stderr: {:?}", o.stderr));
            }
        }
        let want = if command == "replay --headless" { &case.replay } else { &case.export };
        match want {
            Want::Any => {}
            Want::NotOk if code == 0 => bad("a trace that does not replay exactly passed (exit 0)".into()),
            Want::NotOk => {}
            Want::Refused(message) => {
                if code != 2 {
                    bad(format!(
                        "want exit 2 (refused){}, got exit {code}; stdout: {}; stderr: {}",
                        if message.is_empty() { String::new() } else { format!(" with {message:?}") },
                        o.stdout.trim().chars().take(300).collect::<String>(),
                        o.stderr.trim().chars().take(300).collect::<String>()
                    ));
                } else if !error.contains(message.as_str()) {
                    bad(format!("want an error with {message:?} (as the command line says), got {error:?}"));
                }
            }
        }
    }
    problems
}

/// Check every case; fail once, listing every problem.
fn check_all(cases: &[Case]) {
    let problems: Vec<String> = cases.iter().flat_map(check).collect();
    assert!(
        problems.is_empty(),
        "{} problem(s) in {} damaged traces (files in {}):\n{}",
        problems.len(),
        cases.len(),
        dir().display(),
        problems.join("\n")
    );
}

/// A seeded xorshift: the same damage on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

// ----- tests ---------------------------------------------------------------------

#[test]
fn an_intact_trace_replays_and_exports() {
    let cases = [
        Case::new("intact-ricart-agrawala", ra_trace().encode(), Want::Any),
        Case::new("intact-chat", base_trace("chat", 3, CHAT_SCRIPT).encode(), Want::Any),
    ];
    for c in &cases {
        let path = dir().join(format!("{}.trace", c.name));
        std::fs::write(&path, &c.bytes).unwrap();
        let path = path.to_string_lossy().into_owned();
        for args in [["replay", &path, "--headless"], ["export", &path, "--shiviz"]] {
            let o = distlab(&args);
            assert_eq!(o.code, Some(0), "{}: distlab {args:?}: {}{}", c.name, o.stdout, o.stderr);
        }
    }
    check_all(&cases);
}

/// Random bit flips and byte overwrites, 1 to 4 per file, anywhere (the
/// header and the configuration, at the front, a little more often).
#[test]
fn flipped_bytes() {
    let bases = [("ricart-agrawala", ra_trace().encode()), ("chat", base_trace("chat", 3, CHAT_SCRIPT).encode())];
    let mut cases = Vec::new();
    for (b, (name, bytes)) in bases.iter().enumerate() {
        for k in 0..fuzz_cases() as u64 {
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (k + 1).wrapping_mul(0x2545_f491_4f6c_dd1d) ^ b as u64);
            let mut damaged = bytes.clone();
            let mut what = Vec::new();
            for _ in 0..1 + rng.below(4) {
                let at = if rng.below(3) == 0 { rng.below(damaged.len().min(96)) } else { rng.below(damaged.len()) };
                if rng.below(2) == 0 {
                    let bit = rng.below(8);
                    damaged[at] ^= 1 << bit;
                    what.push(format!("bit {bit} of byte {at}"));
                } else {
                    let v = [0x00, 0xff, 0x7f, 0x80, 0xfb, 0xfc, 0xfd][rng.below(7)];
                    damaged[at] = v;
                    what.push(format!("byte {at} := {v:#04x}"));
                }
            }
            cases.push(Case::new(format!("flip-{name}-{k} ({})", what.join(", ")), damaged, Want::Any));
        }
    }
    check_all(&cases);
}

/// Cut at every length class: nothing, inside and at the end of the magic
/// bytes and the version, inside and at the end of the configuration, of
/// the inputs, of the kinds, inside the events, one byte short; and one
/// byte too many, and the file twice.
#[test]
fn truncated_files() {
    let trace = ra_trace();
    let bytes = trace.encode();
    // Where each part of the body ends: encode with the later parts empty
    // (each empty list is one byte, its length).
    let upto = |inputs: bool, kinds: bool| {
        let mut t = trace.clone();
        t.events.clear();
        if !kinds {
            t.kinds.clear();
        }
        if !inputs {
            t.inputs.clear();
        }
        t.encode().len() - 1 - usize::from(!kinds) - usize::from(!inputs)
    };
    let (config_end, inputs_end, kinds_end) = (upto(false, false), upto(true, false), upto(true, true));
    let len = bytes.len();
    let mut lengths = vec![0, 1, 4, 7, 8, 9, 11, 12, 13, 14, 16, 20];
    for end in [config_end, inputs_end, kinds_end] {
        lengths.extend([end - 1, end, end + 1]);
    }
    lengths.extend([(12 + config_end) / 2, (config_end + inputs_end) / 2, (inputs_end + kinds_end) / 2]);
    lengths.extend([(kinds_end + len) / 2, len * 3 / 4, len - 8, len - 2, len - 1]);
    lengths.sort_unstable();
    lengths.dedup();
    let mut cases: Vec<Case> = lengths
        .into_iter()
        .filter(|&l| l < len)
        .map(|l| Case::new(format!("cut-at-{l}-of-{len}"), bytes[..l].to_vec(), Want::Refused(String::new())))
        .collect();
    let mut longer = bytes.clone();
    longer.push(0);
    cases.push(Case::new("one-byte-too-many", longer, Want::Refused("truncated or corrupt".into())));
    cases.push(Case::new(
        "twice",
        [bytes.clone(), bytes.clone()].concat(),
        Want::Refused("truncated or corrupt".into()),
    ));
    check_all(&cases);
}

/// A trace whose configuration the command line would refuse is refused
/// the same way: exit 2, the same message.
#[test]
fn edited_configurations_are_refused_as_the_command_line_refuses_them() {
    let base = ra_trace();
    let card = algos::find(RA).unwrap().card;
    let mut cases = Vec::new();
    // Node counts the card refuses: the message of `--nodes N`.
    for n in [0usize, card.nodes.max + 1, 1 << 32, usize::MAX] {
        let want = cli_error(&["run", RA, "--nodes", &n.to_string()], None);
        assert_eq!(Some(want.clone()), card.check_nodes(n).err(), "the command line says what the card says");
        cases.push(Case::edited(format!("nodes-{n}"), &base, Want::Refused(want), |t| t.config.sim.n = n));
    }
    // Node counts the card accepts, but the recorded inputs name nodes
    // beyond them: refused as `request 1` is on one node.
    for (n, line) in [(1usize, "request 1"), (2, "crash 4")] {
        let want = cli_error(&["run", RA, "--nodes", &n.to_string()], Some(line));
        cases
            .push(Case::edited(format!("nodes-{n}-inputs-beyond"), &base, Want::Refused(want), |t| t.config.sim.n = n));
    }
    for name in ["paxos", "", "RICART-AGRAWALA"] {
        let want = cli_error(&["run", name], None);
        cases.push(Case::edited(format!("scenario-{name:?}"), &base, Want::Refused(want), |t| {
            t.config.scenario = name.to_string()
        }));
    }
    for (k, v) in [("cs", "-1"), ("cs", "NaN"), ("nope", "1"), ("variant", "bogus"), ("retry", "1e308"), ("cs", "")] {
        let want = cli_error(&["run", RA, "-p", &format!("{k}={v}")], None);
        assert_eq!(Some(want.clone()), check_param(card, k, v, 5).err());
        cases.push(Case::edited(format!("param-{k}={v}"), &base, Want::Refused(want), |t| {
            t.config.params.push((k.to_string(), v.to_string()))
        }));
    }
    // Network settings no command would set.
    let latency = cli_error(&["run", RA], Some("latency 10 1"));
    cases.push(Case::edited("latency-min-above-max", &base, Want::Refused(latency), |t| {
        t.config.sim.net.latency_min = 10 * MS;
        t.config.sim.net.latency_max = MS;
    }));
    let huge = cli_error(&["run", RA], Some("latency 0 1e13"));
    let out_of_range = huge.split_once(' ').map_or(huge.as_str(), |(_, rest)| rest).to_string();
    cases.push(Case::edited("latency-max-u64", &base, Want::Refused(out_of_range), |t| {
        t.config.sim.net.latency_max = u64::MAX
    }));
    for (field, value, line) in [
        ("loss", f64::NAN, "loss NaN"),
        ("loss", 2.0, "loss 2"),
        ("dup", -1.0, "dup-rate -1"),
        ("dup", f64::INFINITY, "dup-rate inf"),
    ] {
        let want = cli_error(&["run", RA], Some(line));
        cases.push(Case::edited(format!("{field}-{value}"), &base, Want::Refused(want), |t| match field {
            "loss" => t.config.sim.net.loss = value,
            _ => t.config.sim.net.dup = value,
        }));
    }
    check_all(&cases);
}

/// Recorded inputs the command line would refuse: refused with its message.
#[test]
fn edited_inputs_are_refused_as_the_command_line_refuses_them() {
    let base = ra_trace();
    let mut cases = Vec::new();
    let node_inputs: [(&str, Input); 7] = [
        ("crash 99", Input::Crash(99)),
        ("crash 18446744073709551615", Input::Crash(usize::MAX)),
        ("request 7", Input::Verb { verb: "request".into(), args: vec!["7".into()] }),
        (
            "request 18446744073709551616",
            Input::Verb { verb: "request".into(), args: vec!["18446744073709551616".into()] },
        ),
        ("partition 0,9", Input::Partition(vec![vec![0, 9]])),
        ("cut 0 5", Input::Cut(0, 5)),
        ("expect role 99 idle", Input::Expect(Expect::Role { node: 99, role: "idle".into() })),
    ];
    let other_inputs: [(&str, Input); 5] = [
        ("loss NaN", Input::Loss(f64::NAN)),
        ("latency 10 1", Input::Latency(10 * MS, MS)),
        ("frobnicate 1", Input::Verb { verb: "frobnicate".into(), args: vec!["1".into()] }),
        ("request", Input::Verb { verb: "request".into(), args: vec![] }),
        // Above the engine's per-command ceiling of 1,000,000 steps.
        ("step 18446744073709551615", Input::Step(u64::MAX)),
    ];
    for (line, input) in node_inputs.into_iter().chain(other_inputs) {
        let want = match line {
            // The command line knows no such command; the replay knows no
            // such verb: both name it.
            "frobnicate 1" => "\"frobnicate\"".to_string(),
            _ => cli_error(&["run", RA], Some(line)),
        };
        for at in [0, base.inputs.len() / 2, base.inputs.len()] {
            let input = input.clone();
            cases.push(
                Case::edited(format!("input-{at}-{line}"), &base, Want::Refused(want.clone()), |t| {
                    t.inputs.insert(at, input)
                })
                .replay_only(),
            );
        }
    }
    // Ids that are no event or in-flight message: refused, as the command
    // line refuses `deliver #…` and `hb` of an event that does not exist.
    for (name, input, want) in [
        ("deliver", Input::Deliver(u64::MAX), "no in-flight message or timer #18446744073709551615"),
        ("hb", Input::Hb(0, u32::MAX), "no event e4294967295"),
    ] {
        cases.push(
            Case::edited(format!("input-{name}"), &base, Want::Refused(want.into()), |t| t.inputs.push(input))
                .replay_only(),
        );
    }
    check_all(&cases);
}

/// Recorded events naming nodes or events that do not exist: refused with
/// exit 2 (a corrupt trace), by replay and export alike.
#[test]
fn edited_events_with_ids_out_of_range_are_refused() {
    let base = ra_trace();
    let recv = base.events.iter().position(|e| matches!(e.kind, EvKind::Recv { .. })).expect("a receive");
    let last = base.events.len() - 1;
    let mut cases = Vec::new();
    for (at, node) in [(0, 5u32), (0, u32::MAX), (recv, 99), (last, 5)] {
        cases.push(Case::edited(format!("event-{at}-node-{node}"), &base, Want::Refused(String::new()), |t| {
            t.events[at].node = node
        }));
    }
    let recv_with = |edit: fn(&mut EvKind)| {
        move |t: &mut Trace| {
            edit(&mut t.events[recv].kind);
        }
    };
    cases.push(Case::edited(
        "recv-from-out-of-range",
        &base,
        Want::Refused(String::new()),
        recv_with(|k| {
            if let EvKind::Recv { from, .. } = k {
                *from = u32::MAX
            }
        }),
    ));
    cases.push(Case::edited(
        "recv-of-a-send-that-does-not-exist",
        &base,
        Want::Refused(String::new()),
        recv_with(|k| {
            if let EvKind::Recv { send, .. } = k {
                *send = u32::MAX
            }
        }),
    ));
    // Well-formed, but not what the inputs make: replay says so (not 0).
    let later_send = recv_with(|k| {
        if let EvKind::Recv { send, .. } = k {
            *send += 1000
        }
    });
    let unknown_kind = recv_with(|k| {
        if let EvKind::Recv { kind, .. } = k {
            *kind = u16::MAX
        }
    });
    cases.extend(
        [
            Case::edited("recv-of-a-later-send", &base, Want::NotOk, later_send),
            Case::edited("kind-out-of-range", &base, Want::NotOk, unknown_kind),
            Case::edited("no-events", &base, Want::NotOk, |t| t.events.clear()),
            Case::edited("no-kinds", &base, Want::Any, |t| t.kinds.clear()),
            Case::edited("events-reversed", &base, Want::NotOk, |t| t.events.reverse()),
            Case::edited("step-out-of-order", &base, Want::NotOk, |t| t.events[last].step = u64::MAX),
        ]
        .map(Case::replay_only),
    );
    check_all(&cases);
}
