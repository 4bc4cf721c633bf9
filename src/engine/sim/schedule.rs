//! Scheduling: which pending event is delivered next (timed, seeded
//! random or per-link FIFO order), and the in-flight set's bookkeeping
//! (enqueue, take, delay, duplicate).

use super::*;

/// Is the time queue kept? Not in a lean run (a state of the model
/// checker's search) under manual scheduling: nothing there reads it (the
/// search picks events by id, and nobody is shown a lean run's upcoming
/// events). Scheduling switched away from manual rebuilds it.
pub(super) fn keeps_queue(lean: bool, sched: SchedMode) -> bool {
    !(lean && sched == SchedMode::Manual)
}

impl<P: Protocol> Sim<P> {
    /// The event the scheduler picks next, if any (and under the limit).
    pub(super) fn next_event(&mut self) -> Option<EvId> {
        if !self.under_limit() {
            return None;
        }
        match self.cfg.sched {
            SchedMode::Timed => self.next_timed(),
            SchedMode::Random => self.next_random(),
            SchedMode::Manual => None,
        }
    }

    /// Is this run's time queue kept ([`keeps_queue`])?
    fn keeps_queue(&self) -> bool {
        keeps_queue(self.lean, self.cfg.sched)
    }

    /// Put event `id` in the time queue, if it is kept.
    fn queue_push(&mut self, due: Time, id: EvId) {
        if self.keeps_queue() {
            self.queue.push(due, id);
        }
    }

    /// Switch the scheduler, rebuilding the time queue if it was not kept.
    pub(super) fn set_sched(&mut self, mode: SchedMode) {
        let kept = self.keeps_queue();
        self.cfg.sched = mode;
        if !kept && self.keeps_queue() {
            self.queue.clear();
            for (id, p) in self.pending.iter() {
                self.queue.push(p.due, id);
            }
        }
    }

    pub(super) fn next_timed(&mut self) -> Option<EvId> {
        while let Some((due, id)) = self.queue.peek() {
            match self.pending.get(id) {
                Some(p) if p.due == due => {
                    if let Some(next) = self.queue.upcoming(1) {
                        self.pending.prefetch(next);
                    }
                    if let Some(after) = self.queue.upcoming(2) {
                        self.pending.prefetch_slot(after);
                    }
                    return Some(id);
                }
                _ => {
                    self.queue.pop();
                }
            }
        }
        None
    }

    /// Random scheduling: any message may come next (only the head of its
    /// link under FIFO), but a timer fires only once no message due before
    /// it is still in flight — otherwise every timeout would be a false
    /// suspicion and no timeout-based algorithm could work.
    pub(super) fn next_random(&mut self) -> Option<EvId> {
        let first_msg_due = self
            .pending
            .iter()
            .filter(|(_, p)| matches!(p.kind, PendingKind::Msg { .. }))
            .map(|(_, p)| p.due)
            .min()
            .unwrap_or(Time::MAX);
        let mut seen = std::collections::HashSet::new();
        let candidates: Vec<EvId> = self
            .pending
            .iter()
            .filter(|(_, p)| match p.link() {
                None => p.due <= first_msg_due,
                Some(l) => !self.cfg.net.fifo || seen.insert(l),
            })
            .map(|(k, _)| k)
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let i = Draw::new(self.cfg.seed, self.step, Purpose::Schedule).index(candidates.len());
        Some(candidates[i])
    }

    /// FIFO switched on mid-run: messages already in flight on a link must
    /// not overtake each other either.
    pub(super) fn order_links(&mut self) {
        let mut last: HashMap<(NodeId, NodeId), Time> = HashMap::new();
        let ids: Vec<EvId> = self.pending.iter().map(|(k, _)| k).collect();
        for id in ids {
            let Some(p) = self.pending.get_mut(id) else { continue };
            let Some(link) = p.link() else { continue };
            let due = last.get(&link).map_or(p.due, |&l| p.due.max(l));
            if due != p.due {
                p.due = due;
                self.queue_push(due, id);
            }
            last.insert(link, due);
        }
        for (link, due) in last {
            let l = self.link_last_due.entry(link).or_insert(0);
            *l = (*l).max(due);
        }
    }

    pub(super) fn earlier_on_link(&self, id: EvId) -> Option<EvId> {
        let link = self.pending.get(id)?.link()?;
        self.pending.before(id).find(|(_, p)| p.link() == Some(link)).map(|(k, _)| k)
    }

    pub(super) fn enqueue(&mut self, due: Time, kind: PendingKind<P>) -> EvId {
        let id = self.next_id;
        self.next_id += 1;
        self.queue_push(due, id);
        if let PendingKind::Timer { node, .. } = &kind {
            self.timers[*node as NodeId].push(id);
        }
        if self.lean {
            self.pending_sum = self.pending_sum.wrapping_add(fork::pending_hash(&kind));
        }
        self.pending.insert(id, Pending { id, due, kind });
        id
    }

    /// Remove a pending event (and its timer index entry).
    pub(super) fn take(&mut self, id: EvId) -> Option<Pending<P>> {
        let p = self.pending.remove(id)?;
        if self.lean {
            self.pending_sum = self.pending_sum.wrapping_sub(fork::pending_hash(&p.kind));
        }
        match &p.kind {
            PendingKind::Timer { node, .. } => {
                let ids = &mut self.timers[*node as NodeId];
                if let Some(i) = ids.iter().position(|&t| t == id) {
                    ids.swap_remove(i);
                }
            }
            PendingKind::Msg { k, .. } => self.in_flight[*k as usize] -= 1,
        }
        Some(p)
    }

    pub(super) fn delay(&mut self, id: EvId, by: Time) {
        let Some(p) = self.pending.get_mut(id) else { return };
        p.due = p.due.saturating_add(by);
        let (due, link) = (p.due, p.link());
        self.queue_push(due, id);
        // On FIFO links the later messages wait behind the delayed one.
        if let (true, Some(link)) = (self.cfg.net.fifo, link) {
            let later: Vec<EvId> =
                self.pending.after(id).filter(|(_, q)| q.link() == Some(link) && q.due < due).map(|(k, _)| k).collect();
            for k in later {
                if let Some(q) = self.pending.get_mut(k) {
                    q.due = due;
                    self.queue_push(due, k);
                }
            }
            let last = self.link_last_due.entry(link).or_insert(0);
            *last = (*last).max(due);
        }
    }

    pub(super) fn duplicate(&mut self, id: EvId) {
        let Some(p) = self.pending.get(id) else { return };
        if let PendingKind::Msg { from, to, msg, sent_at, send_event, lamport, k } = &p.kind {
            let k = *k;
            let kind = PendingKind::Msg {
                k,
                from: *from,
                to: *to,
                msg: msg.clone(),
                sent_at: *sent_at,
                send_event: *send_event,
                lamport: *lamport,
            };
            if let Some(rec) = self.history.get_mut(*send_event as usize) {
                rec.sends += 1;
            }
            self.vc.add_copy(*send_event);
            let due = p.due;
            self.bump(k, |c| &mut c.sent);
            self.bump_in_flight(k);
            self.enqueue(due, kind);
        }
    }
}
