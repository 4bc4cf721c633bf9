//! The simulator: owns virtual time, randomness, the in-flight set, timers,
//! faults and the ground-truth clocks. `Sim::apply(Input)` is the single
//! entry point for the TUI, scripts, replay and tests.

use super::actor::{Driver, DriverKind};
use super::clocks::{LazyVc, VcTracker};
use super::history::History;
use super::input::{EvId, Expect, Input, SchedMode};
use super::invariant::{Change, Chart, Monitor, Table, Transcript, Violation, World};
use super::network::{Fault, FaultRec, FaultWhat, Faults, NetConfig};
use super::protocol::{
    Cmd, Describe, DrawKey, GENERIC_WORDS, NodeEvent, NodeId, Protocol, Role, RoleWords, Row, Summary, Time,
};
use super::queue::{PendingSet, TimeQueue};
use super::record::{Counts, EvKind, EventRec, ExpectFailure, LogLine, LossWhy, Outcome, Pending, PendingKind};
use super::rng::{Draw, Purpose};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::task::{Context, Poll, ready};

mod checks;
mod deliver;
mod schedule;
mod validate;

pub use checks::lookup;

/// The most events one `step K` or `run MAX` may deliver, and what `run`
/// delivers at most when no bound is given: a command never takes more
/// than about half a second.
pub const RUN_LIMIT: u64 = 1_000_000;
/// One command's count (`step K`, `run MAX`, a trace's): at most [`RUN_LIMIT`].
pub fn check_count(k: u64) -> Result<(), String> {
    if k <= RUN_LIMIT { Ok(()) } else { Err(format!("at most {RUN_LIMIT} events per command, not {k}")) }
}
/// A run stops growing at this many steps (its history then holds about a
/// gigabyte): stepping is refused from there on, and the summary says why.
pub const STEP_CEILING: u64 = 20_000_000;
/// ... or at this many messages and timers in flight at once.
pub const IN_FLIGHT_CEILING: usize = 4_000_000;
/// How many log lines are kept.
pub const LOG_KEEP: usize = 2_000;
/// How many of a node's latest events the inspector lists, and how far back
/// in the history it looks for them.
const RECENT_EVENTS: usize = 5;
const RECENT_SCAN: usize = 20_000;
/// How many violations are kept (the first one is what the badge shows).
pub const VIOLATIONS_KEEP: usize = 1_000;

/// The engine part of a run's configuration. A trace records what decides
/// the run's events (nodes, seed, scheduler, network); how it is executed
/// (driver, logging, ceiling) is not recorded: the events are the same
/// whatever those are, and so are the trace's bytes.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SimConfig {
    pub n: usize,
    pub seed: u64,
    pub sched: SchedMode,
    pub net: NetConfig,
    #[serde(skip)]
    pub driver: DriverKind,
    /// Keep human-readable log lines of every event (the TUI wants them,
    /// benchmarks do not).
    #[serde(skip, default = "logging_on")]
    pub logging: bool,
    /// The steps a run may take ([`STEP_CEILING`]; tests lower it).
    #[serde(skip, default = "step_ceiling")]
    pub step_ceiling: u64,
}

fn logging_on() -> bool {
    true
}

fn step_ceiling() -> u64 {
    STEP_CEILING
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
            step_ceiling: STEP_CEILING,
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
            // A monitor that reads no history is shown none, in every run
            // alike: the model checker's states then need not keep it.
            history: if $s.reads_history { $s.history.records() } else { &[] },
            truth: &$s.vc,
        }
    };
}

// After the macro, which it uses.
mod fork;
pub use fork::{hasher as fingerprint_hasher, share};

/// Parses an algorithm verb into the node it targets and the request.
pub type VerbParser<P> =
    std::sync::Arc<dyn Fn(&str, &[String]) -> Result<(NodeId, <P as Protocol>::Request), String> + Send + Sync>;

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
    vc: LazyVc,
    history: History,
    /// The monitor reads the history ([`Monitor::reads_history`]).
    reads_history: bool,
    /// The message and timer kinds seen so far, in order (shared by the
    /// copies of a run: a kind is new rarely).
    kinds: Arc<Vec<&'static str>>,
    counts: Counts,
    /// Messages in flight by kind index (monitors count tokens with it).
    in_flight: Vec<u32>,
    /// How the run got here (none of it in a lean copy).
    record: Box<Record>,
    violations: Vec<Violation>,
    violation_count: u64,
    /// Stop delivering once `step` reaches this (rewinding re-simulates up to it).
    limit: Option<u64>,
    buf: Vec<Cmd<P>>,
    /// The event a node actor is handling, whose answer is awaited.
    waiting: Option<Waiting>,
    /// A `step K` stops at the first new violation (the TUI's play).
    halt_on_violation: bool,
    /// The scenario's words for the roles (`expect role`, its answers).
    role_words: RoleWords,
    /// Every fault applied to the run, in order (the severity rule names one).
    fault_log: Vec<FaultRec>,
    /// The liveness properties of the scenario, and the faults its
    /// algorithm claims to survive in this run ([`Sim::set_severity`]);
    /// shared by the copies of a run.
    severity: Arc<Severity>,
    /// What has been reported: (property, nodes) of a violation that names
    /// its nodes, (property, detail) of one that does not.
    reported: BTreeSet<(String, Vec<NodeId>, String)>,
    /// Liveness lost to a fault the algorithm does not claim, as found at
    /// the last quiescence: statuses, not violations.
    stuck: Vec<String>,
    /// A state of the model checker's search ([`Sim::fork`]): no inputs,
    /// log lines, narration or answers are kept.
    lean: bool,
    /// In a lean run, the sum of the pending events' hashes (the
    /// fingerprint's multiset), kept as they come and go.
    pending_sum: u64,
}

/// What a run records of how it got here: its inputs, log lines,
/// narration, answers, failed expectations and the last `check`'s outcome.
/// A lean copy (a state of the model checker's search) keeps none of it.
/// Boxed: a state's own box then stays under the size at which glibc's
/// malloc consolidates its free lists on every allocation (1 KiB), which
/// cost a search 6%.
#[derive(Clone, Default)]
struct Record {
    /// The answers of `hb` queries, in order (part of the report).
    answers: Vec<String>,
    /// The last `check` line's outcome (the report's `check`).
    checked: Option<serde_json::Value>,
    log: VecDeque<LogLine>,
    failed: Vec<ExpectFailure>,
    inputs: Vec<Input>,
    /// The `say` lines since the last `pause`, joined: what the class reads.
    narration: Option<String>,
    /// A `pause` closed the narration: the next `say` starts it afresh.
    narration_closed: bool,
}

impl Record {
    /// Forget everything, keeping the buffers.
    fn clear(&mut self) {
        let Record { answers, checked, log, failed, inputs, narration, narration_closed } = self;
        answers.clear();
        *checked = None;
        log.clear();
        failed.clear();
        inputs.clear();
        *narration = None;
        *narration_closed = false;
    }
}

/// The severity rule's facts of a run (see [`Sim::set_severity`]).
#[derive(Default)]
struct Severity {
    liveness: Vec<&'static str>,
    tolerates: Vec<Fault>,
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
        let reads_history = monitor.reads_history();
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
            vc: LazyVc::default(),
            history: History::default(),
            reads_history,
            kinds: Arc::default(),
            counts: Counts::default(),
            in_flight: Vec::new(),
            record: Box::default(),
            violations: Vec::new(),
            violation_count: 0,
            limit: None,
            buf: Vec::new(),
            waiting: None,
            halt_on_violation: false,
            role_words: GENERIC_WORDS,
            fault_log: Vec::new(),
            severity: Arc::default(),
            reported: BTreeSet::new(),
            stuck: Vec::new(),
            lean: false,
            pending_sum: 0,
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
    /// The first `k` pending events in the order the timed scheduler
    /// delivers them (due time, then id), the first being what `step`
    /// delivers next under it. Later events may still come in between:
    /// delivering one can send a message due sooner than the rest. Costs
    /// O(k log n), not a sort of everything in flight (see
    /// [`TimeQueue::first`]).
    pub fn upcoming(&self, k: usize) -> impl Iterator<Item = &Pending<P>> {
        let pending = &self.pending;
        let live = |due, id| pending.get(id).is_some_and(|p: &Pending<P>| p.due == due);
        self.queue.first(k, live).into_iter().filter_map(move |(_, id)| pending.get(id))
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
        self.vc.vector(self.cfg.n, self.history.records(), node)
    }
    /// Every event so far (a state of the model checker's search whose
    /// monitor reads no history keeps none).
    pub fn history(&self) -> &[EventRec] {
        self.history.records()
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
        &self.record.log
    }
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }
    pub fn violation_count(&self) -> u64 {
        self.violation_count
    }
    pub fn failed_expectations(&self) -> &[ExpectFailure] {
        &self.record.failed
    }
    pub fn inputs(&self) -> &[Input] {
        &self.record.inputs
    }
    pub fn narration(&self) -> Option<&str> {
        self.record.narration.as_deref()
    }
    /// Replace the input log by an equivalent one (used when rewinding cuts
    /// the last `run` short: it becomes the `step K` it actually did).
    pub fn rewrite_inputs(&mut self, inputs: Vec<Input>) {
        self.record.inputs = inputs;
    }
    pub fn set_limit(&mut self, limit: Option<u64>) {
        self.limit = limit;
    }
    /// Make a `step K` stop after the delivery that breaks a property (the
    /// input log then says the `step` it made, so a replay, which does not
    /// halt, makes the same run).
    pub fn set_halt_on_violation(&mut self, on: bool) {
        self.halt_on_violation = on;
    }
    /// The scenario's words for the roles, as `expect role` takes and
    /// answers them (the generic words until set).
    pub fn set_role_words(&mut self, words: RoleWords) {
        self.role_words = words;
    }
    /// The severity rule's facts: which properties are liveness ones, and
    /// which faults the algorithm claims to survive in this run. A liveness
    /// property found broken after a fault not in `tolerates` is a status
    /// naming that fault; otherwise it is a violation. (Without this call
    /// every broken property is a violation.)
    pub fn set_severity(&mut self, liveness: Vec<&'static str>, tolerates: Vec<Fault>) {
        self.severity = Arc::new(Severity { liveness, tolerates });
    }
    /// Every fault applied so far, in order.
    pub fn fault_log(&self) -> &[FaultRec] {
        &self.fault_log
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
    /// Every condition the screen shows in yellow: the monitor's status,
    /// then each liveness loss the last quiescence blamed on a fault the
    /// algorithm does not claim to survive ("stuck: …").
    pub fn statuses(&self) -> Vec<String> {
        self.status().into_iter().chain(self.stuck.iter().cloned()).collect()
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
        &self.record.answers
    }
    /// The inspector rows of `node`: its own, the monitor's, and the
    /// history numbers of its latest events (what `hb` takes).
    pub async fn inspect(&mut self, node: NodeId) -> Vec<Row> {
        self.settle().await;
        let mut rows = self.driver.inspect(node).await;
        rows.extend(self.monitor.inspect(&self.world(), node));
        let mut recent: Vec<String> = self
            .history
            .records()
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
        let mut json = serde_json::json!({
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
            "failed_expectations": self.record.failed,
            "status": self.status(),
            "statuses": self.statuses(),
            "answers": self.record.answers,
            "result": self.result(),
        });
        if let Some(why) = self.stopped() {
            json["stopped"] = why.into();
        }
        if let Some(c) = &self.record.checked {
            json["check"] = c.clone();
        }
        json
    }

    // ----- the single entry point -----------------------------------------

    /// Apply one input. An invalid input returns an error and changes nothing.
    pub async fn apply(&mut self, input: Input) -> Result<Outcome, String> {
        self.settle().await;
        self.validate(&input)?;
        let index = self.record.inputs.len();
        if !self.lean {
            self.push_log(true, input.to_string());
            self.record.inputs.push(input.clone());
        }
        let before = self.step;
        let mut out = Outcome::default();
        match input {
            Input::Step(k) => {
                let violations = self.violation_count;
                self.steps(k).await;
                let did = self.step - before;
                if self.halt_on_violation
                    && self.violation_count > violations
                    && did < k
                    && let Some(last) = self.record.inputs.last_mut().filter(|_| !self.lean)
                {
                    *last = Input::Step(did);
                }
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
                    if let PendingKind::Timer { node, .. } = p.kind {
                        self.log_fault(Fault::Timer, FaultWhat::Timer { id, node });
                    }
                    self.lose(p, LossWhy::User);
                }
            }
            Input::Delay(id, by) => {
                self.log_msg_fault(id, Fault::Delay, "delayed");
                self.delay(id, by)
            }
            Input::Dup(id) => {
                self.log_msg_fault(id, Fault::Dup, "duplicated");
                self.duplicate(id)
            }
            Input::Crash(node) => self.crash(node).await,
            Input::Recover(node) => {
                self.log_fault(Fault::Recover, FaultWhat::Node(node as u32));
                self.alive[node] = true;
                let old = self.summaries[node].clone();
                self.notify(Change::Recover(node), Some(old));
                self.step += 1;
                self.handle(node, NodeEvent::Recover, None).await;
            }
            Input::Partition(groups) => {
                self.log_fault(Fault::Partition, FaultWhat::Network);
                self.faults.partition(self.cfg.n, &groups);
                self.notify(Change::Links, None);
            }
            Input::Cut(a, b) => {
                self.log_fault(Fault::Partition, FaultWhat::Link(a.min(b) as u32, a.max(b) as u32));
                self.faults.cut.insert((a.min(b), a.max(b)));
                self.notify(Change::Links, None);
            }
            Input::Heal => {
                self.faults.heal();
                self.notify(Change::Links, None);
            }
            Input::HealLink(a, b) => {
                self.faults.cut.remove(&(a.min(b), a.max(b)));
                self.notify(Change::Links, None);
            }
            Input::Checked(json) => self.record.checked = serde_json::from_str(&json).ok(),
            Input::Loss(p) => self.cfg.net.loss = p,
            Input::DupRate(p) => self.cfg.net.dup = p,
            Input::Latency(a, b) => {
                self.cfg.net.latency_min = a;
                self.cfg.net.latency_max = b;
            }
            Input::Sched(m) => self.set_sched(m),
            Input::Fifo(on) => {
                self.cfg.net.fifo = on;
                if on {
                    self.order_links();
                }
            }
            Input::Say(text) => {
                match (&mut self.record.narration, self.record.narration_closed) {
                    // One paragraph per `say`.
                    (Some(n), false) => {
                        n.push('\n');
                        n.push_str(&text);
                    }
                    _ => self.record.narration = Some(text),
                }
                self.record.narration_closed = false;
            }
            Input::Pause => {
                self.record.narration_closed = true;
                out.pause = true;
            }
            Input::Hb(a, b) => {
                let answer = self.happened_before(a, b);
                self.push_log(false, answer.clone());
                self.record.answers.push(answer.clone());
                out.answer = Some(answer);
            }
            Input::Expect(e) => {
                if let Err(actual) = self.check_expect(&e) {
                    let text = Input::Expect(e).to_string();
                    self.push_log(false, format!("FAILED {text}: got {actual}"));
                    out.expect_failed = Some(format!("{text}: got {actual}"));
                    self.record.failed.push(ExpectFailure { input: index, expect: text, actual });
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
        if out.steps > 0 && !out.quiescent {
            // "Stuck" is a judgement at quiescence: the run has moved on.
            self.stuck.clear();
        }
        Ok(out)
    }

    // ----- scheduling ------------------------------------------------------

    fn under_limit(&self) -> bool {
        self.limit.is_none_or(|l| self.step < l)
            && self.step < self.cfg.step_ceiling
            && self.pending.len() < IN_FLIGHT_CEILING
    }

    /// Why the run can take no more steps, once it has reached a ceiling.
    pub fn stopped(&self) -> Option<String> {
        if self.step >= self.cfg.step_ceiling {
            Some(format!("the run reached its ceiling of {} steps", self.cfg.step_ceiling))
        } else if self.pending.len() >= IN_FLIGHT_CEILING {
            Some(format!("the run reached its ceiling of {IN_FLIGHT_CEILING} messages and timers in flight"))
        } else {
            None
        }
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
        let violations = self.violation_count;
        // Not wrapped in `tokio::task::unconstrained`: the loop yields at
        // every delivery, so tokio's budget (fresh at every poll) never runs
        // out, and the wrapper cost 45 instructions per event.
        std::future::poll_fn(|cx| self.poll_steps(cx, before, k, violations)).await;
    }

    fn poll_steps(&mut self, cx: &mut Context<'_>, before: u64, k: u64, violations: u64) -> Poll<()> {
        loop {
            ready!(self.poll_settle(cx));
            if self.step - before >= k || (self.halt_on_violation && self.violation_count > violations) {
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
        let before = std::mem::take(&mut self.stuck);
        self.record(found);
        if self.cfg.logging {
            let new: Vec<String> = self.stuck.iter().filter(|s| !before.contains(s)).cloned().collect();
            for s in new {
                self.push_log(false, s);
            }
        }
    }

    /// Note a fault in the fault log.
    fn log_fault(&mut self, fault: Fault, what: FaultWhat) {
        self.fault_log.push(FaultRec { step: self.step, fault, what });
    }

    /// Note a fault done to in-flight message `id` (nothing for a timer).
    fn log_msg_fault(&mut self, id: EvId, fault: Fault, how: &'static str) {
        if let Some(Pending { kind: PendingKind::Msg { from, to, k, .. }, .. }) = self.pending.get(id) {
            let what = FaultWhat::Msg { id, kind: *k, from: *from, to: *to, how };
            self.log_fault(fault, what);
        }
    }

    fn kind_index(&mut self, k: &'static str) -> u16 {
        // Kinds are string literals: the pointer almost always matches.
        if let Some(i) = self.kinds.iter().position(|&x| std::ptr::eq(x, k)) {
            return i as u16;
        }
        if let Some(i) = self.kinds.iter().position(|&x| x == k) {
            return i as u16;
        }
        Arc::make_mut(&mut self.kinds).push(k);
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
        if self.lean {
            return;
        }
        if self.record.log.len() == LOG_KEEP {
            self.record.log.pop_front();
        }
        self.record.log.push_back(LogLine { step: self.step, time: self.now, input, text });
    }
}

/// The draw for this step's network choices, made on first use.
fn net_draw(net: &mut Option<Draw>, seed: u64, step: u64) -> &mut Draw {
    net.get_or_insert_with(|| Draw::new(seed, step, Purpose::Net))
}
