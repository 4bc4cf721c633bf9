//! Where every pane goes. A pure function of the screen size, so drawing
//! and mouse clicks agree without storing anything.

use super::narration;
use super::view::{ScriptView, Side};
use crate::scenario::Scenario;
use ratatui::layout::{Constraint, Layout, Rect};

pub const MIN_W: u16 = 80;
pub const MIN_H: u16 = 24;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Panes {
    pub header: Rect,
    pub topology: Rect,
    pub spacetime: Rect,
    pub inspector: Rect,
    pub inflight: Rect,
    pub log: Rect,
    /// Zero height when there is nothing to narrate.
    pub narration: Rect,
    /// The side pane beside the space-time diagram: a scenario's chart
    /// (clock offsets), table (per-server load) and/or screens (chat
    /// transcripts); zero width when the scenario has none.
    pub side: Rect,
    pub status: Rect,
    pub keybar: Rect,
}

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_W || area.height < MIN_H
}

/// The panes of the run screen; `None` when the screen is too small.
pub fn panes(area: Rect, narration_rows: u16) -> Option<Panes> {
    panes_with_side(area, narration_rows, false)
}

/// From this width on the space-time area holds both the diagram and a
/// side pane; narrower, the side pane takes it all.
pub const CHART_SPLIT_W: u16 = 64;

/// The panes of the run screen, with a side pane when `side` (a scenario's
/// chart, table or screens, see `Scenario::chart`, `Scenario::table` and
/// `Scenario::transcript`): it shares the space-time pane's area, side by
/// side when that area is at least [`CHART_SPLIT_W`] wide (120×40), alone
/// otherwise (80×24: the chart says more about clocks, the table about
/// load, the screens about a chat, than the message diagram does). Without
/// a side pane the layout is exactly [`panes`].
/// The panes of a run: as many narration rows as the script's text needs,
/// and the side slot if the scenario has a side pane. Drawing and mouse
/// clicks both use it.
pub fn run_panes(area: Rect, sc: &dyn Scenario, script: Option<&ScriptView>, side: &Side) -> Option<Panes> {
    panes_with_side(area, narration::rows(script, sc, area.width, area.height), side.wanted())
}

pub fn panes_with_side(area: Rect, narration_rows: u16, side: bool) -> Option<Panes> {
    if too_small(area) {
        return None;
    }
    let [header, body, narration, status, keybar] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(narration_rows.min(narration::cap(area.height))),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let [top, bottom] = Layout::vertical([Constraint::Length(body.height / 2), Constraint::Fill(1)]).areas(body);
    let left_w = (area.width * 2 / 5).clamp(30, 64);
    let [topology, spacetime] = Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(top);
    let (spacetime, side) = match side {
        false => (spacetime, Rect { width: 0, ..spacetime }),
        true if spacetime.width >= CHART_SPLIT_W => {
            let [s, c] = Layout::horizontal([Constraint::Percentage(45), Constraint::Fill(1)]).areas(spacetime);
            (s, c)
        }
        true => (Rect { width: 0, ..spacetime }, spacetime),
    };
    let (inspector, inflight, log) = if area.width >= 160 {
        let [a, b, c] =
            Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(4), Constraint::Fill(5)]).areas(bottom);

        (a, b, c)
    } else {
        let [a, right] = Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(bottom);
        let [b, c] = Layout::vertical([Constraint::Percentage(45), Constraint::Fill(1)]).areas(right);
        (a, b, c)
    };
    Some(Panes { header, topology, spacetime, inspector, inflight, log, narration, side, status, keybar })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_tile_the_screen() {
        for (w, h) in [(80, 24), (120, 40), (200, 60), (81, 25)] {
            let p = panes(Rect::new(0, 0, w, h), 1).unwrap();
            let all =
                [p.header, p.topology, p.spacetime, p.inspector, p.inflight, p.log, p.narration, p.status, p.keybar];
            let cells: u32 = all.iter().map(|r| r.area()).sum();
            assert_eq!(cells, w as u32 * h as u32, "{w}x{h}");
            for (i, a) in all.iter().enumerate() {
                for b in &all[i + 1..] {
                    assert!(!a.intersects(*b), "{a:?} {b:?}");
                }
            }
        }
        assert!(panes(Rect::new(0, 0, 79, 24), 0).is_none());
    }

    #[test]
    fn a_side_pane_shares_the_space_time_area() {
        for (w, h) in [(80, 24), (100, 30), (120, 40), (200, 60)] {
            let area = Rect::new(0, 0, w, h);
            let plain = panes(area, 1).unwrap();
            assert_eq!(plain.side.area(), 0, "{w}x{h}");
            let p = panes_with_side(area, 1, true).unwrap();
            assert_eq!(p.side.area() + p.spacetime.area(), plain.spacetime.area(), "{w}x{h}");
            assert!(!p.side.intersects(p.spacetime));
            assert!(p.side.width >= 40, "{w}x{h}: {:?}", p.side);
            // Side by side from 120 columns; the chart alone below.
            assert_eq!(p.spacetime.width > 0, w >= 120, "{w}x{h}");
            assert_eq!((p.topology, p.inspector, p.log), (plain.topology, plain.inspector, plain.log));
        }
    }
}
