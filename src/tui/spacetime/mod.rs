//! The space-time (Lamport) diagram: one horizontal lane per node, spaced
//! to fill the pane, time flowing right; events as marks, send→receive
//! arrows with a glyph and a colour per message kind, lost messages as `⊘`
//! at the arrow's end, crashes as `✗` in a column of their own, and a
//! lane dashed only while its node is down. Every node event is labelled
//! where its lane has room (`e12 L5 [2 1 0]`). It follows the present
//! until panned (`,` `.`, the mouse wheel) or zoomed (`z` `Z`); a click
//! on an event shows its details in the inspector. It reads only the
//! visible window of the history (found by binary search), so its cost
//! does not depend on how long the run is.

pub mod arrows;
pub mod labels;
pub mod lanes;
pub mod model;
pub mod state;

pub use lanes::Lanes;
pub use model::{CPS, CPS_MAX, MAX_RECORDS, cols_per_step};
pub use state::{Diagram, Move};

use super::theme::{self, width};
use crate::engine::protocol::NodeId;
use crate::engine::record::EvKind;
use crate::scenario::Scenario;
use model::Layout;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// Where everything goes in the pane `area`: drawing, the mouse and the
/// pan keys all use it, so they agree.
pub struct Geometry {
    pub inner: Rect,
    pub lanes: Lanes,
    /// The lanes' area, right of the node ids (the axis is below it).
    pub plot: Rect,
    pub layout: Layout,
}

pub fn geometry(sc: &dyn Scenario, d: &Diagram, selected: NodeId, area: Rect) -> Option<Geometry> {
    let inner = theme::block("").inner(area);
    let n = sc.n();
    let lanes = lanes::lanes(inner, n, selected);
    if inner.width <= lanes.label_w + 1 || inner.height == 0 || n == 0 || lanes.count == 0 {
        return None;
    }
    let plot = Rect::new(inner.x + lanes.label_w, inner.y, inner.width - lanes.label_w, lanes.rows);
    let now = sc.step();
    let level = d.level(plot.width, now);
    let layout = model::layout(sc.history(), d.end.unwrap_or(now).min(now), plot.width, level);
    Some(Geometry { inner, lanes, plot, layout })
}

/// The node whose lane label or lane was clicked.
pub fn lane_at(sc: &dyn Scenario, d: &Diagram, selected: NodeId, area: Rect, pos: Position) -> Option<NodeId> {
    let g = geometry(sc, d, selected, area)?;
    if !g.inner.contains(pos) || pos.y >= g.plot.bottom() {
        return None;
    }
    g.lanes.node_at(pos.y - g.inner.y)
}

/// The event (history index) drawn at `pos`, or one column beside it.
pub fn event_at(sc: &dyn Scenario, d: &Diagram, selected: NodeId, area: Rect, pos: Position) -> Option<usize> {
    let g = geometry(sc, d, selected, area)?;
    if !g.plot.contains(pos) {
        return None;
    }
    let node = g.lanes.node_at(pos.y - g.plot.y)? as u32;
    let x = (pos.x - g.plot.x) as i32;
    let hist = sc.history();
    let l = &g.layout;
    [0, -1, 1].into_iter().find_map(|dx| {
        (l.lo..l.hi)
            .filter(|&i| hist[i].node == node && l.xs[i - l.lo] as i32 == x + dx)
            .max_by_key(|&i| (arrows::priority(&hist[i]), i))
    })
}

fn title(sc: &dyn Scenario, d: &Diagram, g: &Geometry, room: usize) -> String {
    let now = sc.step();
    let (l, lanes) = (&g.layout, &g.lanes);
    let mut parts = vec![format!("steps {}–{}", l.s0, l.s1)];
    if d.end.is_some() {
        parts[0].push_str(&format!(" of {now}"));
        parts.push("End follows".into());
    }
    if let Some(z) = d.zoom {
        parts.push(model::zoom_text(z));
    }
    if lanes.count < sc.n() {
        parts.push(format!("nodes {}–{}", lanes.first, lanes.first + lanes.count - 1));
    }
    let text = parts.join(" · ");
    let full = format!("space-time · {text}");
    if width(&full) <= room { full } else { text }
}

/// The bottom border: the mark of each message kind in the window, and
/// the lost and crash marks when there are some.
fn legend(sc: &dyn Scenario, l: &Layout) -> Line<'static> {
    let mut kinds: Vec<u16> = Vec::new();
    let (mut lost, mut crash) = (false, false);
    for e in &sc.history()[l.lo..l.hi] {
        match e.kind {
            EvKind::Recv { kind, .. } | EvKind::Lost { kind, .. } if !kinds.contains(&kind) => kinds.push(kind),
            _ => {}
        }
        lost |= matches!(e.kind, EvKind::Lost { .. });
        crash |= e.kind == EvKind::Crash;
    }
    kinds.sort_unstable();
    let mut spans = Vec::new();
    for k in kinds {
        let style = arrows::kind_style(sc, k);
        let (down, _) = arrows::line_glyphs(k);
        spans.push(Span::styled(
            format!("{}{down} {}  ", arrows::HEADS[k as usize % arrows::HEADS.len()], sc.kind_name(k)),
            style,
        ));
    }
    let th = theme::get();
    if lost {
        spans.push(Span::styled(
            format!("{} = lost  ", arrows::LOST),
            Style::new().fg(th.bad).add_modifier(Modifier::BOLD),
        ));
    }
    if crash {
        spans.push(Span::styled(arrows::CRASH, th.bad_chip()));
        spans.push(Span::styled(" = crash ", Style::new().fg(th.bad)));
    }
    Line::from(spans)
}

fn draw_lanes(buf: &mut Buffer, sc: &dyn Scenario, d: &Diagram, g: &Geometry, selected: NodeId) {
    let (inner, plot, lanes) = (g.inner, g.plot, &g.lanes);
    let th = theme::get();
    for node in lanes.first..lanes.first + lanes.count {
        let Some(r) = lanes.row(node) else { continue };
        let y = plot.y + r;
        let role = sc.role(node);
        let mut style = Style::new().fg(theme::role_color(role));
        if node == selected {
            style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
        }
        let label = format!("{node:>w$}", w = (lanes.label_w - 1) as usize);
        buf.set_stringn(inner.x, y, &label, lanes.label_w as usize, style);
        for x in plot.x..plot.right() {
            buf[(x, y)].set_symbol("─").set_style(Style::new().fg(th.faint));
        }
        for (a, b) in lanes::down_spans(sc.history(), &g.layout, &d.downs, node, plot.width) {
            for x in plot.x + a..plot.x + b.min(plot.width) {
                buf[(x, y)].set_symbol("┄").set_style(Style::new().fg(th.link_down));
            }
        }
    }
}

fn draw_arrows(buf: &mut Buffer, sc: &dyn Scenario, g: &Geometry) {
    let hist = sc.history();
    let (l, plot, lanes) = (&g.layout, g.plot, &g.lanes);
    // Messages received in the window, and (panned back) those sent in it
    // and received after it, as far as a bounded look ahead reaches.
    let ahead = (l.hi + (l.hi - l.lo) * 2 + 64).min(l.hi + MAX_RECORDS).min(hist.len());
    for i in (l.lo..l.hi).chain(l.hi..ahead) {
        let (send, kind, style) = match hist[i].kind {
            EvKind::Recv { send, kind, .. } => (send as usize, kind, arrows::kind_style(sc, kind)),
            EvKind::Lost { send, kind, .. } => (send as usize, kind, arrows::kind_style(sc, kind)),
            _ => continue,
        };
        if i >= l.hi && !(l.lo..l.hi).contains(&send) {
            continue;
        }
        let Some(src) = hist.get(send) else { continue };
        let (Some(ra), Some(rb)) = (lanes.row(src.node as usize), lanes.row(hist[i].node as usize)) else { continue };
        let a = l.x_est(hist, send, plot.width);
        let b = l.x_est(hist, i, plot.width);
        arrows::draw(buf, plot, (a, ra), (b, rb), kind, style);
    }
}

fn draw_marks(buf: &mut Buffer, sc: &dyn Scenario, g: &Geometry, event: Option<usize>) {
    let hist = sc.history();
    let (l, plot, lanes) = (&g.layout, g.plot, &g.lanes);
    let mut order: Vec<usize> = (l.lo..l.hi).collect();
    order.sort_by_key(|&i| arrows::priority(&hist[i]));
    for i in order {
        let e = &hist[i];
        let Some(r) = lanes.row(e.node as usize) else { continue };
        let x = l.xs[i - l.lo];
        if x >= plot.width {
            continue;
        }
        let (glyph, mut style) = arrows::mark(e, sc);
        if event == Some(i) {
            style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD | Modifier::UNDERLINED);
        }
        buf[(plot.x + x, plot.y + r)].set_symbol(glyph).set_style(style);
    }
}

/// Step numbers under their columns, and how many lanes do not fit.
fn draw_axis(buf: &mut Buffer, sc: &dyn Scenario, g: &Geometry) {
    let (inner, plot, lanes, l) = (g.inner, g.plot, &g.lanes, &g.layout);
    if lanes.rows >= inner.height {
        return;
    }
    let y = inner.y + lanes.rows;
    let dim = Style::new().fg(theme::get().dim);
    let mut x_min = inner.x;
    let n = sc.n();
    if lanes.count < n {
        let more = format!("+{} more ", n - lanes.count);
        x_min = buf.set_stringn(inner.x, y, &more, inner.width as usize, Style::new().fg(theme::get().accent)).0;
    }
    let label_w = (l.s1.max(1).ilog10() + 3) as u64;
    let every = [1u64, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 10_000, 100_000, 1_000_000]
        .into_iter()
        .find(|&k| k * l.cols as u64 >= label_w * l.per as u64)
        .unwrap_or(10_000_000);
    for &(s, x) in &l.steps {
        let text = s.to_string();
        let x = plot.x as u32 + x as u32;
        if s % every == 0 && x >= x_min as u32 && x + width(&text) as u32 <= inner.right() as u32 {
            x_min = buf.set_stringn(x as u16, y, &text, text.len(), dim).0 + 1;
        }
    }
}

/// Draw the diagram of `sc` as `d` pans and zooms it, `selected`'s lane
/// highlighted.
pub fn render(sc: &dyn Scenario, d: &Diagram, selected: NodeId, frame: &mut Frame, area: Rect) {
    let Some(g) = geometry(sc, d, selected, area) else {
        frame.render_widget(theme::block("space-time"), area);
        return;
    };
    let text = title(sc, d, &g, area.width.saturating_sub(2) as usize);
    frame.render_widget(theme::block(&text).title_bottom(legend(sc, &g.layout)), area);
    let buf = frame.buffer_mut();
    draw_lanes(buf, sc, d, &g, selected);
    draw_arrows(buf, sc, &g);
    draw_marks(buf, sc, &g, d.event);
    labels::label_events(buf, sc, &g.lanes, g.plot, &g.layout);
    draw_axis(buf, sc, &g);
}
