//! The network's shape and faults: latency, loss, duplication, partitions,
//! cut links. The in-flight set itself lives in the simulator.

use super::protocol::{MAX_MS, MS, NodeId, Time};
use std::collections::BTreeSet;

/// Latency, loss and duplication of every link.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NetConfig {
    pub latency_min: Time,
    pub latency_max: Time,
    /// Probability in [0, 1] that a sent message is lost.
    pub loss: f64,
    /// Probability in [0, 1] that a sent message arrives twice.
    pub dup: f64,
    /// Per-link FIFO: a message never overtakes an earlier one on its link.
    pub fifo: bool,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig { latency_min: MS, latency_max: 10 * MS, loss: 0.0, dup: 0.0, fifo: false }
    }
}

impl NetConfig {
    /// The ranges `latency`, `loss` and `dup-rate` accept (a trace's
    /// configuration is untrusted input).
    pub fn check(&self) -> Result<(), String> {
        check_latency(self.latency_min, self.latency_max)?;
        check_prob(self.loss)?;
        check_prob(self.dup)
    }
}

/// A duration anyone may type: 0 to [`MAX_MS`] ms.
pub fn check_time(t: Time) -> Result<(), String> {
    if t <= MAX_MS * MS { Ok(()) } else { Err(format!("{} ms is out of range (0 to {MAX_MS})", t / MS)) }
}

pub fn check_latency(min: Time, max: Time) -> Result<(), String> {
    check_time(min)?;
    check_time(max)?;
    if min > max { Err("latency MIN MAX needs MIN <= MAX".into()) } else { Ok(()) }
}

pub fn check_prob(p: f64) -> Result<(), String> {
    if (0.0..=1.0).contains(&p) { Ok(()) } else { Err(format!("probability {p} is not between 0 and 1")) }
}

/// A kind of fault a run may suffer. A scenario's card lists the ones its
/// algorithm claims to survive; a liveness property lost to any other is a
/// status naming the fault, not a violation (the severity rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// A node stopped (`crash`); its in-flight messages died with it.
    Crash,
    /// A node came back with only what it persisted (`recover`).
    Recover,
    /// A message was lost (`drop`, `loss P`).
    Loss,
    /// A message arrived twice (`dup`, `dup-rate P`).
    Dup,
    /// A message was held back past later ones (`delay`).
    Delay,
    /// Links went down (`partition`, `cut`), and the messages sent over them.
    Partition,
    /// A timer was dropped by hand (`drop` of a timer): it never fires. No
    /// algorithm claims to survive that, so it is never on a card.
    Timer,
}

impl Fault {
    /// Plural words for texts ("claims to survive: crashes, lost messages").
    pub fn words(self) -> &'static str {
        match self {
            Fault::Crash => "crashes",
            Fault::Recover => "recoveries",
            Fault::Loss => "lost messages",
            Fault::Dup => "duplicated messages",
            Fault::Delay => "delayed (reordered) messages",
            Fault::Partition => "partitions and cut links",
            Fault::Timer => "dropped timers",
        }
    }
}

/// One fault applied to a run, as the engine's fault log keeps it: small
/// (a run with random loss logs every lost message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaultRec {
    pub step: u64,
    pub fault: Fault,
    pub what: FaultWhat,
}

/// What a fault hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultWhat {
    /// A message: its id (0 when it was lost as it was sent and never had
    /// one), kind index, endpoints, and what happened to it ("dropped").
    Msg {
        id: u64,
        kind: u16,
        from: u32,
        to: u32,
        how: &'static str,
    },
    Node(u32),
    Link(u32, u32),
    /// The whole network (a partition).
    Network,
    /// A timer of a node, by its id.
    Timer {
        id: u64,
        node: u32,
    },
}

impl FaultRec {
    /// Does the fault touch `node` (a message from or to it, the node
    /// itself, a link of it)? A partition touches no node in particular.
    pub fn involves(&self, node: NodeId) -> bool {
        let n = node as u32;
        match self.what {
            FaultWhat::Msg { from, to, .. } => from == n || to == n,
            FaultWhat::Node(x) => x == n,
            FaultWhat::Link(a, b) => a == n || b == n,
            FaultWhat::Network => false,
            FaultWhat::Timer { node, .. } => node == n,
        }
    }

    /// One phrase: "REQUEST #9 1→2 was dropped at step 4"; `kind` names a
    /// message kind index.
    pub fn describe(&self, kind: impl Fn(u16) -> &'static str) -> String {
        let at = self.step;
        match self.what {
            FaultWhat::Msg { id, kind: k, from, to, how } => {
                let id = if id == 0 { String::new() } else { format!(" #{id}") };
                format!("{}{id} {from}→{to} was {how} at step {at}", kind(k))
            }
            FaultWhat::Node(x) if self.fault == Fault::Recover => format!("node {x} recovered at step {at}"),
            FaultWhat::Node(x) => format!("node {x} crashed at step {at}"),
            FaultWhat::Link(a, b) => format!("link {a}–{b} was cut at step {at}"),
            FaultWhat::Network => format!("the network was partitioned at step {at}"),
            FaultWhat::Timer { id, node } => format!("timer #{id} of node {node} was dropped at step {at}"),
        }
    }
}

/// Partitions and cut links. Crashes live in the simulator's `alive`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Faults {
    /// Group of each node while partitioned; `None` when not partitioned.
    pub group: Option<Vec<u32>>,
    /// Cut links as ordered pairs (low, high).
    pub cut: BTreeSet<(NodeId, NodeId)>,
}

impl Faults {
    pub fn link_up(&self, a: NodeId, b: NodeId) -> bool {
        if a == b {
            return true;
        }
        if let Some(g) = &self.group
            && g[a] != g[b]
        {
            return false;
        }
        self.cut.is_empty() || !self.cut.contains(&(a.min(b), a.max(b)))
    }

    pub fn is_clear(&self) -> bool {
        self.group.is_none() && self.cut.is_empty()
    }

    /// Split the nodes into the listed groups; unlisted nodes form one more group.
    pub fn partition(&mut self, n: usize, groups: &[Vec<NodeId>]) {
        let rest = groups.len() as u32;
        let mut g = vec![rest; n];
        for (i, grp) in groups.iter().enumerate() {
            for &node in grp {
                g[node] = i as u32;
            }
        }
        self.group = Some(g);
    }

    pub fn heal(&mut self) {
        self.group = None;
        self.cut.clear();
    }

    /// Connected components of the live nodes over the up links, each sorted,
    /// ordered by their lowest id. O(nodes + cut links), not O(nodes²): the
    /// election monitors ask at every new leader, with up to 4096 nodes.
    pub fn components(&self, alive: &[bool]) -> Vec<Vec<NodeId>> {
        // Live nodes by partition group (one group when not partitioned).
        let mut groups: std::collections::BTreeMap<u32, Vec<NodeId>> = std::collections::BTreeMap::new();
        for i in (0..alive.len()).filter(|&i| alive[i]) {
            groups.entry(self.group.as_ref().map_or(0, |g| g[i])).or_default().push(i);
        }
        let mut out: Vec<Vec<NodeId>> = Vec::new();
        for mut rest in groups.into_values() {
            // Within a group only cut links separate nodes: a search over
            // the complement of the cuts. A node is passed over only for a
            // cut link, so every scan costs its finds plus its cuts.
            while let Some(start) = rest.pop() {
                let mut members = vec![start];
                let mut i = 0;
                while i < members.len() && !rest.is_empty() {
                    let a = members[i];
                    i += 1;
                    let mut kept = Vec::new();
                    for b in rest.drain(..) {
                        if self.cut.contains(&(a.min(b), a.max(b))) { kept.push(b) } else { members.push(b) }
                    }
                    rest = kept;
                }
                members.sort_unstable();
                out.push(members);
            }
        }
        out.sort_unstable_by_key(|m| m[0]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_and_cut_split_components() {
        let mut f = Faults::default();
        let alive = vec![true; 5];
        assert_eq!(f.components(&alive), vec![vec![0, 1, 2, 3, 4]]);
        f.partition(5, &[vec![0, 1], vec![2, 3]]);
        assert_eq!(f.components(&alive), vec![vec![0, 1], vec![2, 3], vec![4]]);
        assert!(!f.link_up(1, 2));
        assert!(f.link_up(0, 1));
        f.heal();
        f.cut.insert((0, 1));
        // 0 and 1 still reach each other through the others.
        assert_eq!(f.components(&alive), vec![vec![0, 1, 2, 3, 4]]);
        let alive = vec![true, true, false, false, false];
        assert_eq!(f.components(&alive), vec![vec![0], vec![1]]);
    }

    /// The quadratic search the fast one replaced: every pair's link.
    fn components_by_pairs(f: &Faults, alive: &[bool]) -> Vec<Vec<NodeId>> {
        let n = alive.len();
        let mut comp = vec![usize::MAX; n];
        let mut out: Vec<Vec<NodeId>> = Vec::new();
        for start in (0..n).filter(|&s| alive[s]) {
            if comp[start] != usize::MAX {
                continue;
            }
            let (c, mut members, mut i) = (out.len(), vec![start], 0);
            comp[start] = c;
            while i < members.len() {
                let a = members[i];
                i += 1;
                for b in 0..n {
                    if alive[b] && comp[b] == usize::MAX && f.link_up(a, b) {
                        comp[b] = c;
                        members.push(b);
                    }
                }
            }
            members.sort_unstable();
            out.push(members);
        }
        out
    }

    #[test]
    fn components_match_the_pairwise_search() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut rand = move |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        for case in 0..2000 {
            let n = 1 + rand(12) as usize;
            let alive: Vec<bool> = (0..n).map(|_| rand(5) > 0).collect();
            let mut f = Faults::default();
            if case % 3 == 0 {
                let groups: Vec<Vec<NodeId>> = (0..n).map(|i| (i, rand(3))).fold(vec![vec![]; 3], |mut g, (i, k)| {
                    g[k as usize].push(i);
                    g
                });
                f.partition(n, &groups[..2]);
            }
            for _ in 0..rand(2 * n as u64 + 1) {
                let (a, b) = (rand(n as u64) as usize, rand(n as u64) as usize);
                if a != b {
                    f.cut.insert((a.min(b), a.max(b)));
                }
            }
            assert_eq!(f.components(&alive), components_by_pairs(&f, &alive), "{f:?} {alive:?}");
        }
    }
}
