//! Delivering one event: hand it to its node (actor or inline), apply the
//! commands the handler wrote (sends through the network's faults, timers,
//! notes), record the event with its clocks, and crash a node.

use super::*;

impl<P: Protocol> Sim<P> {
    // ----- delivering ------------------------------------------------------

    pub(super) async fn fire(&mut self, id: EvId) {
        if let Some((node, ev, incoming)) = self.begin_fire(id) {
            self.handle(node, ev, incoming).await;
        }
    }

    /// Take event `id` out of the pending set and account for it; returns
    /// what the node must handle, or `None` when the message is lost.
    /// (Kept out of the async functions: every await point of the hot path
    /// is a state the runtime re-polls, so the sync work lives in plain
    /// functions and each delivery crosses a single await.)
    #[allow(clippy::type_complexity)]
    pub(super) fn begin_fire(&mut self, id: EvId) -> Option<(NodeId, NodeEvent<P>, Option<(NodeId, u32, u16, u64)>)> {
        let p = self.take(id)?;
        self.step += 1;
        self.now = self.now.max(p.due);
        match p.kind {
            PendingKind::Timer { node, timer, .. } => {
                let node = node as NodeId;
                if self.cfg.logging {
                    // The event it starts is the next in the history: `eN`, as
                    // the diagram and `hb` number it; `#id` is the timer.
                    let e = self.history.len();
                    self.push_log(false, format!("#{id} timer {} fires at node {node} (e{e})", timer.summary()));
                }
                Some((node, NodeEvent::Timer(timer), None))
            }
            PendingKind::Msg { from, to, .. }
                if !self.alive[to as NodeId] || !self.faults.link_up(from as NodeId, to as NodeId) =>
            {
                let why = if self.alive[to as NodeId] { LossWhy::Link } else { LossWhy::Crash };
                self.lose(Pending { id: p.id, due: p.due, kind: p.kind }, why);
                None
            }
            PendingKind::Msg { from, to, msg, send_event, lamport, k, .. } => {
                let (from, to) = (from as NodeId, to as NodeId);
                self.bump(k, |c| &mut c.delivered);
                if self.cfg.logging {
                    let e = self.history.len();
                    self.push_log(false, format!("#{id} {from}→{to} {} delivered (e{e})", msg.summary()));
                }
                Some((to, NodeEvent::Message { from, msg }, Some((from, send_event, k, lamport))))
            }
        }
    }

    /// Run one event on one node and carry out what it wrote.
    pub(super) async fn handle(&mut self, node: NodeId, ev: NodeEvent<P>, incoming: Option<(NodeId, u32, u16, u64)>) {
        self.start_handle(node, ev, incoming);
        self.settle().await;
    }

    /// Record the event and hand it to its node; finished at once by the
    /// inline driver, else by [`Self::poll_settle`] when the node answers.
    pub(super) fn start_handle(&mut self, node: NodeId, ev: NodeEvent<P>, incoming: Option<(NodeId, u32, u16, u64)>) {
        let (ev_index, lamport) = self.begin_handle(node, &ev, incoming);
        let buf = std::mem::take(&mut self.buf);
        let key = DrawKey { seed: self.cfg.seed, step: self.step };
        match self.driver.start(node, self.cfg.n, self.now, key, ev, buf) {
            Some((buf, summary)) => self.finish_handle(node, ev_index, lamport, buf, summary),
            None => self.waiting = Some(Waiting { node, ev_index, lamport }),
        }
    }

    /// Record the event in the history with its Lamport time.
    pub(super) fn begin_handle(
        &mut self,
        node: NodeId,
        ev: &NodeEvent<P>,
        incoming: Option<(NodeId, u32, u16, u64)>,
    ) -> (u32, u64) {
        let (lamport, kind) = match (&incoming, ev) {
            (Some((from, send, k, l)), _) => {
                self.lamport[node] = self.lamport[node].max(*l);
                (self.tick(node), EvKind::Recv { from: *from as u32, send: *send, kind: *k })
            }
            (None, NodeEvent::Timer(t)) => {
                let k = self.kind_index(t.kind());
                (self.tick(node), EvKind::Timer { kind: k })
            }
            (None, NodeEvent::Start) => (self.tick(node), EvKind::Start),
            (None, NodeEvent::Recover) => (self.tick(node), EvKind::Recover),
            (None, _) => (self.tick(node), EvKind::Request),
        };
        let ev_index =
            self.history.push(EventRec { step: self.step, time: self.now, node: node as u32, lamport, kind, sends: 0 });
        (ev_index as u32, lamport)
    }

    /// Carry out the commands a handler wrote and check the new summary.
    pub(super) fn finish_handle(
        &mut self,
        node: NodeId,
        ev_index: u32,
        lamport: u64,
        mut buf: Vec<Cmd<P>>,
        summary: P::Summary,
    ) {
        let mut sends = 0;
        let mut net: Option<Draw> = None;
        for cmd in buf.drain(..) {
            match cmd {
                Cmd::Send { to, msg } => {
                    sends += self.send(node, to, msg, ev_index, lamport, &mut net);
                }
                Cmd::SetTimer { after, timer } => {
                    let due = self.now.saturating_add(after);
                    self.enqueue(due, PendingKind::Timer { node: node as u32, timer, set_at: self.now });
                }
                Cmd::CancelTimer { timer } => {
                    let doomed: Vec<EvId> = self.timers[node]
                        .iter()
                        .copied()
                        .filter(|&id| matches!(self.pending.get(id).map(|p| &p.kind), Some(PendingKind::Timer { timer: t, .. }) if *t == timer))
                        .collect();
                    for id in doomed {
                        self.take(id);
                    }
                }
                Cmd::Note(text) => {
                    if self.cfg.logging {
                        self.push_log(false, format!("node {node}: {text}"));
                    }
                }
            }
        }
        self.buf = buf;
        if let Some(rec) = self.history.get_mut(ev_index as usize) {
            rec.sends = sends;
        }
        if summary != self.summaries[node] {
            let old = std::mem::replace(&mut self.summaries[node], summary);
            self.notify_at(Change::Summary(node), Some(old), Some(ev_index));
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn send(
        &mut self,
        from: NodeId,
        to: NodeId,
        msg: P::Msg,
        send_event: u32,
        lamport: u64,
        net: &mut Option<Draw>,
    ) -> u32 {
        let k = self.kind_index(msg.kind());
        self.bump(k, |c| &mut c.sent);
        let cfg = self.cfg.net;
        let (seed, step, now) = (self.cfg.seed, self.step, self.now);
        let lost = cfg.loss > 0.0 && net_draw(net, seed, step).chance(cfg.loss);
        let copies = if cfg.dup > 0.0 && net_draw(net, seed, step).chance(cfg.dup) { 2 } else { 1 };
        let (lo, hi) = (cfg.latency_min, cfg.latency_max);
        let (from32, to32) = (from as u32, to as u32);
        let kind = |msg: P::Msg| PendingKind::Msg { from: from32, to: to32, msg, sent_at: now, send_event, lamport, k };
        if lost || !self.faults.link_up(from, to) {
            let why = if lost { LossWhy::Loss } else { LossWhy::Link };
            let p = Pending { id: 0, due: self.now, kind: kind(msg) };
            self.lose(p, why);
            return 1;
        }
        for c in 0..copies {
            let latency = if hi > lo { net_draw(net, seed, step).range(lo, hi) } else { lo };
            let mut due = self.now.saturating_add(latency);
            if cfg.fifo {
                let last = self.link_last_due.entry((from, to)).or_insert(0);
                due = due.max(*last);
                *last = due;
            }
            let pk = kind(msg.clone());
            if c == 1 {
                self.bump(k, |c| &mut c.sent);
            }
            self.bump_in_flight(k);
            let id = self.enqueue(due, pk);
            if c == 1 {
                let what = FaultWhat::Msg { id, kind: k, from: from32, to: to32, how: "duplicated on the network" };
                self.log_fault(Fault::Dup, what);
            }
        }
        copies
    }

    pub(super) fn tick(&mut self, node: NodeId) -> u64 {
        self.lamport[node] += 1;
        self.lamport[node]
    }

    pub(super) fn lose(&mut self, p: Pending<P>, why: LossWhy) {
        if let PendingKind::Msg { from, to, msg, send_event, k, .. } = &p.kind {
            let k = *k;
            self.bump(k, |c| &mut c.lost);
            let (fault, how) = match why {
                LossWhy::Loss => (Fault::Loss, "lost on the network"),
                LossWhy::User => (Fault::Loss, "dropped"),
                LossWhy::Link => (Fault::Partition, "lost on a link that was down"),
                LossWhy::Crash => (Fault::Crash, "lost with its crashed receiver"),
            };
            let what = FaultWhat::Msg { id: p.id, kind: k, from: *from, to: *to, how };
            self.log_fault(fault, what);
            self.history.push(EventRec {
                step: self.step,
                time: self.now,
                node: *to,
                lamport: self.lamport[*to as NodeId],
                kind: EvKind::Lost { from: *from, send: *send_event, kind: k, why },
                sends: 0,
            });
            if self.cfg.logging {
                let why = match why {
                    LossWhy::Loss => "lost on the network",
                    LossWhy::Link => "lost: link down",
                    LossWhy::Crash => "lost: receiver crashed",
                    LossWhy::User => "dropped",
                };
                let id = if p.id == 0 { String::new() } else { format!("#{} ", p.id) };
                self.push_log(false, format!("{id}{from}→{to} {} {why}", msg.summary()));
            }
        }
    }

    pub(super) async fn crash(&mut self, node: NodeId) {
        self.log_fault(Fault::Crash, FaultWhat::Node(node as u32));
        self.alive[node] = false;
        let doomed: Vec<EvId> = self.pending.iter().filter(|(_, p)| p.target() == node).map(|(k, _)| k).collect();
        for id in doomed {
            if let Some(p) = self.take(id) {
                self.lose(p, LossWhy::Crash);
            }
        }
        let summary = self.driver.crash(node).await;
        let old = std::mem::replace(&mut self.summaries[node], summary);
        self.history.push(EventRec {
            step: self.step,
            time: self.now,
            node: node as u32,
            lamport: self.lamport[node],
            kind: EvKind::Crash,
            sends: 0,
        });
        self.notify(Change::Crash(node), Some(old));
    }

    // ----- checks ------------------------------------------------------------
}
