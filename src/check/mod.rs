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

async fn inline(mut config: RunConfig) -> Result<Box<dyn Scenario>, String> {
    config.sim.driver = DriverKind::Inline;
    config.sim.logging = false;
    algos::open_run(config).await
}
