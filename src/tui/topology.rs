//! The topology pane: nodes on a ring (Canvas, braille lines), a colour and
//! symbol per role, in-flight messages as dots travelling along their
//! links, links that are down in red, the selected node highlighted.
//!
//! Links that are down differ by line style as well as colour (NO_COLOR
//! keeps them apart): a cut link is dashed with `╳` at its middle, a link
//! across a partition is dotted; the bottom row names both with its mark.
//!
//! Labels (`1 Δ-1.95`) stay inside the pane: the ring's radius leaves room
//! for the widest label beside the leftmost and rightmost nodes (up to a
//! cap that keeps the ring a ring), and a label still too long ends in `…`.
//!
//! Geometry is done in braille dots: a terminal cell is 2×4 dots and about
//! twice as tall as wide, so a dot is square and a circle in dots is round.

use super::theme::{self, width};
use super::view::View;
use crate::engine::protocol::NodeId;
use crate::scenario::Scenario;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::widgets::canvas::{Canvas, Context, Line as CLine, Points};

/// The mark at the middle of a cut link, and before `cut` on the bottom row.
pub const CUT_MARK: &str = "╳";
/// The mark before `partition` on the bottom row (its links are dotted).
pub const PARTITION_MARK: &str = "┈";

/// At most this many in-flight messages are drawn.
pub const DRAW_LIMIT: usize = 512;

/// Where the nodes sit inside the pane's inner area.
#[derive(Clone, Copy, Debug)]
pub struct Ring {
    pub inner: Rect,
    pub n: usize,
    /// Rows used by the ring (the last row of the pane is the legend).
    rows: u16,
    cx: f64,
    cy: f64,
    r: f64,
}

/// Node `i`'s angle on the ring: node 0 at the top, clockwise.
fn angle(i: NodeId, n: usize) -> f64 {
    -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n.max(1) as f64
}

/// A node on the left half has its label on its left.
fn left(cos: f64) -> bool {
    cos < -1e-6
}

impl Ring {
    /// The ring of `n` nodes in `inner` with the same room for every
    /// node's label (`label` cells after the space that parts it from
    /// its node).
    pub fn new(inner: Rect, n: usize, label: usize) -> Ring {
        Ring::with_labels(inner, n, &vec![label; n])
    }

    /// The ring of `n` nodes in `inner`, as large as it can be while
    /// `labels[i]` cells beside node `i` (left of a node on the left half,
    /// right of the others) stay inside the pane; the ring moves off the
    /// centre when one side's labels are wider. It keeps a radius of at
    /// least [`Ring::min_radius`]: labels that still do not fit end in `…`.
    pub fn with_labels(inner: Rect, n: usize, labels: &[usize]) -> Ring {
        let rows = if inner.height >= 6 { inner.height - 1 } else { inner.height };
        let w = inner.width as f64;
        let cy = rows as f64 * 2.0;
        let r_v = (rows as f64 / 2.0 - 0.5).max(0.0) * 4.0;
        let floor = Ring::min_radius(inner).min(r_v);
        // In dots (the pane is 2w wide): node i sits at x = cx + r·cos(a_i),
        // in column floor(x / 2). A label on the right ends 2 + L cells
        // after it: x ≤ 2w - 3 - 2L. One on the left starts L + 1 cells
        // before it: x ≥ 2L + 2.
        let cos: Vec<f64> = (0..n).map(|i| angle(i, n).cos()).collect();
        let fits = |r: f64| -> Option<f64> {
            let (mut lo, mut hi) = (r + 1.0, 2.0 * w - 1.0 - r);
            for (i, &c) in cos.iter().enumerate() {
                let l = labels.get(i).copied().unwrap_or(1) as f64;
                if left(c) {
                    lo = lo.max(2.0 * l + 2.0 - r * c);
                } else {
                    hi = hi.min(2.0 * w - 3.0 - 2.0 * l - r * c);
                }
            }
            (lo <= hi).then(|| w.clamp(lo, hi))
        };
        // A smaller ring leaves more room: search the largest that fits.
        let (r, cx) = match fits(r_v) {
            Some(cx) => (r_v, cx),
            None if fits(floor).is_none() => (floor, w),
            None => {
                let (mut ok, mut bad) = (floor, r_v);
                for _ in 0..24 {
                    let mid = (ok + bad) / 2.0;
                    if fits(mid).is_some() { ok = mid } else { bad = mid }
                }
                (ok, fits(ok).unwrap_or(w))
            }
        };
        Ring { inner, n, rows, cx, cy, r: r.max(0.0) }
    }

    /// The smallest radius the ring keeps for its labels' sake (dots): a
    /// quarter of the pane's half width.
    pub fn min_radius(inner: Rect) -> f64 {
        inner.width as f64 / 4.0
    }

    /// The cell of node `i`, relative to the inner area.
    fn rel_cell(&self, i: NodeId) -> (u16, u16) {
        let a = angle(i, self.n);
        let x = self.cx + self.r * a.cos();
        let y = self.cy + self.r * a.sin();
        let col = ((x / 2.0).floor().max(0.0) as u16).min(self.inner.width.saturating_sub(1));
        let row = ((y / 4.0).floor().max(0.0) as u16).min(self.rows.saturating_sub(1));
        (col, row)
    }

    /// The absolute cell of node `i`.
    pub fn cell(&self, i: NodeId) -> (u16, u16) {
        let (c, r) = self.rel_cell(i);
        (self.inner.x + c, self.inner.y + r)
    }

    /// Centre of node `i`'s cell in canvas coordinates (dots, y up).
    fn point(&self, i: NodeId) -> (f64, f64) {
        let (c, r) = self.rel_cell(i);
        self.canvas_xy(c as f64 * 2.0 + 0.5, r as f64 * 4.0 + 1.5)
    }

    fn canvas_xy(&self, x: f64, y: f64) -> (f64, f64) {
        (x, self.top() - y)
    }

    fn top(&self) -> f64 {
        (self.inner.height as f64 * 4.0 - 1.0).max(0.0)
    }

    fn right(&self) -> f64 {
        (self.inner.width as f64 * 2.0 - 1.0).max(0.0)
    }

    /// Is node `i` on the left half (its label goes to its left)?
    fn left_side(&self, i: NodeId) -> bool {
        left(angle(i, self.n).cos())
    }

    /// The node nearest to a click, if the click is close to one.
    pub fn node_at(&self, pos: Position) -> Option<NodeId> {
        if !self.inner.contains(pos) {
            return None;
        }
        (0..self.n)
            .map(|i| {
                let (c, r) = self.cell(i);
                let dx = (c as f64 - pos.x as f64).abs();
                let dy = (r as f64 - pos.y as f64).abs() * 2.0;
                (i, dx * dx + dy * dy)
            })
            .filter(|&(_, d)| d <= 9.0)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    }
}

/// Node `i`'s label, if it has one: its id, and its badge when the ring
/// is small enough for badges.
pub fn label(sc: &dyn Scenario, i: NodeId, selected: NodeId) -> Option<(String, String)> {
    let n = sc.n();
    let show_id = n <= 32 || i == selected || i.is_multiple_of(8);
    show_id.then(|| (i.to_string(), if n <= 16 { sc.badge(i) } else { String::new() }))
}

fn label_width(id: &str, badge: &str) -> usize {
    width(id) + if badge.is_empty() { 0 } else { 1 + width(badge) }
}

/// The ring of a scenario's nodes in `inner`, with room for their labels
/// (drawing and mouse clicks both use it).
pub fn ring(inner: Rect, sc: &dyn Scenario, selected: NodeId) -> Ring {
    let widths: Vec<usize> =
        (0..sc.n()).map(|i| label(sc, i, selected).map_or(0, |(id, b)| label_width(&id, &b))).collect();
    Ring::with_labels(inner, sc.n(), &widths)
}

/// The node under a click in the topology pane (`area` is the whole pane).
pub fn node_at(area: Rect, sc: &dyn Scenario, selected: NodeId, pos: Position) -> Option<NodeId> {
    let inner = theme::block("").inner(area);
    if inner.is_empty() || sc.n() == 0 {
        return None;
    }
    ring(inner, sc, selected).node_at(pos)
}

fn line(ctx: &mut Context, a: (f64, f64), b: (f64, f64), color: ratatui::style::Color) {
    ctx.draw(&CLine::new(a.0, a.1, b.0, b.1, color));
}

/// What a link is: up, cut, or down because of a partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    Up,
    Cut,
    Parted,
}

pub fn link(faults: &crate::engine::network::Faults, a: NodeId, b: NodeId) -> Link {
    if faults.cut.contains(&(a.min(b), a.max(b))) {
        Link::Cut
    } else if faults.link_up(a, b) {
        Link::Up
    } else {
        Link::Parted
    }
}

/// Dots on and off along a link that is down (canvas units are dots):
/// dashed when cut, dotted across a partition.
pub fn pattern(kind: Link) -> Option<(f64, f64)> {
    match kind {
        Link::Up => None,
        Link::Cut => Some((4.0, 3.0)),
        Link::Parted => Some((1.0, 2.0)),
    }
}

/// A link drawn in its style: solid when up, else by [`pattern`].
fn styled_line(ctx: &mut Context, a: (f64, f64), b: (f64, f64), kind: Link, color: ratatui::style::Color) {
    let Some((on, off)) = pattern(kind) else { return line(ctx, a, b, color) };
    let len = (b.0 - a.0).hypot(b.1 - a.1);
    let steps = (len * 2.0).ceil().max(1.0) as usize;
    let coords: Vec<(f64, f64)> = (0..=steps)
        .map(|k| k as f64 / steps as f64)
        .filter(|t| (t * len) % (on + off) < on)
        .map(|t| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t))
        .collect();
    ctx.draw(&Points { coords: &coords, color });
}

pub fn render(v: &View, frame: &mut Frame, area: Rect) {
    let sc = v.sc;
    let n = sc.n();
    let (msgs, total) = sc.in_flight(DRAW_LIMIT);
    let title = format!("topology · {total} in flight");
    let block = theme::block(&title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width < 3 || inner.height < 2 || n == 0 {
        return;
    }
    let ring = ring(inner, sc, v.selected);
    let faults = sc.faults();
    let now = sc.now();

    // Lines: ring edges, message paths, links that are down.
    let canvas = Canvas::default()
        .background_color(theme::get().bg)
        .marker(Marker::Braille)
        .x_bounds([0.0, ring.right()])
        .y_bounds([0.0, ring.top()])
        .paint(|ctx| {
            let down = theme::get().link_down;
            if n >= 2 {
                for i in 0..n {
                    let j = (i + 1) % n;
                    let kind = link(faults, i, j);
                    let c = if kind == Link::Up { theme::get().faint } else { down };
                    styled_line(ctx, ring.point(i), ring.point(j), kind, c);
                }
            }
            ctx.layer();
            if n <= 16 {
                for m in &msgs {
                    if let Some(from) = m.from
                        && from != m.to
                        && from < n
                        && m.to < n
                        && faults.link_up(from, m.to)
                    {
                        line(ctx, ring.point(from), ring.point(m.to), theme::get().faint);
                    }
                }
            }
            ctx.layer();
            for &(a, b) in &faults.cut {
                if a < n && b < n {
                    styled_line(ctx, ring.point(a), ring.point(b), Link::Cut, down);
                }
            }
            if let Some(groups) = &faults.group
                && n <= 8
            {
                for a in 0..n {
                    for b in a + 1..n {
                        if groups.get(a) != groups.get(b) && link(faults, a, b) == Link::Parted {
                            styled_line(ctx, ring.point(a), ring.point(b), Link::Parted, down);
                        }
                    }
                }
            }
        });
    frame.render_widget(canvas, inner);

    let node_cells: Vec<(u16, u16)> = (0..n).map(|i| ring.cell(i)).collect();
    let buf = frame.buffer_mut();

    // A cut link's mark at its middle (NO_COLOR tells it from a partition).
    for &(a, b) in &faults.cut {
        if a >= n || b >= n {
            continue;
        }
        let (p, q) = (node_cells[a], node_cells[b]);
        let mid = (((p.0 as u32 + q.0 as u32) / 2) as u16, ((p.1 as u32 + q.1 as u32) / 2) as u16);
        if !node_cells.contains(&mid)
            && let Some(cell) = buf.cell_mut(mid)
        {
            cell.set_symbol(CUT_MARK).set_style(Style::new().fg(theme::get().link_down).add_modifier(Modifier::BOLD));
        }
    }

    // Messages: a dot at the fraction of the way they have travelled.
    for m in &msgs {
        let Some(from) = m.from else { continue };
        if from >= n || m.to >= n || from == m.to {
            continue;
        }
        let span = m.due.saturating_sub(m.sent_at);
        let frac = if span == 0 { 1.0 } else { now.saturating_sub(m.sent_at) as f64 / span as f64 };
        // Keep dots off the node symbols at both ends.
        let f = 0.15 + 0.7 * frac.clamp(0.0, 1.0);
        let (a, b) = (node_cells[from], node_cells[m.to]);
        let x = (a.0 as f64 + (b.0 as f64 - a.0 as f64) * f).round() as u16;
        let y = (a.1 as f64 + (b.1 as f64 - a.1 as f64) * f).round() as u16;
        if node_cells.contains(&(x, y)) {
            continue;
        }
        if let Some(cell) = buf.cell_mut((x, y)) {
            cell.set_symbol("•").set_style(Style::new().fg(theme::kind_color(m.kind)).add_modifier(Modifier::BOLD));
        }
    }

    // Labels, then symbols on top.
    let sel = v.selected;
    for (i, &(col, row)) in node_cells.iter().enumerate() {
        let Some((id, badge)) = label(sc, i, sel) else { continue };
        let style = if i == sel {
            Style::new().fg(theme::get().accent).add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            Style::new().fg(theme::role_color(sc.role(i)))
        };
        let badge_style = Style::new().fg(theme::get().dim);
        if ring.left_side(i) {
            // `badge id ○`: the badge gives way first.
            let room = col.saturating_sub(inner.x + 1) as usize;
            let id = theme::clip(&id, room);
            let badge = if badge.is_empty() { badge } else { theme::clip(&badge, room.saturating_sub(width(&id) + 1)) };
            let text_w = label_width(&id, &badge) as u16;
            let mut x = col.saturating_sub(text_w + 1);
            if !badge.is_empty() {
                x = buf.set_stringn(x, row, format!("{badge} "), usize::MAX, badge_style).0;
            }
            buf.set_string(x, row, &id, style);
        } else {
            // `○ id badge`, cut with `…` at the pane's edge.
            let x = col + 2;
            let room = inner.right().saturating_sub(x) as usize;
            if col + 1 < inner.right() {
                buf.set_string(col + 1, row, " ", badge_style);
            }
            let id = theme::clip(&id, room);
            let x = buf.set_stringn(x, row, &id, usize::MAX, style).0;
            let room = room.saturating_sub(width(&id) + 1);
            if !badge.is_empty() && room > 0 {
                buf.set_string(x, row, format!(" {}", theme::clip(&badge, room)), badge_style);
            }
        }
    }
    for (i, &(col, row)) in node_cells.iter().enumerate() {
        let role = sc.role(i);
        let mut style = theme::role_style(role);
        if i == sel {
            style = style.add_modifier(Modifier::REVERSED);
        }
        if let Some(cell) = buf.cell_mut((col, row)) {
            cell.set_symbol(theme::role_symbol(role)).set_style(style);
        }
    }

    // Bottom row: the faults, or a legend of the roles on screen.
    if ring.rows < inner.height {
        let y = inner.bottom() - 1;
        let w = inner.width as usize;
        if !faults.is_clear() {
            let mut parts = Vec::new();
            if let Some(g) = &faults.group {
                let k = g.iter().max().map(|&m| m as usize + 1).unwrap_or(0);
                let groups: Vec<String> = (0..k)
                    .map(|gi| {
                        let members: Vec<String> =
                            (0..n).filter(|&x| g.get(x) == Some(&(gi as u32))).map(|x| x.to_string()).collect();
                        members.join(",")
                    })
                    .filter(|s| !s.is_empty())
                    .collect();
                parts.push(format!("{PARTITION_MARK} partition {}", groups.join(" | ")));
            }
            if !faults.cut.is_empty() {
                let cuts: Vec<String> = faults.cut.iter().map(|(a, b)| format!("{a}-{b}")).collect();
                parts.push(format!("{CUT_MARK} cut {}", cuts.join(" ")));
            }
            let text = theme::clip(&parts.join(" · "), w);
            buf.set_stringn(inner.x, y, text, w, Style::new().fg(theme::get().bad));
        } else {
            let mut present = [false; 6];
            for i in 0..n {
                if let Some(k) = theme::ALL_ROLES.iter().position(|&r| r == sc.role(i)) {
                    present[k] = true;
                }
            }
            let mut x = inner.x;
            for (k, role) in theme::ALL_ROLES.iter().enumerate() {
                if !present[k] {
                    continue;
                }
                let item = format!("{} {}  ", theme::role_symbol(*role), sc.card().role_word(*role));
                if (x - inner.x) as usize + width(&item) > w {
                    break;
                }
                x = buf.set_stringn(x, y, item, w, theme::role_style(*role)).0;
            }
        }
    }
}
