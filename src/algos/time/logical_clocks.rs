//! Lamport and vector clocks (what it shows: see `CARD`).
//!
//! `Node::tick` and `Node::receive` are the textbook rules; every event
//! goes through `record`, so `Sum::events` grows at each one and the
//! monitor sees every event with its history index. The node's start is
//! its first event (e0..e(N−1) are the starts), exactly as in the engine's
//! history and its ground-truth clocks, so in a correct run the algorithm's
//! clocks equal the ground truth at every event. `recovered` keeps
//! everything (stable storage), and `on_recover` ticks once more.
//!
//! The `rate` workload keeps no generator in the node: each random choice
//! is the engine's draw for the event being handled (`cx.draw()`), so a run
//! is still its config plus its inputs.
//!
//! The monitor is `Check`, after the node. It keeps the stamps of recent
//! events within `STAMP_ENTRIES` / `STAMPS_MAX` and hands them to the
//! engine through `Monitor::stamp`: the engine answers `hb` from them and
//! checks the answer against its ground truth. The `no-max` variant only
//! changes `Node::receive`: it skips taking the maximum and just ticks.

use crate::algos::kit::{node_verb, show_vector};
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, MAX_MS, NodeRange, ParamCard, Property, RoleCard, ScriptCard,
    VariantCard, VerbCard,
};
use crate::engine::input::Input;
use crate::engine::invariant::{Change, Monitor, Stamp, Violation, World};
use crate::engine::protocol::{Cx, Describe, MS, NodeId, Protocol, Role, Row, Summary, Time};
use crate::engine::record::EvKind;
use crate::engine::rng::Draw;
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

/// How many past events a node shows in the inspector.
pub const RECENT: usize = 4;
/// Up to this many nodes, the inspector's past events show their vectors.
pub const RECENT_VECTORS: usize = 16;
/// The monitor keeps stamps of at most this many vector entries in all
/// (32 MB), and of at most [`STAMPS_MAX`] events.
pub const STAMP_ENTRIES: usize = 8_000_000;
pub const STAMPS_MAX: usize = 100_000;
/// The headless `result.events` lists at most this many vector entries in
/// all, and at most [`LISTED_MAX`] events.
pub const LISTED_ENTRIES: usize = 250_000;
pub const LISTED_MAX: usize = 10_000;
/// `result.vectors` (every node's final vector clock) up to this many nodes.
pub const VECTORS_MAX_NODES: usize = 64;

/// The one message: an application message stamped with the sender's clocks.
#[derive(Clone, Debug, Serialize, Deserialize, Hash)]
pub struct Msg {
    pub lamport: u64,
    pub vector: Vec<u32>,
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        "MSG"
    }
    fn summary(&self) -> String {
        format!("MSG(L={} V={})", self.lamport, show_vector(&self.vector, 8))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Timer {
    /// The node's next random action (the `rate` workload).
    Act,
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        "act-timer"
    }
}

#[derive(Clone, Debug, Hash)]
pub enum Request {
    Local,
    Send(NodeId),
    Broadcast,
}

/// What one event at a node was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum What {
    Start,
    Local,
    Send { to: NodeId },
    Broadcast,
    Receive { from: NodeId },
    Recover,
}

impl What {
    pub fn name(self) -> &'static str {
        match self {
            What::Start => "start",
            What::Local => "local",
            What::Send { .. } => "send",
            What::Broadcast => "broadcast",
            What::Receive { .. } => "receive",
            What::Recover => "recover",
        }
    }
    fn describe(self) -> String {
        match self {
            What::Send { to } => format!("send → {to}"),
            What::Receive { from } => format!("receive ← {from}"),
            other => other.name().to_string(),
        }
    }
}

/// A node's clocks after its latest event; every event changes it (the
/// event count grows), so the monitor sees every event with its number.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    /// Events at this node so far.
    pub events: u64,
    pub last: What,
    pub lamport: u64,
    pub vector: Vec<u32>,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        Role::Idle
    }
    fn badge(&self) -> String {
        format!("L={}", self.lamport)
    }
}

/// `1st`, `2nd`, `3rd`, `4th`, … `11th`, `21st`: a node's own count of its events.
fn ordinal(k: u64) -> String {
    let suffix = match (k % 10, k % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{k}{suffix}")
}

/// One past event, for the inspector.
#[derive(Clone, Debug, Hash)]
struct Recent {
    seq: u64,
    what: What,
    lamport: u64,
    /// Only for small runs (O(N) each).
    vector: Option<Vec<u32>>,
}

/// The random workload every node of a run shares.
#[derive(Clone, Copy, Debug, Hash)]
pub struct Workload {
    /// Mean time between two actions of a node (0: no workload).
    pub rate: Time,
    /// Percent of actions that are sends (the rest are local events).
    pub sends: u64,
    /// Actions per node before it stops (0: no limit).
    pub actions: u64,
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    id: NodeId,
    n: usize,
    /// The algorithm's own clocks (on stable storage: a crash keeps them).
    lamport: u64,
    vector: Vec<u32>,
    events: u64,
    last: What,
    recent: VecDeque<Recent>,
    no_max: bool,
    work: Workload,
    /// Random actions done so far.
    done: u64,
}

impl Node {
    fn new(id: NodeId, n: usize, work: Workload, no_max: bool) -> Self {
        Node {
            id,
            n,
            lamport: 0,
            vector: vec![0; n],
            events: 0,
            last: What::Start,
            recent: VecDeque::new(),
            no_max,
            work,
            done: 0,
        }
    }

    /// The bookkeeping of every event: count it and remember it.
    fn record(&mut self, what: What) {
        self.events += 1;
        self.last = what;
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        let vector = (self.n <= RECENT_VECTORS).then(|| self.vector.clone());
        self.recent.push_back(Recent { seq: self.events, what, lamport: self.lamport, vector });
    }

    /// A start, local, send, broadcast or recover event: `L += 1`, `V[i] += 1`.
    fn tick(&mut self, what: What) {
        self.lamport += 1;
        self.vector[self.id] += 1;
        self.record(what);
    }

    /// A receive: take the maximum (unless broken on purpose), then tick.
    fn receive(&mut self, from: NodeId, msg: &Msg) {
        if !self.no_max {
            self.lamport = self.lamport.max(msg.lamport);
            for (mine, theirs) in self.vector.iter_mut().zip(&msg.vector) {
                *mine = (*mine).max(*theirs);
            }
        }
        self.lamport += 1;
        self.vector[self.id] += 1;
        self.record(What::Receive { from });
    }

    /// The clocks a message sent now carries.
    fn stamp(&self) -> Msg {
        Msg { lamport: self.lamport, vector: self.vector.clone() }
    }

    fn act(&mut self, cx: &mut Cx<Self>, req: Request) {
        match req {
            Request::Local => self.tick(What::Local),
            Request::Send(to) => {
                self.tick(What::Send { to });
                cx.send(to, self.stamp());
            }
            Request::Broadcast => {
                self.tick(What::Broadcast);
                cx.broadcast(self.stamp());
            }
        }
    }

    /// When the next random action comes, if any is left: about `rate`
    /// from now (uniform in rate/2 ..= 3·rate/2, less 1 µs).
    fn next_action(&self, d: &mut Draw) -> Option<Time> {
        let w = self.work;
        if w.rate == 0 || (w.actions > 0 && self.done >= w.actions) {
            return None;
        }
        Some(d.range(w.rate / 2, w.rate / 2 + w.rate - 1).max(1))
    }

    /// Arm the workload timer for the next random action, if any.
    fn schedule(cx: &mut Cx<Self>, next: Option<Time>) {
        if let Some(after) = next {
            cx.set_timer(after, Timer::Act);
        }
    }

    /// One random action: a send to a random peer (`sends` percent of them)
    /// or a local event.
    fn random_action(&mut self, d: &mut Draw) -> Request {
        self.done += 1;
        if self.n > 1 && d.range(0, 99) < self.work.sends {
            Request::Send((self.id + 1 + d.index(self.n - 1)) % self.n)
        } else {
            Request::Local
        }
    }
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Summary = Sum;

    fn on_start(&mut self, cx: &mut Cx<Self>) {
        let next = self.next_action(cx.draw());
        self.tick(What::Start);
        Self::schedule(cx, next);
    }

    fn on_message(&mut self, _cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        self.receive(from, &msg);
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        let Timer::Act = timer;
        let d = cx.draw();
        let req = self.random_action(d);
        let next = self.next_action(d);
        self.act(cx, req);
        Self::schedule(cx, next);
    }

    fn on_request(&mut self, cx: &mut Cx<Self>, req: Request) {
        self.act(cx, req);
    }

    fn on_recover(&mut self, cx: &mut Cx<Self>) {
        let next = self.next_action(cx.draw());
        self.tick(What::Recover);
        // The crash dropped the pending workload timer.
        Self::schedule(cx, next);
    }

    fn recovered(&self) -> Self {
        // Clocks and counters are on stable storage.
        self.clone()
    }

    fn summary(&self) -> Sum {
        Sum { events: self.events, last: self.last, lamport: self.lamport, vector: self.vector.clone() }
    }

    fn inspect(&self) -> Vec<Row> {
        let mut rows = vec![
            Row::new("algorithm L", self.lamport),
            Row::new("algorithm V", show_vector(&self.vector, usize::MAX)),
            Row::new("events here", self.events),
        ];
        for (i, r) in self.recent.iter().rev().enumerate() {
            let v = r.vector.as_deref().map(|v| format!(" V={}", show_vector(v, usize::MAX))).unwrap_or_default();
            let label = if i == 0 { "last events" } else { "" };
            // The node's own count (`6th`), not a message id (`#6`) nor the
            // run's event number (`e6`, the engine's "latest events").
            rows.push(Row::new(label, format!("{} {} L={}{v}", ordinal(r.seq), r.what.describe(), r.lamport)));
        }
        if self.work.rate > 0 {
            let left = if self.work.actions == 0 {
                "no limit".to_string()
            } else {
                format!("{}/{} done", self.done, self.work.actions)
            };
            rows.push(Row::new(
                "workload",
                format!("every ~{} ms, {}% sends, {left}", self.work.rate / MS, self.work.sends),
            ));
        }
        if self.no_max {
            rows.push(Row::new("variant", "no-max (BROKEN on purpose)"));
        }
        rows
    }
}

/// One event of `result.events`.
#[derive(Clone, Debug, Hash)]
struct Listed {
    e: u32,
    node: NodeId,
    what: What,
    /// For a receive: the history index of the send.
    send: Option<u32>,
    lamport: u64,
    vector: Vec<u32>,
}

/// Invariants: at every event the algorithm's clocks respect the clock
/// condition and equal the ground truth; `hb` answers agree with the
/// ground truth (checked by the engine). Keeps every event's stamp (bounded).
#[derive(Clone)]
pub struct Check {
    /// Stamps of the most recent events, by history index (increasing).
    stamps: VecDeque<(u32, Stamp)>,
    keep: usize,
    listed: Vec<Listed>,
    list_max: usize,
    count: u64,
    /// Nodes whose clocks differ from the ground truth (reported when they
    /// start to differ, not again at every later event).
    diverged: Vec<bool>,
}

impl Check {
    pub fn new(n: usize) -> Self {
        let n1 = n.max(1);
        Check {
            stamps: VecDeque::new(),
            keep: (STAMP_ENTRIES / n1).clamp(1, STAMPS_MAX),
            listed: Vec::new(),
            list_max: (LISTED_ENTRIES / n1).clamp(1, LISTED_MAX),
            count: 0,
            diverged: vec![false; n],
        }
    }

    fn find(&self, event: u32) -> Option<&Stamp> {
        let i = self.stamps.binary_search_by_key(&event, |(e, _)| *e).ok()?;
        Some(&self.stamps[i].1)
    }
}

/// `a ≥ b` element-wise.
fn covers(a: &[u32], b: &[u32]) -> bool {
    a.iter().zip(b).all(|(x, y)| x >= y)
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        true
    }

    /// Which nodes' clocks have diverged from the truth, and the truth: the
    /// engine's vector clock of every node (the stamps kept for `hb` are
    /// history positions, left out).
    fn fingerprint(&self, w: &World<Node>, mut h: &mut dyn Hasher) {
        self.diverged.hash(&mut h);
        for x in 0..w.n() {
            w.true_vector(x).hash(&mut h);
        }
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let (Change::Summary(x), Some(e)) = (change, w.event) else { return Vec::new() };
        let Some(rec) = w.history.get(e as usize) else { return Vec::new() };
        let s = &w.summaries[x];
        let send = match rec.kind {
            EvKind::Recv { send, .. } => Some(send),
            _ => None,
        };
        let show = |v: &[u32]| show_vector(v, 16);

        // The clock condition on the event's immediate predecessors: the
        // node's previous event and, for a receive, the send.
        let mut problems = Vec::new();
        if let Some(o) = old {
            if s.lamport <= o.lamport {
                problems.push(format!("L={} is not after the node's previous L={}", s.lamport, o.lamport));
            }
            if !covers(&s.vector, &o.vector) || s.vector == o.vector {
                problems.push(format!("V={} is not after the node's previous V={}", show(&s.vector), show(&o.vector)));
            }
        }
        if let Some(sent) = send.and_then(|i| self.find(i)) {
            let i = send.unwrap_or_default();
            if s.lamport <= sent.lamport {
                problems.push(format!("L={} is not after the send e{i}'s L={}", s.lamport, sent.lamport));
            }
            if !covers(&s.vector, &sent.vector) {
                problems.push(format!("V={} does not cover the send e{i}'s V={}", show(&s.vector), show(&sent.vector)));
            }
        }
        // The textbook values: the engine's ground truth.
        let truth_v = w.true_vector(x);
        let truth_l = rec.lamport;
        let agrees = s.vector == truth_v && s.lamport == truth_l;
        let mut out = Vec::new();
        let what = s.last.describe();
        if !problems.is_empty() {
            out.push(w.violation(CLOCK_CONDITION.name, format!("e{e} ({what} at node {x}): {}", problems.join("; "))));
        } else if !agrees && !self.diverged[x] {
            out.push(w.violation(
                CLOCK_CONDITION.name,
                format!(
                    "e{e} ({what} at node {x}): L={} V={}, but the rules give L={truth_l} V={}",
                    s.lamport,
                    show(&s.vector),
                    show(&truth_v)
                ),
            ));
        }
        self.diverged[x] = !agrees;

        self.count += 1;
        if self.listed.len() < self.list_max {
            self.listed.push(Listed { e, node: x, what: s.last, send, lamport: s.lamport, vector: s.vector.clone() });
        }
        if self.stamps.len() == self.keep {
            self.stamps.pop_front();
        }
        self.stamps.push_back((e, Stamp { lamport: s.lamport, vector: s.vector.clone() }));
        out
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        let events: Vec<serde_json::Value> = self
            .listed
            .iter()
            .map(|l| {
                let mut v = serde_json::json!({
                    "e": l.e,
                    "node": l.node,
                    "kind": l.what.name(),
                    "lamport": l.lamport,
                    "vector": l.vector,
                });
                match l.what {
                    What::Send { to } => v["to"] = to.into(),
                    What::Receive { from } => {
                        v["from"] = from.into();
                        v["send"] = l.send.into();
                    }
                    _ => {}
                }
                v
            })
            .collect();
        let lamport: Vec<u64> = w.summaries.iter().map(|s| s.lamport).collect();
        let vectors =
            (w.n() <= VECTORS_MAX_NODES).then(|| w.summaries.iter().map(|s| s.vector.clone()).collect::<Vec<_>>());
        serde_json::json!({
            "event_count": self.count,
            "events_listed": self.listed.len(),
            "events": events,
            "lamport": lamport,
            "vectors": vectors,
        })
    }

    fn stamp(&self, event: u32) -> Option<Stamp> {
        self.find(event).cloned()
    }
}

pub struct LogicalClocks;

/// `clock-condition`: the processes' clocks follow the textbook rules.
pub const CLOCK_CONDITION: Property = Property::safety(
    "clock-condition",
    "at every event the process's clocks come after its previous event's and, for a receive, after the \
     send's, and equal the engine's ground truth",
);

/// `hb-matches-truth`: `hb` answered from the processes' clocks is right.
/// The engine checks it, against its ground truth, when `hb` is asked.
pub const HB_MATCHES_TRUTH: Property = Property::safety(
    crate::engine::invariant::HB_MATCHES_TRUTH,
    "an `hb` answer from the processes' own clocks agrees with the engine's ground truth",
);

static CARD: Card = Card {
    name: "logical-clocks",
    role_words: &[(Role::Idle, "running")],
    title: "Lamport and vector clocks",
    family: Family::Time,
    tolerates: crate::card::ALL_FAULTS,
    about: "Lamport and vector clocks carried on messages; `hb E1 E2` checked against the ground truth",
    description: "Each process keeps its own Lamport clock L and vector clock V by the textbook rules: every \
        event (start, local, send, broadcast, receive, recover) ticks, `L += 1` and `V[i] += 1`; a message \
        carries the sender's (L, V); a receive first takes the maximum with the message's clocks, then ticks. \
        Events happen on command or, with `rate`, as a random workload whose \
        draws the engine makes from the run's seed (`--seed`), like every other random choice. The clocks are on stable \
        storage: a crash keeps them and the recovery is one more event. `hb eA eB` answers \"happened \
        before\", \"after\", \"concurrent\" or \"the same event\" from the processes' own vector clocks, \
        and the engine checks the answer against its ground truth. Stamps cost O(N), so the checker keeps \
        those of the latest min(100,000, 8,000,000 / N) events; older events are answered from the ground \
        truth. Inspector: the process's L and V, its event count, its last events with their clocks.",
    seeds: "",
    nodes: NodeRange { default: 3, min: 1, max: 4096 },
    roles: &[RoleCard { name: "process", help: "every node is a process: it does local events, sends and receives" }],
    verbs: &[
        VerbCard { name: "local", args: &[ArgCard::node("N")], help: "node N does a local event" },
        VerbCard {
            name: "send",
            args: &[ArgCard::node("N"), ArgCard::node("M")],
            help: "node N sends a message to node M (received when delivered)",
        },
        VerbCard {
            name: "broadcast",
            args: &[ArgCard::node("N")],
            help: "node N sends one message to every other node (one send event)",
        },
    ],
    params: &[
        ParamCard {
            key: "rate",
            kind: Kind::Ms { min: 0, max: MAX_MS },
            default: "0",
            help: "ms between a node's random actions, about (0: events only on command)",
        },
        ParamCard {
            key: "sends",
            kind: Kind::Int { min: 0, max: 100 },
            default: "50",
            help: "percent of random actions that are sends (the rest: local events)",
        },
        ParamCard {
            key: "actions",
            kind: Kind::Int { min: 0, max: 1_000_000_000 },
            default: "0",
            help: "random actions per node before it stops (0: no limit)",
        },
        ParamCard {
            key: "variant",
            kind: Kind::Variant,
            default: "correct",
            help: "the correct algorithm or a broken one",
        },
    ],
    variants: &[
        VariantCard { name: "correct", help: "the textbook rules", breaks: &[] },
        VariantCard {
            name: "no-max",
            help: "a receive only ticks, never takes the maximum: the receiver learns nothing of what the sender \
                knew, and `hb` on a send and its receive answers \"concurrent\"",
            breaks: &[CLOCK_CONDITION.name, HB_MATCHES_TRUTH.name],
        },
    ],
    properties: &[CLOCK_CONDITION, HB_MATCHES_TRUTH],
    results: &[
        FieldCard { key: "event_count", help: "node events so far (starts, locals, sends, receives, recoveries)" },
        FieldCard {
            key: "events",
            help: "`{e, node, kind, lamport, vector}` per event (`to` for a send; `from` and `send` for a receive), \
                   the first `events_listed` of them",
        },
        FieldCard { key: "events_listed", help: "how many events `events` lists (all up to min(10,000, 250,000 / N))" },
        FieldCard { key: "lamport", help: "every node's Lamport clock now" },
        FieldCard { key: "vectors", help: "every node's vector clock now (up to 64 nodes, else null)" },
    ],
    scripts: &[
        ScriptCard {
            file: "logical-clocks.dl",
            about: "the textbook example: locals, sends and receives with their Lamport and vector clocks; `hb` on related and concurrent events",
        },
        ScriptCard {
            file: "logical-clocks-broken.dl",
            about: "a receive that only ticks: `clock-condition` at the first receive, and `hb` answers \"concurrent — WRONG\" (`hb-matches-truth`)",
        },
    ],
    action: "send to next",
};

impl Algorithm for LogicalClocks {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let work = Workload {
            rate: params.int::<u64>(&CARD, "rate")?.saturating_mul(MS),
            sends: params.int::<u64>(&CARD, "sends")?,
            actions: params.int::<u64>(&CARD, "actions")?,
        };
        let no_max = params.variant(&CARD)? == 1;
        let nodes = (0..n).map(|i| Node::new(i, n, work, no_max)).collect();
        Ok((nodes, Box::new(Check::new(n))))
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        let from = args.node(0);
        match verb {
            "local" => Ok((from, Request::Local)),
            "broadcast" => Ok((from, Request::Broadcast)),
            "send" => {
                let to = args.node(1);
                if from == to {
                    return Err(format!("`send {from} {to}`: a node sends to another node, not to itself"));
                }
                Ok((from, Request::Send(to)))
            }
            _ => Err(format!("unknown verb {verb:?}")),
        }
    }

    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        let n = s.vector.len();
        Some(if n > 1 {
            Input::Verb { verb: "send".into(), args: vec![node.to_string(), ((node + 1) % n).to_string()] }
        } else {
            node_verb("local", node)
        })
    }
}
