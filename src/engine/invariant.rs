//! Invariants: safety properties checked after every change of a node's
//! summary, liveness properties checked when the run is quiescent.

/// The property the engine itself reports when a monitor's own clocks
/// ([`Monitor::stamp`]) answer `hb` differently from the ground truth; a
/// scenario whose monitor stamps events lists it on its card.
pub const HB_MATCHES_TRUTH: &str = "hb-matches-truth";

use super::clocks::LazyVc;
use super::network::Faults;
use super::protocol::{NodeId, Protocol, Row, Time};
use super::record::EventRec;
use std::hash::Hasher;

/// A broken property, with the step at which it broke.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Violation {
    pub property: String,
    pub step: u64,
    pub detail: String,
    /// The nodes it is about (the starving node, the pair in the CS):
    /// a property broken again for the same nodes is not reported again,
    /// and a liveness loss is blamed on a fault that touched them. Not in
    /// the JSON report (its `violations` keep their shape).
    #[serde(skip)]
    pub nodes: Vec<NodeId>,
}

impl Violation {
    /// The same violation, about these nodes.
    pub fn about(mut self, nodes: &[NodeId]) -> Violation {
        self.nodes = nodes.to_vec();
        self
    }
}

/// What a monitor may look at: the engine's view of the world, never a
/// node's private state.
pub struct World<'a, P: Protocol> {
    pub step: u64,
    pub now: Time,
    pub summaries: &'a [P::Summary],
    pub alive: &'a [bool],
    pub faults: &'a Faults,
    /// The history index of the event being handled, for summary changes
    /// (the number `hb` and the space-time diagram use).
    pub event: Option<u32>,
    /// Messages in flight, by kind index (see `kinds`).
    pub in_flight: &'a [u32],
    pub kinds: &'a [&'static str],
    pub history: &'a [EventRec],
    pub(crate) truth: &'a LazyVc,
}

impl<P: Protocol> World<'_, P> {
    pub fn n(&self) -> usize {
        self.summaries.len()
    }
    pub fn live(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.n()).filter(|&i| self.alive[i])
    }
    pub fn violation(&self, property: &str, detail: impl Into<String>) -> Violation {
        Violation { property: property.to_string(), step: self.step, detail: detail.into(), nodes: Vec::new() }
    }
    /// How many messages of `kind` (e.g. "TOKEN") are in flight now.
    pub fn in_flight(&self, kind: &str) -> u32 {
        self.kinds.iter().position(|k| *k == kind).map_or(0, |i| self.in_flight.get(i).copied().unwrap_or(0))
    }
    /// The engine's ground-truth vector clock of `node` now. O(N) per event
    /// since the last look: call it only where an algorithm's own clocks
    /// are on trial (logical clocks, causal order).
    pub fn true_vector(&self, node: NodeId) -> Vec<u32> {
        self.truth.vector(self.n(), self.history, node)
    }
}

/// Something a monitor wants charted over virtual time (clock offsets).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chart {
    pub title: String,
    /// What the y axis measures, with its unit.
    pub y_label: String,
    /// One line per series: (name, points as (virtual time in ms, y)).
    pub series: Vec<(String, Vec<(f64, f64)>)>,
}

/// One node's screen in a transcript pane: the lines that node would see.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Screen {
    /// The node whose screen this is (the pane highlights the selected one).
    pub node: NodeId,
    pub title: String,
    /// The latest lines, oldest first (at most the `tail` asked for).
    pub lines: Vec<String>,
    /// Lines on this screen in all (`lines` may be only the end of them).
    pub total: usize,
}

/// Per-node transcripts a monitor exposes for a transcript pane (chat:
/// each client's screen as that client would see it). Generic: any
/// scenario whose nodes "print" something can fill one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transcript {
    /// The screens asked for, the focused node's first.
    pub screens: Vec<Screen>,
    /// How many screens there are in all (some may not have been asked for).
    pub total: usize,
}

/// A table pane's data: a generic grid a monitor fills from what it saw
/// (load-balancer: one row per server; later a shared-memory array drawn
/// cell by cell, a DFS files table). The TUI draws it in the side slot
/// beside the space-time diagram (see `tui::table`), fits the columns to
/// the width (clipping [`Table::stretch`] first, then hiding trailing
/// columns with "+K cols") and, when there are more rows than fit, keeps
/// [`Table::highlight`] in view and says "+K more".
///
/// To reuse: return `Some(Table { .. })` from [`Monitor::table`]; nothing
/// else is needed in the TUI. Every row should have `header.len()` cells
/// (missing cells are drawn empty, extra ones ignored).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub title: String,
    /// Column names; also the number of columns.
    pub header: Vec<String>,
    /// The cells, row by row, already formatted.
    pub rows: Vec<Vec<String>>,
    /// A row to draw highlighted and always keep in view (the row that
    /// changed last, the selected node's row...).
    pub highlight: Option<usize>,
    /// Rows drawn in the warning colour (a dead server, a lost block).
    pub flagged: Vec<usize>,
    /// The column that gives up width first when the pane is too narrow
    /// (a long list); `None`: the last column.
    pub stretch: Option<usize>,
}

impl Table {
    /// A table with a title and column names, no rows yet.
    pub fn new(title: impl Into<String>, header: &[&str]) -> Table {
        Table { title: title.into(), header: header.iter().map(|h| h.to_string()).collect(), ..Table::default() }
    }
    /// Append a row of cells.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

/// An algorithm's own timestamp of one event: what `hb` compares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub lamport: u64,
    pub vector: Vec<u32>,
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

/// A copy of a monitor, for the model checker's forks of a run. Every
/// `Clone` monitor has it.
pub trait ForkMonitor<P: Protocol> {
    fn fork(&self) -> Box<dyn Monitor<P>>;
    /// Become a copy of `src` (reusing this one's buffers, as `clone_from`);
    /// false, changing nothing, if `src` is another kind of monitor.
    fn copy_from(&mut self, src: &dyn Monitor<P>) -> bool;
    fn as_any(&self) -> &dyn std::any::Any;
}

impl<P: Protocol, M: Monitor<P> + Clone> ForkMonitor<P> for M {
    fn fork(&self) -> Box<dyn Monitor<P>> {
        Box::new(self.clone())
    }
    fn copy_from(&mut self, src: &dyn Monitor<P>) -> bool {
        let Some(src) = src.as_any().downcast_ref::<M>() else { return false };
        self.clone_from(src);
        true
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// An algorithm's invariants and its headless `result`.
pub trait Monitor<P: Protocol>: ForkMonitor<P> + Send + 'static {
    /// Called after every change; `old` is the summary before it (for
    /// summary changes, crashes and recoveries of that node).
    fn on_change(&mut self, w: &World<P>, change: Change, old: Option<&P::Summary>) -> Vec<Violation>;
    /// Called when nothing is left to deliver. A liveness property found
    /// broken here is a violation only if the run suffered no fault the
    /// card does not claim; else the engine shows it as a status naming
    /// that fault. Tag a violation with its nodes ([`Violation::about`]) so
    /// it is reported once and the right fault is named.
    fn at_quiescence(&mut self, _w: &World<P>) -> Vec<Violation> {
        Vec::new()
    }
    /// The scenario-specific part of the headless summary.
    fn result(&self, w: &World<P>) -> serde_json::Value;
    /// Feed `h` with the part of this monitor's state that decides its
    /// verdicts from here on, for the model checker's fingerprint of a
    /// state (`distlab check`): two states with the same nodes, network
    /// and monitor fingerprint must get the same verdicts whatever comes
    /// next. Leave out what is kept only to show or report (screens,
    /// charts, entry lists) and history positions; hash relative, not
    /// absolute, sequence numbers. Required, so that no monitor is
    /// fingerprinted by accident as stateless.
    fn fingerprint(&self, w: &World<P>, h: &mut dyn Hasher);
    /// Does this monitor read the history (`World::history`,
    /// `World::true_vector`)? One that says no is shown an empty history in
    /// every run, so a wrong no shows in its own tests; the model checker's
    /// states then keep no history (copying it was a tenth of a search's
    /// time). Required, so that the answer is always a decision.
    fn reads_history(&self) -> bool;
    /// A condition the screen should show that is not a violation, e.g.
    /// "token lost" or "no coordinator".
    fn status(&self, _w: &World<P>) -> Option<String> {
        None
    }
    /// Extra inspector rows for `node` that only the monitor can give: it
    /// sees the time and the history, a node's own `inspect` does not
    /// (e.g. a clock read now, the history numbers of its events).
    fn inspect(&self, _w: &World<P>, _node: NodeId) -> Vec<Row> {
        Vec::new()
    }
    /// A chart pane's data (e.g. every node's clock offset over time).
    fn chart(&self, _w: &World<P>) -> Option<Chart> {
        None
    }
    /// Per-node transcripts for the transcript pane, built from what the
    /// monitor saw happen: at most `limit` screens, `focus`'s first, each
    /// with at most its last `tail` lines. `None`: the scenario has no
    /// transcripts (and no transcript pane). Called on every frame, so it
    /// must cost what is asked for, not what the run holds.
    fn transcript(&self, _w: &World<P>, _focus: NodeId, _limit: usize, _tail: usize) -> Option<Transcript> {
        None
    }
    /// A table pane's data (load-balancer: per-server assignments and
    /// load). Drawn in the side slot beside the space-time diagram; a
    /// scenario with a [`Monitor::chart`] shows its chart there instead.
    fn table(&self, _w: &World<P>) -> Option<Table> {
        None
    }
    /// The algorithm's own timestamp of history event `event`, when it
    /// keeps one (logical clocks): `hb` then answers from it and checks the
    /// answer against the engine's ground truth.
    fn stamp(&self, _event: u32) -> Option<Stamp> {
        None
    }
}
