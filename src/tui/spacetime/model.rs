//! What is drawn where along the time axis (pure, no terminal): the
//! history's records are laid out in *slots*, one per step for its node
//! events, plus one more slot for each group of faults (crashes, lost
//! messages) recorded at that step, so a crash never shares a column
//! with the event it follows (`c` after a delivery at step 17 puts `✗`
//! one slot after `●e17`). A zoom level gives columns per slot; the
//! window is found by binary search and laid out backward from its last
//! step, so the cost depends on the pane's width, not on the run's length.

use crate::engine::record::EventRec;
use std::collections::HashSet;

/// At most this many history records are looked at per frame.
pub const MAX_RECORDS: usize = 20_000;

/// Columns per slot (`cols` columns for `per` slots), from zoomed out to in.
pub const LADDER: [(u16, u16); 9] = [(1, 8), (1, 4), (1, 2), (1, 1), (2, 1), (3, 1), (4, 1), (6, 1), (8, 1)];

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

/// The zoom level used until `z` / `Z` pick one: the widest of
/// [`cols_per_step`]'s spacing on the ladder.
pub fn auto_zoom(plot_w: u16, now: u64) -> usize {
    let c = cols_per_step(plot_w, now);
    LADDER.iter().rposition(|&(cols, per)| per == 1 && cols <= c).unwrap_or(4)
}

/// How a zoom level reads in the title.
pub fn zoom_text(level: usize) -> String {
    match LADDER[level.min(LADDER.len() - 1)] {
        (c, 1) => format!("{c} col/step"),
        (_, p) => format!("{p} steps/col"),
    }
}

/// The records of one visible window and where each goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// First and last step shown.
    pub s0: u64,
    pub s1: u64,
    /// History indices laid out: `lo..hi`.
    pub lo: usize,
    pub hi: usize,
    /// Column (from the plot's left edge) of each record `lo..hi`.
    pub xs: Vec<u16>,
    /// Column of each shown step's first slot, in step order.
    pub steps: Vec<(u64, u16)>,
    /// Columns per slot: `cols` for `per` slots.
    pub cols: u16,
    pub per: u16,
}

impl Layout {
    /// Column of record `index`, if it is laid out.
    pub fn x(&self, index: usize) -> Option<u16> {
        (self.lo..self.hi).contains(&index).then(|| self.xs[index - self.lo])
    }

    /// Column of a record outside the window, estimated from its step
    /// (faults add slots the estimate does not count): negative left of
    /// the plot, past `width` right of it.
    pub fn x_est(&self, hist: &[EventRec], index: usize, width: u16) -> i64 {
        if let Some(x) = self.x(index) {
            return x as i64;
        }
        let Some(e) = hist.get(index) else { return width as i64 + 1 };
        let (c, p) = (self.cols as i64, self.per as i64);
        if index < self.lo {
            -1 - (self.s0.saturating_sub(e.step) as i64) * c / p
        } else {
            width as i64 + (e.step.saturating_sub(self.s1) as i64) * c / p
        }
    }

    /// Column of a slot counted from the window's first.
    fn col(&self, slot: u64) -> u16 {
        (slot * self.cols as u64 / self.per as u64).min(u16::MAX as u64) as u16
    }
}

/// Slot offsets within one step for its records, and the step's slot
/// count: node events share slot 0; faults go in later slots, a new one
/// whenever their lane is taken in the current slot.
pub fn sub_slots(recs: &[EventRec]) -> (Vec<u16>, u16) {
    let mut out = Vec::with_capacity(recs.len());
    let (mut cur, mut lanes, mut events, mut faults) = (0u16, HashSet::new(), false, false);
    for r in recs {
        let fault = !r.is_node_event();
        if lanes.contains(&r.node) || (fault && events) || (!fault && faults) {
            cur = cur.saturating_add(1);
            lanes.clear();
            (events, faults) = (false, false);
        }
        lanes.insert(r.node);
        events |= !fault;
        faults |= fault;
        out.push(cur);
    }
    (out, cur + 1)
}

/// Lay out the window of `hist` that ends at step `end` (the present when
/// following) on a plot `width` columns wide at zoom `level`.
pub fn layout(hist: &[EventRec], end: u64, width: u16, level: usize) -> Layout {
    let (cols, per) = LADDER[level.min(LADDER.len() - 1)];
    let capacity = ((width.max(1) as u64 * per as u64) / cols as u64).max(1);
    let hi = hist.partition_point(|e| e.step <= end);
    let floor = hi.saturating_sub(MAX_RECORDS);
    // Steps from `end` backward while their slots fit.
    let mut groups: Vec<(u64, usize, usize, Vec<u16>, u16)> = Vec::new();
    let (mut i, mut step, mut used) = (hi, end, 0u64);
    loop {
        let mut j = i;
        while j > floor && hist[j - 1].step == step {
            j -= 1;
        }
        let (subs, n) = sub_slots(&hist[j..i]);
        if used + n as u64 > capacity && !groups.is_empty() {
            break;
        }
        used += n as u64;
        groups.push((step, j, i, subs, n));
        i = j;
        if step == 0 || used >= capacity || i <= floor {
            break;
        }
        step -= 1;
    }
    groups.reverse();
    let mut l = Layout {
        s0: groups.first().map_or(end, |g| g.0),
        s1: end,
        lo: i,
        hi,
        xs: Vec::with_capacity(hi - i),
        steps: Vec::with_capacity(groups.len()),
        cols,
        per,
    };
    let mut slot = 0u64;
    for (step, _, _, subs, n) in &groups {
        l.steps.push((*step, l.col(slot)));
        for s in subs {
            let x = l.col(slot + *s as u64);
            l.xs.push(x);
        }
        slot += *n as u64;
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::record::{EvKind, LossWhy};

    fn rec(step: u64, node: u32, kind: EvKind) -> EventRec {
        EventRec { step, time: 0, node, lamport: 0, kind, sends: 0 }
    }

    fn recv(step: u64, node: u32) -> EventRec {
        rec(step, node, EvKind::Recv { from: 0, send: 0, kind: 0 })
    }

    fn lost(step: u64, node: u32) -> EventRec {
        rec(step, node, EvKind::Lost { from: 0, send: 0, kind: 0, why: LossWhy::Crash })
    }

    #[test]
    fn a_crash_takes_its_own_slot() {
        let hist = [
            rec(0, 0, EvKind::Start),
            rec(0, 1, EvKind::Start),
            recv(1, 1),
            lost(1, 1),
            rec(1, 1, EvKind::Crash),
            rec(2, 1, EvKind::Recover),
        ];
        assert_eq!(sub_slots(&hist[2..5]), (vec![0, 1, 2], 3));
        assert_eq!(sub_slots(&hist[..2]), (vec![0, 0], 1));
        let l = layout(&hist, 2, 40, 4);
        assert_eq!((l.s0, l.s1, l.lo, l.hi), (0, 2, 0, 6));
        // Two columns a slot: starts at 0, the receive at 2, its lost
        // message at 4, the crash at 6, the recovery at 8.
        assert_eq!(l.xs, vec![0, 0, 2, 4, 6, 8]);
        assert_eq!(l.steps, vec![(0, 0), (1, 2), (2, 8)]);
    }

    #[test]
    fn the_window_ends_at_its_last_step_and_fills_backward() {
        let hist: Vec<EventRec> = (0..100).map(|s| recv(s, (s % 3) as u32)).collect();
        let l = layout(&hist, 99, 20, 4);
        assert_eq!((l.s0, l.s1), (90, 99));
        assert_eq!(l.x(99), Some(18));
        assert_eq!(l.x(89), None);
        assert!(l.x_est(&hist, 89, 20) < 0);
        // Panned back to step 50, zoomed out to 4 steps a column.
        let l = layout(&hist, 50, 20, 1);
        assert_eq!((l.s0, l.s1), (0, 50));
        assert_eq!(l.x(50), Some(12));
        assert!(l.x_est(&hist, 60, 20) > 20);
        assert_eq!(zoom_text(1), "4 steps/col");
        assert_eq!(zoom_text(7), "6 col/step");
        assert_eq!(auto_zoom(68, 7), 7);
        assert_eq!(auto_zoom(68, 40), 4);
    }
}
