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

use super::schedule::keeps_queue;
use super::*;
use crate::engine::actor::Held;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

/// The fingerprints' hash: foldhash with a fixed seed (about ten times
/// SipHash's speed on these small writes, and the same in every run).
pub fn hasher() -> impl Hasher {
    foldhash::quality::FixedState::with_seed(0x6469_7374_6c61_6221).build_hasher()
}

/// One pending event's part of the fingerprint: sender, receiver and
/// payload of a message; node and timer of a timer (not its id or times).
pub(super) fn pending_hash<P: Protocol>(kind: &PendingKind<P>) -> u64 {
    let mut one = hasher();
    match kind {
        PendingKind::Msg { from, to, msg, .. } => (0u8, from, to, msg).hash(&mut one),
        PendingKind::Timer { node, timer, .. } => (1u8, node, timer).hash(&mut one),
    }
    one.finish()
}

/// The pending events as a multiset: their hashes summed (order-free).
fn pending_sum<P: Protocol>(pending: &PendingSet<Pending<P>>) -> u64 {
    pending.iter().fold(0u64, |sum, (_, p)| sum.wrapping_add(pending_hash(&p.kind)))
}

/// How many node states a copy of a run keeps for its next copies on
/// write (a step changes one node, a crash with its losses two).
const KEEP_SPARE_NODES: usize = 2;

/// Node states to share between the search's copies of a run.
fn shared<P: Clone>(states: &[P]) -> Vec<Arc<Held<P>>> {
    states.iter().cloned().map(Held::new).collect()
}

/// `to.clone_from(from)` unless they are equal already: for the fields
/// whose `clone_from` rebuilds (a derived one, a tree's) and that are
/// almost always empty in both.
fn copy_if_differs<T: Clone + PartialEq>(to: &mut T, from: &T) {
    if to != from {
        to.clone_from(from);
    }
}

/// `to = from.clone()`, unless they are the same already.
pub fn share<T: ?Sized>(to: &mut Arc<T>, from: &Arc<T>) {
    if !Arc::ptr_eq(to, from) {
        *to = Arc::clone(from);
    }
}

impl<P: Protocol> Sim<P> {
    /// A copy of this run to go on from independently, or `None` under the
    /// actor driver (its nodes are tasks; the checker runs inline).
    ///
    /// A `lean` copy is a state of the search: it keeps what decides the
    /// future (nodes, network, monitor, and the history if the monitor
    /// reads it) and leaves out the record of how it got there (inputs,
    /// log, narration, answers, and the time queue under manual
    /// scheduling), which it does not keep from then on either; the
    /// search rebuilds a counterexample's record by replaying its path on
    /// a full copy of the start.
    pub fn fork(&self, lean: bool) -> Option<Sim<P>> {
        let record = !lean && !self.lean;
        let driver = match &self.driver {
            Driver::Inline(states) if record => Driver::Inline(states.clone()),
            Driver::Inline(states) => Driver::Shared(shared(states), Vec::new()),
            Driver::Shared(states, _) => Driver::Shared(states.clone(), Vec::new()),
            Driver::Actors(_) => return None,
        };
        if self.waiting.is_some() {
            return None;
        }
        let mut history = History::default();
        history.copy_from(&self.history, record || self.reads_history);
        Some(Sim {
            cfg: self.cfg.clone(),
            driver,
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
            queue: if keeps_queue(!record, self.cfg.sched) { self.queue.clone() } else { TimeQueue::default() },
            link_last_due: self.link_last_due.clone(),
            lamport: self.lamport.clone(),
            vc: self.vc.clone(),
            history,
            reads_history: self.reads_history,
            kinds: Arc::clone(&self.kinds),
            counts: self.counts.clone(),
            in_flight: self.in_flight.clone(),
            record: if record { self.record.clone() } else { Box::default() },
            violations: self.violations.clone(),
            violation_count: self.violation_count,
            limit: self.limit,
            buf: Vec::new(),
            waiting: None,
            halt_on_violation: self.halt_on_violation,
            role_words: self.role_words,
            fault_log: self.fault_log.clone(),
            severity: Arc::clone(&self.severity),
            reported: self.reported.clone(),
            stuck: self.stuck.clone(),
            lean: !record,
            pending_sum: match (record, self.lean) {
                (true, _) => 0,
                (false, true) => self.pending_sum,
                (false, false) => pending_sum(&self.pending),
            },
        })
    }

    /// Make this run a lean copy of `src` (see [`Sim::fork`]) reusing its
    /// buffers: the model checker's copy of a state for one choice, into a
    /// run it has finished with, allocates nothing once the buffers have
    /// grown. False, changing nothing, if either run is not inline.
    pub fn copy_from(&mut self, src: &Sim<P>) -> bool {
        // Every field named, so that a new one cannot be forgotten here.
        let Sim {
            cfg,
            driver,
            monitor,
            parse_verb,
            summaries,
            alive,
            faults,
            now,
            step,
            next_id,
            pending,
            timers,
            queue,
            link_last_due,
            lamport,
            vc,
            history,
            reads_history,
            kinds,
            counts,
            in_flight,
            record: _,
            violations,
            violation_count,
            limit,
            buf: _,
            waiting,
            halt_on_violation,
            role_words,
            fault_log,
            severity,
            reported,
            stuck,
            lean: src_lean,
            pending_sum: src_sum,
        } = src;
        if waiting.is_some() || self.waiting.is_some() || matches!(self.driver, Driver::Actors(_)) {
            return false;
        }
        match (driver, &mut self.driver) {
            (Driver::Shared(from, _), Driver::Shared(to, spare)) => {
                // Shared parts are touched only where they differ; the
                // copies this run made on write are kept for its next ones.
                while to.len() > from.len() {
                    let old = to.pop().expect("longer than from");
                    Held::retire(old, spare, KEEP_SPARE_NODES);
                }
                for (i, s) in from.iter().enumerate() {
                    match to.get_mut(i) {
                        Some(t) if !Arc::ptr_eq(t, s) => {
                            let old = std::mem::replace(t, Arc::clone(s));
                            Held::retire(old, spare, KEEP_SPARE_NODES);
                        }
                        Some(_) => {}
                        None => to.push(Arc::clone(s)),
                    }
                }
            }
            (Driver::Shared(from, _), to) => *to = Driver::Shared(from.clone(), Vec::new()),
            (Driver::Inline(from), to) => *to = Driver::Shared(shared(from), Vec::new()),
            (Driver::Actors(_), _) => return false,
        }
        if !self.monitor.copy_from(monitor.as_ref()) {
            self.monitor = monitor.fork();
        }
        self.cfg.clone_from(cfg);
        share(&mut self.parse_verb, parse_verb);
        self.summaries.clone_from(summaries);
        self.alive.clone_from(alive);
        copy_if_differs(&mut self.faults, faults);
        self.now = *now;
        self.step = *step;
        self.next_id = *next_id;
        self.pending.clone_from(pending);
        self.timers.clone_from(timers);
        if keeps_queue(true, cfg.sched) {
            self.queue.clone_from(queue);
        } else {
            self.queue.clear();
        }
        self.link_last_due.clone_from(link_last_due);
        self.lamport.clone_from(lamport);
        self.vc.clone_from(vc);
        self.history.copy_from(history, *reads_history);
        self.reads_history = *reads_history;
        share(&mut self.kinds, kinds);
        self.counts.clone_from(counts);
        self.in_flight.clone_from(in_flight);
        self.record.clear();
        self.violations.clone_from(violations);
        self.violation_count = *violation_count;
        self.limit = *limit;
        self.buf.clear();
        self.halt_on_violation = *halt_on_violation;
        self.role_words = *role_words;
        self.fault_log.clone_from(fault_log);
        share(&mut self.severity, severity);
        copy_if_differs(&mut self.reported, reported);
        self.stuck.clone_from(stuck);
        self.lean = true;
        self.pending_sum = if *src_lean { *src_sum } else { pending_sum(pending) };
        true
    }

    /// Ask the memory system for this run ahead of its use (the search's
    /// next states sit cold in its frontier): the run itself, or (`deep`,
    /// once the run itself has come) the buffers it points to.
    pub fn prefetch(&self, deep: bool) {
        use crate::engine::queue::{prefetch, prefetch_lines};
        if !deep {
            return prefetch_lines(self);
        }
        if let Driver::Shared(states, _) = &self.driver {
            prefetch_lines(states.as_slice());
            states.iter().for_each(|s| prefetch(&**s));
        }
        self.pending.prefetch_all();
        prefetch_lines(self.summaries.as_slice());
        prefetch_lines(self.alive.as_slice());
        prefetch_lines(self.lamport.as_slice());
        prefetch_lines(self.in_flight.as_slice());
        prefetch_lines(self.counts.sent.as_slice());
        prefetch_lines(self.counts.delivered.as_slice());
        prefetch_lines(self.timers.as_slice());
    }

    /// Is this a lean copy (a state of the search)?
    pub fn is_lean(&self) -> bool {
        self.lean
    }

    /// The fingerprint of this state (see the module doc). Deterministic:
    /// the same state gives the same number in every run of the program.
    pub fn fingerprint(&self) -> u64 {
        let mut h = hasher();
        let node_hash = |p: &P| {
            let mut one = hasher();
            p.hash(&mut one);
            one.finish()
        };
        match &self.driver {
            Driver::Inline(states) => {
                states.len().hash(&mut h);
                states.iter().for_each(|p| h.write_u64(node_hash(p)));
            }
            // Each node's hash is computed once for all the copies that
            // share its state.
            Driver::Shared(states, _) => {
                states.len().hash(&mut h);
                states.iter().for_each(|s| h.write_u64(s.hash_by(node_hash)));
            }
            Driver::Actors(_) => {}
        }
        // Up and down as bits (the checker's runs have at most 64 nodes;
        // a bigger run's are written 64 at a time), and the faults only
        // when there are some: one write each in the common case.
        for up in self.alive.chunks(64) {
            h.write_u64(up.iter().enumerate().fold(0u64, |bits, (i, &a)| bits | (u64::from(a) << i)));
        }
        match self.faults.group.is_none() && self.faults.cut.is_empty() {
            true => h.write_u8(0),
            false => (1u8, &self.faults).hash(&mut h),
        }
        // The pending events as a multiset: each one hashed alone, the
        // hashes summed (order-free; a lean run keeps the sum as events
        // come and go), then their count.
        let sum = if self.lean {
            debug_assert_eq!(self.pending_sum, pending_sum(&self.pending), "the kept sum is the pending events'");
            self.pending_sum
        } else {
            pending_sum(&self.pending)
        };
        (sum, self.pending.len()).hash(&mut h);
        // A liveness loss is a violation only if every fault so far is one
        // the algorithm claims to survive (the severity rule).
        self.fault_log.iter().any(|f| !self.severity.tolerates.contains(&f.fault)).hash(&mut h);
        let world = world!(self, None);
        self.monitor.fingerprint(&world, &mut h);
        h.finish()
    }
}
