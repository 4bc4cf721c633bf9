//! Suzuki–Kasami token-based mutual exclusion (what it shows: see `CARD`).
//!
//! `Node` holds `rn` and, while it has it, the `Token` (`ln`, `queue`,
//! `serial`); `hand_on` is the release step and is O(N), as the token is.
//! Site 0 is given the token in `on_start` rather than in `new`, so the
//! monitor sees it arrive.
//!
//! The outstanding-request test is `RN[j] > LN[j]`, not the textbook's
//! `RN[j] = LN[j] + 1`: without crashes they agree, but only the former
//! serves a node that crashed while waiting and asked again after
//! recovering (its abandoned request would otherwise leave
//! `RN[j] = LN[j] + 2` for ever). A node that receives the token without
//! wanting it (it crashed while waiting, recovered and lost interest) marks
//! its old request served and passes the token on through `hand_on`, as if
//! it were leaving the critical section.
//!
//! `recovered` keeps `rn`, `seen` (the highest token serial accepted) and
//! the counters; the token and the wish to enter are lost. `receive_token`
//! discards a token whose serial is not above `seen`.
//!
//! The monitor is `Check`, at the end of the file: `super::token::TokenBook`
//! counts the tokens (held, plus distinct ones in flight, from `Sum::sent`),
//! `Sum::queue` exposes the token's queue while a node holds it, and a lost
//! token is a status, not a violation. The variants change one test each:
//! `no-queue-check` drops the "already queued" test in `hand_on`;
//! `no-serial` drops the serial test in `receive_token`.

use super::kit::{self as mutex, Inside, State};
pub use super::kit::{Request, Timer};
pub use super::token::TOKEN_BADGE;
use super::token::{self, TokenBook, TokenCounts, TokenSummary};
use crate::card::{Args, Card, Family, FieldCard, NodeRange, Property, ScriptCard, VariantCard};
use crate::card::{Claim, Fault};
use crate::engine::input::Input;
use crate::engine::invariant::{Change, Monitor, Violation, World};
use crate::engine::protocol::{Cx, Describe, NodeId, Protocol, Role, Row, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, VecDeque};
use std::hash::{Hash, Hasher};

/// The privilege: whoever holds it may enter the critical section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub struct Token {
    /// Hand-offs so far; a copy with a serial its receiver has already seen is stale.
    pub serial: u64,
    /// `ln[j]`: the request number of node j's last served request.
    pub ln: Vec<u32>,
    /// Nodes waiting for the token, first come first served.
    pub queue: VecDeque<NodeId>,
}

#[derive(Clone, Debug, Serialize, Deserialize, Hash)]
pub enum Msg {
    /// "I want the critical section for my `sn`-th time."
    Request {
        sn: u32,
    },
    Token(Token),
}

/// A short list of ids: `[0 3 1]`, cut after `max` entries.
fn ids(list: impl IntoIterator<Item = impl ToString>, max: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut more = 0usize;
    for x in list {
        if out.len() < max {
            out.push(x.to_string());
        } else {
            more += 1;
        }
    }
    if more > 0 {
        out.push(format!("…+{more}"));
    }
    format!("[{}]", out.join(" "))
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Request { .. } => "REQUEST",
            Msg::Token(_) => "TOKEN",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Request { sn } => format!("REQUEST(sn={sn})"),
            Msg::Token(t) if t.ln.len() <= 8 => format!("TOKEN(LN={}, Q={})", ids(&t.ln, 8), ids(&t.queue, 8)),
            Msg::Token(t) => format!("TOKEN(Q={})", ids(&t.queue, 8)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    Correct,
    /// Broken on purpose: queues a node again although it is already queued.
    NoQueueCheck,
    /// The textbook token without a serial: a duplicated TOKEN is accepted.
    NoSerial,
}

#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    pub role: Role,
    pub holding: bool,
    /// This node's own request number `RN[i]`.
    pub sn: u32,
    /// The token's queue while this node holds it (the monitor checks it).
    pub queue: Option<Vec<NodeId>>,
    /// Tokens this node has sent (lets the monitor tell a new token message
    /// from the network's copies of an old one).
    pub sent: u64,
    /// Stale token copies this node has discarded.
    pub discarded: u64,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        self.role
    }
    fn badge(&self) -> String {
        if self.holding {
            TOKEN_BADGE.to_string()
        } else if self.role == Role::Wanting {
            format!("sn={}", self.sn)
        } else {
            String::new()
        }
    }
}

impl TokenSummary for Sum {
    fn token_counts(&self) -> TokenCounts {
        TokenCounts { holding: self.holding, sent: self.sent, discarded: self.discarded }
    }
}

/// The knobs every node of a run shares.
#[derive(Clone, Copy, Debug, Hash)]
pub struct Knobs {
    pub cs: Time,
    pub think: Time,
    pub retry: Time,
    pub variant: Variant,
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    id: NodeId,
    n: usize,
    k: Knobs,
    state: State,
    /// `rn[j]`: the highest request number heard from node j (persisted).
    rn: Vec<u32>,
    token: Option<Token>,
    /// The highest token serial this node has accepted (persisted).
    seen: u64,
    entries: u64,
    sent: u64,
    discarded: u64,
}

impl Node {
    fn new(id: NodeId, n: usize, k: Knobs) -> Self {
        Node { id, n, k, state: State::Idle, rn: vec![0; n], token: None, seen: 0, entries: 0, sent: 0, discarded: 0 }
    }

    fn enter(&mut self, cx: &mut Cx<Self>) {
        self.state = State::InCs;
        self.entries += 1;
        cx.cancel_timer(Timer::Retry);
        cx.note(format!("enters the critical section (request sn={})", self.rn[self.id]));
        if self.k.cs > 0 {
            cx.set_timer(self.k.cs, Timer::Release);
        }
    }

    fn want(&mut self, cx: &mut Cx<Self>) {
        if self.state != State::Idle {
            cx.note("already wants or holds the critical section");
            return;
        }
        self.rn[self.id] += 1;
        if self.token.is_some() {
            cx.note("holds the idle token: enters without a message");
            self.enter(cx);
            return;
        }
        self.state = State::Wanting;
        let sn = self.rn[self.id];
        cx.note(format!("asks for the token: REQUEST(sn={sn}) to everyone"));
        cx.broadcast(Msg::Request { sn });
        if self.k.retry > 0 {
            cx.set_timer(self.k.retry, Timer::Retry);
        }
    }

    fn leave(&mut self, cx: &mut Cx<Self>) {
        self.state = State::Idle;
        cx.cancel_timer(Timer::Release);
        cx.note("leaves the critical section");
        self.hand_on(cx);
        if self.k.think > 0 {
            cx.set_timer(self.k.think, Timer::Want);
        }
    }

    /// The release step: record this node's request as served, queue every
    /// node with an outstanding request, and send the token to the head of
    /// the queue (keep it when the queue is empty). O(N): the token is.
    fn hand_on(&mut self, cx: &mut Cx<Self>) {
        let Some(t) = self.token.as_mut() else { return };
        t.ln[self.id] = self.rn[self.id];
        let mut queued = vec![false; self.n];
        for &j in &t.queue {
            queued[j] = true;
        }
        let check = self.k.variant != Variant::NoQueueCheck;
        for (j, (&rn, &ln)) in self.rn.iter().zip(&t.ln).enumerate() {
            if j != self.id && rn > ln && !(check && queued[j]) {
                t.queue.push_back(j);
            }
        }
        match t.queue.pop_front() {
            Some(next) => self.pass(cx, next),
            None => cx.note("nobody waits: keeps the token"),
        }
    }

    fn pass(&mut self, cx: &mut Cx<Self>, to: NodeId) {
        let Some(mut t) = self.token.take() else { return };
        t.serial += 1;
        self.sent += 1;
        cx.note(format!("sends the token to {to} (queue {})", ids(&t.queue, 8)));
        cx.send(to, Msg::Token(t));
    }

    fn receive_token(&mut self, cx: &mut Cx<Self>, t: Token) {
        if self.k.variant != Variant::NoSerial && t.serial <= self.seen {
            self.discarded += 1;
            cx.note(format!("discards a stale copy of the token (serial {} ≤ {} already seen)", t.serial, self.seen));
            return;
        }
        self.seen = self.seen.max(t.serial);
        if self.token.is_some() {
            cx.note("receives a second token while holding one");
        }
        self.token = Some(t);
        match self.state {
            State::Wanting => self.enter(cx),
            State::InCs => {}
            State::Idle => {
                // Its request was abandoned (a crash) or served already.
                cx.note("holds a token it no longer waits for: passes it on");
                self.hand_on(cx);
            }
        }
    }

    fn state_name(&self) -> &'static str {
        match self.state {
            State::Idle => "idle",
            State::Wanting => "waiting for the token",
            State::InCs => "in the CS",
        }
    }
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Summary = Sum;

    fn on_start(&mut self, cx: &mut Cx<Self>) {
        if self.id == 0 {
            // Site 0 starts with the token (granted here, so the monitor sees it arrive).
            self.token = Some(Token { serial: 0, ln: vec![0; self.n], queue: VecDeque::new() });
        }
        mutex::first_want(cx, self.k.think, self.id, self.n, Timer::Want);
    }

    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Request { sn } => {
                self.rn[from] = self.rn[from].max(sn);
                let outstanding = self.token.as_ref().is_some_and(|t| self.rn[from] > t.ln[from]);
                if self.state == State::Idle && outstanding {
                    self.pass(cx, from);
                }
            }
            Msg::Token(t) => self.receive_token(cx, t),
        }
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        match timer {
            Timer::Release if self.state == State::InCs => self.leave(cx),
            Timer::Want => self.want(cx),
            Timer::Retry if self.state == State::Wanting => {
                let sn = self.rn[self.id];
                cx.note(format!("still no token: REQUEST(sn={sn}) again"));
                cx.broadcast(Msg::Request { sn });
                cx.set_timer(self.k.retry, Timer::Retry);
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
        // RN, the highest serial seen and the counters are on stable
        // storage; the token and the wish to enter are not.
        let mut fresh = Node::new(self.id, self.n, self.k);
        fresh.rn = self.rn.clone();
        fresh.seen = self.seen;
        fresh.entries = self.entries;
        fresh.sent = self.sent;
        fresh.discarded = self.discarded;
        fresh
    }

    fn summary(&self) -> Sum {
        Sum {
            role: self.state.role(),
            holding: self.token.is_some(),
            sn: self.rn[self.id],
            queue: self.token.as_ref().map(|t| t.queue.iter().copied().collect()),
            sent: self.sent,
            discarded: self.discarded,
        }
    }

    fn inspect(&self) -> Vec<Row> {
        let mut rows = vec![
            Row::new("state", self.state_name()),
            Row::new("RN (heard)", ids(&self.rn, 32)),
            Row::new("holds token", if self.token.is_some() { "yes ◆" } else { "no" }),
        ];
        if let Some(t) = &self.token {
            rows.push(Row::new("token LN", ids(&t.ln, 32)));
            rows.push(Row::new("token queue", ids(&t.queue, 32)));
            rows.push(Row::new("token serial", t.serial));
        }
        rows.push(Row::new("serial seen", self.seen));
        rows.push(Row::new("entries so far", self.entries));
        rows.push(Row::new("tokens sent", self.sent));
        if self.discarded > 0 {
            rows.push(Row::new("stale discarded", self.discarded));
        }
        match self.k.variant {
            Variant::Correct => {}
            Variant::NoQueueCheck => rows.push(Row::new("variant", "no-queue-check (BROKEN on purpose)")),
            Variant::NoSerial => rows.push(Row::new("variant", "no-serial (accepts duplicated tokens)")),
        }
        rows
    }
}

// ----- the monitor -----------------------------------------------------------------

/// Invariants: at most one node in the CS; at most one token (held or in
/// flight; none is "token lost", shown as a status, not a violation); no
/// node twice in the token's queue; at quiescence, with the token alive and
/// nobody in the CS, nobody still waits.
#[derive(Clone, Default)]
pub struct Check {
    book: TokenBook,
    in_cs: Inside,
    entries: Vec<(NodeId, u32)>,
    dup_queue: bool,
}

/// What is wrong with the queue of the token node `holder` holds, if
/// anything: a node queued twice, or the holder itself still queued (it was
/// taken off the head when the token was sent to it, so being there again
/// means it was queued twice).
fn queue_fault(holder: NodeId, queue: &[NodeId]) -> Option<String> {
    if queue.contains(&holder) {
        return Some(format!("node {holder} holds the token and is still in its queue {}", ids(queue, 16)));
    }
    let mut seen = BTreeSet::new();
    queue
        .iter()
        .find(|&&j| !seen.insert(j))
        .map(|j| format!("node {j} is twice in the token's queue {} at node {holder}", ids(queue, 16)))
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        true
    }

    fn fingerprint(&self, w: &World<Node>, mut h: &mut dyn Hasher) {
        self.book.fingerprint(w, h);
        (&self.in_cs, self.dup_queue).hash(&mut h);
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let mut out = Vec::new();
        self.book.on_change(w, change, old);
        match change {
            Change::Summary(x) => {
                let s = &w.summaries[x];
                if mutex::entered(old, s) {
                    self.entries.push((x, s.sn));
                    out.extend(self.in_cs.admit(w, x));
                }
                self.in_cs.set(x, s.role == Role::InCs);
                if let Some(q) = &s.queue
                    && old.is_none_or(|o| o.queue.as_ref() != Some(q))
                {
                    match queue_fault(x, q) {
                        Some(what) if !self.dup_queue => {
                            self.dup_queue = true;
                            out.push(w.violation(QUEUE_NO_DUPLICATES.name, what));
                        }
                        Some(_) => {}
                        None => self.dup_queue = false,
                    }
                }
            }
            Change::Crash(x) | Change::Recover(x) => self.in_cs.remove(x),
            Change::Links => {}
        }
        out.extend(self.book.check(w));
        out
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        self.book.catch_up(w);
        // A lost token is reported as a status; with cs=0 the others wait
        // for a `release` by design.
        if self.book.status(w).is_some() || !self.in_cs.is_empty() {
            return Vec::new();
        }
        mutex::starving(w, |y| format!("node {y} waits for a token that will never come"))
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        self.book.result(w, mutex::entries_result(&self.entries, "sn"))
    }

    fn status(&self, w: &World<Node>) -> Option<String> {
        self.book.status(w)
    }
}

pub struct SuzukiKasami;

/// `queue-no-duplicates`: the token's queue names each waiting node once.
pub const QUEUE_NO_DUPLICATES: Property = Property::safety(
    "queue-no-duplicates",
    "no node is twice in the token's queue, and the node holding the token is not in it",
);

/// `no-starvation`, judged only while the token exists.
pub const NO_STARVATION: Property = mutex::no_starvation(
    "when nothing is left to deliver, with the token alive and nobody in the CS, no live node still waits",
);

static CARD: Card = Card {
    name: "suzuki-kasami",
    role_words: &[(Role::Idle, "idle"), (Role::Wanting, "wanting"), (Role::InCs, "in-cs")],
    title: "Suzuki–Kasami token-based mutual exclusion",
    family: Family::Mutex,
    tolerates: &[
        Claim::of(Fault::Delay),
        Claim::of(Fault::Dup),
        Claim::unless(Fault::Loss, "retry", "0"),
        Claim::unless(Fault::Partition, "retry", "0"),
    ],
    about: "broadcast REQUESTs, RN arrays and one TOKEN carrying LN and a queue; N messages per entry",
    description: "Every node keeps RN, the highest request number heard from each node; one TOKEN carries LN \
        (each node's last served request) and a FIFO queue. A node without the token broadcasts REQUEST(sn); \
        the idle holder sends the token to a node with an outstanding request (RN[j] > LN[j]); on leaving, the \
        holder records LN[i] := RN[i], queues (in id order) every waiting node not yet queued and sends the \
        token to the head: N messages per entry, none when the holder asks again. The seed's call sequence \
        (node 0 starts with the token; requests by 0, 1, 2; release 0; request 0; request 3; releases by 1, \
        2, 0, 3) gives the CS order 0, 1, 2, 0, 3 in 16 messages. The token carries a serial and each node \
        remembers the highest it accepted, so a `dup`licated TOKEN stays one token; `retry` re-broadcasts an \
        unanswered REQUEST. A crash keeps RN (stable storage) but not the token: a crashed holder is \
        \"token lost\" for good (regenerating it would need an election). Inspector: RN, and while holding \
        the token its LN, queue and serial.",
    seeds: "000",
    nodes: NodeRange { default: 5, min: 1, max: 4096 },
    roles: mutex::NODES,
    verbs: mutex::VERBS,
    params: &[
        mutex::cs_param("0"),
        mutex::THINK_NEEDS_CS,
        mutex::retry_param("ms before a waiting node broadcasts its REQUEST again (0: never, the classic algorithm)"),
        mutex::VARIANT,
    ],
    variants: &[
        VariantCard { name: "correct", help: "the algorithm as published, with a serial on the token", breaks: &[] },
        VariantCard {
            name: "no-queue-check",
            help: "on leaving, queues every waiting node without checking whether it is already queued: a node \
                twice in the queue, wasted token trips",
            breaks: &[QUEUE_NO_DUPLICATES.name],
        },
        VariantCard {
            name: "no-serial",
            help: "the textbook token without a serial: a duplicated TOKEN becomes a second token",
            breaks: &[token::ONE_TOKEN.name, mutex::MUTUAL_EXCLUSION.name],
        },
    ],
    properties: &[mutex::MUTUAL_EXCLUSION, token::ONE_TOKEN, QUEUE_NO_DUPLICATES, NO_STARVATION],
    results: &[
        mutex::CS_ORDER,
        FieldCard { key: "entries", help: "`{node, sn}` per entry: who entered for its how-many-th request" },
        token::TOKEN,
        token::HOLDER,
        FieldCard { key: "token_passes", help: "TOKEN messages sent (hand-offs)" },
        token::DISCARDED,
    ],
    scripts: &[
        ScriptCard {
            file: "suzuki-kasami.dl",
            about: "the lab's call sequence: CS order 0, 1, 2, 0, 3 in 16 messages; a duplicated TOKEN discarded; the holder crashes: token lost",
        },
        ScriptCard {
            file: "suzuki-kasami-broken.dl",
            about: "the same sequence with a release step that queues node 2 twice: `queue-no-duplicates` \
                flagged, 9 TOKEN messages instead of 4",
        },
    ],
    action: "request / release",
};

impl Algorithm for SuzukiKasami {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let variant = match params.variant(&CARD)? {
            0 => Variant::Correct,
            1 => Variant::NoQueueCheck,
            _ => Variant::NoSerial,
        };
        let k = Knobs {
            cs: params.ms(&CARD, "cs")?,
            think: params.ms(&CARD, "think")?,
            retry: params.ms(&CARD, "retry")?,
            variant,
        };
        mutex::check_think(k.cs, k.think)?;
        let nodes = (0..n).map(|i| Node::new(i, n, k)).collect();
        Ok((nodes, Box::new(Check::default())))
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        mutex::request(verb, args)
    }

    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        mutex::action(node, s.role)
    }
}
