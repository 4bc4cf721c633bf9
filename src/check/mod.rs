//! `distlab check`: an explicit-state model checker over the engine and the
//! scenarios themselves. From the state a setup script leaves, it explores
//! every order in which the pending messages and timers can be delivered
//! (and, within budgets, crashes, recoveries, drops and duplicates),
//! evaluates the scenario's own monitors at every state, and reports the
//! shortest execution that breaks a property, as an ordinary trace.
//!
//! - [`choices`]: what may happen next at a state;
//! - [`search`]: the breadth-first / depth-first / random search;
//! - [`report`]: the JSON summary and the exit code;
//! - [`setup`]: the acceptance setups of `assets/check/`.

pub mod choices;
pub mod cli;
mod expand;
pub mod report;
pub mod search;
pub mod setup;

pub use choices::Budgets;
pub use search::{Found, Options, Outcome, Search, Stats, Strategy};

use crate::algos;
use crate::engine::actor::DriverKind;
use crate::engine::input::{Input, SchedMode};
use crate::engine::trace::RunConfig;
use crate::scenario::Scenario;
use crate::script;

/// The run a search starts from: `config` (inline driver, no log) with
/// `script` applied, then `sched manual`, so that a counterexample's trace
/// replays step by step under the user's hand.
pub async fn start(config: RunConfig, script: &str) -> Result<Box<dyn Scenario>, String> {
    let mut sc = inline(config).await?;
    let lines = script::parse_script(script, sc.as_ref()).map_err(|e| format!("script {e}"))?;
    for (line, input) in lines {
        sc.apply(input).await.map_err(|e| format!("script line {line}: {e}"))?;
    }
    sc.apply(Input::Sched(SchedMode::Manual)).await?;
    Ok(sc)
}

/// The run a search starts from when a run is already on screen: `config`
/// (inline, no log) with that run's `inputs` replayed, then `sched manual`.
pub async fn start_from(config: RunConfig, inputs: &[Input]) -> Result<Box<dyn Scenario>, String> {
    let mut sc = inline(config).await?;
    for input in inputs {
        sc.apply(input.clone()).await?;
    }
    sc.apply(Input::Sched(SchedMode::Manual)).await?;
    Ok(sc)
}

/// The most distinct states a script's `check` line explores: a
/// lecture's setups are small, and the line runs where it is read (the
/// TUI's `:check`, sliced between frames, goes to [`TUI_MAX_STATES`]).
pub const LINE_MAX_STATES: u64 = 20_000;
/// The most distinct states the TUI's `:check` explores.
pub const TUI_MAX_STATES: u64 = 200_000;

/// A breadth-first search without faults from the state of run `sc` (a
/// script's `check` line, the TUI's `:check`), to `depth` and at most
/// `max_states` distinct states.
pub async fn search_from(sc: &dyn Scenario, depth: u32, max_states: u64) -> Result<Search, String> {
    let start = start_from(sc.config().clone(), sc.inputs()).await?;
    let opts = Options { depth: Some(depth), max_states, strategy: Strategy::Bfs, budgets: Budgets::default() };
    Search::new(start, opts)
}

/// A script's `check DEPTH` line at run `sc`: the search from its state,
/// recorded as the input that keeps its outcome (`expect check.violation
/// == "…"`, `check.length`, `check.states`, `check.exhausted` read it).
pub async fn line_input(sc: &dyn Scenario, depth: u32) -> Result<Input, String> {
    let out = search_from(sc, depth, LINE_MAX_STATES).await?.run_to_end();
    Ok(outcome_input(depth, &out))
}

/// The input that records a search's outcome.
pub fn outcome_input(depth: u32, out: &Outcome) -> Input {
    let json = serde_json::json!({
        "depth": depth,
        "states": out.stats.distinct,
        "exhausted": out.exhausted,
        "violation": out.found.as_ref().map(|f| f.property.clone()),
        "length": out.found.as_ref().map(|f| f.length),
    });
    Input::Checked(json.to_string())
}

async fn inline(mut config: RunConfig) -> Result<Box<dyn Scenario>, String> {
    config.sim.driver = DriverKind::Inline;
    config.sim.logging = false;
    algos::open_run(config).await
}
