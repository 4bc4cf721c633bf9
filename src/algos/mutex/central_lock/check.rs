//! The central-lock monitor: mutual exclusion, grants in the order the
//! requests arrived at the coordinator (against the monitor's own mirror of
//! the wait queue), and no-starvation while the lock service can answer.

use super::{Node, Sum};
use crate::algos::mutex::kit::{self as mutex, Inside};
use crate::card::Property;
use crate::engine::invariant::{Change, Monitor, Violation, World};
use crate::engine::protocol::{NodeId, Role};
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

/// `fifo-grants`: first come, first served.
pub const FIFO_GRANTS: Property =
    Property::safety("fifo-grants", "the coordinator grants the lock in the order the requests arrived");

/// `no-starvation`, judged only while the lock service can answer.
pub const NO_STARVATION: Property = mutex::no_starvation(
    "when nothing is left to deliver, with the coordinator and the holder it remembers up and nobody in the \
     CS, no live node still waits for a GRANT",
);

/// Invariants: mutual exclusion; grants in the order requests arrived at
/// the coordinator (checked against the monitor's own mirror of the queue,
/// built from the coordinator's arrivals); at quiescence, while the
/// coordinator and the holder it remembers are up, nobody is left waiting.
#[derive(Clone, Default)]
pub struct Check {
    coordinator: NodeId,
    persist_all: bool,
    mirror: VecDeque<NodeId>,
    in_cs: Inside,
    cs_order: Vec<NodeId>,
    grants: Vec<NodeId>,
}

impl Check {
    /// The monitor of a run whose lock server is `coordinator`.
    pub fn new(coordinator: NodeId, persist_all: bool) -> Self {
        Check { coordinator, persist_all, ..Check::default() }
    }

    fn coordinator_changed(&mut self, w: &World<Node>, old: &Sum, s: &Sum, out: &mut Vec<Violation>) {
        if s.arrivals > old.arrivals {
            self.mirror.push_back(s.last_arrival);
        }
        if s.grants > old.grants {
            let Some(g) = s.holder else { return };
            self.grants.push(g);
            match self.mirror.iter().position(|&x| x == g) {
                Some(0) => {
                    self.mirror.pop_front();
                }
                Some(i) => {
                    let first = self.mirror[0];
                    self.mirror.remove(i);
                    out.push(w.violation(
                        FIFO_GRANTS.name,
                        format!("the coordinator granted the lock to {g}, but {first}'s request arrived first"),
                    ));
                }
                None => out.push(w.violation(
                    FIFO_GRANTS.name,
                    format!("the coordinator granted the lock to {g}, which has no request waiting"),
                )),
            }
        }
    }
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        false
    }

    fn fingerprint(&self, _w: &World<Node>, mut h: &mut dyn Hasher) {
        (&self.mirror, &self.in_cs).hash(&mut h);
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let mut out = Vec::new();
        match change {
            Change::Summary(x) => {
                let s = &w.summaries[x];
                if let Some(o) = old {
                    if x == self.coordinator {
                        self.coordinator_changed(w, o, s, &mut out);
                    }
                    if o.role == Role::InCs && s.role != Role::InCs {
                        self.in_cs.remove(x);
                    }
                }
                if mutex::entered(old, s) {
                    self.cs_order.push(x);
                    out.extend(self.in_cs.admit(w, x));
                }
            }
            Change::Crash(x) => {
                self.in_cs.remove(x);
                if x == self.coordinator {
                    if self.persist_all {
                        // Only the coordinator's own request died with it.
                        self.mirror.retain(|&y| y != x);
                    } else {
                        // The wait queue died with the coordinator.
                        self.mirror.clear();
                    }
                }
            }
            Change::Recover(x) => {
                if w.summaries[x].role == Role::InCs {
                    out.extend(self.in_cs.admit(w, x));
                }
            }
            Change::Links => {}
        }
        out
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        // A down coordinator, or a down holder, blocks everyone: that is the
        // lesson of a central server, shown as status, not a violation. With
        // cs=0 the holder keeps the lock until `release`, by design.
        let c = self.coordinator;
        if !w.alive[c] || !self.in_cs.is_empty() || w.summaries[c].holder.is_some_and(|h| !w.alive[h]) {
            return Vec::new();
        }
        mutex::starving(w, |y| {
            format!("node {y} waits for a GRANT that will never come (coordinator queue {})", w.summaries[c].queue)
        })
    }

    fn result(&self, _w: &World<Node>) -> serde_json::Value {
        serde_json::json!({ "cs_order": self.cs_order, "grants": self.grants })
    }

    fn status(&self, w: &World<Node>) -> Option<String> {
        let c = self.coordinator;
        if !w.alive[c] {
            let waiting = w.live().filter(|&y| w.summaries[y].role == Role::Wanting).count();
            return Some(format!("coordinator {c} crashed: lock service down, {waiting} waiting"));
        }
        match w.summaries[c].holder {
            Some(h) if !w.alive[h] => Some(format!("lock holder {h} crashed: the lock stays taken until it is back")),
            _ => None,
        }
    }
}
