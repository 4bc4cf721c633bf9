//! Event labels: every node event is named where its lane has room, so
//! students can ask about it in `hb E1 E2`: its history index and, when
//! there is room, its Lamport clock and (small runs) its vector clock, as
//! the engine's ground truth has them (`e12 L5 [2 1 0]`).

use super::lanes::Lanes;
use super::model::Layout;
use crate::engine::clocks::VcTracker;
use crate::scenario::Scenario;
use crate::tui::theme::{self, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

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
pub fn label_spot(buf: &Buffer, plot: Rect, x: u16, y: u16, w: u16, left: bool) -> Option<u16> {
    let free = |a: u16, b: u16| (a..b).all(|c| bare_lane(buf, c, y));
    if left {
        let at = x.checked_sub(w).filter(|&l| l >= plot.x)?;
        return (free(at, x) && (at == plot.x || bare_lane(buf, at - 1, y))).then_some(at);
    }
    let at = x + 1;
    let end = at.checked_add(w).filter(|&e| e <= plot.right())?;
    (free(at, end) && (end == plot.right() || bare_lane(buf, end, y))).then_some(at)
}

/// Label the node events of the window with the longest of
/// `e12 L5 [2 1 0]`, `e12 L5` and `e12` that fits beside its mark.
pub fn label_events(buf: &mut Buffer, sc: &dyn Scenario, lanes: &Lanes, plot: Rect, l: &Layout) {
    let n = sc.n();
    let hist = sc.history();
    let window = &hist[l.lo..l.hi];
    let vectors: Option<Vec<Option<Vec<u32>>>> =
        (n <= LABEL_VECTOR_NODES && hist.len() <= LABEL_VECTOR_HISTORY).then(|| {
            let mut vc = VcTracker::new(n);
            window
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    e.is_node_event().then(|| {
                        vc.catch_up(&hist[..=l.lo + i]);
                        vc.vector(e.node as usize)
                    })
                })
                .collect()
        });
    let style = Style::new().fg(theme::get().dim);
    for (i, e) in window.iter().enumerate() {
        if !e.is_node_event() {
            continue;
        }
        let Some(r) = lanes.row(e.node as usize) else { continue };
        let x = plot.x as u32 + l.xs[i] as u32;
        if x >= plot.right() as u32 {
            continue;
        }
        let (x, y) = (x as u16, plot.y + r);
        let short = format!("e{}", l.lo + i);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_take_bare_lane_only() {
        let plot = Rect::new(0, 0, 12, 1);
        let mut buf = Buffer::empty(plot);
        for x in 0..12 {
            buf[(x, 0)].set_symbol("─");
        }
        buf[(2, 0)].set_symbol("●");
        buf[(8, 0)].set_symbol("╲");
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
