//! Lamport's distributed mutual exclusion (what it shows: see `CARD`).
//!
//! The node is two layers. `Body` and `Node::handle` are the algorithm
//! proper (clock, request queue, `later`); `Msg::Data` wraps a body with a
//! per-link number, a piggybacked acknowledgement and an `again` flag, and
//! `on_message` delivers bodies to `handle` in link order, holding early
//! ones in `held` and dropping numbers already seen. The layer exists
//! because the entry rule ("a later message from everyone") is only sound
//! over FIFO links, and the engine's links are FIFO only with `fifo on`.
//! With `retry` > 0, `unacked` keeps what each receiver has not
//! acknowledged and the `Retry` timer re-sends it; a re-sent copy is
//! answered with `Msg::Ack`.
//!
//! `later` counts the other nodes whose latest timestamp beats the current
//! request; it is kept up to date per message in `handle` instead of
//! rescanning the links, and `want` resets it to 0 (the clock is then past
//! everything heard). `recovered` keeps the whole state (stable storage);
//! `on_recover` only re-arms the timers the crash dropped.
//!
//! The monitor is `Check`, near the end: O(log N) per summary change, as it
//! keeps who is in the CS and who waits with which timestamp; it judges
//! starvation only with every node and link up, and `status` names the
//! nodes that are down. The variants: `no-ack-wait` lets `try_enter` skip
//! the `later` test; `no-fifo` makes `on_message` hand every body to
//! `handle` on arrival, ignoring the numbers.

use super::kit::{self as mutex, Inside, State};
pub use super::kit::{Request, Timer};
use crate::algos::kit::listing;
use crate::card::{Args, Card, Family, NodeRange, Property, ScriptCard, VariantCard};
use crate::card::{Claim, Fault};
use crate::engine::input::Input;
use crate::engine::invariant::{Change, Monitor, Violation, World};
use crate::engine::protocol::{Cx, Describe, NodeId, Protocol, Role, Row, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::hash::{Hash, Hasher};

/// What the algorithm says; the transport adds numbers around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
pub enum Body {
    Request {
        ts: u64,
    },
    Reply {
        ts: u64,
    },
    /// The sender leaves; `req` is the timestamp of the request it removes.
    Release {
        ts: u64,
        req: u64,
    },
}

impl Body {
    fn ts(self) -> u64 {
        match self {
            Body::Request { ts } | Body::Reply { ts } | Body::Release { ts, .. } => ts,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, Hash)]
pub enum Msg {
    /// `seq`: number on this link; `ack`: the last number the sender got
    /// in order from the receiver; `again`: a re-sent copy.
    Data { seq: u32, ack: u32, again: bool, body: Body },
    /// Answers a re-sent copy: everything up to `ack` arrived.
    Ack { ack: u32 },
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Data { body: Body::Request { .. }, .. } => "REQUEST",
            Msg::Data { body: Body::Reply { .. }, .. } => "REPLY",
            Msg::Data { body: Body::Release { .. }, .. } => "RELEASE",
            Msg::Ack { .. } => "ACK",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Data { seq, again, body, .. } => {
                let what = match body {
                    Body::Request { ts } => format!("REQUEST(ts={ts})"),
                    Body::Reply { ts } => format!("REPLY(ts={ts})"),
                    Body::Release { ts, req } => format!("RELEASE(ts={ts}, req ts={req})"),
                };
                format!("{what} seq {seq}{}", if *again { " again" } else { "" })
            }
            Msg::Ack { ack } => format!("ACK(to seq {ack})"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    Correct,
    NoAckWait,
    NoFifo,
}

#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    pub role: Role,
    /// Timestamp of the current request.
    pub ts: Option<u64>,
    /// The node's own request heads its queue.
    pub head: bool,
    /// How many other nodes have sent a message stamped later than the
    /// current request (entry needs all N−1).
    pub later: u32,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        self.role
    }
    fn badge(&self) -> String {
        self.ts.map(|t| format!("ts={t}")).unwrap_or_default()
    }
}

/// One link as a node sees it: the latest timestamp heard from the other
/// end and the message numbers in each direction.
#[derive(Clone, Copy, Debug, Default, Hash)]
struct Link {
    last_ts: u64,
    out: u32,
    inn: u32,
}

/// The knobs every node of a run shares.
#[derive(Clone, Copy, Debug, Hash)]
pub struct Knobs {
    pub cs: Time,
    pub retry: Time,
    pub think: Time,
    pub variant: Variant,
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    id: NodeId,
    n: usize,
    clock: u64,
    state: State,
    ts: u64,
    /// Every request this node knows of, by (timestamp, id).
    queue: BTreeSet<(u64, NodeId)>,
    links: Vec<Link>,
    /// Other nodes whose latest message is stamped later than my request.
    later: u32,
    /// Messages that arrived ahead of an earlier one on their link.
    held: BTreeMap<(NodeId, u32), Body>,
    /// Sent but not yet acknowledged, per receiver (only with `retry`).
    unacked: BTreeMap<NodeId, VecDeque<(u32, Body)>>,
    retry_armed: bool,
    k: Knobs,
    entries: u64,
    duplicates: u64,
}

impl Node {
    fn new(id: NodeId, n: usize, k: Knobs) -> Self {
        Node {
            id,
            n,
            clock: 0,
            state: State::Idle,
            ts: 0,
            queue: BTreeSet::new(),
            links: vec![Link::default(); n],
            later: 0,
            held: BTreeMap::new(),
            unacked: BTreeMap::new(),
            retry_armed: false,
            k,
            entries: 0,
            duplicates: 0,
        }
    }

    fn send(&mut self, cx: &mut Cx<Self>, to: NodeId, body: Body) {
        let link = &mut self.links[to];
        link.out += 1;
        let (seq, ack) = (link.out, link.inn);
        cx.send(to, Msg::Data { seq, ack, again: false, body });
        if self.k.retry > 0 {
            self.unacked.entry(to).or_default().push_back((seq, body));
            self.arm_retry(cx);
        }
    }

    fn broadcast(&mut self, cx: &mut Cx<Self>, body: Body) {
        let me = self.id;
        for to in (0..self.n).filter(|&to| to != me) {
            self.send(cx, to, body);
        }
    }

    fn arm_retry(&mut self, cx: &mut Cx<Self>) {
        if self.k.retry > 0 && !self.retry_armed && !self.unacked.is_empty() {
            self.retry_armed = true;
            cx.set_timer(self.k.retry, Timer::Retry);
        }
    }

    /// `from` has everything up to `ack`.
    fn acked(&mut self, cx: &mut Cx<Self>, from: NodeId, ack: u32) {
        let Some(q) = self.unacked.get_mut(&from) else { return };
        while q.front().is_some_and(|(seq, _)| *seq <= ack) {
            q.pop_front();
        }
        if q.is_empty() {
            self.unacked.remove(&from);
            if self.unacked.is_empty() && self.retry_armed {
                self.retry_armed = false;
                cx.cancel_timer(Timer::Retry);
            }
        }
    }

    /// Is the latest message from `j` stamped later than my request?
    fn is_later(&self, j: NodeId) -> bool {
        (self.links[j].last_ts, j) > (self.ts, self.id)
    }

    /// The algorithm proper: one message from `from`, in link order.
    fn handle(&mut self, cx: &mut Cx<Self>, from: NodeId, body: Body) {
        let ts = body.ts();
        self.clock = self.clock.max(ts) + 1;
        let was = self.is_later(from);
        let link = &mut self.links[from];
        link.last_ts = link.last_ts.max(ts);
        if self.state == State::Wanting && !was && self.is_later(from) {
            self.later += 1;
        }
        match body {
            Body::Request { ts } => {
                self.queue.insert((ts, from));
                let reply = Body::Reply { ts: self.clock };
                self.send(cx, from, reply);
            }
            Body::Reply { .. } => {}
            Body::Release { req, .. } => {
                self.queue.remove(&(req, from));
            }
        }
    }

    fn try_enter(&mut self, cx: &mut Cx<Self>) {
        if self.state != State::Wanting || self.queue.first() != Some(&(self.ts, self.id)) {
            return;
        }
        if self.later as usize == self.n - 1 || self.k.variant == Variant::NoAckWait {
            self.state = State::InCs;
            self.entries += 1;
            cx.note(format!("enters the critical section (ts={})", self.ts));
            if self.k.cs > 0 {
                cx.set_timer(self.k.cs, Timer::Release);
            }
        }
    }

    fn want(&mut self, cx: &mut Cx<Self>) {
        if self.state != State::Idle {
            cx.note("already wants or holds the critical section");
            return;
        }
        self.clock += 1;
        self.ts = self.clock;
        self.state = State::Wanting;
        // My clock is past every timestamp I have seen: nobody is later yet.
        self.later = 0;
        self.queue.insert((self.ts, self.id));
        self.broadcast(cx, Body::Request { ts: self.ts });
        self.try_enter(cx);
    }

    fn leave(&mut self, cx: &mut Cx<Self>) {
        self.state = State::Idle;
        cx.cancel_timer(Timer::Release);
        cx.note("leaves the critical section");
        self.clock += 1;
        self.queue.remove(&(self.ts, self.id));
        self.broadcast(cx, Body::Release { ts: self.clock, req: self.ts });
        if self.k.think > 0 {
            cx.set_timer(self.k.think, Timer::Want);
        }
    }
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Summary = Sum;

    fn on_start(&mut self, cx: &mut Cx<Self>) {
        mutex::first_want(cx, self.k.think, self.id, self.n, Timer::Want);
    }

    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Ack { ack } => self.acked(cx, from, ack),
            Msg::Data { seq, ack, again, body } => {
                self.acked(cx, from, ack);
                if self.k.variant == Variant::NoFifo {
                    self.handle(cx, from, body);
                } else if seq <= self.links[from].inn {
                    self.duplicates += 1;
                } else if seq == self.links[from].inn + 1 {
                    self.links[from].inn = seq;
                    self.handle(cx, from, body);
                    // Whatever was held back behind it can go now.
                    while let Some(next) = self.held.remove(&(from, self.links[from].inn + 1)) {
                        self.links[from].inn += 1;
                        self.handle(cx, from, next);
                    }
                } else {
                    if !self.held.contains_key(&(from, seq)) {
                        cx.note(format!(
                            "holds back seq {seq} from {from}: seq {} not here yet",
                            self.links[from].inn + 1
                        ));
                    }
                    self.held.insert((from, seq), body);
                }
                if again {
                    cx.send(from, Msg::Ack { ack: self.links[from].inn });
                }
            }
        }
        self.try_enter(cx);
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        match timer {
            Timer::Release if self.state == State::InCs => self.leave(cx),
            Timer::Want => self.want(cx),
            Timer::Retry => {
                self.retry_armed = false;
                for (&to, q) in &self.unacked {
                    for &(seq, body) in q {
                        cx.send(to, Msg::Data { seq, ack: self.links[to].inn, again: true, body });
                    }
                }
                self.arm_retry(cx);
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

    fn on_recover(&mut self, cx: &mut Cx<Self>) {
        // The state survived; the timers did not.
        match self.state {
            State::InCs if self.k.cs > 0 => cx.set_timer(self.k.cs, Timer::Release),
            State::Idle if self.k.think > 0 => cx.set_timer(self.k.think, Timer::Want),
            _ => {}
        }
        self.arm_retry(cx);
    }

    fn recovered(&self) -> Self {
        // Everything is on stable storage; only the pending timers are gone.
        let mut same = self.clone();
        same.retry_armed = false;
        same
    }

    fn summary(&self) -> Sum {
        let active = self.state != State::Idle;
        Sum {
            role: self.state.role(),
            ts: active.then_some(self.ts),
            head: active && self.queue.first() == Some(&(self.ts, self.id)),
            later: if active { self.later } else { 0 },
        }
    }

    fn inspect(&self) -> Vec<Row> {
        let state = match self.state {
            State::Idle => "idle",
            State::Wanting => "wanting the CS",
            State::InCs => "in the CS",
        };
        let active = self.state != State::Idle;
        let mut rows = vec![
            Row::new("state", state),
            Row::new("algorithm clock", self.clock),
            Row::new("request", if active { format!("(ts={}, id={})", self.ts, self.id) } else { "-".into() }),
            Row::new("request queue", listing(self.queue.iter().map(|(t, i)| format!("({t},{i})")), 12)),
        ];
        if active {
            let missing: Vec<NodeId> = (0..self.n).filter(|&j| j != self.id && !self.is_later(j)).collect();
            let head = if self.queue.first() == Some(&(self.ts, self.id)) { "yes" } else { "no" };
            rows.push(Row::new("heads own queue", head));
            rows.push(Row::new(
                "later messages",
                if missing.is_empty() {
                    format!("{}/{} (all)", self.later, self.n - 1)
                } else {
                    format!(
                        "{}/{}, missing {}",
                        self.later,
                        self.n - 1,
                        listing(missing.iter().map(|j| j.to_string()), 12)
                    )
                },
            ));
        }
        let seen = (0..self.n).filter(|&j| j != self.id).map(|j| match self.links[j].last_ts {
            0 => format!("{j}:-"),
            t => format!("{j}:{t}"),
        });
        rows.push(Row::new("latest ts from", listing(seen, 12)));
        rows.push(Row::new("held back", listing(self.held.keys().map(|(f, s)| format!("seq {s} from {f}")), 8)));
        if self.k.retry > 0 {
            let unacked: usize = self.unacked.values().map(|q| q.len()).sum();
            rows.push(Row::new("unacknowledged", unacked));
        }
        if self.duplicates > 0 {
            rows.push(Row::new("duplicates ignored", self.duplicates));
        }
        rows.push(Row::new("entries so far", self.entries));
        match self.k.variant {
            Variant::Correct => {}
            Variant::NoAckWait => rows.push(Row::new("variant", "no-ack-wait (BROKEN on purpose)")),
            Variant::NoFifo => rows.push(Row::new("variant", "no-fifo (BROKEN on purpose)")),
        }
        rows
    }
}

/// Invariants: mutual exclusion, the entry rule, (timestamp, id) order; at
/// quiescence with every node up and every link up, nobody is left waiting.
/// O(log N) per summary change: the monitor keeps who is in the CS and who
/// waits with which timestamp.
#[derive(Clone, Default)]
pub struct Check {
    n: usize,
    entries: Vec<(NodeId, u64)>,
    in_cs: Inside,
    wanting: BTreeSet<(u64, NodeId)>,
}

impl Check {
    fn forget(&mut self, x: NodeId, s: &Sum) {
        match s.role {
            Role::InCs => self.in_cs.remove(x),
            Role::Wanting => {
                self.wanting.remove(&(s.ts.unwrap_or(0), x));
            }
            _ => {}
        }
    }
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        false
    }

    fn fingerprint(&self, _w: &World<Node>, mut h: &mut dyn Hasher) {
        (&self.in_cs, &self.wanting).hash(&mut h);
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let mut out = Vec::new();
        match change {
            Change::Summary(x) => {
                let s = &w.summaries[x];
                let entering = mutex::entered(old, s);
                if let Some(o) = old {
                    self.forget(x, o);
                }
                if entering {
                    let ts = s.ts.unwrap_or(0);
                    self.entries.push((x, ts));
                    out.extend(self.in_cs.admit(w, x));
                    if !s.head || s.later as usize + 1 < self.n {
                        let head = if s.head { "heads its queue" } else { "does NOT head its queue" };
                        out.push(w.violation(
                            QUEUE_HEAD.name,
                            format!(
                                "node {x} entered with (ts={ts}, id={x}): its request {head}, later messages from {} of {}",
                                s.later,
                                self.n - 1
                            ),
                        ));
                    }
                    if let Some(&(t, y)) = self.wanting.first()
                        && (t, y) < (ts, x)
                    {
                        out.push(w.violation(
                            mutex::TIMESTAMP_ORDER.name,
                            format!("node {x} entered with (ts={ts}, id={x}) while node {y} waits with earlier (ts={t}, id={y})"),
                        ));
                    }
                } else if s.role == Role::InCs {
                    self.in_cs.set(x, true);
                }
                if s.role == Role::Wanting {
                    self.wanting.insert((s.ts.unwrap_or(0), x));
                }
            }
            Change::Crash(x) => {
                if let Some(o) = old {
                    self.forget(x, o);
                }
            }
            Change::Recover(x) => {
                let s = &w.summaries[x];
                match s.role {
                    Role::InCs => out.extend(self.in_cs.admit(w, x)),
                    Role::Wanting => {
                        self.wanting.insert((s.ts.unwrap_or(0), x));
                    }
                    _ => {}
                }
            }
            Change::Links => {}
        }
        out
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        // With cs=0 a node keeps the CS until `release` and the others wait
        // for it by design. A node that is down, or a cut link, blocks
        // everyone by design too: the status line says so.
        if !self.in_cs.is_empty() || w.alive.iter().any(|a| !a) || !w.faults.is_clear() {
            return Vec::new();
        }
        self.wanting
            .iter()
            .map(|&(ts, y)| {
                let s = &w.summaries[y];
                let head = if s.head { "heads its queue" } else { "does not head its queue" };
                w.violation(
                    NO_STARVATION.name,
                    format!(
                        "node {y} waits with (ts={ts}, id={y}) and nothing is in flight: its request {head}, later messages from {} of {}",
                        s.later,
                        self.n - 1
                    ),
                )
                .about(&[y])
            })
            .collect()
    }

    fn result(&self, _w: &World<Node>) -> serde_json::Value {
        mutex::entries_result(&self.entries, "ts")
    }

    fn status(&self, w: &World<Node>) -> Option<String> {
        if self.wanting.is_empty() {
            return None;
        }
        let down: Vec<String> = (0..w.n()).filter(|&i| !w.alive[i]).map(|i| i.to_string()).collect();
        match down.len() {
            0 => None,
            1 => Some(format!("node {} down: no one can enter without its reply", down[0])),
            k => Some(format!(
                "{k} nodes down ({}): no one can enter without their replies",
                listing(down.into_iter(), 6)
            )),
        }
    }
}

pub struct LamportMutex;

/// `queue-head`: Lamport's entry rule.
pub const QUEUE_HEAD: Property = Property::safety(
    "queue-head",
    "a node enters only when its own request heads its queue and it has a later-stamped message from every \
     other node",
);

/// `no-starvation`, judged only while every node and link is up.
pub const NO_STARVATION: Property = mutex::no_starvation(
    "when nothing is left to deliver, with every node and link up and nobody in the CS, no node still waits",
);

static CARD: Card = Card {
    name: "lamport-mutex",
    role_words: &[(Role::Idle, "idle"), (Role::Wanting, "wanting"), (Role::InCs, "in-cs")],
    title: "Lamport's distributed mutual exclusion",
    family: Family::Mutex,
    tolerates: &[
        Claim::of(Fault::Delay),
        Claim::of(Fault::Dup),
        Claim::unless(Fault::Loss, "retry", "0"),
        Claim::unless(Fault::Partition, "retry", "0"),
        Claim::unless(Fault::Crash, "retry", "0"),
        Claim::unless(Fault::Recover, "retry", "0"),
    ],
    about: "(timestamp, id) request queues, REPLYs and RELEASEs over FIFO links; 3(N−1) messages per entry",
    description: "Every node keeps a Lamport clock and a request queue ordered by (timestamp, id) (seed 000's \
        \"Lamport's Algorithm\" only takes a local lock; this is the algorithm between nodes). A node stamps a \
        REQUEST, queues it and sends it to everyone; every receiver queues it and answers a timestamped REPLY; \
        a node enters when its own request heads its queue and it has a later-stamped message from every other \
        node; leaving, it sends RELEASE and everyone drops its request: 3(N−1) messages per entry. The rule \
        needs FIFO links, so the nodes do what TCP does: messages are numbered per link, one that arrives early \
        is held back and a duplicate is ignored, under any scheduler; `retry` re-sends what the other end has \
        not acknowledged, which repairs lost messages once faults heal. A node's state is on stable storage \
        (a crash is a pause, and what was sent to it meanwhile is lost); while a node is down nobody can enter \
        (status in the header). Inspector: the queue head first, whether its own request heads it, which \
        nodes it still needs a later message from, and the messages held back.",
    seeds: "000",
    nodes: NodeRange { default: 4, min: 1, max: 4096 },
    roles: mutex::NODES,
    verbs: mutex::VERBS,
    params: &[
        mutex::cs_param("20"),
        mutex::retry_param("ms before re-sending unacknowledged messages (0: never, the classic algorithm)"),
        mutex::THINK_NEEDS_CS,
        mutex::VARIANT,
    ],
    variants: &[
        VariantCard { name: "correct", help: "the algorithm as published, over numbered (FIFO) links", breaks: &[] },
        VariantCard {
            name: "no-ack-wait",
            help: "enters as soon as its request heads its queue, without a later message from everyone: two \
                nodes asking at once are both in",
            breaks: &[QUEUE_HEAD.name, mutex::MUTUAL_EXCLUSION.name],
        },
        VariantCard {
            name: "no-fifo",
            help: "no per-link numbering, messages handled in arrival order: a REPLY that overtakes a REQUEST lets \
                a node in ahead of an earlier request",
            breaks: &[mutex::TIMESTAMP_ORDER.name, mutex::MUTUAL_EXCLUSION.name],
        },
    ],
    properties: &[mutex::MUTUAL_EXCLUSION, QUEUE_HEAD, mutex::TIMESTAMP_ORDER, NO_STARVATION],
    results: &[mutex::CS_ORDER, mutex::ENTRIES_TS],
    scripts: &[
        ScriptCard {
            file: "lamport-mutex.dl",
            about: "one node alone: 3(N−1) messages; a timestamp tie broken by id; a REPLY that overtakes a \
                REQUEST held back; a crashed node blocks everyone",
        },
        ScriptCard {
            file: "lamport-mutex-broken.dl",
            about: "without per-link numbering a REPLY overtakes its REQUEST: node 1 enters ahead of an earlier request (`timestamp-order`)",
        },
    ],
    action: "request / release",
};

impl Algorithm for LamportMutex {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let variant = match params.variant(&CARD)? {
            0 => Variant::Correct,
            1 => Variant::NoAckWait,
            _ => Variant::NoFifo,
        };
        let knobs = Knobs {
            cs: params.ms(&CARD, "cs")?,
            retry: params.ms(&CARD, "retry")?,
            think: params.ms(&CARD, "think")?,
            variant,
        };
        mutex::check_think(knobs.cs, knobs.think)?;
        let nodes = (0..n).map(|i| Node::new(i, n, knobs)).collect();
        Ok((nodes, Box::new(Check { n, ..Check::default() })))
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        mutex::request(verb, args)
    }

    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        mutex::action(node, s.role)
    }
}
