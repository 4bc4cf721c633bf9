//! The real binary: the headless JSON contract and exit codes, scripts from
//! stdin, traces and replay, the ShiViz export (checked against ShiViz's
//! own parsing and clock rules) and damaged trace files.

use distlab::engine::input::Input;
use distlab::engine::record::{EvKind, EventRec};
use distlab::engine::trace::Trace;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn distlab(args: &[&str], stdin: Option<&str>) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_distlab"))
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("distlab starts");
    if let Some(text) = stdin {
        child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("stdin written");
    }
    let out = child.wait_with_output().expect("distlab ends");
    let o = Out {
        code: out.status.code().expect("an exit code, not a signal"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    };
    assert!(!o.stderr.contains("panicked"), "distlab {args:?} panicked:\n{}", o.stderr);
    o
}

/// Stdout must be exactly one JSON object on one line.
fn json(o: &Out) -> Value {
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line on stdout, got:\n{}", o.stdout);
    let v: Value = serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("not JSON ({e}): {}", lines[0]));
    assert!(v.is_object(), "{v}");
    v
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

fn write(name: &str, text: &str) -> String {
    let p = tmp(name);
    std::fs::write(&p, text).expect("written");
    p.to_string_lossy().into_owned()
}

/// The headless report without its wall-clock fields.
fn stable(mut v: Value) -> Value {
    let o = v.as_object_mut().expect("object");
    o.remove("wall_ms");
    o.remove("events_per_sec");
    v
}

const SEED_STORY: &str = "crash 3\nelect 2\nrun\n";

#[test]
fn headless_prints_one_json_object_with_the_contract_fields() {
    let script = write("story.dl", SEED_STORY);
    let o = distlab(&["run", "ring-election", "--headless", "--script", &script], None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.is_empty(), "{}", o.stderr);
    let v = json(&o);
    assert_eq!(v["scenario"], "ring-election");
    assert_eq!(v["nodes"], 5);
    assert_eq!(v["seed"], 1, "the default seed");
    assert_eq!(v["steps"], 21);
    assert!(v["virtual_time_ms"].as_f64().expect("number") > 100.0, "two ACK timeouts of 50 ms");
    assert_eq!(v["messages"]["total"], 18);
    assert_eq!(v["messages"]["by_kind"], serde_json::json!({"ELECTION": 5, "COORDINATOR": 5, "ACK": 8}));
    assert!(v["events_per_sec"].as_f64().expect("number") >= 0.0);
    assert_eq!(v["violations"], serde_json::json!([]));
    assert_eq!(v["failed_expectations"], serde_json::json!([]));
    assert_eq!(v["result"]["leaders"], serde_json::json!({"0": 4, "1": 4, "2": 4, "4": 4}));

    let o = distlab(
        &["run", "ricart-agrawala", "--headless", "-n", "4", "-s", "9", "--script", "-"],
        Some("request 3\nrequest 1\nrun\n"),
    );
    assert_eq!(o.code, 0);
    let v = json(&o);
    assert_eq!(v["scenario"], "ricart-agrawala");
    assert_eq!((v["nodes"].clone(), v["seed"].clone()), (4.into(), 9.into()));
    assert_eq!(v["messages"]["total"], 12, "2(N-1) per entry");
    assert_eq!(v["messages"]["by_kind"], serde_json::json!({"REQUEST": 6, "REPLY": 6}));
    assert_eq!(v["result"]["cs_order"], serde_json::json!([1, 3]));
}

#[test]
fn headless_without_a_script_runs_nothing() {
    let o = distlab(&["run", "ricart-agrawala", "--headless"], None);
    assert_eq!(o.code, 0);
    let v = json(&o);
    assert_eq!(v["steps"], 0);
    assert_eq!(v["messages"]["total"], 0);
}

#[test]
fn flags_reach_the_run() {
    let script = "request 0\nrequest 1\nrequest 2\nrun\n";
    let a = json(&distlab(
        &["run", "ricart-agrawala", "--headless", "--sched", "random", "-s", "3", "--script", "-"],
        Some(script),
    ));
    let b = json(&distlab(
        &[
            "run",
            "ricart-agrawala",
            "--headless",
            "--sched",
            "random",
            "-s",
            "3",
            "--inline",
            "--fifo",
            "--script",
            "-",
        ],
        Some(script),
    ));
    assert_eq!(a["result"]["cs_order"], serde_json::json!([0, 1, 2]));
    assert_eq!(b["result"]["cs_order"], serde_json::json!([0, 1, 2]));
    let o = distlab(&["run", "ring-election", "--headless", "-p", "timeout=200", "--script", "-"], Some(SEED_STORY));
    let v = json(&o);
    assert_eq!(v["params"], serde_json::json!(["timeout=200"]));
    assert!(v["virtual_time_ms"].as_f64().unwrap() > 400.0, "two timeouts of 200 ms");
}

#[test]
fn exit_code_1_when_an_invariant_or_an_expectation_fails() {
    let o = distlab(
        &["run", "ricart-agrawala", "--headless", "-p", "variant=no-defer", "--script", "-"],
        Some("request 0\nrequest 1\nrun\n"),
    );
    assert_eq!(o.code, 1);
    let v = json(&o);
    assert_eq!(v["violations"][0]["property"], "mutual-exclusion");
    assert!(v["violations"][0]["step"].as_u64().is_some());
    assert!(v["violations"][0]["detail"].as_str().unwrap().contains("both in the critical section"));

    let o = distlab(
        &["run", "ring-election", "--headless", "--script", "-"],
        Some("crash 3\nelect 2\nrun\nexpect result.leaders.0 == 3\nexpect role 4 leader\n"),
    );
    assert_eq!(o.code, 1);
    let v = json(&o);
    assert_eq!(v["violations"], serde_json::json!([]));
    let failed = v["failed_expectations"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "only the wrong one fails");
    assert_eq!(failed[0]["expect"], "expect result.leaders.0 == 3");
    assert_eq!(failed[0]["actual"], "4");
    assert_eq!(failed[0]["input"], 3);
}

#[test]
fn exit_code_2_on_bad_usage() {
    let o = distlab(&["run", "paxos", "--headless"], None);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown scenario"), "{}", o.stderr);
    assert!(o.stderr.contains("ricart-agrawala") && o.stderr.contains("ring-election"), "{}", o.stderr);
    assert!(json(&o)["error"].as_str().unwrap().contains("ring-election"));

    for (nodes, scenario) in [("0", "ricart-agrawala"), ("5000", "ricart-agrawala"), ("1", "ring-election")] {
        let o = distlab(&["run", scenario, "--headless", "--nodes", nodes], None);
        assert_eq!(o.code, 2, "--nodes {nodes}");
        let e = json(&o)["error"].as_str().unwrap().to_string();
        assert!(e.contains(&format!("not {nodes}")), "{e}");
        assert!(o.stderr.contains(&e), "the error is on stderr too: {}", o.stderr);
    }

    let o = distlab(&["run", "ring-election", "--headless", "--script", "-"], Some("crash 3\nelect 2\nelekt 1\nrun\n"));
    assert_eq!(o.code, 2);
    let e = json(&o)["error"].as_str().unwrap().to_string();
    assert!(e.contains("line 3") && e.contains("elekt"), "{e}");
    assert!(o.stderr.contains("line 3"), "{}", o.stderr);

    // A line that parses but cannot be applied when it runs.
    let o = distlab(&["run", "ring-election", "--headless", "--script", "-"], Some("crash 3\n\n# again\ncrash 3\n"));
    assert_eq!(o.code, 2);
    let e = json(&o)["error"].as_str().unwrap().to_string();
    assert!(e.contains("line 4") && e.contains("already crashed"), "{e}");

    for args in [
        &["run", "ring-election", "--headless", "-p", "colour=red"][..],
        &["run", "ring-election", "--headless", "-p", "timeout"],
        &["run", "ring-election", "--headless", "-p", "timeout=soon"],
        &["run", "ring-election", "--headless", "--sched", "chaotic"],
        &["run", "ring-election", "--headless", "--script", "/nonexistent/lecture.dl"],
    ] {
        let o = distlab(args, None);
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        assert!(!o.stderr.is_empty(), "{args:?} says why");
        assert!(json(&o)["error"].is_string(), "{args:?}");
    }
    let o = distlab(&["frobnicate"], None);
    assert_eq!(o.code, 2);
}

#[test]
fn list_prints_every_scenario_under_its_family() {
    let o = distlab(&["list"], None);
    assert_eq!(o.code, 0);
    let mut family = "";
    for line in o.stdout.lines() {
        if let Some(f) = line.strip_suffix(':') {
            family = f;
        } else if let Some(entry) = line.strip_prefix("  ") {
            let name = entry.split_whitespace().next().unwrap_or_default();
            let card = distlab::algos::find(name).unwrap_or_else(|e| panic!("{e}")).card;
            assert_eq!(family, card.family.title(), "{name}");
            assert!(entry.contains(card.about), "{entry}");
        }
    }
    for e in distlab::algos::all() {
        assert!(o.stdout.lines().any(|l| l.trim_start().starts_with(e.card.name)), "{} in:\n{}", e.card.name, o.stdout);
    }
}

#[test]
fn info_prints_the_whole_card() {
    for e in distlab::algos::all() {
        let card = e.card;
        let o = distlab(&["info", card.name], None);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(o.stdout.starts_with(&format!("{} — {}", card.name, card.title)), "{}", o.stdout);
        let mut words: Vec<String> = vec![card.description.to_string()];
        words.extend(card.verbs.iter().map(|v| v.usage()));
        words.extend(card.params.iter().map(|p| p.key.to_string()));
        words.extend(card.variants.iter().map(|v| v.name.to_string()));
        words.extend(card.properties.iter().map(|p| p.definition.to_string()));
        words.extend(card.results.iter().map(|r| r.key.to_string()));
        words.extend(card.scripts.iter().map(|s| format!("assets/{}", s.file)));
        for w in words {
            assert!(o.stdout.contains(&w), "{}: {w:?} missing from:\n{}", card.name, o.stdout);
        }
    }
    let o = distlab(&["info", "paxos"], None);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown scenario") && o.stderr.contains("ricart-agrawala"), "{}", o.stderr);
    assert!(o.stdout.is_empty());
}

#[test]
fn a_saved_trace_replays_to_the_same_report() {
    for (scenario, script, params, code) in [
        ("ring-election", SEED_STORY, vec![], 0),
        ("ricart-agrawala", "loss 0.2\nrequest 0\nrequest 2\nrequest 3\nrun 3000\n", vec!["-p", "retry=20"], 0),
        ("ricart-agrawala", "request 0\nrequest 1\nrun\n", vec!["-p", "variant=no-defer"], 1),
    ] {
        let trace = tmp(&format!("{scenario}-{code}.trace")).to_string_lossy().into_owned();
        let mut args = vec!["run", scenario, "--headless", "-s", "5", "--trace", &trace, "--script", "-"];
        args.extend(params);
        let first = distlab(&args, Some(script));
        assert_eq!(first.code, code, "{}", first.stderr);
        let again = distlab(&["replay", &trace, "--headless"], None);
        assert_eq!(again.code, code, "{}", again.stderr);
        let (a, b) = (stable(json(&first)), stable(json(&again)));
        assert_eq!(a, b, "{scenario}");
        assert!(a["steps"].as_u64().unwrap() > 10);
    }
}

#[test]
fn damaged_trace_files_are_refused_with_exit_2() {
    let trace = tmp("good.trace").to_string_lossy().into_owned();
    assert_eq!(
        distlab(&["run", "ring-election", "--headless", "--trace", &trace, "--script", "-"], Some(SEED_STORY)).code,
        0
    );
    let bytes = std::fs::read(&trace).unwrap();
    let truncated = tmp("truncated.trace");
    std::fs::write(&truncated, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let mut noise = Vec::new();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise.push(x as u8);
    }
    let random = tmp("random.trace");
    std::fs::write(&random, &noise).unwrap();
    let mut future = bytes.clone();
    future[8] = 99;
    let future_path = tmp("future.trace");
    std::fs::write(&future_path, &future).unwrap();
    let cases = [
        (truncated.to_string_lossy().into_owned(), "truncated or corrupt"),
        (random.to_string_lossy().into_owned(), "not a distlab trace"),
        (future_path.to_string_lossy().into_owned(), "version 99 is not supported"),
        ("/nonexistent/run.trace".to_string(), "cannot read"),
    ];
    for (path, message) in &cases {
        assert_refused(path, message);
        assert!(distlab(&["replay", path.as_str(), "--headless"], None).stderr.contains(path.as_str()));
    }
}

/// `replay` (TUI or headless) and `export` all refuse the trace at `path`
/// with exit 2 and `message`: the headless replay as its one JSON object
/// too, the others with nothing on standard output (the TUI reports it
/// before taking the terminal).
fn assert_refused(path: &str, message: &str) {
    for args in [vec!["replay", path, "--headless"], vec!["export", path, "--shiviz"], vec!["replay", path]] {
        let o = distlab(&args, None);
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains(message) && o.stderr.lines().count() == 1, "{args:?}: {}", o.stderr);
        if args.len() == 3 && args[2] == "--headless" {
            let v = json(&o);
            assert!(v["error"].as_str().is_some_and(|e| e.contains(message)), "{args:?}: {v}");
        } else {
            assert!(o.stdout.is_empty(), "{args:?}: nothing on stdout, got {}", o.stdout);
        }
    }
}

#[test]
fn a_decodable_trace_with_a_bad_configuration_is_refused_as_the_command_line_would() {
    // A trace is untrusted input: its configuration is checked with the
    // command line's limits and messages before anything is allocated, and
    // its inputs and events must be what the run makes.
    let good = tmp("config.trace").to_string_lossy().into_owned();
    let o = distlab(&["run", "ring-election", "--headless", "--trace", &good, "--script", "-"], Some(SEED_STORY));
    assert_eq!(o.code, 0, "{}", o.stderr);
    let original = Trace::decode(&std::fs::read(&good).unwrap()).unwrap();
    type Edit = fn(&mut Trace);
    let edits: [(&str, Edit, &str); 10] = [
        ("one-node", |t| t.config.sim.n = 1, "ring-election runs with 2 to"),
        ("2^32-nodes", |t| t.config.sim.n = 1 << 32, "not 4294967296"),
        ("max-nodes", |t| t.config.sim.n = usize::MAX, "not 18446744073709551615"),
        ("scenario", |t| t.config.scenario = "paxos".into(), "unknown scenario \"paxos\""),
        ("param", |t| t.config.params.push(("timeout".into(), "-5".into())), "parameter timeout=-5"),
        ("latency", |t| t.config.sim.net.latency_min = u64::MAX, "ms is out of range (0 to 1000000000)"),
        ("loss", |t| t.config.sim.net.loss = f64::NAN, "probability NaN is not between 0 and 1"),
        ("input-node", |t| t.inputs.insert(0, Input::Crash(1 << 40)), "node 1099511627776 does not exist"),
        (
            "input-count",
            |t| t.inputs.push(Input::Step(u64::MAX)),
            "at most 1000000 events per command, not 18446744073709551615",
        ),
        ("event-node", |t| t.events[3].node = u32::MAX, "replay diverged from the trace at event 3"),
    ];
    for (name, edit, message) in edits {
        let mut t = original.clone();
        edit(&mut t);
        let path = tmp(&format!("edited-{name}.trace")).to_string_lossy().into_owned();
        std::fs::write(&path, t.encode()).unwrap();
        assert_refused(&path, message);
    }
}

// ----- ShiViz ------------------------------------------------------------------

/// One parsed event of a ShiViz log.
struct ShivizEvent {
    line: usize,
    host: String,
    clock: BTreeMap<String, u64>,
}

/// Check a log the way ShiViz does (js/model/parser.js, vectorTimestamp.js,
/// modelGraph.js of DistributedClocks/shiviz), with its default parser
/// regex `(?<event>.*)\n(?<host>\S*) (?<clock>{.*})`:
/// - the log is pairs of lines: a description, then `host {json clock}`;
/// - a clock is a JSON object of host → positive integer that contains its
///   own host (zero entries are ignored);
/// - a host's own entries, in order, are exactly 1, 2, 3, ...;
/// - every other host a clock names exists, and the value is at most the
///   number of events that host has logged so far (ShiViz: at all; we also
///   want the log to be a causal order, which rules out cycles);
/// - every event's clock dominates the previous event's on its host, and
///   the clock of every event it names: clocks are causally closed.
///
/// Returns the events, or the first rule broken.
fn validate_shiviz(text: &str) -> Result<Vec<ShivizEvent>, String> {
    let lines: Vec<&str> = text.trim().lines().collect();
    if lines.is_empty() {
        return Err("no events".into());
    }
    if !lines.len().is_multiple_of(2) {
        return Err(format!("{} lines: not description/clock pairs", lines.len()));
    }
    let mut events: Vec<ShivizEvent> = Vec::new();
    // Per host: the log index of each of its events, by own time - 1.
    let mut by_host: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, pair) in lines.chunks(2).enumerate() {
        let line = 2 * i + 2;
        let (host, clock) = pair[1].split_once(' ').ok_or(format!("line {line}: no `host clock`"))?;
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(format!("line {line}: bad host {host:?}"));
        }
        if !clock.starts_with('{') || !clock.ends_with('}') {
            return Err(format!("line {line}: clock is not {{...}}"));
        }
        let json: serde_json::Map<String, Value> =
            serde_json::from_str(clock).map_err(|e| format!("line {line}: clock is not a JSON object: {e}"))?;
        let mut map = BTreeMap::new();
        for (h, v) in json {
            let v = v.as_u64().ok_or(format!("line {line}: {h} = {v} is not a natural number"))?;
            if v > 0 {
                map.insert(h, v);
            }
        }
        let own = *map.get(host).ok_or(format!("line {line}: local host {host:?} is missing from its clock"))?;
        let seen = by_host.entry(host.to_string()).or_default();
        if own != seen.len() as u64 + 1 {
            return Err(format!("line {line}: clock of {host} goes from {} to {own}", seen.len()));
        }
        seen.push(events.len());
        events.push(ShivizEvent { line, host: host.to_string(), clock: map });
    }
    let dominates = |a: &BTreeMap<String, u64>, b: &BTreeMap<String, u64>| {
        b.iter().all(|(h, v)| a.get(h).copied().unwrap_or(0) >= *v)
    };
    for (idx, e) in events.iter().enumerate() {
        let own = e.clock[&e.host];
        if own > 1 {
            let prev = &events[by_host[&e.host][own as usize - 2]];
            if !dominates(&e.clock, &prev.clock) {
                return Err(format!("line {}: clock does not dominate line {}", e.line, prev.line));
            }
        }
        for (h, &t) in &e.clock {
            if *h == e.host {
                continue;
            }
            let theirs = by_host.get(h).ok_or(format!("line {}: unrecognized host {h:?}", e.line))?;
            let Some(&at) = theirs.get(t as usize - 1) else {
                return Err(format!("line {}: invalid clock value {t} for host {h:?}", e.line));
            };
            if at > idx {
                return Err(format!("line {}: names {h}:{t}, logged later (line {})", e.line, events[at].line));
            }
            if !dominates(&e.clock, &events[at].clock) {
                return Err(format!("line {}: does not include the past of {h}:{t}", e.line));
            }
        }
    }
    Ok(events)
}

#[test]
fn the_validator_knows_the_rules() {
    let good = "a\nx {\"x\":1}\nb\ny {\"y\":1,\"x\":1}\nc\nx {\"x\":2,\"y\":1}\n";
    assert!(validate_shiviz(good).is_ok());
    let bad = [
        ("a\nx {\"x\":2}\n", "goes from 0 to 2"),
        ("a\nx {\"x\":1}\nb\nx {\"x\":3}\n", "goes from 1 to 3"),
        ("a\nx {\"y\":1}\n", "missing"),
        ("a\nx {\"x\":1,\"z\":1}\n", "unrecognized host"),
        ("a\nx {\"x\":1,\"y\":2}\nb\ny {\"y\":1}\n", "invalid clock value 2"),
        ("a\nx {\"x\":1,\"y\":1}\nb\ny {\"y\":1}\n", "logged later"),
        ("a\nx {\"x\":1}\nb\ny {\"y\":1,\"x\":1}\nc\ny {\"y\":2}\n", "does not dominate"),
        ("a\nx {\"x\":1}\nb\ny {\"y\":1,\"x\":1}\nc\nz {\"z\":1,\"y\":1}\n", "does not include the past"),
        ("a\nx {x:1}\n", "not a JSON object"),
        ("a\nx {\"x\":1}\nb\n", "pairs"),
        ("a\nx{\"x\":1}\n", "no `host clock`"),
    ];
    for (log, why) in bad {
        match validate_shiviz(log) {
            Ok(_) => panic!("accepted:\n{log}"),
            Err(e) => assert!(e.contains(why), "{e} (wanted {why})"),
        }
    }
}

#[test]
fn shiviz_export_follows_the_shiviz_rules() {
    for (scenario, n, params, script) in [
        ("ring-election", 5, vec![], SEED_STORY),
        ("ring-election", 6, vec!["-p", "timeout=30"], "elect 0\nelect 3\nlatency 1 25\nrun\ncrash 5\nelect 1\nrun\n"),
        (
            "ricart-agrawala",
            5,
            vec!["-p", "retry=30"],
            "loss 0.2\ndup-rate 0.2\nrequest 0\nrequest 2\nrequest 4\ncrash 3\nrun 400\n",
        ),
        ("ricart-agrawala", 40, vec![], "request 0\nrequest 35\nrequest 39\nrun\n"),
    ] {
        let trace = tmp(&format!("{scenario}-{n}.trace")).to_string_lossy().into_owned();
        let n_text = n.to_string();
        let mut args = vec!["run", scenario, "--headless", "-n", &n_text, "--trace", &trace, "--script", "-"];
        args.extend(params);
        let run = distlab(&args, Some(script));
        assert!(run.code <= 1, "{}", run.stderr);

        let o = distlab(&["export", &trace, "--shiviz"], None);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let events = validate_shiviz(&o.stdout).unwrap_or_else(|e| panic!("{scenario}: ShiViz would refuse: {e}"));
        let hosts: std::collections::BTreeSet<&str> = events.iter().map(|e| e.host.as_str()).collect();
        assert_eq!(hosts.len(), n, "every node has events (its start at least)");

        // The exported clocks are the vector clocks of the recorded events.
        let recorded = Trace::decode(&std::fs::read(&trace).unwrap()).unwrap();
        let node_events: Vec<&EventRec> = recorded.events.iter().filter(|e| e.is_node_event()).collect();
        assert_eq!(events.len(), node_events.len());
        let mut vc = vec![vec![0u64; n]; n];
        let mut at: Vec<Option<Vec<u64>>> = Vec::new();
        let mut k = 0;
        for e in &recorded.events {
            if !e.is_node_event() {
                at.push(None);
                continue;
            }
            let node = e.node as usize;
            if let EvKind::Recv { send, .. } = e.kind {
                let sent = at[send as usize].clone().expect("a send is a node event");
                for (m, t) in vc[node].iter_mut().zip(sent) {
                    *m = (*m).max(t);
                }
            }
            vc[node][node] += 1;
            at.push(Some(vc[node].clone()));
            let want: BTreeMap<String, u64> =
                vc[node].iter().enumerate().filter(|(_, v)| **v > 0).map(|(h, v)| (format!("node{h}"), *v)).collect();
            assert_eq!(events[k].host, format!("node{node}"));
            assert_eq!(events[k].clock, want, "{scenario}: event on line {}", events[k].line);
            k += 1;
        }

        let out = tmp(&format!("{scenario}-{n}.shiviz"));
        let o2 = distlab(&["export", &trace, "--shiviz", "-o", &out.to_string_lossy()], None);
        assert_eq!(o2.code, 0);
        assert!(o2.stdout.is_empty());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), o.stdout);
    }
}

/// Outside `--headless`, a bad scenario, node count, variant or parameter
/// is reported the way clap reports a bad flag: the card's message, the
/// usage line, exit 2, and no terminal taken over.
#[test]
fn tui_runs_refuse_bad_arguments_as_clap_does() {
    for (args, message) in [
        (
            &["run", "ricart-agrawala", "-p", "variant=nope"][..],
            "parameter variant=nope: expected one of correct, no-defer",
        ),
        (&["run", "ricart-agrawala", "-p", "colour=red"], "unknown parameter \"colour\" for ricart-agrawala"),
        (&["run", "ricart-agrawala", "-p", "cs=-1"], "parameter cs=-1: expected whole ms from 0 to 1000000000"),
        (&["run", "ricart-agrawala", "--nodes", "0"], "ricart-agrawala runs with 1 to 4096 nodes, not 0"),
        (
            &["run", "causal-order", "-p", "ordering=total"],
            "parameter ordering=total: expected one of causal, fifo, none",
        ),
        (&["run", "paxos"], "unknown scenario \"paxos\""),
    ] {
        let o = distlab(args, None);
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        assert!(o.stderr.starts_with(&format!("error: {message}")), "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains("Usage: distlab run"), "{}", o.stderr);
        assert!(o.stdout.is_empty(), "{args:?} drew nothing: {:?}", o.stdout);
    }
}

// ----- output errors and usage errors ------------------------------------------

/// Run distlab with standard output on `/dev/full` (every write fails).
fn to_full_disk(args: &[&str]) -> (i32, String) {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full exists on Linux");
    let out = Command::new(env!("CARGO_BIN_EXE_distlab"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .expect("distlab runs");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    (out.status.code().expect("an exit code"), stderr)
}

#[test]
fn a_full_disk_is_an_error_and_a_closed_pipe_is_not() {
    let trace = tmp("full.trace").to_string_lossy().into_owned();
    assert_eq!(distlab(&["run", "ring-election", "--headless", "--trace", &trace], None).code, 0);
    for args in [
        vec!["list"],
        vec!["info", "dfs"],
        vec!["run", "token-ring", "--headless"],
        vec!["run", "nope", "--headless"],
        vec!["export", &trace, "--shiviz"],
    ] {
        let (code, stderr) = to_full_disk(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains("cannot write to standard output: No space left on device"), "{args:?}: {stderr}");
    }
    let o = distlab(&["export", &trace, "--shiviz", "--out", "/dev/full"], None);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("cannot write /dev/full: No space left on device"), "{}", o.stderr);
    // A reader that goes away early (`distlab list | head -1`) is not an error.
    for args in [vec!["list"], vec!["info", "dfs"], vec!["export", &trace, "--shiviz"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_distlab"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("distlab starts");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("distlab ends");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{args:?}: quiet, got {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn an_unwritable_trace_path_is_refused_before_the_run() {
    let o = distlab(
        &["run", "ricart-agrawala", "--headless", "-p", "variant=no-defer", "--trace", "/nonexistent/x.trace"],
        None,
    );
    assert_eq!(o.code, 2);
    assert_eq!(
        json(&o),
        serde_json::json!({ "error": "cannot write /nonexistent/x.trace: No such file or directory (os error 2)" })
    );
    // A trace that cannot be written after the run (a full disk): the summary
    // says so, and the violation's exit 1 is not hidden.
    let script = write("broken-ra.dl", "request 1\nrequest 2\nrun\n");
    let o = distlab(
        &[
            "run",
            "ricart-agrawala",
            "--headless",
            "-p",
            "variant=no-defer",
            "--trace",
            "/dev/full",
            "--script",
            &script,
        ],
        None,
    );
    let v = json(&o);
    assert_eq!(o.code, 1, "{v}");
    assert!(v["violation_count"].as_u64().unwrap() > 0, "{v}");
    assert_eq!(v["trace_error"], "cannot write /dev/full: No space left on device (os error 28)");
}

#[test]
fn every_headless_usage_error_is_one_json_object_too() {
    for (args, message) in [
        (vec!["run", "token-ring", "--headless", "--nodes", "-1"], "unexpected argument '-1' found"),
        (
            vec!["run", "token-ring", "--headless", "--nodes", "18446744073709551616"],
            "invalid value '18446744073709551616' for '--nodes <NODES>': number too large to fit in target type",
        ),
        (vec!["run", "token-ring", "--headless", "--bogus"], "unexpected argument '--bogus' found"),
        (vec!["run", "--headless"], "the following required arguments were not provided:"),
        (vec!["replay", "--headless"], "the following required arguments were not provided:"),
        (vec!["run", "token-ring", "--headless", "--seed", "x"], "invalid value 'x' for '--seed <SEED>'"),
    ] {
        let o = distlab(&args, None);
        assert_eq!(o.code, 2, "{args:?}");
        let v = json(&o);
        assert!(v["error"].as_str().is_some_and(|e| e.starts_with(message)), "{args:?}: {v}");
        assert!(o.stderr.starts_with(&format!("error: {message}")), "{args:?}: clap's own message: {}", o.stderr);
    }
    // Without --headless, clap's message alone; help is not an error.
    let o = distlab(&["run", "token-ring", "--bogus"], None);
    assert_eq!((o.code, o.stdout.as_str()), (2, ""));
    let o = distlab(&["run", "--headless", "--help"], None);
    assert_eq!(o.code, 0);
    assert!(o.stdout.starts_with("Open a scenario"), "{}", o.stdout);
}

// ----- a script's header is its configuration ------------------------------------

fn asset(file: &str) -> String {
    format!("{}/assets/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// Issue 15's two commands: the header supplies what the command line
/// leaves out (`-p cs=0`; 4 nodes and seed 3), and every `expect` holds.
#[test]
fn a_script_runs_with_its_headers_configuration() {
    for (scenario, file, nodes, seed, params) in [
        ("ricart-agrawala", "ricart-agrawala.dl", 5, 1, serde_json::json!(["cs=0"])),
        ("chat-rooms", "chat-rooms.dl", 4, 3, serde_json::json!([])),
    ] {
        let path = asset(file);
        let o = distlab(&["run", scenario, "--headless", "--script", &path], None);
        assert_eq!(o.code, 0, "{file}: {}{}", o.stdout, o.stderr);
        let v = json(&o);
        assert_eq!((v["nodes"].as_u64(), v["seed"].as_u64()), (Some(nodes), Some(seed)), "{file}");
        assert_eq!(v["params"], params, "{file}");
        assert_eq!(v["failed_expectations"], serde_json::json!([]), "{file}");
        assert_eq!(v["violation_count"], 0, "{file}");
        // The scenario may be left out (the header names it); the same run.
        let o = distlab(&["run", "--headless", "--script", &path], None);
        assert_eq!(o.code, 0, "{file}: {}", o.stderr);
        assert_eq!(stable(json(&o)), stable(v.clone()), "{file}");
        // Values that agree with the header, and one it leaves free, are fine.
        let n = nodes.to_string();
        let o = distlab(&["run", scenario, "-n", &n, "--inline", "--headless", "--script", &path], None);
        assert_eq!(o.code, 0, "{file}: {}", o.stderr);
    }
    // A command line adds what the header does not say.
    let path = asset("ricart-agrawala.dl");
    let o = distlab(&["run", "--headless", "-p", "retry=0", "--sched", "timed", "--script", &path], None);
    assert_eq!(json(&o)["params"], serde_json::json!(["cs=0", "retry=0"]));
}

#[test]
fn a_command_line_that_contradicts_the_header_is_refused_before_the_run() {
    let path = asset("ricart-agrawala.dl");
    for (args, message) in [
        (vec!["run", "ricart-agrawala", "--nodes", "3"], format!("--nodes 3 contradicts {path} line 1 (--nodes 5)")),
        (vec!["run", "-p", "cs=100"], format!("-p cs=100 contradicts {path} line 1 (-p cs=0)")),
        (vec!["run", "--seed", "9"], format!("--seed 9 contradicts {path} line 1 (--seed 1)")),
        (
            vec!["run", "chat-rooms"],
            format!("scenario chat-rooms contradicts {path} line 1 (a ricart-agrawala script)"),
        ),
    ] {
        let script = ["--script", path.as_str()];
        let headless = distlab(&[&args[..], &script, &["--headless"]].concat(), None);
        assert_eq!(headless.code, 2, "{args:?}");
        let e = json(&headless)["error"].as_str().unwrap().to_string();
        assert!(e.starts_with(&message), "{args:?}: {e}");
        assert_eq!(headless.stderr, format!("distlab: {e}\n"), "one line");
        // The TUI refuses it the same way, before taking the terminal.
        let tui = distlab(&[&args[..], &script].concat(), None);
        assert_eq!(tui.code, 2, "{args:?}");
        assert!(tui.stderr.starts_with(&format!("error: {message}")), "{args:?}: {}", tui.stderr);
        assert!(tui.stdout.is_empty(), "{args:?} drew nothing");
    }
}

#[test]
fn a_malformed_header_is_an_error_naming_the_file_and_line_1() {
    for (header, message) in [
        ("# distlab: run paxos --nodes 3", "unknown scenario \"paxos\""),
        ("# distlab: run token-ring --colour red", "unexpected argument '--colour' found"),
        ("# distlab: run token-ring --nodes many", "invalid value 'many' for '--nodes <NODES>'"),
        ("# distlab: run token-ring -p variant=three-tokens", "parameter variant=three-tokens: expected one of"),
        ("# distlab: token-ring", "expected `# distlab: run SCENARIO [FLAGS]`"),
    ] {
        let path = write("malformed.dl", &format!("{header}\nstep\n"));
        let want = format!("{path} line 1: {message}");
        let o = distlab(&["run", "--headless", "--script", &path], None);
        assert_eq!(o.code, 2, "{header}");
        let e = json(&o)["error"].as_str().unwrap().to_string();
        assert!(e.starts_with(&want), "{header}: {e}");
        let o = distlab(&["run", "token-ring", "--script", &path], None);
        assert_eq!(o.code, 2, "{header}");
        assert!(o.stderr.starts_with(&format!("error: {want}")), "{header}: {}", o.stderr);
    }
    // No header at all: the command line must name the scenario.
    let path = write("headless.dl", "step\n");
    let o = distlab(&["run", "--headless", "--script", &path], None);
    assert_eq!(o.code, 2);
    assert!(json(&o)["error"].as_str().unwrap().starts_with(&format!("{path} has no `# distlab: run")), "{}", o.stdout);
    let o = distlab(&["run", "token-ring", "--headless", "--script", &path], None);
    assert_eq!((o.code, json(&o)["steps"].as_u64()), (0, Some(1)));
    // Neither a scenario nor a script: clap's usage error.
    let o = distlab(&["run"], None);
    assert_eq!(o.code, 2);
    assert!(o.stderr.starts_with("error: the following required arguments were not provided:"), "{}", o.stderr);
    let o = distlab(&["run", "--headless"], None);
    assert_eq!(json(&o)["error"], "the following required arguments were not provided: <SCENARIO>");
}
