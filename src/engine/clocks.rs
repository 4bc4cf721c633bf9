//! Ground-truth logical clocks, kept by the engine for every event of every
//! scenario, whatever the algorithm itself believes.
//!
//! Vector clocks are stored as copy-on-write chunks of 32 entries, so the
//! stamp a message carries shares memory with its sender's clock: with
//! 1,000 nodes and a million messages in flight a stamp costs a few
//! pointers, not 4 KB.

use super::protocol::NodeId;
use std::cell::RefCell;
use std::sync::Arc;

const CHUNK: usize = 32;
type Chunk = Arc<[u32; CHUNK]>;

/// A vector clock as carried by a message: shared by all the sends of one event.
#[derive(Clone, Debug)]
pub struct Stamp(Arc<[Chunk]>);

impl Stamp {
    pub fn to_vec(&self, n: usize) -> Vec<u32> {
        let mut v: Vec<u32> = self.0.iter().flat_map(|c| c.iter().copied()).collect();
        v.truncate(n);
        v
    }
}

/// Lamport and vector clocks of every node.
#[derive(Debug)]
pub struct Clocks {
    n: usize,
    lamport: Vec<u64>,
    rows: Vec<Vec<Chunk>>,
}

clone_by_fields!([] Clocks { n, lamport, rows });

impl Clocks {
    pub fn new(n: usize) -> Self {
        let zero: Chunk = Arc::new([0; CHUNK]);
        let chunks = n.div_ceil(CHUNK);
        Clocks { n, lamport: vec![0; n], rows: vec![vec![zero; chunks]; n] }
    }

    pub fn lamport(&self, node: NodeId) -> u64 {
        self.lamport[node]
    }

    /// Node `node`'s vector clock.
    pub fn vector(&self, node: NodeId) -> Vec<u32> {
        let mut v: Vec<u32> = self.rows[node].iter().flat_map(|c| c.iter().copied()).collect();
        v.truncate(self.n);
        v
    }

    /// A local or send event at `node`. Returns the new Lamport time.
    pub fn tick(&mut self, node: NodeId) -> u64 {
        self.lamport[node] += 1;
        Arc::make_mut(&mut self.rows[node][node / CHUNK])[node % CHUNK] += 1;
        self.lamport[node]
    }

    /// A receive event at `node` of a message stamped `(lamport, stamp)`.
    pub fn receive(&mut self, node: NodeId, lamport: u64, stamp: &Stamp) -> u64 {
        self.lamport[node] = self.lamport[node].max(lamport);
        for (mine, theirs) in self.rows[node].iter_mut().zip(stamp.0.iter()) {
            if Arc::ptr_eq(mine, theirs) {
                continue;
            }
            let (mut ahead, mut behind) = (false, false);
            for (m, t) in mine.iter().zip(theirs.iter()) {
                ahead |= t > m;
                behind |= t < m;
            }
            if !ahead {
                continue;
            }
            if !behind {
                // Theirs dominates this chunk: share it instead of copying.
                *mine = theirs.clone();
            } else {
                let m = Arc::make_mut(mine);
                for (m, t) in m.iter_mut().zip(theirs.iter()) {
                    *m = (*m).max(*t);
                }
            }
        }
        self.tick(node)
    }

    /// The stamp a message sent now by `node` carries.
    pub fn stamp(&self, node: NodeId) -> Stamp {
        Stamp(self.rows[node].iter().cloned().collect())
    }
}

/// A run's ground-truth vector clocks ([`VcTracker`]), made the first time
/// someone asks for one: most runs never do, and a state of the model
/// checker's search would otherwise copy n + 3 buffers of zeros.
#[derive(Debug, Default)]
pub struct LazyVc(RefCell<Option<Box<VcTracker>>>);

impl Clone for LazyVc {
    fn clone(&self) -> Self {
        LazyVc(RefCell::new(self.0.borrow().clone()))
    }
    fn clone_from(&mut self, src: &Self) {
        match (self.0.get_mut(), &*src.0.borrow()) {
            (Some(to), Some(from)) => to.clone_from(from),
            (to, from) => *to = from.clone(),
        }
    }
}

impl LazyVc {
    /// Node `node`'s vector clock after `history`, in a run of `n` nodes
    /// (O(N) per event since the last call).
    pub fn vector(&self, n: usize, history: &[super::record::EventRec], node: NodeId) -> Vec<u32> {
        let mut vc = self.0.borrow_mut();
        let vc = vc.get_or_insert_with(|| Box::new(VcTracker::new(n)));
        vc.catch_up(history);
        vc.vector(node)
    }

    /// See [`VcTracker::add_copy`] (nothing to do before the clocks exist:
    /// they will see the copy in the history).
    pub fn add_copy(&mut self, send: u32) {
        if let Some(vc) = self.0.get_mut() {
            vc.add_copy(send);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receive_merges_and_ticks() {
        let mut c = Clocks::new(3);
        c.tick(0);
        let s = c.stamp(0);
        let l = c.lamport(0);
        c.tick(1);
        c.tick(1);
        assert_eq!(c.receive(1, l, &s), 3);
        assert_eq!(c.vector(1), vec![1, 3, 0]);
        assert_eq!(s.to_vec(3), vec![1, 0, 0]);
    }

    #[test]
    fn chunks_across_boundaries_merge_like_flat_vectors() {
        let n = 70;
        let mut c = Clocks::new(n);
        let mut flat = vec![vec![0u32; n]; n];
        // A chain of sends 0 -> 33 -> 69 -> 1 with local events between.
        let hops = [(0, 33), (33, 69), (69, 1), (1, 40)];
        for (from, to) in hops {
            c.tick(from);
            flat[from][from] += 1;
            let s = c.stamp(from);
            let sent = flat[from].clone();
            c.tick(to);
            flat[to][to] += 1;
            c.receive(to, c.lamport(from), &s);
            for i in 0..n {
                flat[to][i] = flat[to][i].max(sent[i]);
            }
            flat[to][to] += 1;
            assert_eq!(s.to_vec(n), sent);
        }
        for (node, want) in flat.iter().enumerate() {
            assert_eq!(&c.vector(node), want, "node {node}");
        }
    }
}

/// Vector clocks derived from the history on demand. The engine records
/// which event sent each message; replaying the records in order rebuilds
/// every node's vector clock exactly as an eager tracker would, but only
/// when someone looks (the TUI, an export, a test), so headless runs at
/// 1,000 nodes do not pay O(N) per event.
#[derive(Debug)]
pub struct VcTracker {
    clocks: Clocks,
    upto: usize,
    /// Stamps of send events with messages not yet received or lost.
    open: std::collections::HashMap<u32, (Stamp, u32)>,
}

// By hand, for `clone_from` (see `clone_by_fields`), which skips two
// trackers nobody has asked.
impl Clone for VcTracker {
    fn clone(&self) -> Self {
        let VcTracker { clocks, upto, open } = self;
        VcTracker { clocks: clocks.clone(), upto: *upto, open: open.clone() }
    }
    fn clone_from(&mut self, src: &Self) {
        if self.upto == 0 && src.upto == 0 && self.clocks.n == src.clocks.n {
            // Both as new (nobody asked either for a clock): equal already.
            return;
        }
        self.clocks.clone_from(&src.clocks);
        self.upto = src.upto;
        self.open.clone_from(&src.open);
    }
}

impl VcTracker {
    pub fn new(n: usize) -> Self {
        VcTracker { clocks: Clocks::new(n), upto: 0, open: Default::default() }
    }

    /// Process the records not seen yet.
    pub fn catch_up(&mut self, history: &[super::record::EventRec]) {
        while self.upto < history.len() {
            self.apply(self.upto as u32, &history[self.upto]);
            self.upto += 1;
        }
    }

    pub fn vector(&self, node: NodeId) -> Vec<u32> {
        self.clocks.vector(node)
    }

    /// One more copy of the messages sent by history event `send` is in
    /// flight (a `dup`). If that event was already processed, its stamp must
    /// wait for the extra receive too.
    pub fn add_copy(&mut self, send: u32) {
        if (send as usize) < self.upto
            && let Some(entry) = self.open.get_mut(&send)
        {
            entry.1 += 1;
        }
    }

    fn release(&mut self, send: u32) -> Option<Stamp> {
        let entry = self.open.get_mut(&send)?;
        entry.1 = entry.1.saturating_sub(1);
        if entry.1 == 0 { self.open.remove(&send).map(|e| e.0) } else { Some(entry.0.clone()) }
    }

    fn apply(&mut self, index: u32, e: &super::record::EventRec) {
        use super::record::EvKind;
        let node = e.node as usize;
        match e.kind {
            EvKind::Crash => return,
            EvKind::Lost { send, .. } => {
                self.release(send);
                return;
            }
            EvKind::Recv { send, .. } => match self.release(send) {
                Some(stamp) => {
                    self.clocks.receive(node, 0, &stamp);
                }
                None => {
                    self.clocks.tick(node);
                }
            },
            _ => {
                self.clocks.tick(node);
            }
        }
        if e.sends > 0 {
            self.open.insert(index, (self.clocks.stamp(node), e.sends));
        }
    }
}
