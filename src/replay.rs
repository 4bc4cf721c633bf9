//! Rebuilding a recorded run from its trace: the TUI's `replay` and the
//! headless `replay --headless` both start here.

use crate::algos;
use crate::engine::input::Input;
use crate::engine::trace::Trace;
use crate::scenario::Scenario;

/// Rebuild the run a trace recorded; an error names the first divergence.
pub async fn replay_scenario(trace: &Trace) -> Result<Box<dyn Scenario>, String> {
    replay_noting(trace, |_, _| {}).await
}

/// [`replay_scenario`], calling `before(run, input)` just before each input
/// is applied (an export notes where each fault came in the history).
pub async fn replay_noting(
    trace: &Trace,
    mut before: impl FnMut(&dyn Scenario, &Input),
) -> Result<Box<dyn Scenario>, String> {
    let mut sc = algos::open_run(trace.config.clone()).await?;
    for (i, input) in trace.inputs.iter().enumerate() {
        before(sc.as_ref(), input);
        sc.apply(input.clone()).await.map_err(|e| format!("input {} ({input}) was rejected on replay: {e}", i + 1))?;
    }
    let events = sc.history();
    if let Some(i) = (0..events.len().max(trace.events.len())).find(|&i| events.get(i) != trace.events.get(i)) {
        return Err(format!(
            "replay diverged from the trace at event {i} (recorded {} events, replay made {})",
            trace.events.len(),
            events.len()
        ));
    }
    Ok(sc)
}
