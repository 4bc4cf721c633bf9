//! The bully-election monitor: who acts as coordinator in which connected
//! component (`highest-wins`, `one-coordinator`, split brain when components
//! merge) and, at quiescence after an election, whether everyone agrees on
//! the highest live id (`agreement`).

use super::{HIGHEST_WINS, Node, ONE_COORDINATOR, Phase, Sum};
use crate::algos::election::kit as election;
use crate::engine::invariant::{Change, Monitor, Violation, World};
use crate::engine::network::Faults;
use crate::engine::protocol::{NodeId, Role, Summary};
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

/// Invariants:
/// - `highest-wins`: a node declares itself coordinator only when no higher
///   id is alive in its connected component;
/// - `one-coordinator`: no two nodes of one component act as coordinator,
///   except while a higher one takes over (the bully's move: the lower one
///   steps down when its COORDINATOR arrives). Reported when a node claims
///   under a higher coordinator, when components merge (a healed partition:
///   split brain), and at quiescence;
/// - `agreement`: at quiescence after an election opened (by `elect`, a
///   recovery or a restart; joining one does not count) after the last
///   fault (crash, recovery, link change), every live node of the opener's
///   component believes in its highest live id (not judged while links are
///   cut: the bully algorithm needs every pair of live nodes to talk).
#[derive(Clone)]
pub struct Check {
    seq: u64,
    last_fault: u64,
    last_start: Option<(u64, NodeId)>,
    /// The `last_start` whose agreement was judged already.
    judged: Option<u64>,
    /// Live nodes acting as coordinator.
    leaders: BTreeSet<NodeId>,
    /// Believed coordinator → how many live nodes believe in it.
    beliefs: BTreeMap<NodeId, u32>,
    /// Pairs of coordinators already reported (until one steps down).
    reported: BTreeSet<(NodeId, NodeId)>,
    /// Links and liveness at the last fault, to see components merge.
    before: (Faults, Vec<bool>),
}

impl Check {
    pub(super) fn new(n: usize) -> Self {
        Check {
            seq: 0,
            last_fault: 0,
            last_start: None,
            judged: None,
            leaders: BTreeSet::new(),
            beliefs: BTreeMap::new(),
            reported: BTreeSet::new(),
            before: (Faults::default(), vec![true; n]),
        }
    }

    fn add(&mut self, s: &Sum) {
        if s.role() == Role::Leader {
            self.leaders.insert(s.me);
        }
        if let Some(c) = s.coordinator {
            *self.beliefs.entry(c).or_default() += 1;
        }
    }

    fn remove(&mut self, s: &Sum) {
        if s.role() == Role::Leader {
            self.leaders.remove(&s.me);
        }
        if let Some(c) = s.coordinator
            && let Some(k) = self.beliefs.get_mut(&c)
        {
            *k -= 1;
            if *k == 0 {
                self.beliefs.remove(&c);
            }
        }
    }

    /// `x` no longer acts as coordinator: its pairs may be reported again.
    fn stepped_down(&mut self, x: NodeId) {
        self.reported.retain(|&(a, b)| a != x && b != x);
    }

    /// Coordinator pairs that share a component now, and did not under
    /// `before` (when given), not yet reported.
    fn pairs_together(&self, w: &World<Node>, before: Option<&(Faults, Vec<bool>)>) -> Vec<(NodeId, NodeId)> {
        if self.leaders.len() < 2 {
            return Vec::new();
        }
        let now = Comps::new(w.faults, w.alive);
        let then = before.map(|(f, a)| Comps::new(f, a));
        let l: Vec<NodeId> = self.leaders.iter().copied().collect();
        let mut out = Vec::new();
        for (i, &a) in l.iter().enumerate() {
            for &b in &l[i + 1..] {
                if now.together(a, b)
                    && !then.as_ref().is_some_and(|t| t.together(a, b))
                    && !self.reported.contains(&(a, b))
                {
                    out.push((a, b));
                }
            }
        }
        out
    }
}

/// "Are a and b in one connected component?" for some links and liveness;
/// computes the components only when links are cut (a partition alone
/// keeps every group a clique).
struct Comps<'a> {
    faults: &'a Faults,
    alive: &'a [bool],
    comp: Option<Vec<usize>>,
}

impl<'a> Comps<'a> {
    fn new(faults: &'a Faults, alive: &'a [bool]) -> Self {
        let comp = (!faults.cut.is_empty()).then(|| {
            let mut comp = vec![usize::MAX; alive.len()];
            for (i, c) in faults.components(alive).iter().enumerate() {
                for &x in c {
                    comp[x] = i;
                }
            }
            comp
        });
        Comps { faults, alive, comp }
    }

    fn together(&self, a: NodeId, b: NodeId) -> bool {
        if !self.alive[a] || !self.alive[b] {
            return false;
        }
        match &self.comp {
            Some(comp) => comp[a] == comp[b],
            None => self.faults.link_up(a, b),
        }
    }

    /// The highest live id in `x`'s component.
    fn highest(&self, x: NodeId) -> NodeId {
        (x + 1..self.alive.len()).rev().find(|&y| self.together(x, y)).unwrap_or(x)
    }
}

fn and_list(v: &[NodeId]) -> String {
    match v {
        [] => String::new(),
        [a] => a.to_string(),
        [init @ .., last] => {
            format!("{} and {last}", init.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", "))
        }
    }
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        false
    }

    /// The change count enters only as "after the last fault" and
    /// "judged already".
    fn fingerprint(&self, _w: &World<Node>, mut h: &mut dyn Hasher) {
        let start = self.last_start.map(|(at, x)| (at >= self.last_fault, x, self.judged == Some(at)));
        (start, &self.leaders, &self.beliefs, &self.reported, &self.before.0, &self.before.1).hash(&mut h);
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        self.seq += 1;
        match change {
            Change::Summary(x) => {
                let s = &w.summaries[x];
                if let Some(o) = old {
                    self.remove(o);
                }
                self.add(s);
                if old.is_some_and(|o| o.opened < s.opened) {
                    self.last_start = Some((self.seq, x));
                }
                let was = old.is_some_and(|o| o.role() == Role::Leader);
                if was && s.role() != Role::Leader {
                    self.stepped_down(x);
                }
                if was || s.role() != Role::Leader {
                    return Vec::new();
                }
                // x has just claimed leadership.
                let comps = Comps::new(w.faults, w.alive);
                let mut out = Vec::new();
                let h = comps.highest(x);
                if h != x {
                    out.push(w.violation(
                        HIGHEST_WINS.name,
                        format!(
                            "node {x} declares itself coordinator while {h}, a higher id, is alive in its component"
                        ),
                    ));
                }
                let above: Vec<NodeId> =
                    self.leaders.range(x + 1..).copied().filter(|&y| comps.together(x, y)).collect();
                for y in above {
                    self.reported.insert((x, y));
                    out.push(election::two_coordinators(w, y, x));
                }
                out
            }
            Change::Crash(x) => {
                if let Some(o) = old {
                    self.remove(o);
                }
                self.stepped_down(x);
                self.last_fault = self.seq;
                self.before = (w.faults.clone(), w.alive.to_vec());
                Vec::new()
            }
            Change::Recover(_) | Change::Links => {
                if let (Change::Recover(x), Some(o)) = (change, old) {
                    debug_assert_eq!(o.me, x);
                    self.add(o);
                }
                self.last_fault = self.seq;
                let merged = self.pairs_together(w, Some(&self.before));
                self.before = (w.faults.clone(), w.alive.to_vec());
                merged
                    .into_iter()
                    .map(|(a, b)| {
                        self.reported.insert((a, b));
                        w.violation(
                            ONE_COORDINATOR.name,
                            format!("nodes {a} and {b} both act as coordinator in one component (split brain: their components merged)"),
                        )
                        .about(&[a, b])
                    })
                    .collect()
            }
        }
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        let mut out: Vec<Violation> = Vec::new();
        for (a, b) in self.pairs_together(w, None) {
            self.reported.insert((a, b));
            out.push(
                w.violation(
                    ONE_COORDINATOR.name,
                    format!("nodes {a} and {b} both act as coordinator in one component at quiescence"),
                )
                .about(&[a, b]),
            );
        }
        let Some((at, starter)) = self.last_start else { return out };
        if self.judged == Some(at) || at < self.last_fault || !w.alive[starter] || !w.faults.cut.is_empty() {
            return out;
        }
        self.judged = Some(at);
        let comps = Comps::new(w.faults, w.alive);
        let highest = comps.highest(starter);
        for y in (0..w.n()).filter(|&y| comps.together(starter, y)) {
            let s = &w.summaries[y];
            if s.coordinator != Some(highest) || s.phase != Phase::Normal {
                out.push(election::disagrees(w, y, s.coordinator, highest));
            }
        }
        out
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        election::leaders(w, |s| s.coordinator)
    }

    fn status(&self, w: &World<Node>) -> Option<String> {
        let believed: Vec<NodeId> = self.beliefs.keys().copied().collect();
        if w.faults.group.is_some() && believed.len() >= 2 {
            return Some(format!("split brain: leaders {}", and_list(&believed)));
        }
        if self.leaders.len() >= 2 {
            let l: Vec<NodeId> = self.leaders.iter().copied().collect();
            return Some(format!("{} coordinators: {}", l.len(), and_list(&l)));
        }
        let dead: Vec<NodeId> = believed.into_iter().filter(|&c| !w.alive[c]).collect();
        match dead.as_slice() {
            [] => None,
            [c] => Some(format!("coordinator {c} is down")),
            _ => Some(format!("coordinators {} are down", and_list(&dead))),
        }
    }
}
