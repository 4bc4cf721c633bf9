//! The simulator: owns virtual time, randomness, the in-flight set, timers,
//! faults and the ground-truth clocks. `Sim::apply(Input)` is the single
//! entry point for the TUI, scripts, replay and tests.

use super::actor::{Driver, DriverKind};
use super::clocks::VcTracker;
use super::input::{EvId, Expect, Input, SchedMode};
use super::invariant::{Change, Chart, Monitor, Table, Transcript, Violation, World};
use super::network::{Faults, NetConfig};
use super::protocol::{Cmd, Describe, NodeEvent, NodeId, Protocol, Row, Summary, Time};
use super::queue::{PendingSet, TimeQueue};
pub use super::record::{Counts, EvKind, EventRec, ExpectFailure, LogLine, LossWhy, Outcome, Pending, PendingKind};
use super::rng::{Draw, Purpose};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::task::{Context, Poll, ready};

/// The largest number of steps one `run` takes when no bound is given.
pub const RUN_LIMIT: u64 = 1_000_000;
/// How many log lines are kept.
pub const LOG_KEEP: usize = 2_000;
/// How many of a node's latest events the inspector lists, and how far back
/// in the history it looks for them.
const RECENT_EVENTS: usize = 5;
const RECENT_SCAN: usize = 20_000;
/// How many violations are kept (the first one is what the badge shows).
pub const VIOLATIONS_KEEP: usize = 1_000;

/// The engine part of a run's configuration.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SimConfig {
    pub n: usize,
    pub seed: u64,
    pub sched: SchedMode,
    pub net: NetConfig,
    pub driver: DriverKind,
    /// Keep human-readable log lines of every event (the TUI wants them,
    /// benchmarks do not).
    pub logging: bool,
}

impl SimConfig {
    pub fn new(n: usize, seed: u64) -> Self {
        SimConfig {
            n,
            seed,
            sched: SchedMode::Timed,
            net: NetConfig::default(),
            driver: DriverKind::Actors,
            logging: true,
        }
    }
}

/// The monitor's view of a sim, built from disjoint field borrows so the
/// monitor itself can be borrowed mutably beside it.
macro_rules! world {
    ($s:expr, $event:expr) => {
        World {
            step: $s.step,
            now: $s.now,
            summaries: &$s.summaries,
            alive: &$s.alive,
            faults: &$s.faults,
            event: $event,
            in_flight: &$s.in_flight,
            kinds: &$s.kinds,
            history: &$s.history,
            truth: &$s.vc,
        }
    };
}

/// Parses an algorithm verb into the node it targets and the request.
pub type VerbParser<P> = Box<dyn Fn(&str, &[String]) -> Result<(NodeId, <P as Protocol>::Request), String>>;

pub struct Sim<P: Protocol> {
    cfg: SimConfig,
    driver: Driver<P>,
    monitor: Box<dyn Monitor<P>>,
    parse_verb: VerbParser<P>,
    summaries: Vec<P::Summary>,
    alive: Vec<bool>,
    faults: Faults,
    now: Time,
    step: u64,
    next_id: EvId,
    pending: PendingSet<Pending<P>>,
    /// Pending timer ids of each node (cancelling must not scan everything).
    timers: Vec<Vec<EvId>>,
    queue: TimeQueue,
    link_last_due: HashMap<(NodeId, NodeId), Time>,
    /// Lamport clock of every node (kept eagerly: O(1) per event).
    lamport: Vec<u64>,
    /// Vector clocks, derived from the history when someone asks.
    vc: RefCell<VcTracker>,
    history: Vec<EventRec>,
    kinds: Vec<&'static str>,
    counts: Counts,
    /// Messages in flight by kind index (monitors count tokens with it).
    in_flight: Vec<u32>,
    /// The answers of `hb` queries, in order (part of the report).
    answers: Vec<String>,
    log: VecDeque<LogLine>,
    violations: Vec<Violation>,
    violation_count: u64,
    failed: Vec<ExpectFailure>,
    inputs: Vec<Input>,
    /// The `say` lines since the last `pause`, joined: what the class reads.
    narration: Option<String>,
    /// A `pause` closed the narration: the next `say` starts it afresh.
    narration_closed: bool,
    /// Stop delivering once `step` reaches this (rewinding re-simulates up to it).
    limit: Option<u64>,
    buf: Vec<Cmd<P>>,
    /// The event a node actor is handling, whose answer is awaited.
    waiting: Option<Waiting>,
}

/// What finishing an event needs once its node answers.
#[derive(Clone, Copy)]
struct Waiting {
    node: NodeId,
    ev_index: u32,
    lamport: u64,
}

impl<P: Protocol> Sim<P> {
    /// Build a run and call every node's `on_start`. With the actor driver
    /// this must be called inside a (current-thread) tokio runtime.
    pub async fn new(cfg: SimConfig, states: Vec<P>, monitor: Box<dyn Monitor<P>>, parse_verb: VerbParser<P>) -> Self {
        let n = states.len();
        assert_eq!(n, cfg.n, "one state per node");
        let summaries = states.iter().map(|s| s.summary()).collect();
        let driver = Driver::new(cfg.driver, states);
        let mut sim = Sim {
            driver,
            monitor,
            parse_verb,
            summaries,
            alive: vec![true; n],
            faults: Faults::default(),
            now: 0,
            step: 0,
            next_id: 1,
            pending: PendingSet::default(),
            timers: vec![Vec::new(); n],
            queue: TimeQueue::default(),
            link_last_due: HashMap::new(),
            lamport: vec![0; n],
            vc: RefCell::new(VcTracker::new(n)),
            history: Vec::new(),
            kinds: Vec::new(),
            counts: Counts::default(),
            in_flight: Vec::new(),
            answers: Vec::new(),
            log: VecDeque::new(),
            violations: Vec::new(),
            violation_count: 0,
            failed: Vec::new(),
            inputs: Vec::new(),
            narration: None,
            narration_closed: false,
            limit: None,
            buf: Vec::new(),
            waiting: None,
            cfg,
        };
        for node in 0..n {
            sim.handle(node, NodeEvent::Start, None).await;
        }
        sim
    }

    // ----- read access -------------------------------------------------

    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }
    pub fn n(&self) -> usize {
        self.cfg.n
    }
    pub fn now(&self) -> Time {
        self.now
    }
    pub fn step(&self) -> u64 {
        self.step
    }
    pub fn summaries(&self) -> &[P::Summary] {
        &self.summaries
    }
    pub fn alive(&self) -> &[bool] {
        &self.alive
    }
    pub fn faults(&self) -> &Faults {
        &self.faults
    }
    pub fn pending(&self) -> impl Iterator<Item = &Pending<P>> {
        self.pending.iter().map(|(_, p)| p)
    }
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }
    pub fn lamport(&self, node: NodeId) -> u64 {
        self.lamport[node]
    }
    /// Node `node`'s ground-truth vector clock now (brings the lazily kept
    /// clocks up to date first: O(N) per event since the last call).
    pub fn vector(&self, node: NodeId) -> Vec<u32> {
        let mut vc = self.vc.borrow_mut();
        vc.catch_up(&self.history);
        vc.vector(node)
    }
    pub fn history(&self) -> &[EventRec] {
        &self.history
    }
    pub fn kind_name(&self, k: u16) -> &'static str {
        self.kinds.get(k as usize).copied().unwrap_or("?")
    }
    pub fn kinds(&self) -> &[&'static str] {
        &self.kinds
    }
    pub fn counts(&self) -> &Counts {
        &self.counts
    }
    pub fn log(&self) -> &VecDeque<LogLine> {
        &self.log
    }
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
    pub fn violation_count(&self) -> u64 {
        self.violation_count
    }
    pub fn failed_expectations(&self) -> &[ExpectFailure] {
        &self.failed
    }
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }
    pub fn narration(&self) -> Option<&str> {
        self.narration.as_deref()
    }
    /// Replace the input log by an equivalent one (used when rewinding cuts
    /// the last `run` short: it becomes the `step K` it actually did).
    pub fn rewrite_inputs(&mut self, inputs: Vec<Input>) {
        self.inputs = inputs;
    }
    pub fn set_limit(&mut self, limit: Option<u64>) {
        self.limit = limit;
    }
    pub fn world(&self) -> World<'_, P> {
        world!(self, None)
    }
    pub fn result(&self) -> serde_json::Value {
        self.monitor.result(&self.world())
    }
    /// What the monitor wants the screen to show beside the badge.
    pub fn status(&self) -> Option<String> {
        self.monitor.status(&self.world())
    }
    pub fn chart(&self) -> Option<Chart> {
        self.monitor.chart(&self.world())
    }
    pub fn transcript(&self, focus: NodeId, limit: usize, tail: usize) -> Option<Transcript> {
        self.monitor.transcript(&self.world(), focus, limit, tail)
    }

    /// The monitor's table pane data, if it has one.
    pub fn table(&self) -> Option<Table> {
        self.monitor.table(&self.world())
    }
    pub fn answers(&self) -> &[String] {
        &self.answers
    }
    /// The inspector rows of `node`: its own, the monitor's, and the
    /// history numbers of its latest events (what `hb` takes).
    pub async fn inspect(&mut self, node: NodeId) -> Vec<Row> {
        self.settle().await;
        let mut rows = self.driver.inspect(node).await;
        rows.extend(self.monitor.inspect(&self.world(), node));
        let mut recent: Vec<String> = self
            .history
            .iter()
            .enumerate()
            .rev()
            .take(RECENT_SCAN)
            .filter(|(_, e)| e.node as usize == node && !matches!(e.kind, EvKind::Lost { .. } | EvKind::Crash))
            .take(RECENT_EVENTS)
            .map(|(i, _)| format!("e{i}"))
            .collect();
        if !recent.is_empty() {
            recent.reverse();
            rows.push(Row::new("latest events", recent.join(" ")));
        }
        rows
    }

    /// The run's summary as JSON: the engine part of the headless contract.
    pub fn report(&self) -> serde_json::Value {
        let by_kind: serde_json::Map<String, serde_json::Value> = self
            .kinds
            .iter()
            .enumerate()
            .filter(|(i, _)| self.counts.sent.get(*i).copied().unwrap_or(0) > 0)
            .map(|(i, k)| (k.to_string(), self.counts.sent[i].into()))
            .collect();
        let sum = |v: &Vec<u64>| v.iter().sum::<u64>();
        serde_json::json!({
            "nodes": self.cfg.n,
            "seed": self.cfg.seed,
            "steps": self.step,
            "virtual_time_ms": self.now as f64 / 1000.0,
            "messages": {
                "total": sum(&self.counts.sent),
                "delivered": sum(&self.counts.delivered),
                "lost": sum(&self.counts.lost),
                "by_kind": by_kind,
            },
            "violations": self.violations,
            "violation_count": self.violation_count,
            "failed_expectations": self.failed,
            "status": self.status(),
            "answers": self.answers,
            "result": self.result(),
        })
    }

    // ----- the single entry point -----------------------------------------

    /// Apply one input. An invalid input returns an error and changes nothing.
    pub async fn apply(&mut self, input: Input) -> Result<Outcome, String> {
        self.settle().await;
        self.validate(&input)?;
        let index = self.inputs.len();
        self.push_log(true, input.to_string());
        self.inputs.push(input.clone());
        let before = self.step;
        let mut out = Outcome::default();
        match input {
            Input::Step(k) => {
                self.steps(k).await;
                if self.step > before && self.pending.is_empty() {
                    self.check_quiescence();
                }
            }
            Input::Run(max) => {
                self.steps(max.unwrap_or(RUN_LIMIT)).await;
                if self.pending.is_empty() {
                    self.check_quiescence();
                }
            }
            Input::Deliver(id) => {
                if self.under_limit() {
                    self.fire(id).await;
                }
            }
            Input::Drop(id) => {
                if let Some(p) = self.take(id) {
                    self.lose(p, LossWhy::User);
                }
            }
            Input::Delay(id, by) => self.delay(id, by),
            Input::Dup(id) => self.duplicate(id),
            Input::Crash(node) => self.crash(node).await,
            Input::Recover(node) => {
                self.alive[node] = true;
                let old = self.summaries[node].clone();
                self.notify(Change::Recover(node), Some(old));
                self.step += 1;
                self.handle(node, NodeEvent::Recover, None).await;
            }
            Input::Partition(groups) => {
                self.faults.partition(self.cfg.n, &groups);
                self.notify(Change::Links, None);
            }
            Input::Cut(a, b) => {
                self.faults.cut.insert((a.min(b), a.max(b)));
                self.notify(Change::Links, None);
            }
            Input::Heal => {
                self.faults.heal();
                self.notify(Change::Links, None);
            }
            Input::Loss(p) => self.cfg.net.loss = p,
            Input::DupRate(p) => self.cfg.net.dup = p,
            Input::Latency(a, b) => {
                self.cfg.net.latency_min = a;
                self.cfg.net.latency_max = b;
            }
            Input::Sched(m) => self.cfg.sched = m,
            Input::Fifo(on) => {
                self.cfg.net.fifo = on;
                if on {
                    self.order_links();
                }
            }
            Input::Say(text) => {
                match (&mut self.narration, self.narration_closed) {
                    (Some(n), false) => {
                        n.push_str("  ");
                        n.push_str(&text);
                    }
                    _ => self.narration = Some(text),
                }
                self.narration_closed = false;
            }
            Input::Pause => {
                self.narration_closed = true;
                out.pause = true;
            }
            Input::Hb(a, b) => {
                let answer = self.happened_before(a, b);
                self.push_log(false, answer.clone());
                self.answers.push(answer.clone());
                out.answer = Some(answer);
            }
            Input::Expect(e) => {
                if let Err(actual) = self.check_expect(&e) {
                    let text = Input::Expect(e).to_string();
                    self.push_log(false, format!("FAILED {text}: got {actual}"));
                    out.expect_failed = Some(format!("{text}: got {actual}"));
                    self.failed.push(ExpectFailure { input: index, expect: text, actual });
                }
            }
            Input::Verb { verb, args } => {
                // Validated above, so this parse succeeds.
                let (node, req) = (self.parse_verb)(&verb, &args)?;
                if self.under_limit() {
                    self.step += 1;
                    self.handle(node, NodeEvent::Request(req), None).await;
                }
            }
        }
        out.steps = self.step - before;
        out.quiescent = self.pending.is_empty();
        Ok(out)
    }

    /// Every check that can reject an input, done before anything changes.
    fn validate(&self, input: &Input) -> Result<(), String> {
        let n = self.cfg.n;
        let node_ok = |x: NodeId| {
            if x < n { Ok(()) } else { Err(format!("node {x} does not exist (nodes are 0..{})", n - 1)) }
        };
        let pending_ok = |id: EvId| {
            if self.pending.contains(id) { Ok(()) } else { Err(format!("no in-flight message or timer #{id}")) }
        };
        let prob_ok = |p: f64| {
            if (0.0..=1.0).contains(&p) { Ok(()) } else { Err(format!("probability {p} is not between 0 and 1")) }
        };
        match input {
            Input::Step(_) | Input::Run(_) if self.cfg.sched == SchedMode::Manual => {
                Err("manual scheduling: pick an event with `deliver ID` (or `sched timed`)".into())
            }
            Input::Deliver(id) => {
                pending_ok(*id)?;
                if self.cfg.net.fifo
                    && let Some(earlier) = self.earlier_on_link(*id)
                {
                    return Err(format!("fifo links: #{earlier} must be delivered before #{id}"));
                }
                Ok(())
            }
            Input::Drop(id) | Input::Dup(id) | Input::Delay(id, _) => {
                pending_ok(*id)?;
                if matches!(input, Input::Dup(_))
                    && !matches!(self.pending.get(*id).map(|p| &p.kind), Some(PendingKind::Msg { .. }))
                {
                    return Err(format!("#{id} is a timer; only messages can be duplicated"));
                }
                Ok(())
            }
            Input::Crash(x) => {
                node_ok(*x)?;
                if self.alive[*x] { Ok(()) } else { Err(format!("node {x} is already crashed")) }
            }
            Input::Recover(x) => {
                node_ok(*x)?;
                if self.alive[*x] { Err(format!("node {x} is not crashed")) } else { Ok(()) }
            }
            Input::Partition(groups) => {
                let mut seen = vec![false; n];
                for &x in groups.iter().flatten() {
                    node_ok(x)?;
                    if std::mem::replace(&mut seen[x], true) {
                        return Err(format!("node {x} is in two groups"));
                    }
                }
                if groups.is_empty() {
                    Err("partition needs at least one group, e.g. `partition 0,1 2,3`".into())
                } else {
                    Ok(())
                }
            }
            Input::Cut(a, b) => {
                node_ok(*a)?;
                node_ok(*b)?;
                if a == b { Err("a link joins two different nodes".into()) } else { Ok(()) }
            }
            Input::Loss(p) | Input::DupRate(p) => prob_ok(*p),
            Input::Latency(a, b) => {
                if a > b {
                    Err("latency MIN MAX needs MIN <= MAX".into())
                } else {
                    Ok(())
                }
            }
            Input::Expect(Expect::Role { node, role }) => {
                node_ok(*node)?;
                super::protocol::Role::parse(role).map(|_| ()).ok_or_else(|| format!("unknown role {role:?}"))
            }
            Input::Verb { verb, args } => {
                let (node, _) = (self.parse_verb)(verb, args)?;
                if self.alive[node] { Ok(()) } else { Err(format!("node {node} is crashed")) }
            }
            Input::Hb(a, b) => {
                for e in [*a, *b] {
                    match self.history.get(e as usize).map(|r| &r.kind) {
                        None => {
                            return Err(format!("no event e{e} yet (events are e0..e{})", self.history.len() - 1));
                        }
                        Some(EvKind::Lost { .. } | EvKind::Crash) => {
                            return Err(format!("e{e} is a loss or a crash, not an event of a node's own history"));
                        }
                        Some(_) => {}
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    // ----- scheduling ------------------------------------------------------

    fn under_limit(&self) -> bool {
        self.limit.is_none_or(|l| self.step < l)
    }

    /// Deliver up to `k` events; stops early when nothing is left.
    ///
    /// One flat future: every delivery posts the event to its node and
    /// polls for the answer in this same loop, so a delivery costs one poll
    /// of this future rather than a descent through nested async calls.
    /// Still one event to one node at a time, its answer awaited before
    /// the scheduler picks the next (DESIGN rule 2).
    async fn steps(&mut self, k: u64) {
        let before = self.step;
        // Not wrapped in `tokio::task::unconstrained`: the loop yields at
        // every delivery, so tokio's budget (fresh at every poll) never runs
        // out, and the wrapper cost 45 instructions per event.
        std::future::poll_fn(|cx| self.poll_steps(cx, before, k)).await;
    }

    fn poll_steps(&mut self, cx: &mut Context<'_>, before: u64, k: u64) -> Poll<()> {
        loop {
            ready!(self.poll_settle(cx));
            if self.step - before >= k {
                return Poll::Ready(());
            }
            let Some(id) = self.next_event() else { return Poll::Ready(()) };
            if let Some((node, ev, incoming)) = self.begin_fire(id) {
                self.start_handle(node, ev, incoming);
                if self.waiting.is_some() {
                    // The node's task has not run yet, so its answer cannot
                    // be here: rather than poll the reply channel now (and
                    // register to be woken by the node), yield once. The
                    // runtime runs the node, which answers without a wake-up
                    // to make, and the next poll finds the answer at once.
                    // (Should it not be there, that poll registers as usual.)
                    // About 200 instructions per event saved.
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
            }
        }
    }

    /// Finish the event a node is handling, if any (also what a dropped
    /// stepping future left behind, before anything else is done).
    fn poll_settle(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(w) = self.waiting {
            let (buf, summary) = ready!(self.driver.poll_handled(cx));
            self.waiting = None;
            self.finish_handle(w.node, w.ev_index, w.lamport, buf, summary);
        }
        Poll::Ready(())
    }

    async fn settle(&mut self) {
        std::future::poll_fn(|cx| self.poll_settle(cx)).await;
    }

    /// The event the scheduler picks next, if any (and under the limit).
    fn next_event(&mut self) -> Option<EvId> {
        if !self.under_limit() {
            return None;
        }
        match self.cfg.sched {
            SchedMode::Timed => self.next_timed(),
            SchedMode::Random => self.next_random(),
            SchedMode::Manual => None,
        }
    }

    fn next_timed(&mut self) -> Option<EvId> {
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
    fn next_random(&mut self) -> Option<EvId> {
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
    fn order_links(&mut self) {
        let mut last: HashMap<(NodeId, NodeId), Time> = HashMap::new();
        let ids: Vec<EvId> = self.pending.iter().map(|(k, _)| k).collect();
        for id in ids {
            let Some(p) = self.pending.get_mut(id) else { continue };
            let Some(link) = p.link() else { continue };
            let due = last.get(&link).map_or(p.due, |&l| p.due.max(l));
            if due != p.due {
                p.due = due;
                self.queue.push(due, id);
            }
            last.insert(link, due);
        }
        for (link, due) in last {
            let l = self.link_last_due.entry(link).or_insert(0);
            *l = (*l).max(due);
        }
    }

    fn earlier_on_link(&self, id: EvId) -> Option<EvId> {
        let link = self.pending.get(id)?.link()?;
        self.pending.before(id).find(|(_, p)| p.link() == Some(link)).map(|(k, _)| k)
    }

    fn enqueue(&mut self, due: Time, kind: PendingKind<P>) -> EvId {
        let id = self.next_id;
        self.next_id += 1;
        self.queue.push(due, id);
        if let PendingKind::Timer { node, .. } = &kind {
            self.timers[*node as NodeId].push(id);
        }
        self.pending.insert(id, Pending { id, due, kind });
        id
    }

    /// Remove a pending event (and its timer index entry).
    fn take(&mut self, id: EvId) -> Option<Pending<P>> {
        let p = self.pending.remove(id)?;
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

    fn delay(&mut self, id: EvId, by: Time) {
        let Some(p) = self.pending.get_mut(id) else { return };
        p.due = p.due.saturating_add(by);
        let (due, link) = (p.due, p.link());
        self.queue.push(due, id);
        // On FIFO links the later messages wait behind the delayed one.
        if let (true, Some(link)) = (self.cfg.net.fifo, link) {
            let later: Vec<EvId> =
                self.pending.after(id).filter(|(_, q)| q.link() == Some(link) && q.due < due).map(|(k, _)| k).collect();
            for k in later {
                if let Some(q) = self.pending.get_mut(k) {
                    q.due = due;
                    self.queue.push(due, k);
                }
            }
            let last = self.link_last_due.entry(link).or_insert(0);
            *last = (*last).max(due);
        }
    }

    fn duplicate(&mut self, id: EvId) {
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
            self.history[*send_event as usize].sends += 1;
            self.vc.get_mut().add_copy(*send_event);
            let due = p.due;
            self.bump(k, |c| &mut c.sent);
            self.bump_in_flight(k);
            self.enqueue(due, kind);
        }
    }

    // ----- delivering ------------------------------------------------------

    async fn fire(&mut self, id: EvId) {
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
    fn begin_fire(&mut self, id: EvId) -> Option<(NodeId, NodeEvent<P>, Option<(NodeId, u32, u16, u64)>)> {
        let p = self.take(id)?;
        self.step += 1;
        self.now = self.now.max(p.due);
        match p.kind {
            PendingKind::Timer { node, timer, .. } => {
                let node = node as NodeId;
                if self.cfg.logging {
                    self.push_log(false, format!("#{id} timer {} fires at node {node}", timer.summary()));
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
                    self.push_log(false, format!("#{id} {from}→{to} {} delivered", msg.summary()));
                }
                Some((to, NodeEvent::Message { from, msg }, Some((from, send_event, k, lamport))))
            }
        }
    }

    /// Run one event on one node and carry out what it wrote.
    async fn handle(&mut self, node: NodeId, ev: NodeEvent<P>, incoming: Option<(NodeId, u32, u16, u64)>) {
        self.start_handle(node, ev, incoming);
        self.settle().await;
    }

    /// Record the event and hand it to its node; finished at once by the
    /// inline driver, else by [`Self::poll_settle`] when the node answers.
    fn start_handle(&mut self, node: NodeId, ev: NodeEvent<P>, incoming: Option<(NodeId, u32, u16, u64)>) {
        let (ev_index, lamport) = self.begin_handle(node, &ev, incoming);
        let buf = std::mem::take(&mut self.buf);
        match self.driver.start(node, self.cfg.n, self.now, ev, buf) {
            Some((buf, summary)) => self.finish_handle(node, ev_index, lamport, buf, summary),
            None => self.waiting = Some(Waiting { node, ev_index, lamport }),
        }
    }

    /// Record the event in the history with its Lamport time.
    fn begin_handle(
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
        let ev_index = self.history.len() as u32;
        self.history.push(EventRec { step: self.step, time: self.now, node: node as u32, lamport, kind, sends: 0 });
        (ev_index, lamport)
    }

    /// Carry out the commands a handler wrote and check the new summary.
    fn finish_handle(&mut self, node: NodeId, ev_index: u32, lamport: u64, mut buf: Vec<Cmd<P>>, summary: P::Summary) {
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
        self.history[ev_index as usize].sends = sends;
        if summary != self.summaries[node] {
            let old = std::mem::replace(&mut self.summaries[node], summary);
            self.notify_at(Change::Summary(node), Some(old), Some(ev_index));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn send(
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
            self.enqueue(due, pk);
        }
        copies
    }

    fn tick(&mut self, node: NodeId) -> u64 {
        self.lamport[node] += 1;
        self.lamport[node]
    }

    fn lose(&mut self, p: Pending<P>, why: LossWhy) {
        if let PendingKind::Msg { from, to, msg, send_event, k, .. } = &p.kind {
            let k = *k;
            self.bump(k, |c| &mut c.lost);
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

    async fn crash(&mut self, node: NodeId) {
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

    fn notify(&mut self, change: Change, old: Option<P::Summary>) {
        self.notify_at(change, old, None);
    }

    fn notify_at(&mut self, change: Change, old: Option<P::Summary>, event: Option<u32>) {
        let world = world!(self, event);
        let found = self.monitor.on_change(&world, change, old.as_ref());
        self.record(found);
    }

    fn check_quiescence(&mut self) {
        let world = world!(self, None);
        let found = self.monitor.at_quiescence(&world);
        self.record(found);
    }

    /// The ground-truth vector clocks of two history events, by one replay
    /// of the history up to the later one (queries are rare).
    fn event_vectors(&self, a: u32, b: u32) -> [Vec<u32>; 2] {
        let mut vc = VcTracker::new(self.cfg.n);
        let mut at = |e: u32| {
            vc.catch_up(&self.history[..=e as usize]);
            vc.vector(self.history[e as usize].node as usize)
        };
        if a <= b {
            let va = at(a);
            [va, at(b)]
        } else {
            let vb = at(b);
            [at(a), vb]
        }
    }

    /// Answer `hb A B` from the engine's ground truth and, when the
    /// algorithm keeps its own timestamps, from those too; a disagreement
    /// is a violation of `hb-matches-truth`.
    fn happened_before(&mut self, a: u32, b: u32) -> String {
        let truth = self.event_vectors(a, b);
        let verdict = |va: &[u32], vb: &[u32]| relation(va, vb, a == b);
        let t = verdict(&truth[0], &truth[1]);
        let name = |r: Relation| match r {
            Relation::Same => format!("e{a} and e{b} are the same event"),
            Relation::Before => format!("e{a} → e{b}: e{a} happened before e{b}"),
            Relation::After => format!("e{b} → e{a}: e{b} happened before e{a}"),
            Relation::Concurrent => format!("e{a} ∥ e{b}: concurrent"),
        };
        let show = |v: &[u32]| format!("[{}]", v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" "));
        match (self.monitor.stamp(a), self.monitor.stamp(b)) {
            (Some(sa), Some(sb)) => {
                let own = verdict(&sa.vector, &sb.vector);
                let clocks = format!(
                    "e{a} L={} V={}, e{b} L={} V={}",
                    sa.lamport,
                    show(&sa.vector),
                    sb.lamport,
                    show(&sb.vector)
                );
                if own == t {
                    format!("hb e{a} e{b}: {} ({clocks}; the engine's ground truth agrees)", name(own))
                } else {
                    let v = Violation {
                        property: "hb-matches-truth".into(),
                        step: self.step,
                        detail: format!("the algorithm's clocks say {}, the ground truth says {}", name(own), name(t)),
                    };
                    self.record(vec![v]);
                    format!("hb e{a} e{b}: {} ({clocks}) — WRONG, the ground truth says {}", name(own), name(t))
                }
            }
            _ => format!(
                "hb e{a} e{b}: {} (ground truth V(e{a})={}, V(e{b})={})",
                name(t),
                show(&truth[0]),
                show(&truth[1])
            ),
        }
    }

    fn record(&mut self, found: Vec<Violation>) {
        for v in found {
            self.violation_count += 1;
            if self.cfg.logging || self.violations.is_empty() {
                self.push_log(false, format!("VIOLATION {}: {}", v.property, v.detail));
            }
            if self.violations.len() < VIOLATIONS_KEEP {
                self.violations.push(v);
            }
        }
    }

    fn check_expect(&self, e: &Expect) -> Result<(), String> {
        match e {
            Expect::Ok => match self.violations.first() {
                None => Ok(()),
                Some(v) => Err(format!("{} violated at step {}", v.property, v.step)),
            },
            Expect::Role { node, role } => {
                let actual = if self.alive[*node] { self.summaries[*node].role().name() } else { "crashed" };
                if actual == role { Ok(()) } else { Err(actual.to_string()) }
            }
            Expect::Path { path, value } => {
                let want: serde_json::Value =
                    serde_json::from_str(value).map_err(|e| format!("expected value is not JSON: {e}"))?;
                let report = self.report();
                let got = lookup(&report, path);
                match got {
                    Some(v) if *v == want => Ok(()),
                    Some(v) => Err(v.to_string()),
                    None => Err(format!("nothing at {path}")),
                }
            }
        }
    }

    // ----- small helpers ---------------------------------------------------

    fn kind_index(&mut self, k: &'static str) -> u16 {
        // Kinds are string literals: the pointer almost always matches.
        if let Some(i) = self.kinds.iter().position(|&x| std::ptr::eq(x, k)) {
            return i as u16;
        }
        if let Some(i) = self.kinds.iter().position(|&x| x == k) {
            return i as u16;
        }
        self.kinds.push(k);
        self.counts.sent.push(0);
        self.counts.delivered.push(0);
        self.counts.lost.push(0);
        self.in_flight.push(0);
        (self.kinds.len() - 1) as u16
    }

    fn bump_in_flight(&mut self, k: u16) {
        self.in_flight[k as usize] += 1;
    }

    fn bump(&mut self, k: u16, which: fn(&mut Counts) -> &mut Vec<u64>) {
        which(&mut self.counts)[k as usize] += 1;
    }

    fn push_log(&mut self, input: bool, text: String) {
        if self.log.len() == LOG_KEEP {
            self.log.pop_front();
        }
        self.log.push_back(LogLine { step: self.step, time: self.now, input, text });
    }
}

/// How two events are ordered by happened-before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    Same,
    Before,
    After,
    Concurrent,
}

fn relation(a: &[u32], b: &[u32], same: bool) -> Relation {
    let le = |x: &[u32], y: &[u32]| x.iter().zip(y).all(|(p, q)| p <= q);
    match (same, le(a, b), le(b, a)) {
        (true, _, _) => Relation::Same,
        (_, true, true) => Relation::Same,
        (_, true, false) => Relation::Before,
        (_, false, true) => Relation::After,
        _ => Relation::Concurrent,
    }
}

/// The draw for this step's network choices, made on first use.
fn net_draw(net: &mut Option<Draw>, seed: u64, step: u64) -> &mut Draw {
    net.get_or_insert_with(|| Draw::new(seed, step, Purpose::Net))
}

/// Walk a dotted path (`result.leaders.0`) into a JSON value.
pub fn lookup<'a>(v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.').try_fold(v, |v, key| match v {
        serde_json::Value::Object(m) => m.get(key),
        serde_json::Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}
