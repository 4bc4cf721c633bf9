//! Lectures built into the binary: the embedded set is exactly the cards'
//! scripts, `distlab lectures` lists them, `--lecture NAME` runs one from
//! any directory; and the script command `select N`.

use distlab::engine::input::Input;
use distlab::lectures::{self, Overrides};
use distlab::script::{self, Line};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

/// Every card's `scripts`, in card order.
fn card_scripts() -> Vec<(&'static str, &'static str)> {
    distlab::algos::all().iter().flat_map(|e| e.card.scripts.iter().map(|s| (e.card.name, s.file))).collect()
}

#[test]
fn the_embedded_lectures_are_exactly_the_cards_scripts() {
    let embedded: BTreeSet<&str> = lectures::embedded().iter().map(|(f, _)| *f).collect();
    let cards: BTreeSet<&str> = card_scripts().iter().map(|(_, f)| *f).collect();
    assert_eq!(embedded, cards, "every assets/*.dl is listed by one card's `scripts`, and each listed one exists");
    assert_eq!(embedded.len(), lectures::embedded().len(), "no file twice");
    assert_eq!(cards.len(), card_scripts().len(), "no card lists a script twice");
    // The embedded text is the file's text (the build script is current).
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets");
    for (file, text) in lectures::embedded() {
        assert_eq!(std::fs::read_to_string(dir.join(file)).unwrap(), *text, "{file}");
    }
}

#[test]
fn all_lists_every_lecture_in_card_order_with_its_scenario() {
    let all = lectures::all();
    let got: Vec<(&str, &str)> = all.iter().map(|l| (l.scenario, l.file)).collect();
    assert_eq!(got, card_scripts());
    assert_eq!(all.len(), 35, "17 scenarios, a lecture and a broken demo each, and bully-election-timeouts");
    for l in &all {
        let card = distlab::algos::find(l.scenario).unwrap().card;
        assert_eq!(l.about, card.about);
        // Its header names the card that lists it, and is a valid configuration.
        let config = l.config().unwrap_or_else(|e| panic!("{}: {e}", l.file));
        assert_eq!(config.scenario, l.scenario, "{}", l.file);
        assert_eq!(l.command(), format!("distlab run --lecture {}", l.file.trim_end_matches(".dl")));
    }
}

#[test]
fn find_takes_the_name_with_or_without_dl() {
    let a = lectures::find("bully-election-timeouts").expect("found");
    assert_eq!((a.file, a.scenario), ("bully-election-timeouts.dl", "bully-election"));
    assert_eq!(lectures::find("bully-election-timeouts.dl"), Some(a));
    assert!(a.text.starts_with("# distlab: run bully-election"));
    for bad in ["", ".dl", "paxos", "bully", "assets/ring-election.dl", "ring-election.dl.dl"] {
        assert_eq!(lectures::find(bad), None, "{bad:?}");
    }
    let e = lectures::lookup("paxos").unwrap_err();
    assert!(e.starts_with("unknown lecture \"paxos\"; `distlab lectures` lists them: ricart-agrawala, "), "{e}");
}

#[test]
fn the_picker_gets_a_lecture_configuration_from_the_library() {
    // What the TUI's picker calls: the header alone, or with its own values.
    let ra = lectures::find("ricart-agrawala").unwrap();
    let c = lectures::config(ra.text, ra.file, &Overrides::default()).unwrap();
    assert_eq!((c.sim.n, c.sim.seed, c.params.clone()), (5, 1, vec![("cs".into(), "0".into())]));
    let own = Overrides { nodes: Some(7), ..Overrides::default() };
    let e = lectures::config(ra.text, ra.file, &own).unwrap_err();
    assert_eq!(
        e,
        "--nodes 7 contradicts ricart-agrawala.dl line 1 (--nodes 5); leave it out to run the script as written"
    );
    // A scenario without a script: the card's defaults.
    let c = Overrides { scenario: Some("token-ring".into()), ..Overrides::default() }.config().unwrap();
    assert_eq!((c.sim.n, c.sim.seed, c.params.len()), (5, 1, 0));
}

// ----- the binary ------------------------------------------------------------------

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run distlab in `dir` (a folder without `assets/`, to show nothing is
/// read from the source tree).
fn distlab_in(dir: &std::path::Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_distlab")).args(args).current_dir(dir).output().expect("distlab runs");
    let o = Out {
        code: out.status.code().expect("an exit code"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(!o.stderr.contains("panicked"), "{args:?}: {}", o.stderr);
    o
}

fn elsewhere() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("lectures-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(!dir.join("assets").exists());
    dir
}

#[test]
fn distlab_lectures_prints_every_script_with_its_scenario_command_and_about() {
    let o = distlab_in(&elsewhere(), &["lectures"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let commands: Vec<&str> = o.stdout.lines().filter(|l| l.contains("distlab run --lecture ")).collect();
    assert_eq!(commands.len(), lectures::all().len(), "{}", o.stdout);
    for (l, line) in lectures::all().iter().zip(&commands) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words, [l.file, "distlab", "run", "--lecture", l.name()]);
    }
    for e in distlab::algos::all() {
        let heading = format!("{} — {}\n", e.card.name, e.card.about);
        assert!(o.stdout.contains(&heading), "{heading:?} in {}", o.stdout);
    }
}

#[test]
fn a_lecture_runs_by_name_from_any_directory() {
    let dir = elsewhere();
    let o = distlab_in(&dir, &["run", "--lecture", "chat-rooms", "--headless"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let v: serde_json::Value = serde_json::from_str(o.stdout.trim()).unwrap();
    assert_eq!(
        (v["scenario"].as_str(), v["nodes"].as_u64(), v["seed"].as_u64()),
        (Some("chat-rooms"), Some(4), Some(3))
    );
    assert_eq!(v["failed_expectations"], serde_json::json!([]));
    assert!(v["steps"].as_u64().unwrap() > 10, "{v}");
    // The broken demo ends as its header says (exit 1, caught by the checker).
    let o = distlab_in(&dir, &["run", "--lecture", "ricart-agrawala-broken.dl", "--headless"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    // The scenario may be named; if it differs from the header's, refused.
    let o = distlab_in(&dir, &["run", "chat", "--lecture", "chat-rooms", "--headless"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stdout.contains("scenario chat contradicts lecture chat-rooms.dl line 1 (a chat-rooms script)"),
        "{}",
        o.stdout
    );
    for (args, message) in [
        (&["run", "--lecture", "paxos", "--headless"][..], "unknown lecture \"paxos\""),
        (&["run", "--lecture", "paxos"], "unknown lecture \"paxos\""),
        (&["run", "--lecture", "dfs", "--script", "x.dl"], "the argument '--lecture <NAME>' cannot be used with"),
    ] {
        let o = distlab_in(&dir, args);
        assert_eq!(o.code, 2, "{args:?}");
        assert!(o.stderr.contains(message), "{args:?}: {}", o.stderr);
        assert_eq!(o.stderr.lines().filter(|l| l.contains(message)).count(), 1, "{}", o.stderr);
    }
}

// ----- select N ----------------------------------------------------------------------

fn scenario(name: &str, n: usize) -> Box<dyn distlab::scenario::Scenario> {
    // Inline: no tokio runtime needed to open it.
    let o = Overrides { scenario: Some(name.into()), nodes: Some(n), inline: true, ..Overrides::default() };
    let cfg = o.config().unwrap();
    futures::executor::block_on(distlab::algos::open_run(cfg)).unwrap()
}

#[test]
fn select_is_a_script_line_of_its_own_and_checks_its_node() {
    let sc = scenario("ricart-agrawala", 5);
    assert_eq!(script::parse_command("select 4", sc.as_ref()), Ok(Some(Line::Select(4))));
    assert_eq!(script::parse_command("select 1 # the requester", sc.as_ref()), Ok(Some(Line::Select(1))));
    assert_eq!(script::parse_command("crash 1", sc.as_ref()), Ok(Some(Line::Input(Input::Crash(1)))));
    for (line, message) in [
        ("select 5", "node 5 does not exist (nodes are 0..4)"),
        ("select 99", "node 99 does not exist (nodes are 0..4)"),
        ("select", "usage: select N"),
        ("select 1 2", "usage: select N"),
        ("select x", "expected a node number, got \"x\""),
    ] {
        assert_eq!(script::parse_command(line, sc.as_ref()), Err(message.to_string()), "{line}");
    }
    // A lecture keeps it; the run's inputs do not include it.
    let text = "request 1\nselect 1\nstep\n";
    let lecture = script::parse_lecture(text, sc.as_ref()).unwrap();
    assert_eq!(lecture.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(lecture[1].1, Line::Select(1));
    let inputs = script::parse_script(text, sc.as_ref()).unwrap();
    assert_eq!(inputs.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 3]);
    let e = script::parse_script("step\nselect 9\n", sc.as_ref()).unwrap_err();
    assert_eq!(e.to_string(), "line 2: node 9 does not exist (nodes are 0..4)");
    assert!(script::parse_line("select 1", sc.as_ref()).is_err(), "not an input of the run");
    assert!(script::GENERIC.iter().any(|(u, _)| *u == "select N"));
}

#[test]
fn headless_select_is_checked_and_changes_nothing() {
    let dir = elsewhere();
    let with = dir.join("with-select.dl");
    let without = dir.join("without-select.dl");
    std::fs::write(&with, "request 1\nselect 1\nrun\nselect 0\nexpect role 1 in-cs\n").unwrap();
    std::fs::write(&without, "request 1\nrun\nexpect role 1 in-cs\n").unwrap();
    let run = |path: &PathBuf| {
        let o = distlab_in(
            &dir,
            &["run", "ricart-agrawala", "-p", "cs=0", "--headless", "--script", path.to_str().unwrap()],
        );
        let mut v: serde_json::Value = serde_json::from_str(o.stdout.trim()).unwrap();
        v.as_object_mut().unwrap().retain(|k, _| k != "wall_ms" && k != "events_per_sec");
        (o.code, v)
    };
    let (code, a) = run(&with);
    assert_eq!(code, 0, "{a}");
    assert_eq!((code, a), run(&without), "select 1 is accepted and changes nothing");
    let bad = dir.join("bad-select.dl");
    std::fs::write(&bad, "request 1\nselect 99\nrun\n").unwrap();
    let o = distlab_in(&dir, &["run", "ricart-agrawala", "--headless", "--script", bad.to_str().unwrap()]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout.trim(), r#"{"error":"script line 2: node 99 does not exist (nodes are 0..4)"}"#);
    assert_eq!(o.stderr.trim(), "distlab: script line 2: node 99 does not exist (nodes are 0..4)");
}
