//! Where every pane goes. A pure function of the screen size and of which
//! panes show, so drawing and mouse clicks agree without storing anything.
//!
//! From 80×24 on every pane has a place; from 60×20 to 80×24 a compact
//! layout keeps the topology (or the diagram) over the log; below 60×20 a
//! one-line message says so. `f` puts one pane on the whole body and
//! `hide` / `show` take panes out and back: the others share their room.

use super::narration;
use super::view::{ScriptView, Side};
use crate::scenario::Scenario;
use ratatui::layout::{Constraint, Layout, Rect};

/// The smallest screen anything is drawn on.
pub const MIN_W: u16 = 60;
pub const MIN_H: u16 = 20;
/// Below this (either way) a run is drawn in the compact layout.
pub const FULL_W: u16 = 80;
pub const FULL_H: u16 = 24;

/// The panes `hide`, `show` and `f` act on, named by `script::PANES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Topology,
    Diagram,
    Side,
    Inspector,
    Inflight,
    Log,
    Narration,
}

impl Pane {
    pub const ALL: [Pane; 7] =
        [Pane::Topology, Pane::Diagram, Pane::Side, Pane::Inspector, Pane::Inflight, Pane::Log, Pane::Narration];
    pub fn name(self) -> &'static str {
        crate::script::PANES[self as usize]
    }
}

/// `f` shows these full screen in turn, then the normal layout again.
pub const FULL_CYCLE: [Pane; 3] = [Pane::Diagram, Pane::Topology, Pane::Inspector];

/// Which panes show: the hidden ones (a set of `Pane as usize` bits) and
/// the one `f` put full screen (the header, narration, status and key bar
/// stay with it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shown {
    pub hidden: u8,
    pub full: Option<Pane>,
}

impl Shown {
    pub fn hidden(&self, p: Pane) -> bool {
        self.hidden & (1 << p as u8) != 0
    }
    /// Is `p` drawn (when the scenario has it and the screen has room)?
    pub fn visible(&self, p: Pane) -> bool {
        match self.full {
            Some(f) => f == p || (p == Pane::Narration && !self.hidden(p)),
            None => !self.hidden(p),
        }
    }
    pub fn set(&mut self, p: Pane, show: bool) {
        if show {
            self.hidden &= !(1 << p as u8);
        } else {
            self.hidden |= 1 << p as u8;
        }
    }
    /// The names of the hidden panes, in table order.
    pub fn hidden_names(&self) -> Vec<&'static str> {
        Pane::ALL.iter().filter(|p| self.hidden(**p)).map(|p| p.name()).collect()
    }
}

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

impl Panes {
    /// Every pane, bars included, for tests that check the tiling.
    pub fn all(&self) -> [Rect; 10] {
        [
            self.header,
            self.topology,
            self.spacetime,
            self.side,
            self.inspector,
            self.inflight,
            self.log,
            self.narration,
            self.status,
            self.keybar,
        ]
    }
}

/// Nothing at all can be drawn: the one-line message instead.
pub fn too_small(area: Rect) -> bool {
    area.width < MIN_W || area.height < MIN_H
}

/// A run is drawn in the compact layout (topology or diagram over the log).
pub fn compact(area: Rect) -> bool {
    area.width < FULL_W || area.height < FULL_H
}

/// The panes of the run screen, every pane shown; `None` when the screen
/// is too small.
pub fn panes(area: Rect, narration_rows: u16) -> Option<Panes> {
    panes_with_side(area, narration_rows, false, &Shown::default())
}

/// From this width on the space-time area holds both the diagram and a
/// side pane; narrower, the side pane takes it all.
pub const CHART_SPLIT_W: u16 = 64;

/// The panes of a run: as many narration rows as the script's text needs,
/// the side slot if the scenario has a side pane, and the panes `shown`
/// lets through. Drawing and mouse clicks both use it.
pub fn run_panes(
    area: Rect,
    sc: &dyn Scenario,
    script: Option<&ScriptView>,
    side: &Side,
    shown: &Shown,
) -> Option<Panes> {
    panes_with_side(area, narration::rows(script, sc, area.width, area.height), side.wanted(), shown)
}

/// An empty rectangle at `r`'s corner (a pane not drawn).
fn none(r: Rect) -> Rect {
    Rect { width: 0, height: 0, ..r }
}

/// The panes of the run screen, with a side pane when `side` (a scenario's
/// chart, table or screens, see `Scenario::chart`, `Scenario::table` and
/// `Scenario::transcript`): it shares the space-time pane's area, side by
/// side when that area is at least [`CHART_SPLIT_W`] wide (120×40), alone
/// otherwise (80×24: the chart says more about clocks, the table about
/// load, the screens about a chat, than the message diagram does). A pane
/// `shown` hides gets an empty rectangle and its neighbours its room.
pub fn panes_with_side(area: Rect, narration_rows: u16, side: bool, shown: &Shown) -> Option<Panes> {
    if too_small(area) {
        return None;
    }
    let narration_rows =
        if shown.visible(Pane::Narration) { narration_rows.min(narration::cap(area.height)) } else { 0 };
    let [header, body, narration, status, keybar] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(narration_rows),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let z = none(body);
    let mut p = Panes {
        header,
        topology: z,
        spacetime: z,
        inspector: z,
        inflight: z,
        log: z,
        narration,
        side: z,
        status,
        keybar,
    };
    if let Some(full) = shown.full {
        match full {
            Pane::Topology => p.topology = body,
            Pane::Inspector => p.inspector = body,
            Pane::Side if side => p.side = body,
            _ => p.spacetime = body,
        }
        return Some(p);
    }
    let on = |pane| shown.visible(pane);
    if compact(area) {
        // The topology (or, hidden, the diagram) over the log.
        let top = if on(Pane::Topology) { Some(Pane::Topology) } else { on(Pane::Diagram).then_some(Pane::Diagram) };
        let (top_area, log_area) = match (top.is_some(), on(Pane::Log)) {
            (true, true) => {
                let [a, b] = Layout::vertical([Constraint::Percentage(55), Constraint::Fill(1)]).areas::<2>(body);
                (a, b)
            }
            (true, false) => (body, z),
            (false, true) => (z, body),
            (false, false) => (z, z),
        };
        match top {
            Some(Pane::Topology) => p.topology = top_area,
            Some(_) => p.spacetime = top_area,
            None => {}
        }
        p.log = log_area;
        return Some(p);
    }
    let st_any = on(Pane::Diagram) || (side && on(Pane::Side));
    let top_any = on(Pane::Topology) || st_any;
    let bottom_any = on(Pane::Inspector) || on(Pane::Inflight) || on(Pane::Log);
    let (top, bottom) = match (top_any, bottom_any) {
        (true, true) => {
            let [a, b] = Layout::vertical([Constraint::Length(body.height / 2), Constraint::Fill(1)]).areas(body);
            (a, b)
        }
        (true, false) => (body, z),
        (false, _) => (z, body),
    };
    let left_w = (area.width * 2 / 5).clamp(30, 64);
    // The top row: topology, then the space-time area.
    let st_area = match (on(Pane::Topology), st_any) {
        (true, true) => {
            let [a, b] = Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(top);
            p.topology = a;
            b
        }
        (true, false) => {
            p.topology = top;
            z
        }
        (false, _) => top,
    };
    match (on(Pane::Diagram), side && on(Pane::Side)) {
        (true, false) => p.spacetime = st_area,
        (false, true) => p.side = st_area,
        (true, true) if st_area.width >= CHART_SPLIT_W => {
            let [s, c] = Layout::horizontal([Constraint::Percentage(45), Constraint::Fill(1)]).areas(st_area);
            (p.spacetime, p.side) = (s, c);
        }
        (true, true) => p.side = st_area,
        (false, false) => {}
    }
    // The bottom row: inspector, in-flight list, log.
    let (ins, fly, log) = (on(Pane::Inspector), on(Pane::Inflight), on(Pane::Log));
    if area.width >= 160 {
        let mut cons = Vec::new();
        let mut slots: Vec<&mut Rect> = Vec::new();
        for (is_on, c, slot) in [
            (ins, Constraint::Length(left_w), &mut p.inspector),
            (fly, Constraint::Fill(4), &mut p.inflight),
            (log, Constraint::Fill(5), &mut p.log),
        ] {
            if is_on {
                cons.push(c);
                slots.push(slot);
            }
        }
        // The inspector alone takes the row, not just its usual width.
        if cons.len() == 1 {
            cons[0] = Constraint::Fill(1);
        }
        for (slot, r) in slots.into_iter().zip(Layout::horizontal(cons).split(bottom).iter()) {
            *slot = *r;
        }
    } else {
        let right = match (ins, fly || log) {
            (true, true) => {
                let [a, r] = Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(bottom);
                p.inspector = a;
                r
            }
            (true, false) => {
                p.inspector = bottom;
                z
            }
            (false, _) => bottom,
        };
        match (fly, log) {
            (true, true) => {
                let [b, c] = Layout::vertical([Constraint::Percentage(45), Constraint::Fill(1)]).areas(right);
                (p.inflight, p.log) = (b, c);
            }
            (true, false) => p.inflight = right,
            (false, true) => p.log = right,
            (false, false) => {}
        }
    }
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pane inside the screen, none overlapping another, and
    /// together they cover every cell (unless every pane of the body is
    /// hidden).
    fn tiles(p: &Panes, w: u16, h: u16) {
        let screen = Rect::new(0, 0, w, h);
        let all = p.all();
        let cells: u32 = all.iter().map(|r| r.area()).sum();
        let bars: u32 = [p.header, p.narration, p.status, p.keybar].iter().map(|r| r.area()).sum();
        assert!(cells == w as u32 * h as u32 || cells == bars, "{w}x{h}: {p:?}");
        for (i, a) in all.iter().enumerate() {
            assert!(a.is_empty() || screen.contains(a.as_position()) && a.right() <= w && a.bottom() <= h, "{a:?}");
            for b in &all[i + 1..] {
                assert!(!a.intersects(*b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn panes_tile_the_screen() {
        for (w, h) in [(60, 20), (79, 23), (80, 24), (120, 40), (200, 60), (81, 25)] {
            tiles(&panes(Rect::new(0, 0, w, h), 1).unwrap(), w, h);
        }
        assert!(panes(Rect::new(0, 0, 59, 24), 0).is_none());
        assert!(panes(Rect::new(0, 0, 80, 19), 0).is_none());
    }

    #[test]
    fn the_compact_layout_keeps_the_topology_over_the_log() {
        for (w, h) in [(60, 20), (79, 30), (100, 23)] {
            let p = panes(Rect::new(0, 0, w, h), 0).unwrap();
            assert!(p.topology.height >= 8 && p.topology.width == w, "{w}x{h}: {p:?}");
            assert!(p.log.height >= 6 && p.log.y > p.topology.y, "{w}x{h}: {p:?}");
            for r in [p.spacetime, p.inspector, p.inflight, p.side] {
                assert!(r.is_empty());
            }
        }
        // Without the topology, the diagram takes its place.
        let mut shown = Shown::default();
        shown.set(Pane::Topology, false);
        let p = panes_with_side(Rect::new(0, 0, 60, 20), 0, false, &shown).unwrap();
        assert!(p.topology.is_empty() && p.spacetime.width == 60, "{p:?}");
    }

    #[test]
    fn a_side_pane_shares_the_space_time_area() {
        for (w, h) in [(80, 24), (100, 30), (120, 40), (200, 60)] {
            let area = Rect::new(0, 0, w, h);
            let plain = panes(area, 1).unwrap();
            assert_eq!(plain.side.area(), 0, "{w}x{h}");
            let p = panes_with_side(area, 1, true, &Shown::default()).unwrap();
            assert_eq!(p.side.area() + p.spacetime.area(), plain.spacetime.area(), "{w}x{h}");
            assert!(!p.side.intersects(p.spacetime));
            assert!(p.side.width >= 40, "{w}x{h}: {:?}", p.side);
            // Side by side from 120 columns; the chart alone below.
            assert_eq!(p.spacetime.width > 0, w >= 120, "{w}x{h}");
            assert_eq!((p.topology, p.inspector, p.log), (plain.topology, plain.inspector, plain.log));
        }
    }

    #[test]
    fn one_pane_full_screen_keeps_the_bars() {
        for (w, h) in [(60, 20), (80, 24), (200, 60)] {
            let area = Rect::new(0, 0, w, h);
            for full in FULL_CYCLE {
                let shown = Shown { hidden: 0, full: Some(full) };
                let p = panes_with_side(area, 2, true, &shown).unwrap();
                tiles(&p, w, h);
                let body = h - 3 - p.narration.height;
                let r = match full {
                    Pane::Diagram => p.spacetime,
                    Pane::Topology => p.topology,
                    _ => p.inspector,
                };
                assert_eq!((r.width, r.height), (w, body), "{full:?} at {w}x{h}");
                assert_eq!((p.header.height, p.status.height, p.keybar.height), (1, 1, 1));
            }
        }
    }

    #[test]
    fn hidden_panes_give_their_room_to_the_others() {
        for (w, h) in [(80, 24), (120, 40), (200, 60)] {
            let area = Rect::new(0, 0, w, h);
            for bits in 0u8..128 {
                let shown = Shown { hidden: bits, full: None };
                let p = panes_with_side(area, 1, true, &shown).unwrap();
                tiles(&p, w, h);
                for (pane, r) in [
                    (Pane::Topology, p.topology),
                    (Pane::Inspector, p.inspector),
                    (Pane::Inflight, p.inflight),
                    (Pane::Log, p.log),
                    (Pane::Narration, p.narration),
                ] {
                    assert_eq!(r.is_empty(), shown.hidden(pane), "{pane:?} with {bits:07b} at {w}x{h}: {p:?}");
                }
            }
        }
    }
}
