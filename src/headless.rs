//! Headless runs: execute a script without a terminal and print exactly one
//! JSON object. Exit 0 when every invariant and expectation holds, 1 when
//! one fails, 2 on bad usage.

use crate::algos;
use crate::check;
use crate::engine::trace::{RunConfig, Trace};
use crate::replay::replay_scenario;
use crate::scenario::Scenario;
use crate::script::{self, Line};
use std::time::Instant;

pub use crate::exit::{EXIT_FAILED, EXIT_OK, EXIT_USAGE, Report, usage_error};

/// Run `script` (the text of a script file) on a new scenario.
pub async fn run(config: RunConfig, script: &str) -> Report {
    let mut sc = match algos::open_run(config).await {
        Ok(sc) => sc,
        Err(e) => return usage_error(e),
    };
    let lines = match script::parse_lecture(script, sc.as_ref()) {
        Ok(lines) => lines,
        Err(e) => return usage_error(format!("script {e}")),
    };
    let started = Instant::now();
    let total = lines.len();
    for (i, (line, l)) in lines.into_iter().enumerate() {
        let input = match l {
            Line::Input(input) => input,
            // Nothing to point at or hide without a screen.
            Line::Select(_) | Line::Panes { .. } => continue,
            Line::Check(depth) => match check::line_input(sc.as_ref(), depth).await {
                Ok(input) => input,
                Err(e) => return usage_error(format!("script line {line}: check: {e}")),
            },
        };
        if let Err(e) = sc.apply(input).await {
            if sc.stopped().is_some() {
                // A ceiling, not bad usage: the summary of what ran, and
                // the lines that did not (they were not checked: exit 1).
                let mut report = finish(sc, started);
                report.json["unrun_lines"] = (total - i).into();
                report.code = EXIT_FAILED;
                return report;
            }
            return usage_error(format!("script line {line}: {e}"));
        }
    }
    finish(sc, started)
}

/// Replay a trace and check it reproduces the recorded events exactly.
pub async fn replay(trace: &Trace) -> Report {
    let started = Instant::now();
    let sc = match replay_scenario(trace).await {
        Ok(sc) => sc,
        // A trace that does not replay (a bad configuration, a refused
        // input, other events) is bad input, as an undecodable one is.
        Err(e) => return usage_error(e),
    };
    finish(sc, started)
}

fn finish(sc: Box<dyn Scenario>, started: Instant) -> Report {
    let wall = started.elapsed().as_secs_f64();
    let mut json = sc.report();
    json["wall_ms"] = (wall * 1000.0).into();
    json["events_per_sec"] = if wall > 0.0 { (sc.step() as f64 / wall).round().into() } else { 0.into() };
    let failed = sc.violation_count() > 0 || !sc.failed_expectations().is_empty();
    Report { json, code: if failed { EXIT_FAILED } else { EXIT_OK }, scenario: Some(sc) }
}
