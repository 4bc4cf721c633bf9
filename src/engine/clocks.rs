//! Ground-truth logical clocks, kept by the engine for every event of every
//! scenario, whatever the algorithm itself believes.

use super::protocol::NodeId;
use std::sync::Arc;

/// A vector clock as carried by a message: shared by all the sends of one event.
pub type Stamp = Arc<[u32]>;

/// Lamport and vector clocks of every node.
#[derive(Clone, Debug)]
pub struct Clocks {
    n: usize,
    lamport: Vec<u64>,
    /// Row-major n x n: row i is node i's vector clock.
    vc: Vec<u32>,
}

impl Clocks {
    pub fn new(n: usize) -> Self {
        Clocks { n, lamport: vec![0; n], vc: vec![0; n * n] }
    }

    pub fn lamport(&self, node: NodeId) -> u64 {
        self.lamport[node]
    }

    pub fn vector(&self, node: NodeId) -> &[u32] {
        &self.vc[node * self.n..(node + 1) * self.n]
    }

    /// A local or send event at `node`. Returns the new Lamport time.
    pub fn tick(&mut self, node: NodeId) -> u64 {
        self.lamport[node] += 1;
        self.vc[node * self.n + node] += 1;
        self.lamport[node]
    }

    /// A receive event at `node` of a message stamped `(lamport, vc)`.
    pub fn receive(&mut self, node: NodeId, lamport: u64, vc: &[u32]) -> u64 {
        self.lamport[node] = self.lamport[node].max(lamport);
        let row = &mut self.vc[node * self.n..(node + 1) * self.n];
        for (mine, theirs) in row.iter_mut().zip(vc) {
            *mine = (*mine).max(*theirs);
        }
        self.tick(node)
    }

    /// The stamp a message sent now by `node` carries.
    pub fn stamp(&self, node: NodeId) -> Stamp {
        Arc::from(self.vector(node))
    }
}

/// Does the event stamped `a` happen before the one stamped `b`?
pub fn happens_before(a: &[u32], b: &[u32]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y) && a != b
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
        assert_eq!(c.vector(1), &[1, 3, 0]);
        assert!(happens_before(&s, c.vector(1)));
        assert!(!happens_before(c.vector(1), &s));
        assert!(!happens_before(&s, &s));
    }
}
