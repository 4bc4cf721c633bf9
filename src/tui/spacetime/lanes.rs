//! The lanes: one row per node, spaced to fill the pane's height, solid
//! while the node is up and dashed only from its crash to its recovery
//! (its true history, not its state now). Whether a node is down where the
//! window starts comes from [`Downs`], an index of every crash and
//! recovery kept up to date after each action, so panning back through a
//! long run costs a binary search.

use super::model::{Layout, MAX_RECORDS};
use crate::engine::protocol::NodeId;
use crate::engine::record::{EvKind, EventRec};
use ratatui::layout::Rect;

/// The widest spacing between two lanes (more room is left around them).
pub const MAX_SPACING: u16 = 8;

/// Which lanes show and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lanes {
    /// First node shown.
    pub first: usize,
    /// How many lanes show.
    pub count: usize,
    /// Rows from one lane to the next.
    pub spacing: u16,
    /// Rows above the first lane (the lanes are centred in their rows).
    pub top: u16,
    /// Rows available to lanes (the row below is the axis).
    pub rows: u16,
    /// Width of the node-id column.
    pub label_w: u16,
}

fn digits(x: usize) -> u16 {
    x.max(1).ilog10() as u16 + 1
}

/// The lanes of `n` nodes in `inner`: all of them, as far apart as the
/// rows allow (up to [`MAX_SPACING`]), else as many as fit one a row
/// around the selected node.
pub fn lanes(inner: Rect, n: usize, selected: NodeId) -> Lanes {
    let rows = if inner.height >= 3 { inner.height - 1 } else { inner.height };
    let count = n.min(rows as usize);
    let spacing = if count > 1 { ((rows - 1) / (count as u16 - 1)).clamp(1, MAX_SPACING) } else { 1 };
    let span = if count > 0 { (count as u16 - 1) * spacing + 1 } else { 0 };
    let top = rows.saturating_sub(span) / 2;
    let first = if count < n { selected.saturating_sub(count / 2).min(n - count) } else { 0 };
    Lanes { first, count, spacing, top, rows, label_w: digits(n.saturating_sub(1)) + 1 }
}

impl Lanes {
    /// Row (relative) of a node's lane, if it shows.
    pub fn row(&self, node: usize) -> Option<u16> {
        (node >= self.first && node < self.first + self.count)
            .then(|| self.top + (node - self.first) as u16 * self.spacing)
    }

    /// The node whose lane is on relative row `rel`.
    pub fn node_at(&self, rel: u16) -> Option<NodeId> {
        let rel = rel.checked_sub(self.top)?;
        if rel >= self.rows || !rel.is_multiple_of(self.spacing) {
            return None;
        }
        let node = self.first + (rel / self.spacing) as usize;
        (node < self.first + self.count).then_some(node)
    }
}

/// Every node's crashes and recoveries as history indices, in order.
#[derive(Clone, Debug, Default)]
pub struct Downs {
    per_node: Vec<Vec<(u32, bool)>>,
    /// Records indexed so far, and the last of them (to notice a rewind).
    len: usize,
    last: Option<EventRec>,
}

impl Downs {
    /// Index the records added since the last call (all of them again
    /// after a rewind, a restart or another scenario).
    pub fn update(&mut self, n: usize, hist: &[EventRec]) {
        let stale = self.per_node.len() != n
            || hist.len() < self.len
            || (self.len > 0 && hist.get(self.len - 1) != self.last.as_ref());
        if stale {
            *self = Downs { per_node: vec![Vec::new(); n], len: 0, last: None };
        }
        for (i, e) in hist.iter().enumerate().skip(self.len) {
            let down = match e.kind {
                EvKind::Crash => true,
                EvKind::Recover => false,
                _ => continue,
            };
            if let Some(v) = self.per_node.get_mut(e.node as usize) {
                v.push((i as u32, down));
            }
        }
        self.len = hist.len();
        self.last = hist.last().copied();
    }

    /// Is `node` down just before history record `index`? Up to date, a
    /// binary search; stale (a test that skipped [`Self::update`]), a
    /// bounded look back.
    pub fn down_before(&self, hist: &[EventRec], node: NodeId, index: usize) -> bool {
        if self.len == hist.len() && self.last.as_ref() == hist.last() {
            let Some(v) = self.per_node.get(node) else { return false };
            let p = v.partition_point(|&(i, _)| (i as usize) < index);
            return p > 0 && v[p - 1].1;
        }
        let index = index.min(hist.len());
        hist[index.saturating_sub(MAX_RECORDS)..index]
            .iter()
            .rev()
            .filter(|e| e.node as usize == node)
            .find_map(|e| match e.kind {
                EvKind::Crash => Some(true),
                EvKind::Recover => Some(false),
                _ => None,
            })
            .unwrap_or(false)
    }
}

/// Where `node` is down within the window: column ranges `[a, b)` of a
/// plot `width` wide (from its crash mark to its recovery mark).
pub fn down_spans(hist: &[EventRec], l: &Layout, downs: &Downs, node: NodeId, width: u16) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    let mut from = downs.down_before(hist, node, l.lo).then_some(0u16);
    for (i, e) in hist[l.lo..l.hi].iter().enumerate() {
        if e.node as usize != node {
            continue;
        }
        let x = l.xs[i];
        match (e.kind, from) {
            (EvKind::Crash, None) => from = Some(x),
            (EvKind::Recover, Some(a)) => {
                out.push((a, x));
                from = None;
            }
            _ => {}
        }
    }
    if let Some(a) = from {
        out.push((a, width));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::spacetime::model::layout;

    #[test]
    fn lanes_fill_the_height_and_follow_the_selection() {
        let inner = Rect::new(0, 0, 40, 11);
        let l = lanes(inner, 5, 0);
        assert_eq!((l.first, l.count, l.spacing, l.top), (0, 5, 2, 0));
        let l = lanes(Rect::new(0, 0, 40, 28), 5, 0);
        assert_eq!((l.spacing, l.top), (6, 1), "5 lanes spread over 27 rows");
        assert_eq!(l.node_at(7), Some(1));
        assert_eq!(l.node_at(8), None);
        let l = lanes(inner, 64, 40);
        assert_eq!((l.count, l.spacing), (10, 1));
        assert!(l.row(40).is_some());
        assert_eq!(lanes(inner, 64, 63).first, 54);
        let l = lanes(Rect::new(0, 0, 1, 1), 5, 4);
        assert!(l.count <= 1);
    }

    #[test]
    fn a_lane_is_dashed_only_while_its_node_is_down() {
        let rec = |step, node, kind| EventRec { step, time: 0, node, lamport: 0, kind, sends: 0 };
        let hist = vec![
            rec(0, 0, EvKind::Start),
            rec(0, 1, EvKind::Start),
            rec(1, 1, EvKind::Request),
            rec(1, 1, EvKind::Crash),
            rec(2, 0, EvKind::Request),
            rec(3, 1, EvKind::Recover),
            rec(4, 0, EvKind::Request),
        ];
        let mut downs = Downs::default();
        downs.update(2, &hist[..4]);
        downs.update(2, &hist);
        let l = layout(&hist, 4, 40, 4);
        assert_eq!(down_spans(&hist, &l, &downs, 1, 40), vec![(4, 8)]);
        assert!(down_spans(&hist, &l, &downs, 0, 40).is_empty());
        // A window that starts while node 1 is down: dashed from its edge.
        let l = layout(&hist, 4, 4, 4);
        assert_eq!(l.s0, 3);
        assert!(downs.down_before(&hist, 1, 4));
        assert!(!downs.down_before(&hist, 1, 6));
        // Stale (never updated): the bounded look back agrees.
        assert!(Downs::default().down_before(&hist, 1, 4));
    }
}
