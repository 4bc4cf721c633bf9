//! What the diagram remembers between frames: where it is panned to, its
//! zoom, the event the inspector shows, and the crash/recovery index its
//! lanes read. `,` `.` pan, `z` `Z` zoom, `End` (or a new step) follows
//! the present again.

use super::lanes::Downs;
use super::model::{self, LADDER};
use super::{Geometry, geometry};
use crate::engine::protocol::{NodeId, Row};
use crate::engine::record::EventRec;
use crate::scenario::Scenario;
use ratatui::layout::Rect;

#[derive(Clone, Debug, Default)]
pub struct Diagram {
    /// The last step shown; `None` follows the present.
    pub end: Option<u64>,
    /// A zoom level picked with `z` / `Z` (an index into [`LADDER`]);
    /// `None` fits the run to the pane while it is short.
    pub zoom: Option<usize>,
    /// The event (history index) the inspector shows, if one was clicked.
    pub event: Option<usize>,
    pub downs: Downs,
    /// The step at the last refresh: a new one follows the present again.
    seen_step: u64,
    /// The clicked event's rows, kept while its record stays the same
    /// (its vector clock is replayed from the start of the history).
    details: Option<(usize, EventRec, Vec<Row>)>,
}

/// A pan or zoom asked by a key or the mouse wheel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Earlier,
    Later,
    ZoomIn,
    ZoomOut,
    Follow,
}

impl Diagram {
    /// After every action: index new crashes and recoveries, follow the
    /// present again after a new step, forget an event that was undone.
    pub fn refresh(&mut self, sc: &dyn Scenario) {
        let hist = sc.history();
        self.downs.update(sc.n(), hist);
        if sc.step() != self.seen_step {
            self.seen_step = sc.step();
            self.end = None;
        }
        if self.event.is_some_and(|e| e >= hist.len()) {
            self.event = None;
        }
    }

    /// The inspector rows of the clicked event and its node, if one is clicked.
    pub fn details(&mut self, sc: &dyn Scenario) -> Option<(Vec<Row>, NodeId)> {
        let index = self.event?;
        let rec = *sc.history().get(index)?;
        match &self.details {
            Some((i, r, rows)) if *i == index && *r == rec => Some((rows.clone(), rec.node as NodeId)),
            _ => {
                let rows = crate::tui::event_details::rows(sc, index);
                self.details = Some((index, rec, rows.clone()));
                Some((rows, rec.node as NodeId))
            }
        }
    }

    /// Forget everything (another run was opened).
    pub fn reset(&mut self) {
        *self = Diagram::default();
    }

    /// The zoom level in use on a plot `plot_w` wide.
    pub fn level(&self, plot_w: u16, now: u64) -> usize {
        self.zoom.unwrap_or_else(|| model::auto_zoom(plot_w, now))
    }

    /// Pan, zoom or follow on the diagram drawn in `area`; returns what
    /// the status line says.
    pub fn apply(&mut self, m: Move, sc: &dyn Scenario, selected: usize, area: Rect) -> Result<String, String> {
        let now = sc.step();
        let Some(Geometry { plot, layout: l, .. }) = geometry(sc, self, selected, area) else {
            return Err("the space-time diagram is not showing".into());
        };
        let level = self.level(plot.width, now);
        match m {
            Move::Follow => {
                self.end = None;
                Ok(format!("space-time follows the present (step {now})"))
            }
            Move::Earlier | Move::Later => {
                let shown = l.s1 - l.s0 + 1;
                let by = (shown / 2).max(1);
                let end = if m == Move::Earlier {
                    if l.s0 == 0 {
                        return Err("space-time: already at step 0".into());
                    }
                    l.s1.saturating_sub(by)
                } else {
                    if self.end.is_none() {
                        return Err(format!("space-time: already at the present (step {now})"));
                    }
                    l.s1.saturating_add(by)
                };
                self.end = (end < now).then_some(end);
                Ok(match self.end {
                    Some(end) => format!("space-time: steps up to {end} of {now} · End follows"),
                    None => format!("space-time follows the present (step {now})"),
                })
            }
            Move::ZoomIn | Move::ZoomOut => {
                let to = if m == Move::ZoomIn { level + 1 } else { level.wrapping_sub(1) };
                if to >= LADDER.len() {
                    let end = if m == Move::ZoomIn { "in" } else { "out" };
                    return Err(format!("space-time: already zoomed all the way {end} ({})", model::zoom_text(level)));
                }
                self.zoom = Some(to);
                Ok(format!("space-time zoom {}", model::zoom_text(to)))
            }
        }
    }
}
