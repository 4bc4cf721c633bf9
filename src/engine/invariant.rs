//! Invariants: safety properties checked after every change of a node's
//! summary, liveness properties checked when the run is quiescent.

use super::network::Faults;
use super::protocol::{NodeId, Protocol, Time};

/// A broken property, with the step at which it broke.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Violation {
    pub property: String,
    pub step: u64,
    pub detail: String,
}

/// What a monitor may look at: the engine's view of the world, never a
/// node's private state.
pub struct World<'a, P: Protocol> {
    pub step: u64,
    pub now: Time,
    pub summaries: &'a [P::Summary],
    pub alive: &'a [bool],
    pub faults: &'a Faults,
}

impl<P: Protocol> World<'_, P> {
    pub fn n(&self) -> usize {
        self.summaries.len()
    }
    pub fn live(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.n()).filter(|&i| self.alive[i])
    }
    pub fn violation(&self, property: &str, detail: impl Into<String>) -> Violation {
        Violation { property: property.to_string(), step: self.step, detail: detail.into() }
    }
}

/// What changed in the world that a monitor may want to know about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The node's summary changed after it handled an event.
    Summary(NodeId),
    Crash(NodeId),
    Recover(NodeId),
    /// Links changed (partition, cut, heal).
    Links,
}

/// An algorithm's invariants and its headless `result`.
pub trait Monitor<P: Protocol>: Send + 'static {
    /// Names of the properties this monitor checks (for help and README).
    fn properties(&self) -> Vec<&'static str>;
    /// Called after every change; `old` is the summary before it (for
    /// summary changes, crashes and recoveries of that node).
    fn on_change(&mut self, w: &World<P>, change: Change, old: Option<&P::Summary>) -> Vec<Violation>;
    /// Called when nothing is left to deliver.
    fn at_quiescence(&mut self, _w: &World<P>) -> Vec<Violation> {
        Vec::new()
    }
    /// The scenario-specific part of the headless summary.
    fn result(&self, w: &World<P>) -> serde_json::Value;
}
