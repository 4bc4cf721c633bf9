//! The terminal UI (to be built).

use crate::engine::trace::RunConfig;

/// What the TUI opens on.
pub struct Start {
    /// `None`: the scenario picker.
    pub config: Option<RunConfig>,
    /// Text of a lecture script to drive (`--script`).
    pub script: Option<String>,
    /// Inputs to replay first (`distlab replay FILE`).
    pub replay: Option<crate::engine::trace::Trace>,
}

pub async fn run(_start: Start) -> color_eyre::Result<()> {
    color_eyre::eyre::bail!("the TUI is not built yet")
}
