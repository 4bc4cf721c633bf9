//! The space-time (Lamport) diagram: one horizontal lane per node, time
//! flowing right, a few columns per step (two once the run fills the pane,
//! up to six while it is short, so early steps spread over the width);
//! events as marks, send→receive arrows in the colour of the message kind,
//! lost messages as ✗, crashes as a red ✗. Every node event is labelled
//! where its lane has room, so students can name it in `hb E1 E2`: its
//! history index and, when there is room, its Lamport clock and (small
//! runs) its vector clock, as the engine's ground truth has them
//! (`e12 L5 [2 1 0]`). It follows the present and reads only the visible
//! window of the history (found by binary search), so its cost does not
//! depend on how long the run is.

use super::theme::{self, width};
use super::view::View;
use crate::engine::clocks::VcTracker;
use crate::engine::protocol::{NodeId, Role};
use crate::engine::record::{EvKind, EventRec};
use crate::scenario::Scenario;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::widgets::canvas::{Canvas, Line as CLine};

/// Columns per step once the run no longer fits the pane...
pub const CPS: u16 = 2;
/// ...and at most this many while it does.
pub const CPS_MAX: u16 = 6;

/// Columns per step on a plot `plot_w` wide when the present is step `now`:
/// the widest spacing up to [`CPS_MAX`] that shows steps 0..=now.
pub fn cols_per_step(plot_w: u16, now: u64) -> u16 {
    let fit = plot_w as u64 / (now + 1);
    fit.clamp(CPS as u64, CPS_MAX as u64) as u16
}

/// At most this many history records are looked at per frame.
pub const MAX_RECORDS: usize = 20_000;

/// Which lanes show and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lanes {
    /// First node shown.
    pub first: usize,
    /// How many lanes show.
    pub count: usize,
    /// Rows from one lane to the next.
    pub spacing: u16,
    /// Rows available to lanes (the row below is the axis).
    pub rows: u16,
    /// Width of the node-id column.
    pub label_w: u16,
}

fn digits(x: usize) -> u16 {
    x.max(1).ilog10() as u16 + 1
}

pub fn lanes(inner: Rect, n: usize, selected: NodeId) -> Lanes {
    let rows = if inner.height >= 3 { inner.height - 1 } else { inner.height };
    let spacing = if n > 0 && (2 * n as u64).saturating_sub(1) <= rows as u64 { 2 } else { 1 };
    let fit = if spacing == 2 { (rows as usize).div_ceil(2) } else { rows as usize };
    let count = n.min(fit);
    let first = if count < n { selected.saturating_sub(count / 2).min(n - count) } else { 0 };
    Lanes { first, count, spacing, rows, label_w: digits(n.saturating_sub(1)) + 1 }
}

impl Lanes {
    /// Row (relative) of a node's lane, if it shows.
    pub fn row(&self, node: usize) -> Option<u16> {
        (node >= self.first && node < self.first + self.count).then(|| (node - self.first) as u16 * self.spacing)
    }
}

/// The node whose lane label or lane was clicked.
pub fn lane_at(area: Rect, n: usize, selected: NodeId, pos: Position) -> Option<NodeId> {
    let inner = theme::block("").inner(area);
    if !inner.contains(pos) {
        return None;
    }
    let l = lanes(inner, n, selected);
    let rel = pos.y - inner.y;
    if rel >= l.rows || !rel.is_multiple_of(l.spacing) {
        return None;
    }
    let node = l.first + (rel / l.spacing) as usize;
    (node < l.first + l.count).then_some(node)
}

/// First step shown when `visible` steps fit and the present is `now`.
pub fn first_step(now: u64, visible: u64) -> u64 {
    now.saturating_sub(visible.saturating_sub(1))
}

fn mark(e: &EventRec, sc: &dyn Scenario) -> (&'static str, Style) {
    match e.kind {
        EvKind::Start => ("◦", Style::new().fg(theme::get().dim)),
        EvKind::Recv { kind, .. } => ("●", Style::new().fg(theme::kind_color(sc.kind_name(kind)))),
        EvKind::Timer { .. } => ("◷", Style::new().fg(theme::get().dim)),
        EvKind::Request => ("◆", Style::new().fg(theme::get().warn).add_modifier(Modifier::BOLD)),
        EvKind::Recover => ("↻", Style::new().fg(theme::get().ok).add_modifier(Modifier::BOLD)),
        EvKind::Crash => ("✗", theme::get().bad_chip()),
        EvKind::Lost { .. } => ("✗", Style::new().fg(theme::get().bad).add_modifier(Modifier::BOLD)),
    }
}

/// Up to this many nodes the event labels may show vector clocks...
pub const LABEL_VECTOR_NODES: usize = 8;
/// ...while the history is at most this long (they are replayed per frame).
pub const LABEL_VECTOR_HISTORY: usize = 5_000;

/// A cell that shows only the lane itself (no mark, arrow or label).
fn bare_lane(buf: &Buffer, x: u16, y: u16) -> bool {
    matches!(buf[(x, y)].symbol(), "─" | "┄")
}

/// Where a label `w` cells wide goes next to the mark at `(x, y)`: right
/// after it, over bare lane only and with one more bare lane cell (or the
/// plot's edge) after it, so labels never hide a mark, an arrow or each
/// other. With `left`, right before it instead (with a bare cell before).
fn label_spot(buf: &Buffer, plot: Rect, x: u16, y: u16, w: u16, left: bool) -> Option<u16> {
    let free = |a: u16, b: u16| (a..b).all(|c| bare_lane(buf, c, y));
    if left {
        let at = x.checked_sub(w).filter(|&l| l >= plot.x)?;
        return (free(at, x) && (at == plot.x || bare_lane(buf, at - 1, y))).then_some(at);
    }
    let at = x + 1;
    let end = at.checked_add(w).filter(|&e| e <= plot.right())?;
    (free(at, end) && (end == plot.right() || bare_lane(buf, end, y))).then_some(at)
}

/// Name the events so students can ask about them (`hb e12 e15`): every
/// node event gets the longest of `e12 L5 [2 1 0]` (vector clocks for small
/// runs), `e12 L5` and `e12` that fits beside its mark — the history index
/// and the engine's Lamport and vector clocks of the event.
fn label_events(
    buf: &mut Buffer,
    sc: &dyn Scenario,
    l: &Lanes,
    plot: Rect,
    window: &[EventRec],
    start: usize,
    (s0, cps): (u64, u16),
) {
    let n = sc.n();
    let hist = sc.history();
    let vectors: Option<Vec<Option<Vec<u32>>>> =
        (n <= LABEL_VECTOR_NODES && hist.len() <= LABEL_VECTOR_HISTORY).then(|| {
            let mut vc = VcTracker::new(n);
            window
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    e.is_node_event().then(|| {
                        vc.catch_up(&hist[..=start + i]);
                        vc.vector(e.node as usize)
                    })
                })
                .collect()
        });
    let style = Style::new().fg(theme::get().dim);
    for (i, e) in window.iter().enumerate() {
        if !e.is_node_event() || e.step < s0 {
            continue;
        }
        let Some(r) = l.row(e.node as usize) else { continue };
        let x = plot.x as u64 + (e.step - s0) * cps as u64;
        if x >= plot.right() as u64 {
            continue;
        }
        let (x, y) = (x as u16, plot.y + r);
        let short = format!("e{}", start + i);
        let mid = format!("{short} L{}", e.lamport);
        let long = vectors.as_ref().and_then(|v| v[i].as_ref()).map(|v| {
            let v: Vec<String> = v.iter().map(|c| c.to_string()).collect();
            format!("{mid} [{}]", v.join(" "))
        });
        let texts: Vec<String> = long.into_iter().chain([mid, short]).collect();
        // Right of the mark, else left of it: a send's arrows leave to the
        // right, and the present is drawn at the plot's edge.
        let spot = [false, true].into_iter().find_map(|left| {
            texts.iter().find_map(|t| label_spot(buf, plot, x, y, width(t) as u16, left).map(|at| (at, t)))
        });
        if let Some((at, text)) = spot {
            buf.set_stringn(at, y, text, width(text), style);
        }
    }
}

pub fn render(v: &View, frame: &mut Frame, area: Rect) {
    let sc = v.sc;
    let n = sc.n();
    let now_step = sc.step();
    let probe = theme::block("").inner(area);
    let l = lanes(probe, n, v.selected);
    let plot_w = probe.width.saturating_sub(l.label_w);
    let cps = cols_per_step(plot_w, now_step);
    let visible = (plot_w / cps).max(1) as u64;
    let s0 = first_step(now_step, visible);
    let mut title = format!("space-time · steps {s0}–{now_step}");
    if l.count < n && l.count > 0 {
        title.push_str(&format!(" · nodes {}–{}", l.first, l.first + l.count - 1));
    }
    let block = theme::block(&title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width <= l.label_w + 1 || inner.height == 0 || n == 0 || l.count == 0 {
        return;
    }
    let plot = Rect::new(inner.x + l.label_w, inner.y, plot_w, l.rows);

    // Lanes and their labels.
    {
        let buf = frame.buffer_mut();
        for node in l.first..l.first + l.count {
            let Some(r) = l.row(node) else { continue };
            let y = inner.y + r;
            let role = sc.role(node);
            let mut style = Style::new().fg(theme::role_color(role));
            if node == v.selected {
                style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
            }
            let label = format!("{node:>w$}", w = (l.label_w - 1) as usize);
            buf.set_stringn(inner.x, y, &label, l.label_w as usize, style);
            let (glyph, lane_style) = if role == Role::Crashed {
                ("┄", Style::new().fg(theme::get().link_down))
            } else {
                ("─", Style::new().fg(theme::get().faint))
            };
            for x in plot.x..plot.right() {
                buf[(x, y)].set_symbol(glyph).set_style(lane_style);
            }
        }
    }

    // The visible window of the history: binary search, then a bounded scan.
    let hist = sc.history();
    let start = hist.partition_point(|e| e.step < s0).max(hist.len().saturating_sub(MAX_RECORDS));
    let window = &hist[start..];
    let col = |step: u64| (step as f64 - s0 as f64) * cps as f64;
    let top = plot.height as f64 * 4.0 - 1.0;
    let point = |step: u64, node: u32| -> Option<(f64, f64)> {
        let r = l.row(node as usize)?;
        Some((col(step) * 2.0 + 0.5, top - (r as f64 * 4.0 + 1.5)))
    };

    let canvas = Canvas::default()
        .background_color(theme::get().bg)
        .marker(Marker::Braille)
        .x_bounds([0.0, (plot.width as f64 * 2.0 - 1.0).max(0.0)])
        .y_bounds([0.0, top.max(0.0)])
        .paint(|ctx| {
            for e in window {
                let (send, color) = match e.kind {
                    EvKind::Recv { send, kind, .. } => (send, theme::kind_color(sc.kind_name(kind))),
                    EvKind::Lost { send, .. } => (send, theme::get().link_down),
                    _ => continue,
                };
                let Some(src) = hist.get(send as usize) else { continue };
                if let (Some(a), Some(b)) = (point(src.step, src.node), point(e.step, e.node)) {
                    ctx.draw(&CLine::new(a.0, a.1, b.0, b.1, color));
                }
            }
        });
    if !plot.is_empty() {
        frame.render_widget(canvas, plot);
    }

    // Marks on top of the lanes and arrows.
    let buf = frame.buffer_mut();
    for e in window {
        let Some(r) = l.row(e.node as usize) else { continue };
        let x = plot.x as u64 + (e.step - s0.min(e.step)) * cps as u64;
        if e.step < s0 || x >= plot.right() as u64 {
            continue;
        }
        let (glyph, style) = mark(e, sc);
        buf[(x as u16, plot.y + r)].set_symbol(glyph).set_style(style);
    }

    label_events(buf, sc, &l, plot, window, start, (s0, cps));

    // Axis: step numbers, and how many lanes do not fit.
    if l.rows < inner.height {
        let y = inner.y + l.rows;
        let dim = Style::new().fg(theme::get().dim);
        let mut x_min = inner.x;
        if l.count < n {
            let more = format!("+{} more ", n - l.count);
            x_min = buf.set_stringn(inner.x, y, &more, inner.width as usize, Style::new().fg(theme::get().accent)).0;
        }
        let label_w = digits(now_step as usize) as u64 + 2;
        let every = [1u64, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 10_000, 100_000, 1_000_000]
            .into_iter()
            .find(|&k| k * cps as u64 >= label_w)
            .unwrap_or(10_000_000);
        let mut s = s0.div_ceil(every) * every;
        while s <= now_step {
            let x = plot.x as u64 + (s - s0) * cps as u64;
            let text = s.to_string();
            if x >= x_min as u64 && x + width(&text) as u64 <= inner.right() as u64 {
                buf.set_stringn(x as u16, y, &text, text.len(), dim);
            }
            s += every;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_fit_and_follow_the_selection() {
        let inner = Rect::new(0, 0, 40, 11);
        let l = lanes(inner, 5, 0);
        assert_eq!((l.first, l.count, l.spacing), (0, 5, 2));
        let l = lanes(inner, 64, 40);
        assert_eq!((l.count, l.spacing), (10, 1));
        assert!(l.row(40).is_some());
        assert_eq!(lanes(inner, 64, 63).first, 54);
        assert_eq!(first_step(3, 30), 0);
        assert_eq!(first_step(100, 30), 71);
        // Short runs spread out, long ones take two columns a step.
        assert_eq!(cols_per_step(68, 7), 6);
        assert_eq!(cols_per_step(68, 13), 4);
        assert_eq!(cols_per_step(68, 40), 2);
        assert_eq!(cols_per_step(0, 0), 2);
        let l = lanes(Rect::new(0, 0, 1, 1), 5, 4);
        assert!(l.count <= 1);
    }

    #[test]
    fn labels_take_bare_lane_only() {
        let plot = Rect::new(0, 0, 12, 1);
        let mut buf = Buffer::empty(plot);
        for x in 0..12 {
            buf[(x, 0)].set_symbol("─");
        }
        buf[(2, 0)].set_symbol("●");
        buf[(8, 0)].set_symbol("⢀");
        // Right of the mark, with a bare cell before the arrow.
        assert_eq!(label_spot(&buf, plot, 2, 0, 4, false), Some(3));
        // Five cells would touch the arrow; six would cover it.
        assert_eq!(label_spot(&buf, plot, 2, 0, 5, false), None);
        assert_eq!(label_spot(&buf, plot, 2, 0, 6, false), None);
        // At the plot's edge the label may end flush with it...
        buf[(9, 0)].set_symbol("●");
        assert_eq!(label_spot(&buf, plot, 9, 0, 2, false), Some(10));
        assert_eq!(label_spot(&buf, plot, 9, 0, 3, false), None);
        // ...or go left, when asked, over bare lane with a bare cell before it.
        assert_eq!(label_spot(&buf, plot, 2, 0, 2, true), Some(0));
        assert_eq!(label_spot(&buf, plot, 2, 0, 3, true), None);
    }
}
