//! Ricart–Agrawala mutual exclusion (what it shows: see `CARD`).
//!
//! One `Node` type plays every site; the verbs, timers, node states and the
//! monitor's bookkeeping come from `super::kit`. The node keeps its own
//! Lamport clock (`clock`) for stamping requests, and that clock (with the
//! entry count) is all `recovered` keeps: it stands for stable storage.
//!
//! Two departures from the published algorithm, both for lossy networks:
//! `Msg::Reply` carries the `ts` of the request it answers and counts only
//! if it matches the current request (a late duplicate from an earlier round
//! is ignored), and the `Retry` timer re-sends the REQUEST only to nodes
//! whose REPLY is still missing (`is_deferred` keeps such a re-sent REQUEST
//! from being deferred twice).
//!
//! The monitor is `Check`, below the node. `no-defer` sets `Knobs::no_defer`,
//! which skips the defer decision in `on_message`, so every REQUEST is
//! answered at once.

use super::kit::{self as mutex, State, TIMESTAMP_ORDER};
pub use super::kit::{Request, Timer};
use crate::card::{Args, Card, Family, NodeRange, ScriptCard, VariantCard};
use crate::card::{Claim, Fault};
use crate::engine::input::Input;
use crate::engine::invariant::{Change, Monitor, Violation, World};
use crate::engine::protocol::{Cx, Describe, NodeId, Protocol, Role, Row, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};
use std::hash::Hasher;

#[derive(Clone, Debug, Serialize, Deserialize, Hash)]
pub enum Msg {
    Request {
        ts: u64,
    },
    /// Answers the request stamped `ts`.
    Reply {
        ts: u64,
    },
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Request { .. } => "REQUEST",
            Msg::Reply { .. } => "REPLY",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Request { ts } => format!("REQUEST(ts={ts})"),
            Msg::Reply { ts } => format!("REPLY(to ts={ts})"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    pub role: Role,
    /// Timestamp of the current request.
    pub ts: Option<u64>,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        self.role
    }
    fn badge(&self) -> String {
        self.ts.map(|t| format!("ts={t}")).unwrap_or_default()
    }
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    id: NodeId,
    n: usize,
    /// The algorithm's own Lamport clock (persisted across crashes).
    clock: u64,
    state: State,
    ts: u64,
    replied: Vec<bool>,
    replies: usize,
    /// Deferred replies: (node, timestamp of its request), in arrival order.
    deferred: Vec<(NodeId, u64)>,
    /// `is_deferred[n]`: the request of node n already sits in `deferred`
    /// (a retransmitted request must not be queued twice; O(1) at 1,000 nodes).
    is_deferred: Vec<Option<u64>>,
    cs: Time,
    retry: Time,
    /// When non-zero, the node asks again this long after leaving (a
    /// continuous workload for play mode and benchmarks).
    think: Time,
    no_defer: bool,
    entries: u64,
}

/// The knobs every node of a run shares.
#[derive(Clone, Copy, Debug, Hash)]
pub struct Knobs {
    pub cs: Time,
    pub retry: Time,
    pub think: Time,
    pub no_defer: bool,
}

impl Node {
    fn new(id: NodeId, n: usize, k: Knobs) -> Self {
        Node {
            id,
            n,
            clock: 0,
            state: State::Idle,
            ts: 0,
            replied: vec![false; n],
            replies: 0,
            deferred: Vec::new(),
            is_deferred: vec![None; n],
            cs: k.cs,
            retry: k.retry,
            think: k.think,
            no_defer: k.no_defer,
            entries: 0,
        }
    }

    fn enter(&mut self, cx: &mut Cx<Self>) {
        self.state = State::InCs;
        self.entries += 1;
        cx.cancel_timer(Timer::Retry);
        cx.note(format!("enters the critical section (ts={})", self.ts));
        if self.cs > 0 {
            cx.set_timer(self.cs, Timer::Release);
        }
    }

    fn leave(&mut self, cx: &mut Cx<Self>) {
        self.state = State::Idle;
        cx.cancel_timer(Timer::Release);
        cx.note("leaves the critical section");
        for (to, ts) in std::mem::take(&mut self.deferred) {
            self.is_deferred[to] = None;
            cx.send(to, Msg::Reply { ts });
        }
        if self.think > 0 {
            cx.set_timer(self.think, Timer::Want);
        }
    }

    fn knobs(&self) -> Knobs {
        Knobs { cs: self.cs, retry: self.retry, think: self.think, no_defer: self.no_defer }
    }

    fn want(&mut self, cx: &mut Cx<Self>) {
        if self.state != State::Idle {
            cx.note("already wants or holds the critical section");
            return;
        }
        self.clock += 1;
        self.ts = self.clock;
        self.state = State::Wanting;
        self.replied.iter_mut().for_each(|r| *r = false);
        self.replies = 0;
        cx.broadcast(Msg::Request { ts: self.ts });
        if self.n == 1 {
            self.enter(cx);
        } else if self.retry > 0 {
            cx.set_timer(self.retry, Timer::Retry);
        }
    }

    /// Does my own request come before `(ts, from)`?
    fn mine_first(&self, ts: u64, from: NodeId) -> bool {
        (self.ts, self.id) < (ts, from)
    }
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Summary = Sum;

    fn on_start(&mut self, cx: &mut Cx<Self>) {
        mutex::first_want(cx, self.think, self.id, self.n, Timer::Want);
    }

    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Request { ts } => {
                self.clock = self.clock.max(ts) + 1;
                let defer = !self.no_defer
                    && match self.state {
                        State::InCs => true,
                        State::Wanting => self.mine_first(ts, from),
                        State::Idle => false,
                    };
                if defer {
                    if self.is_deferred[from] != Some(ts) {
                        self.is_deferred[from] = Some(ts);
                        self.deferred.push((from, ts));
                    }
                } else {
                    cx.send(from, Msg::Reply { ts });
                }
            }
            Msg::Reply { ts } => {
                if self.state == State::Wanting && ts == self.ts && !self.replied[from] {
                    self.replied[from] = true;
                    self.replies += 1;
                    if self.replies == self.n - 1 {
                        self.enter(cx);
                    }
                }
            }
        }
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        match timer {
            Timer::Release if self.state == State::InCs => self.leave(cx),
            Timer::Want => self.want(cx),
            Timer::Retry if self.state == State::Wanting => {
                for to in (0..self.n).filter(|&to| to != self.id && !self.replied[to]) {
                    cx.send(to, Msg::Request { ts: self.ts });
                }
                cx.set_timer(self.retry, Timer::Retry);
            }
            _ => {}
        }
    }

    fn on_request(&mut self, cx: &mut Cx<Self>, req: Request) {
        match (req, self.state) {
            (Request::Enter, _) => self.want(cx),
            (Request::Leave, State::InCs) => self.leave(cx),
            (Request::Leave, _) => cx.note("is not in the critical section"),
        }
    }

    fn recovered(&self) -> Self {
        // Only the Lamport clock is on stable storage.
        let mut fresh = Node::new(self.id, self.n, self.knobs());
        fresh.clock = self.clock;
        fresh.entries = self.entries;
        fresh
    }

    fn summary(&self) -> Sum {
        Sum { role: self.state.role(), ts: (self.state != State::Idle).then_some(self.ts) }
    }

    fn inspect(&self) -> Vec<Row> {
        let state = match self.state {
            State::Idle => "idle",
            State::Wanting => "wanting the CS",
            State::InCs => "in the CS",
        };
        let replied: Vec<String> = (0..self.n).filter(|&i| self.replied[i]).map(|i| i.to_string()).collect();
        let deferred: Vec<String> = self.deferred.iter().map(|(n, ts)| format!("{n}(ts={ts})")).collect();
        let mut rows = vec![
            Row::new("state", state),
            Row::new("algorithm clock", self.clock),
            Row::new(
                "request",
                if self.state == State::Idle { "-".to_string() } else { format!("(ts={}, id={})", self.ts, self.id) },
            ),
        ];
        if self.state == State::Wanting {
            rows.push(Row::new("replies", format!("{}/{} from [{}]", self.replies, self.n - 1, replied.join(" "))));
        }
        rows.push(Row::new("deferred queue", if deferred.is_empty() { "-".to_string() } else { deferred.join(" ") }));
        rows.push(Row::new("entries so far", self.entries));
        if self.no_defer {
            rows.push(Row::new("variant", "no-defer (BROKEN on purpose)"));
        }
        rows
    }
}

/// Invariants: mutual exclusion and (timestamp, id) order; at quiescence
/// nobody is left waiting.
#[derive(Clone, Default)]
pub struct Check {
    entries: Vec<(NodeId, u64)>,
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        false
    }

    /// Every verdict reads the node summaries alone (`entries` is the result).
    fn fingerprint(&self, _w: &World<Node>, _h: &mut dyn Hasher) {}

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let Change::Summary(x) = change else { return Vec::new() };
        let s = &w.summaries[x];
        if !mutex::entered(old, s) {
            return Vec::new();
        }
        let ts = s.ts.unwrap_or(0);
        self.entries.push((x, ts));
        let mut out = Vec::new();
        if let Some(y) = w.live().find(|&y| y != x && w.summaries[y].role == Role::InCs) {
            out.push(mutex::both_inside(w, y, x));
        }
        if let Some(y) = w
            .live()
            .find(|&y| w.summaries[y].role == Role::Wanting && w.summaries[y].ts.is_some_and(|t| (t, y) < (ts, x)))
        {
            let t = w.summaries[y].ts.unwrap_or(0);
            out.push(w.violation(
                TIMESTAMP_ORDER.name,
                format!("node {x} entered with (ts={ts}, id={x}) while node {y} waits with earlier (ts={t}, id={y})"),
            ));
        }
        out
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        // Fix: with `cs=0` a node keeps the CS until a `release`, and the
        // others wait for it by design; that used to be reported as
        // starvation as soon as the network went quiet. The next quiescence
        // after the release checks again.
        if w.live().any(|y| w.summaries[y].role == Role::InCs) {
            return Vec::new();
        }
        mutex::starving(w, |y| format!("node {y} waits for replies that will never come"))
    }

    fn result(&self, _w: &World<Node>) -> serde_json::Value {
        mutex::entries_result(&self.entries, "ts")
    }
}

pub struct RicartAgrawala;

static CARD: Card = Card {
    name: "ricart-agrawala",
    role_words: &[(Role::Idle, "idle"), (Role::Wanting, "wanting"), (Role::InCs, "in-cs")],
    title: "Ricart–Agrawala mutual exclusion",
    family: Family::Mutex,
    tolerates: &[
        Claim::of(Fault::Delay),
        Claim::of(Fault::Dup),
        Claim::unless(Fault::Loss, "retry", "0"),
        Claim::unless(Fault::Partition, "retry", "0"),
    ],
    about: "Lamport-timestamped REQUESTs, REPLYs and the deferred-reply queue; 2(N−1) messages per entry",
    description: "A node that wants the critical section broadcasts a Lamport-timestamped REQUEST and enters \
        once every other node has REPLYed; a node defers its reply while it is in the CS or wants it with an \
        earlier (timestamp, id), and sends the deferred replies when it leaves. A REPLY names the request it \
        answers, so a late duplicate is ignored; `retry` re-sends unanswered REQUESTs so the algorithm recovers \
        from lost messages once faults heal. Inspector: the request's (timestamp, id), the replies received, \
        the deferred-reply queue.",
    seeds: "000, 001",
    nodes: NodeRange { default: 5, min: 1, max: 4096 },
    roles: mutex::NODES,
    verbs: mutex::VERBS,
    params: &[
        mutex::cs_param("20"),
        mutex::retry_param("ms before re-sending an unanswered request (0: never, the classic algorithm)"),
        mutex::THINK,
        mutex::VARIANT,
    ],
    variants: &[
        VariantCard { name: "correct", help: "the algorithm as published", breaks: &[] },
        VariantCard {
            name: "no-defer",
            help: "never defers a reply: two nodes end up in the CS together",
            breaks: &["mutual-exclusion"],
        },
    ],
    properties: &[mutex::MUTUAL_EXCLUSION, TIMESTAMP_ORDER, mutex::NO_STARVATION],
    results: &[mutex::CS_ORDER, mutex::ENTRIES_TS],
    scripts: &[
        ScriptCard {
            file: "ricart-agrawala.dl",
            about: "one site alone (2(N−1) messages); seed 001's two nodes; seed 000's replies, deferrals and \
                (timestamp, id) order",
        },
        ScriptCard {
            file: "ricart-agrawala-broken.dl",
            about: "a node that never defers: nodes 1 and 2 in the critical section at once (`mutual-exclusion`)",
        },
    ],
    action: "request / release",
};

impl Algorithm for RicartAgrawala {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let knobs = Knobs {
            cs: params.ms(&CARD, "cs")?,
            retry: params.ms(&CARD, "retry")?,
            think: params.ms(&CARD, "think")?,
            no_defer: params.variant(&CARD)? == 1,
        };
        mutex::check_think(knobs.cs, knobs.think)?;
        let nodes = (0..n).map(|i| Node::new(i, n, knobs)).collect();
        Ok((nodes, Box::new(Check::default())))
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        mutex::request(verb, args)
    }

    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        mutex::action(node, s.role)
    }
}
