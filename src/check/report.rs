//! The summary of a search: one JSON object, like `run --headless`'s, and
//! the exit code (0: no violation within the bounds, 1: a violation, 2:
//! bad usage, which the caller reports).

use super::search::{Options, Outcome, Stats};
use crate::engine::trace::RunConfig;
use crate::exit::{EXIT_FAILED, EXIT_OK};
use serde_json::json;

/// The peak resident memory of this process in MB (Linux' `VmHWM`), if known.
pub fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 =
        status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

/// The progress line for standard error.
pub fn progress(stats: &Stats, elapsed_s: f64) -> String {
    let rate = if elapsed_s > 0.0 { stats.explored as f64 / elapsed_s } else { 0.0 };
    format!(
        "check: {} states explored, {} distinct, depth {}, {:.0} states/s",
        stats.explored, stats.distinct, stats.max_depth, rate
    )
}

/// The JSON summary and the exit code.
pub fn summary(config: &RunConfig, opts: &Options, out: &Outcome, elapsed_s: f64) -> (serde_json::Value, i32) {
    let s = out.stats;
    let rate = if elapsed_s > 0.0 { (s.explored as f64 / elapsed_s).round() } else { 0.0 };
    let violations: Vec<serde_json::Value> = out
        .found
        .iter()
        .map(|f| {
            json!({
                "property": f.property,
                "length": f.length,
                "step": f.step,
                "detail": f.detail,
            })
        })
        .collect();
    let params: serde_json::Map<String, serde_json::Value> =
        config.params.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect();
    let json = json!({
        "scenario": config.scenario,
        "nodes": config.sim.n,
        "params": params,
        "fifo": config.sim.net.fifo,
        "strategy": opts.strategy.name(),
        "depth_bound": opts.depth,
        "max_states": opts.max_states,
        "faults": opts.budgets,
        "states_explored": s.explored,
        "distinct_states": s.distinct,
        "max_depth": s.max_depth,
        "exhausted": out.exhausted,
        "elapsed_ms": (elapsed_s * 1000.0 * 10.0).round() / 10.0,
        "states_per_sec": rate,
        "peak_memory_mb": peak_memory_mb(),
        "violations": violations,
    });
    (json, if out.found.is_some() { EXIT_FAILED } else { EXIT_OK })
}
