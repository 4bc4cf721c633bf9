//! What the panes of one frame read: small values built once per frame
//! from the app's state (the composer in `frame.rs` builds them), so no pane
//! depends on `App`, and what costs something to fetch (the side pane's
//! table or chart) is fetched once.

use crate::card::Card;
use crate::engine::invariant::{Chart, Table};
use crate::engine::protocol::{NodeId, Row};
use crate::scenario::Scenario;
use ratatui::layout::{Constraint, Layout, Rect};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusKind {
    /// A remark of the TUI itself.
    Info,
    /// The command a key or the prompt ran.
    Command,
    Error,
    /// A question waiting for one key (see `App::confirm`).
    Ask,
}

/// The status line: what the last action did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub kind: StatusKind,
    pub text: String,
}

impl Status {
    pub fn info(text: impl Into<String>) -> Status {
        Status { kind: StatusKind::Info, text: text.into() }
    }
    pub fn command(text: impl Into<String>) -> Status {
        Status { kind: StatusKind::Command, text: text.into() }
    }
    pub fn error(text: impl Into<String>) -> Status {
        Status { kind: StatusKind::Error, text: text.into() }
    }
    pub fn ask(text: impl Into<String>) -> Status {
        Status { kind: StatusKind::Ask, text: text.into() }
    }
}

/// Which overlay is open.
#[derive(Clone, Copy, Debug)]
pub enum OverlayKind {
    /// Keys and commands (`?`).
    Help,
    /// A scenario's card: its algorithm, roles, verbs, parameters,
    /// variants, properties and scripts (`i`).
    Guide(&'static Card),
    /// Every violation and status in full (`w`, a click on the badge);
    /// its `scroll` is the selected violation.
    Violations,
}

/// An overlay over the screen, scrolled by `scroll` lines.
#[derive(Clone, Copy, Debug)]
pub struct Overlay {
    pub kind: OverlayKind,
    pub scroll: u16,
}

/// Where a lecture script stands, as the narration line shows it.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScriptView<'a> {
    /// A parse error or the error of a line that failed.
    pub error: Option<&'a str>,
    /// Stopped at a `pause`.
    pub waiting: bool,
    /// Line number of the line after the pause.
    pub next_line: Option<usize>,
    /// A script `run` is being played step by step (`n` finishes it).
    pub animating: bool,
    /// Rows of the narration scrolled off the top.
    pub scroll: u16,
}

/// What the side slot shows: a chart if the scenario has one, else its
/// table and/or its screens.
pub struct Side {
    pub chart: Option<Chart>,
    pub table: Option<Table>,
    pub screens: bool,
}

impl Side {
    pub fn of(sc: &dyn Scenario) -> Side {
        let chart = sc.chart();
        let table = if chart.is_some() { None } else { sc.table() };
        // A scenario keeps transcripts (and so has a screens pane) when it
        // answers for zero screens.
        Side { chart, table, screens: sc.transcript(0, 0, 0).is_some() }
    }
    /// Does the scenario want the side slot at all?
    pub fn wanted(&self) -> bool {
        self.chart.is_some() || self.table.is_some() || self.screens
    }
    /// How a scenario without a chart shares the side slot between its
    /// table and its screens: the table alone, the screens alone, or the
    /// table on top (as tall as its rows, at most half the slot) and the
    /// screens below. Drawing and mouse hit tests both use it, so they
    /// agree. Returns the table's area and the screens' area (empty when
    /// not shown).
    pub fn areas(&self, slot: Rect) -> (Rect, Rect) {
        let none = Rect { height: 0, ..slot };
        match (&self.table, self.screens) {
            (Some(_), false) => (slot, none),
            (None, true) => (none, slot),
            (None, false) => (none, none),
            (Some(g), true) => {
                let want = (g.rows.len() as u16).saturating_add(4).min(slot.height / 2).max(3.min(slot.height));
                let [top, bottom] = Layout::vertical([Constraint::Length(want), Constraint::Fill(1)]).areas(slot);
                (top, bottom)
            }
        }
    }
}

/// How far the log and the inspector are scrolled (`[` `]`, `{` `}` and
/// the mouse wheel over them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scroll {
    /// Rows of the log below its window (0: following the present).
    pub log: usize,
    /// The run's step and input count when the log was scrolled: when
    /// they change (a new step, a command, a step back) the log follows
    /// the present again.
    pub log_at: (u64, usize),
    /// Rows of the inspector scrolled off its top (0 when another node
    /// is selected).
    pub inspector: usize,
}

/// Everything a run's panes read in one frame.
pub struct View<'a> {
    pub sc: &'a dyn Scenario,
    pub selected: NodeId,
    /// Row of the in-flight list that `d` / `D` act on.
    pub cursor: usize,
    pub playing: bool,
    pub steps_per_second: u32,
    /// The inspector's rows and the node they describe.
    pub inspect: &'a [Row],
    pub inspect_node: NodeId,
    pub script: Option<ScriptView<'a>>,
    pub side: Side,
    /// The event (history index) clicked in the space-time diagram, which
    /// the inspector shows instead of the node.
    pub event: Option<usize>,
    pub scroll: Scroll,
}

/// What a confirmed question does (see [`App::confirm`]).
pub enum Pending {
    /// Leave distlab.
    Quit,
    /// Start the run over (same seed, and any script from its start).
    Restart,
    /// Write the run's trace over this existing file.
    Save(std::path::PathBuf),
    /// Put this run, replayed from the trace `file`, in place of the
    /// current one (replayed before asking, so a bad file never asks).
    Open { file: String, scenario: Box<dyn Scenario> },
    /// Go back to this step (a violation's), undoing the later ones.
    Jump(u64),
    /// Close the run and show the picker.
    Picker,
    /// Append a counterexample `:check` found to the run (its inputs).
    Play(Vec<crate::engine::input::Input>),
}

/// A question in the status line, waiting for one key.
pub struct Confirm {
    /// The question as shown (ends with `?` and what is at stake).
    pub question: String,
    pub action: Pending,
}
