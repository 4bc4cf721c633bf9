//! What the model checker needs of a run: a copy to explore from
//! ([`Sim::fork`]) and a fingerprint of everything that decides its
//! future ([`Sim::fingerprint`]).
//!
//! The fingerprint covers every node's state (persisted and volatile, as
//! its `Hash` says), which nodes are up, the messages and timers pending
//! as a multiset (sender, receiver and payload; node and timer), the cut
//! links and partitions, and the monitor's own fingerprint. It leaves out
//! ids, virtual time and due times: the checker explores orders of
//! delivery, not durations (as stateright and dslab's checkers do); a node
//! that records a time keeps it in its state, which is hashed. It leaves
//! out the history, the log and the counts, which record the past, but
//! keeps whether a fault the algorithm does not claim has happened (it
//! turns a liveness loss from a violation into a status).

use super::*;
use std::hash::{DefaultHasher, Hash, Hasher};

impl<P: Protocol> Sim<P> {
    /// A copy of this run to go on from independently, or `None` under the
    /// actor driver (its nodes are tasks; the checker runs inline).
    pub fn fork(&self) -> Option<Sim<P>> {
        let Driver::Inline(states) = &self.driver else { return None };
        if self.waiting.is_some() {
            return None;
        }
        Some(Sim {
            cfg: self.cfg.clone(),
            driver: Driver::Inline(states.clone()),
            monitor: self.monitor.fork(),
            parse_verb: self.parse_verb.clone(),
            summaries: self.summaries.clone(),
            alive: self.alive.clone(),
            faults: self.faults.clone(),
            now: self.now,
            step: self.step,
            next_id: self.next_id,
            pending: self.pending.clone(),
            timers: self.timers.clone(),
            queue: self.queue.clone(),
            link_last_due: self.link_last_due.clone(),
            lamport: self.lamport.clone(),
            vc: RefCell::new(self.vc.borrow().clone()),
            history: self.history.clone(),
            kinds: self.kinds.clone(),
            counts: self.counts.clone(),
            in_flight: self.in_flight.clone(),
            answers: self.answers.clone(),
            checked: self.checked.clone(),
            log: self.log.clone(),
            violations: self.violations.clone(),
            violation_count: self.violation_count,
            failed: self.failed.clone(),
            inputs: self.inputs.clone(),
            narration: self.narration.clone(),
            narration_closed: self.narration_closed,
            limit: self.limit,
            buf: Vec::new(),
            waiting: None,
            halt_on_violation: self.halt_on_violation,
            role_words: self.role_words,
            fault_log: self.fault_log.clone(),
            liveness: self.liveness.clone(),
            tolerates: self.tolerates.clone(),
            reported: self.reported.clone(),
            stuck: self.stuck.clone(),
        })
    }

    /// The fingerprint of this state (see the module doc). Deterministic:
    /// the same state gives the same number in every run of the program.
    pub fn fingerprint(&self) -> u64 {
        let mut h = DefaultHasher::new();
        if let Driver::Inline(states) = &self.driver {
            states.hash(&mut h);
        }
        self.alive.hash(&mut h);
        self.faults.hash(&mut h);
        // The pending events as a multiset: each one hashed alone, the
        // hashes summed (order-free), then their count.
        let mut sum = 0u64;
        for (_, p) in self.pending.iter() {
            let mut one = DefaultHasher::new();
            match &p.kind {
                PendingKind::Msg { from, to, msg, .. } => (0u8, from, to, msg).hash(&mut one),
                PendingKind::Timer { node, timer, .. } => (1u8, node, timer).hash(&mut one),
            }
            sum = sum.wrapping_add(one.finish());
        }
        (sum, self.pending.len()).hash(&mut h);
        // A liveness loss is a violation only if every fault so far is one
        // the algorithm claims to survive (the severity rule).
        self.fault_log.iter().any(|f| !self.tolerates.contains(&f.fault)).hash(&mut h);
        let world = world!(self, None);
        self.monitor.fingerprint(&world, &mut h);
        h.finish()
    }
}
