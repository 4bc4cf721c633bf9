//! Every lecture script in `assets/` runs headless with the configuration
//! its header names and ends as it says it will.
//!
//! Header convention of `assets/*.dl`: line 1 is `# distlab: run SCENARIO
//! [FLAGS...]`, the script's configuration: `distlab run --headless
//! --script FILE` alone applies it (tested here: no other argument is
//! given, so a header that did not apply would fail the script's
//! `expect`s or name a node that does not exist). An optional `# exit: N` line
//! in the leading comment block names the intended exit code (default 0);
//! a script meant to end with 1 (a broken-variant demo) must get there
//! through invariant violations only: every one of its `expect`s holds.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Asset {
    path: PathBuf,
    args: Vec<String>,
    exit: i32,
    text: String,
}

fn assets() -> Vec<Asset> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("assets/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "dl"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable script");
            let first = text.lines().next().unwrap_or_default();
            let args: Vec<String> = first
                .strip_prefix("# distlab: ")
                .unwrap_or_else(|| panic!("{}: line 1 must be `# distlab: run ...`, not {first:?}", path.display()))
                .split_whitespace()
                .map(String::from)
                .collect();
            assert_eq!(args.first().map(String::as_str), Some("run"), "{}", path.display());
            let exit = text
                .lines()
                .take_while(|l| l.starts_with('#'))
                .find_map(|l| l.strip_prefix("# exit: "))
                .map(|rest| rest.split_whitespace().next().unwrap_or_default().parse().expect("`# exit: N`"))
                .unwrap_or(0);
            Asset { path, args, exit, text }
        })
        .collect()
}

fn count(text: &str, verb: &str) -> usize {
    text.lines().filter(|l| l.split_whitespace().next() == Some(verb)).count()
}

#[test]
fn every_asset_runs_as_its_header_says() {
    let all = assets();
    for entry in distlab::algos::all() {
        let scenario = entry.card.name;
        assert!(
            all.iter().any(|a| a.args.get(1).is_some_and(|s| s == scenario) && a.exit == 0),
            "a lecture script for {scenario}"
        );
    }
    for a in &all {
        let name = a.path.display();
        assert!(count(&a.text, "say") >= 1, "{name}: narrates with `say`");
        assert!(count(&a.text, "expect") >= 1, "{name}: checks itself with `expect`");
        assert!(count(&a.text, "pause") >= 1, "{name}: has `pause` checkpoints");
        let out = Command::new(env!("CARGO_BIN_EXE_distlab"))
            .args(["run", "--headless", "--script"])
            .arg(&a.path)
            .output()
            .expect("distlab runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let report: serde_json::Value =
            serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {stdout}{stderr}"));
        assert_eq!(report["error"], serde_json::Value::Null, "{name}: {stderr}");
        assert_eq!(report["failed_expectations"], serde_json::json!([]), "{name}: every expect holds");
        assert_eq!(report["scenario"].as_str(), a.args.get(1).map(String::as_str), "{name}: the header's scenario");
        if let Some(n) = a.args.iter().position(|w| w == "--nodes").and_then(|i| a.args.get(i + 1)) {
            assert_eq!(report["nodes"].to_string(), *n, "{name}: the header's node count");
        }
        assert_eq!(out.status.code(), Some(a.exit), "{name}: exit code; report {report}");
        let violations = report["violation_count"].as_u64().expect("violation_count");
        if a.exit == 0 {
            assert_eq!(violations, 0, "{name}: {report}");
        } else {
            assert!(violations > 0, "{name}: a broken-variant demo must be caught by the checker");
        }
    }
}

#[test]
fn lecture_scripts_are_steppable() {
    // In the TUI a script advances to each `pause` and waits; every stage
    // between two pauses must make progress or narrate, and the run must
    // not end on a pause.
    for a in assets() {
        let stages: Vec<&str> = a.text.split("\npause").collect();
        assert!(stages.len() >= 2, "{}: at least two stages", a.path.display());
        for (i, stage) in stages.iter().enumerate() {
            assert!(count(stage, "say") > 0, "{}: stage {} has no narration", a.path.display(), i + 1);
        }
        let last = a.text.lines().rev().find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        assert_ne!(last.map(str::trim), Some("pause"), "{}", a.path.display());
    }
}
