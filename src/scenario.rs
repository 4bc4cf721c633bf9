//! A running scenario behind one type-erased interface, so the TUI, the
//! headless runner, replay and tests are written once for every algorithm.

use crate::card::{self, Args, Card, NodeRoles};
use crate::engine::actor::DriverKind;
use crate::engine::input::{EvId, Input};
use crate::engine::invariant::{Chart, Monitor, Table, Transcript, Violation};
use crate::engine::network::Faults;
use crate::engine::protocol::{MS, NodeId, Protocol, Role, Row, Summary, Time};
use crate::engine::record::{Counts, EventRec, ExpectFailure, LogLine, Outcome, Pending, PendingKind};
use crate::engine::sim::{Sim, SimConfig, VerbParser};
use crate::engine::trace::{RunConfig, Trace};
use futures::FutureExt;
use futures::future::LocalBoxFuture;
use std::collections::VecDeque;
use std::sync::Arc;

/// Parameters with typed getters; unknown keys are rejected up front.
#[derive(Clone, Debug, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// Every given parameter against the card: known key, type, range.
    pub fn check(&self, card: &Card, n: usize) -> Result<(), String> {
        self.0.iter().try_for_each(|(k, v)| card::check_param(card, k, v, n))
    }
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    pub fn num<T: std::str::FromStr>(&self, key: &str, default: T) -> Result<T, String> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| format!("parameter {key}={v} is not a valid number")),
        }
    }
    /// `key`'s value as given, or else its default from the card (the one
    /// place a default is written).
    pub fn value<'a>(&'a self, card: &'a Card, key: &str) -> &'a str {
        debug_assert!(
            card.param(key).is_some_and(|p| self.get(key).is_some() || !p.is_derived()),
            "{} reads parameter {key}, which its card does not declare with a plain default",
            card.name
        );
        self.get(key).or_else(|| card.param(key).map(|p| p.default)).unwrap_or_default()
    }
    /// A number parameter, as given or the card's default.
    pub fn int<T: std::str::FromStr>(&self, card: &Card, key: &str) -> Result<T, String> {
        let v = self.value(card, key);
        v.parse().map_err(|_| format!("parameter {key}={v} is not a valid number"))
    }
    /// A parameter in whole ms (as given or the card's default), as virtual time.
    pub fn ms(&self, card: &Card, key: &str) -> Result<Time, String> {
        let v = self.value(card, key);
        v.parse::<u64>()
            .ok()
            .and_then(|ms| ms.checked_mul(MS))
            .ok_or_else(|| format!("parameter {key}={v}: expected whole ms from 0 to {}", card::MAX_MS))
    }
    /// The index of the `variant` parameter in the card's variants (0, the
    /// correct algorithm, when not given).
    pub fn variant(&self, card: &Card) -> Result<usize, String> {
        let key = card.variant_key();
        match self.get(key) {
            None => Ok(0),
            Some(v) => card
                .variants
                .iter()
                .position(|x| x.name == v)
                .ok_or_else(|| format!("parameter {key}={v}: expected one of {}", card.variant_names().join(", "))),
        }
    }
    /// The index of a choice parameter's value (as given or the card's
    /// default) among the options its card lists.
    pub fn choice(&self, card: &Card, key: &str) -> Result<usize, String> {
        let options = match card.param(key).map(|p| p.kind) {
            Some(card::Kind::Choice(options)) => options,
            _ => return Err(format!("{} has no choice parameter {key}", card.name)),
        };
        let v = self.value(card, key);
        options
            .iter()
            .position(|o| *o == v)
            .ok_or_else(|| format!("parameter {key}={v}: expected one of {}", options.join(", ")))
    }
}

/// An algorithm as the registry sees it.
pub trait Algorithm: 'static {
    type P: Protocol;
    fn card() -> &'static Card;
    /// Initial node states and the monitor for `n` nodes.
    #[allow(clippy::type_complexity)]
    fn build(n: usize, params: &Params) -> Result<(Vec<Self::P>, Box<dyn Monitor<Self::P>>), String>;
    /// The role each node plays in a run with these parameters (names from
    /// the card's roles). By default every node plays the card's first role.
    fn node_roles(n: usize, _params: &Params) -> Vec<&'static str> {
        vec![Self::card().roles.first().map_or("node", |r| r.name); n]
    }
    /// The node a verb goes to and its request, from arguments already
    /// checked against the verb's card (count, types, ranges, roles).
    fn request(verb: &str, args: &Args) -> Result<(NodeId, <Self::P as Protocol>::Request), String>;
    /// The input the TUI's action key sends for a node in this state.
    fn action(node: NodeId, summary: &<Self::P as Protocol>::Summary) -> Option<Input>;
}

/// An in-flight message or pending timer as the panes show it.
#[derive(Clone, Debug, PartialEq)]
pub struct InFlight {
    pub id: EvId,
    /// `None` for a timer.
    pub from: Option<NodeId>,
    pub to: NodeId,
    pub kind: &'static str,
    pub summary: String,
    pub sent_at: Time,
    pub due: Time,
}

/// Everything a pane may read of a run, for any algorithm.
pub trait Scenario: Send {
    fn card(&self) -> &'static Card;
    fn config(&self) -> &RunConfig;
    fn n(&self) -> usize;
    fn now(&self) -> Time;
    fn step(&self) -> u64;
    fn role(&self, node: NodeId) -> Role;
    fn badge(&self, node: NodeId) -> String;
    fn alive(&self, node: NodeId) -> bool;
    fn faults(&self) -> &Faults;
    fn sim_config(&self) -> &SimConfig;
    /// Up to `limit` pending events in id order, and how many there are.
    fn in_flight(&self, limit: usize) -> (Vec<InFlight>, usize);
    /// Up to `limit` pending events in the order `step` takes them: under
    /// the timed scheduler by due time then id, the first being the one
    /// `step` delivers next; under the random and manual schedulers, which
    /// have no order to show, in id order (as [`Scenario::in_flight`]).
    fn queued(&self, limit: usize) -> Vec<InFlight>;
    /// Every pending event as (id, sender — `None` for a timer —, target),
    /// in id order: [`Scenario::in_flight`] without the text the panes
    /// show (the model checker asks at every state).
    fn pending_events(&self) -> Vec<(EvId, Option<NodeId>, NodeId)>;
    fn history(&self) -> &[EventRec];
    fn kind_name(&self, k: u16) -> &'static str;
    fn log(&self) -> &VecDeque<LogLine>;
    fn violations(&self) -> &[Violation];
    fn violation_count(&self) -> u64;
    /// Why the run takes no more steps, once it has reached a ceiling.
    fn stopped(&self) -> Option<String>;
    fn failed_expectations(&self) -> &[ExpectFailure];
    fn properties(&self) -> Vec<&'static str> {
        self.card().property_names()
    }
    fn counts(&self) -> (&Counts, &[&'static str]);
    fn lamport(&self, node: NodeId) -> u64;
    fn vector(&self, node: NodeId) -> Vec<u32>;
    fn narration(&self) -> Option<&str>;
    fn inputs(&self) -> &[Input];
    /// A condition the monitor wants shown beside the badge ("token lost").
    fn status(&self) -> Option<String>;
    /// Every yellow status: the monitor's, then each liveness loss blamed
    /// on a fault the algorithm does not claim to survive ("stuck: …").
    fn statuses(&self) -> Vec<String>;
    /// Data for a chart pane, for algorithms that have one (clock offsets).
    fn chart(&self) -> Option<Chart>;
    /// Per-node transcripts for the transcript pane, for algorithms that
    /// keep them (chat): at most `limit` screens, `focus`'s first, each with
    /// at most its last `tail` lines (see [`Monitor::transcript`]).
    fn transcript(&self, focus: NodeId, limit: usize, tail: usize) -> Option<Transcript>;
    /// Data for a table pane, for algorithms that have one (per-server
    /// assignments); see [`Table`] for how it is drawn.
    fn table(&self) -> Option<Table>;
    /// The headless summary (without wall-clock fields).
    fn report(&self) -> serde_json::Value;
    fn trace(&self) -> Trace;
    /// Check an algorithm verb without running it (for the parser).
    fn check_verb(&self, verb: &str, args: &[String]) -> Result<(), String>;
    /// Is `verb` one of the algorithm's verbs?
    fn has_verb(&self, verb: &str) -> bool {
        self.card().verb(verb).is_some()
    }
    /// The role node `node` plays in this run (a name from the card).
    fn node_role(&self, node: NodeId) -> &'static str;
    /// The input of the TUI's action key on `node`.
    fn action(&self, node: NodeId) -> Option<Input>;

    fn apply(&mut self, input: Input) -> LocalBoxFuture<'_, Result<Outcome, String>>;
    /// Apply `input` at once, as [`Scenario::apply`] does, to a run of the
    /// inline driver (which never waits); `None`, changing nothing, under
    /// the actor driver. No future on the heap: the model checker applies
    /// a million inputs a second this way (the box was 3% of a search).
    fn apply_now(&mut self, input: Input) -> Option<Result<Outcome, String>>;
    /// Ask the memory system for this run ahead of its use (see `Sim::prefetch`).
    fn prefetch(&self, deep: bool);
    fn inspect(&mut self, node: NodeId) -> LocalBoxFuture<'_, Vec<Row>>;
    /// Rewind one step (or one input that made no step); errors at the start.
    fn step_back(&mut self) -> LocalBoxFuture<'_, Result<(), String>>;
    /// Make `step K` stop at the first new violation (the TUI's play).
    fn set_halt_on_violation(&mut self, on: bool);
    /// Go back to just after the first `len` inputs (a lecture's pause).
    fn rewind_to(&mut self, len: usize) -> LocalBoxFuture<'_, ()>;
    /// Go back to the moment the run had made `step` steps (a violation's
    /// step): the inputs after it are undone, one cut short is rewritten as
    /// the steps it made. Nothing changes if the run is not past `step`.
    fn rewind_to_step(&mut self, step: u64) -> LocalBoxFuture<'_, ()>;
    /// Start over with the same configuration and no inputs.
    fn restart(&mut self) -> LocalBoxFuture<'_, ()>;
    /// A copy of this run to go on from independently (the model checker's
    /// fork); `None` under the actor driver. A `lean` copy keeps no record
    /// of its inputs from then on (a state of the search: see `Sim::fork`).
    fn fork(&self, lean: bool) -> Option<Box<dyn Scenario>>;
    /// Make `into` a lean copy of this run, reusing its buffers (the model
    /// checker's copy of a state for one choice, into a state it has
    /// finished with); false, changing nothing, if `into` is a run of
    /// another algorithm or either run is not inline.
    fn fork_into(&self, into: &mut dyn Scenario) -> bool;
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any;
    /// The fingerprint of the state: nodes, network, monitor (see
    /// `engine::sim` `fork.rs`).
    fn fingerprint(&self) -> u64;
}

/// One play tick: `step k`, stopping after the delivery that breaks a
/// property when `halt` (the TUI's play and a script's animated `run`
/// share it). Whether a new violation appeared.
pub async fn play_step(sc: &mut dyn Scenario, k: u64, halt: bool) -> Result<bool, String> {
    let violations = sc.violation_count();
    sc.set_halt_on_violation(halt);
    let stepped = sc.apply(Input::Step(k)).await;
    sc.set_halt_on_violation(false);
    stepped.map(|_| sc.violation_count() > violations)
}

/// The role of every node of one run, for the verb parser.
struct RunRoles(Vec<&'static str>);

impl NodeRoles for RunRoles {
    fn n(&self) -> usize {
        self.0.len()
    }
    fn role_of(&self, node: NodeId) -> &'static str {
        self.0[node]
    }
}

/// A scenario of algorithm `A`.
pub struct Run<A: Algorithm> {
    /// Shared by the model checker's copies of the run.
    config: Arc<RunConfig>,
    roles: Arc<RunRoles>,
    sim: Sim<A::P>,
    /// Step count after each input, for step back.
    marks: Vec<u64>,
}

/// A verb checked against the card and the run's roles, then turned into
/// the algorithm's request.
fn parse_verb<A: Algorithm>(
    roles: &dyn NodeRoles,
    verb: &str,
    args: &[String],
) -> Result<(NodeId, <A::P as Protocol>::Request), String> {
    let args = card::parse_args(A::card(), verb, args, roles)?;
    A::request(verb, &args)
}

async fn new_sim<A: Algorithm>(config: &RunConfig, roles: &Arc<RunRoles>) -> Result<Sim<A::P>, String> {
    let params = Params(config.params.clone());
    let (states, monitor) = A::build(config.sim.n, &params)?;
    let roles = Arc::clone(roles);
    let parser: VerbParser<A::P> = Arc::new(move |verb, args| parse_verb::<A>(roles.as_ref(), verb, args));
    let mut sim = Sim::new(config.sim.clone(), states, monitor, parser).await;
    sim.set_role_words(A::card().role_words);
    let card = A::card();
    sim.set_severity(card.liveness_names(), card.tolerated(|key| params.value(card, key)));
    Ok(sim)
}

impl<A: Algorithm> Run<A> {
    pub async fn new(config: RunConfig) -> Result<Self, String> {
        let card = A::card();
        let n = config.sim.n;
        card.check_nodes(n)?;
        config.sim.net.check()?;
        let params = Params(config.params.clone());
        params.check(card, n)?;
        let roles = Arc::new(RunRoles(A::node_roles(n, &params)));
        let sim = new_sim::<A>(&config, &roles).await?;
        Ok(Run { config: Arc::new(config), roles, sim, marks: Vec::new() })
    }

    async fn apply_input(&mut self, input: Input) -> Result<Outcome, String> {
        let out = self.sim.apply(input).await?;
        debug_assert!(
            self.sim.violations().iter().all(|v| A::card().property(&v.property).is_some()),
            "{} reported a property its card does not list",
            A::card().name
        );
        if !self.sim.is_lean() {
            self.marks.push(self.sim.step());
        }
        Ok(out)
    }

    /// Rebuild from scratch and replay `inputs`, stopping deliveries at
    /// `limit` steps; an input cut short by the limit is rewritten as the
    /// `step K` it actually did, so the input log stays a faithful replay.
    async fn rebuild(&mut self, inputs: Vec<Input>, limit: Option<u64>) {
        let sim = new_sim::<A>(&self.config, &self.roles).await.expect("a config that built once builds again");
        self.sim = sim;
        self.marks.clear();
        self.sim.set_limit(limit);
        let mut replay = Vec::with_capacity(inputs.len());
        for input in inputs {
            let before = self.sim.step();
            let cut_short = matches!(input, Input::Run(_) | Input::Step(_));
            if self.apply_input(input.clone()).await.is_ok() {
                let did = self.sim.step() - before;
                if cut_short && limit.is_some_and(|l| self.sim.step() >= l) {
                    // A `step 0` left by the cut would only clutter the log.
                    if did > 0 {
                        replay.push(Input::Step(did));
                    }
                } else {
                    replay.push(input);
                }
            }
        }
        self.sim.set_limit(None);
        self.marks.truncate(replay.len());
        // The rewritten log replays to exactly this state (runs are deterministic).
        self.sim.rewrite_inputs(replay);
    }
}

impl<A: Algorithm> Scenario for Run<A> {
    fn card(&self) -> &'static Card {
        A::card()
    }
    fn node_role(&self, node: NodeId) -> &'static str {
        self.roles.role_of(node)
    }
    fn config(&self) -> &RunConfig {
        &self.config
    }
    fn n(&self) -> usize {
        self.sim.n()
    }
    fn now(&self) -> Time {
        self.sim.now()
    }
    fn step(&self) -> u64 {
        self.sim.step()
    }
    fn role(&self, node: NodeId) -> Role {
        if self.sim.alive()[node] { self.sim.summaries()[node].role() } else { Role::Crashed }
    }
    fn badge(&self, node: NodeId) -> String {
        self.sim.summaries()[node].badge()
    }
    fn alive(&self, node: NodeId) -> bool {
        self.sim.alive()[node]
    }
    fn faults(&self) -> &Faults {
        self.sim.faults()
    }
    fn sim_config(&self) -> &SimConfig {
        self.sim.config()
    }
    fn pending_events(&self) -> Vec<(EvId, Option<NodeId>, NodeId)> {
        let from = |p: &Pending<A::P>| match &p.kind {
            PendingKind::Msg { from, .. } => Some(*from as NodeId),
            PendingKind::Timer { .. } => None,
        };
        let mut out = Vec::with_capacity(self.sim.pending_len());
        out.extend(self.sim.pending().map(|p| (p.id, from(p), p.target())));
        out
    }
    fn in_flight(&self, limit: usize) -> (Vec<InFlight>, usize) {
        (self.sim.pending().take(limit).map(in_flight_row).collect(), self.sim.pending_len())
    }
    fn queued(&self, limit: usize) -> Vec<InFlight> {
        match self.sim.config().sched {
            crate::engine::input::SchedMode::Timed => self.sim.upcoming(limit).map(in_flight_row).collect(),
            _ => self.in_flight(limit).0,
        }
    }
    fn history(&self) -> &[EventRec] {
        self.sim.history()
    }
    fn kind_name(&self, k: u16) -> &'static str {
        self.sim.kind_name(k)
    }
    fn log(&self) -> &VecDeque<LogLine> {
        self.sim.log()
    }
    fn violations(&self) -> &[Violation] {
        self.sim.violations()
    }
    fn violation_count(&self) -> u64 {
        self.sim.violation_count()
    }
    fn stopped(&self) -> Option<String> {
        self.sim.stopped()
    }
    fn failed_expectations(&self) -> &[ExpectFailure] {
        self.sim.failed_expectations()
    }
    fn counts(&self) -> (&Counts, &[&'static str]) {
        (self.sim.counts(), self.sim.kinds())
    }
    fn lamport(&self, node: NodeId) -> u64 {
        self.sim.lamport(node)
    }
    fn vector(&self, node: NodeId) -> Vec<u32> {
        self.sim.vector(node)
    }
    fn narration(&self) -> Option<&str> {
        self.sim.narration()
    }
    fn inputs(&self) -> &[Input] {
        self.sim.inputs()
    }
    fn status(&self) -> Option<String> {
        self.sim.status()
    }
    fn statuses(&self) -> Vec<String> {
        self.sim.statuses()
    }
    fn chart(&self) -> Option<Chart> {
        self.sim.chart()
    }
    fn transcript(&self, focus: NodeId, limit: usize, tail: usize) -> Option<Transcript> {
        self.sim.transcript(focus.min(self.sim.n().saturating_sub(1)), limit, tail)
    }
    fn table(&self) -> Option<Table> {
        self.sim.table()
    }
    fn report(&self) -> serde_json::Value {
        let mut r = self.sim.report();
        r["scenario"] = A::card().name.into();
        r["params"] = self.config.params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().into();
        r
    }
    fn trace(&self) -> Trace {
        Trace {
            config: RunConfig::clone(&self.config),
            inputs: self.sim.inputs().to_vec(),
            kinds: self.sim.kinds().iter().map(|k| k.to_string()).collect(),
            events: self.sim.history().to_vec(),
        }
    }
    fn check_verb(&self, verb: &str, args: &[String]) -> Result<(), String> {
        parse_verb::<A>(self.roles.as_ref(), verb, args).map(|_| ())
    }
    fn action(&self, node: NodeId) -> Option<Input> {
        if !self.sim.alive()[node] {
            return None;
        }
        A::action(node, &self.sim.summaries()[node])
    }
    fn apply(&mut self, input: Input) -> LocalBoxFuture<'_, Result<Outcome, String>> {
        Box::pin(self.apply_input(input))
    }
    fn prefetch(&self, deep: bool) {
        match deep {
            false => crate::engine::queue::prefetch_lines(self),
            true => self.sim.prefetch(true),
        }
    }
    fn apply_now(&mut self, input: Input) -> Option<Result<Outcome, String>> {
        if self.sim.config().driver != DriverKind::Inline {
            return None;
        }
        let done = self.apply_input(input).now_or_never();
        debug_assert!(done.is_some(), "the inline driver never waits");
        done
    }
    fn inspect(&mut self, node: NodeId) -> LocalBoxFuture<'_, Vec<Row>> {
        Box::pin(async move {
            let mut rows = self.sim.inspect(node).await;
            let vc: Vec<String> = self.sim.vector(node).iter().map(|v| v.to_string()).collect();
            rows.push(Row::new("lamport clock", self.sim.lamport(node)));
            rows.push(Row::new("vector clock", format!("[{}]", vc.join(" "))));
            rows
        })
    }
    fn step_back(&mut self) -> LocalBoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            let inputs = self.sim.inputs().to_vec();
            let (Some(last), Some(&last_mark)) = (inputs.last(), self.marks.last()) else {
                return Err("already at the start of the run".to_string());
            };
            let prev_mark = self.marks.len().checked_sub(2).map(|i| self.marks[i]).unwrap_or(0);
            if matches!(last, Input::Step(_) | Input::Run(_)) && last_mark > prev_mark {
                // Undo one delivery of a multi-step input.
                self.rebuild(inputs, Some(last_mark - 1)).await;
            } else {
                // Undo one whole input (it made at most one step).
                self.rebuild(inputs[..inputs.len() - 1].to_vec(), None).await;
            }
            Ok(())
        })
    }
    fn set_halt_on_violation(&mut self, on: bool) {
        self.sim.set_halt_on_violation(on);
    }
    fn rewind_to(&mut self, len: usize) -> LocalBoxFuture<'_, ()> {
        Box::pin(async move {
            let inputs = self.sim.inputs();
            let keep = inputs[..len.min(inputs.len())].to_vec();
            self.rebuild(keep, None).await;
        })
    }
    fn rewind_to_step(&mut self, step: u64) -> LocalBoxFuture<'_, ()> {
        Box::pin(async move {
            let inputs = self.sim.inputs().to_vec();
            // The first input that took the run past `step`.
            let i = self.marks.partition_point(|&m| m <= step);
            let Some(input) = inputs.get(i) else { return };
            let before = i.checked_sub(1).map_or(0, |k| self.marks[k]);
            if matches!(input, Input::Step(_) | Input::Run(_)) && before < step {
                self.rebuild(inputs[..=i].to_vec(), Some(step)).await;
            } else {
                self.rebuild(inputs[..i].to_vec(), None).await;
            }
        })
    }
    fn fork(&self, lean: bool) -> Option<Box<dyn Scenario>> {
        let sim = self.sim.fork(lean)?;
        let marks = if sim.is_lean() { Vec::new() } else { self.marks.clone() };
        Some(Box::new(Run::<A> { config: Arc::clone(&self.config), roles: Arc::clone(&self.roles), sim, marks }))
    }
    fn fork_into(&self, into: &mut dyn Scenario) -> bool {
        let Some(into) = into.as_any_mut().downcast_mut::<Run<A>>() else { return false };
        if !into.sim.copy_from(&self.sim) {
            return false;
        }
        crate::engine::sim::share(&mut into.config, &self.config);
        crate::engine::sim::share(&mut into.roles, &self.roles);
        into.marks.clear();
        true
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
    fn fingerprint(&self) -> u64 {
        self.sim.fingerprint()
    }
    fn restart(&mut self) -> LocalBoxFuture<'_, ()> {
        Box::pin(self.rebuild(Vec::new(), None))
    }
}

/// A pending event as the panes show it.
fn in_flight_row<P: Protocol>(p: &Pending<P>) -> InFlight {
    let (from, sent_at) = match &p.kind {
        PendingKind::Msg { from, sent_at, .. } => (Some(*from as NodeId), *sent_at),
        PendingKind::Timer { set_at, .. } => (None, *set_at),
    };
    InFlight { id: p.id, from, to: p.target(), kind: p.kind_name(), summary: p.summary(), sent_at, due: p.due }
}
