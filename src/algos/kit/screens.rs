//! What a monitor keeps for the screens pane: every node's console, built
//! from the lines each event printed (its summary carries them), bounded
//! per node, and handed out as a [`Transcript`] with the focused node
//! first. Used by the scenarios whose nodes "print" (chat-rooms,
//! socket-echo, shared-memory).

use crate::engine::invariant::{Screen, Transcript};
use crate::engine::protocol::NodeId;
use std::collections::VecDeque;

#[derive(Clone)]
pub(crate) struct Screens {
    lines: Vec<VecDeque<String>>,
    totals: Vec<usize>,
    max: usize,
}

impl Screens {
    /// `n` empty screens keeping their last `max` lines each.
    pub(crate) fn new(n: usize, max: usize) -> Self {
        Screens { lines: vec![VecDeque::new(); n], totals: vec![0; n], max }
    }

    /// Node `x` printed `lines`.
    pub(crate) fn print(&mut self, x: NodeId, lines: &[String]) {
        let screen = &mut self.lines[x];
        for line in lines {
            if screen.len() == self.max {
                screen.pop_front();
            }
            screen.push_back(line.clone());
            self.totals[x] += 1;
        }
    }

    /// The lines node `x`'s screen still holds, oldest first.
    pub(crate) fn lines(&self, x: NodeId) -> impl Iterator<Item = &String> {
        self.lines[x].iter()
    }

    /// At most `limit` screens of the nodes in `order` (the focused one
    /// first if it is among them), each with its last `tail` lines.
    pub(crate) fn transcript(
        &self,
        focus: NodeId,
        order: impl Iterator<Item = NodeId>,
        limit: usize,
        tail: usize,
        title: impl Fn(NodeId) -> String,
    ) -> Transcript {
        let order: Vec<NodeId> = order.collect();
        let total = order.len();
        let first = order.iter().copied().find(|&i| i == focus);
        let screens = first
            .into_iter()
            .chain(order.into_iter().filter(|&i| Some(i) != first))
            .take(limit)
            .map(|i| {
                let t = &self.lines[i];
                Screen {
                    node: i,
                    title: title(i),
                    lines: t.iter().skip(t.len().saturating_sub(tail)).cloned().collect(),
                    total: self.totals[i],
                }
            })
            .collect();
        Transcript { screens, total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screens_keep_their_last_lines_and_the_focus_goes_first() {
        let mut s = Screens::new(3, 2);
        s.print(1, &["a".into(), "b".into(), "c".into()]);
        s.print(2, &["x".into()]);
        assert_eq!(s.lines(1).cloned().collect::<Vec<_>>(), ["b", "c"]);
        let t = s.transcript(2, [1, 2, 0].into_iter(), 2, 1, |i| format!("n{i}"));
        assert_eq!(t.total, 3);
        let got: Vec<(NodeId, Vec<String>, usize)> =
            t.screens.into_iter().map(|s| (s.node, s.lines, s.total)).collect();
        assert_eq!(got, [(2, vec!["x".to_string()], 1), (1, vec!["c".to_string()], 3)]);
        // A focus outside the order is ignored.
        let t = s.transcript(0, [1, 2].into_iter(), 5, 5, |i| format!("n{i}"));
        assert_eq!(t.screens.iter().map(|s| s.node).collect::<Vec<_>>(), [1, 2]);
    }
}
