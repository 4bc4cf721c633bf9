//! Suzuki–Kasami token-based mutual exclusion (seed 000, "Token Based
//! Algorithm"). One token exists; only its holder may enter the critical
//! section. Every node keeps `RN`, the highest request number it has heard
//! from each node; the token carries `LN`, the number of each node's last
//! served request, and a FIFO queue of nodes waiting for it.
//!
//! - To enter without the token, node i increments `RN[i]` and broadcasts
//!   REQUEST(i, RN[i]): N−1 messages. The holder of the token, when it is
//!   not using it, sends it at once to a node with an outstanding request
//!   (`RN[j] > LN[j]`): one TOKEN message. N messages per entry; none when
//!   the holder itself asks again.
//! - On leaving, the holder records `LN[i] := RN[i]`, appends (in id order)
//!   every node with an outstanding request that is not yet queued, and
//!   sends the token to the head of the queue, if any.
//!
//! The textbook tests `RN[j] = LN[j] + 1`; in a run without crashes that is
//! the same as `RN[j] > LN[j]`, and the latter also serves a node that
//! crashed while waiting and asked again after recovering (its abandoned
//! request would otherwise leave `RN[j] = LN[j] + 2` for ever).
//!
//! Beyond the textbook, each a documented decision:
//! - The token carries a serial number, incremented at every hand-off, and
//!   every node remembers the highest serial it has accepted: a copy of the
//!   token made by the network (`dup`) arrives with an old serial and is
//!   discarded, so a duplicate never becomes a second token.
//!   `variant=no-serial` is the textbook token without it.
//! - Stable storage keeps `RN`, the highest serial seen and the counters.
//!   The token is not persisted: a holder that crashes takes it with it,
//!   and the screen reports "token lost" (regenerating a token needs an
//!   election, which this scenario leaves out).
//! - A node that receives the token without wanting it (it crashed while
//!   waiting, recovered and lost interest) marks its old request served and
//!   passes the token on as if it were leaving the critical section.
//! - `retry` (off by default) re-broadcasts an unanswered REQUEST, which is
//!   what lets a waiting node get the token after its REQUEST was lost.
//!
//! `variant=no-queue-check` is the deliberately broken version: on leaving,
//! the holder appends every node with an outstanding request without
//! checking whether it is already queued, so the queue fills with
//! duplicates and the token makes wasted trips to nodes already served;
//! the `queue-no-duplicates` checker catches it.

use super::node_arg;
use crate::engine::input::Input;
use crate::engine::invariant::{Change, Monitor, Violation, World};
use crate::engine::protocol::{Cx, Describe, MS, NodeId, Protocol, Role, Row, Summary, Time};
use crate::engine::record::EvKind;
use crate::scenario::{AlgoInfo, Algorithm, FieldHelp, ParamHelp, Params, VerbHelp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The badge of the node holding the token (the topology pane draws it there).
pub const TOKEN_BADGE: &str = "◆TOKEN";

/// The privilege: whoever holds it may enter the critical section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Token {
    /// Hand-offs so far; a copy with a serial its receiver has already seen is stale.
    pub serial: u64,
    /// `ln[j]`: the request number of node j's last served request.
    pub ln: Vec<u32>,
    /// Nodes waiting for the token, first come first served.
    pub queue: VecDeque<NodeId>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Timer {
    /// Leave the critical section after the configured duration.
    Release,
    /// Ask for the critical section again (the `think` workload).
    Want,
    /// Re-broadcast the request (the `retry` parameter).
    Retry,
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        match self {
            Timer::Release => "release-timer",
            Timer::Want => "want-timer",
            Timer::Retry => "retry-timer",
        }
    }
}

#[derive(Clone, Debug)]
pub enum Request {
    Enter,
    Leave,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    Wanting,
    InCs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Correct,
    /// Broken on purpose: queues a node again although it is already queued.
    NoQueueCheck,
    /// The textbook token without a serial: a duplicated TOKEN is accepted.
    NoSerial,
}

const VARIANTS: &[&str] = &["correct", "no-queue-check", "no-serial"];

#[derive(Clone, Debug, PartialEq)]
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

/// The knobs every node of a run shares.
#[derive(Clone, Copy, Debug)]
pub struct Knobs {
    pub cs: Time,
    pub think: Time,
    pub retry: Time,
    pub variant: Variant,
}

#[derive(Clone, Debug)]
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
        if self.k.think > 0 {
            // Stagger the first requests so the workload starts mixed.
            cx.set_timer(self.k.think * (self.id as Time + 1) / self.n as Time, Timer::Want);
        }
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
        let role = match self.state {
            State::Idle => Role::Idle,
            State::Wanting => Role::Wanting,
            State::InCs => Role::InCs,
        };
        Sum {
            role,
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

// ----- counting tokens ----------------------------------------------------------

/// How many copies of one TOKEN send have been consumed (delivered or lost).
#[derive(Clone, Copy, Debug, Default)]
struct Copies {
    consumed: u32,
    delivered: bool,
}

/// Counts the tokens of a run from the engine's view: live nodes that hold
/// one, plus TOKEN messages in flight. Copies the network made of one send
/// (`dup`) are that one token, and a copy whose twin has already been
/// delivered is no token at all (its receiver discards it by its serial).
///
/// A token send is recognised from the sender's summary (`sent` grows); the
/// protocols using this book send nothing else from the handler that sends
/// a token, so every message of that event is a copy of the token.
#[derive(Default)]
pub struct TokenBook {
    holders: BTreeSet<NodeId>,
    /// TOKEN send events (history indices) that may still have copies in flight.
    open: BTreeMap<u32, Copies>,
    /// History records already accounted for.
    cursor: usize,
}

impl TokenBook {
    /// Record whether node `x` holds a token now (a crashed node holds none).
    pub fn set_holder(&mut self, x: NodeId, holding: bool) {
        if holding {
            self.holders.insert(x);
        } else {
            self.holders.remove(&x);
        }
    }

    pub fn holders(&self) -> &BTreeSet<NodeId> {
        &self.holders
    }

    /// History event `e` sent a token.
    pub fn sent_at(&mut self, e: Option<u32>) {
        if let Some(e) = e {
            self.open.entry(e).or_default();
        }
    }

    fn token_kind<P: Protocol>(w: &World<P>) -> Option<u16> {
        w.kinds.iter().position(|k| *k == "TOKEN").map(|i| i as u16)
    }

    fn apply(open: &mut BTreeMap<u32, Copies>, kind: u16, rec: &EvKind) {
        let (send, delivered) = match *rec {
            EvKind::Recv { send, kind: k, .. } if k == kind => (send, true),
            EvKind::Lost { send, kind: k, .. } if k == kind => (send, false),
            _ => return,
        };
        let c = open.entry(send).or_default();
        c.consumed += 1;
        c.delivered |= delivered;
    }

    /// Account for the history recorded since the last call.
    pub fn catch_up<P: Protocol>(&mut self, w: &World<P>) {
        if let Some(kind) = Self::token_kind(w) {
            for rec in &w.history[self.cursor.min(w.history.len())..] {
                Self::apply(&mut self.open, kind, &rec.kind);
            }
            self.open.retain(|&e, c| w.history.get(e as usize).is_some_and(|r| r.sends > c.consumed));
        }
        self.cursor = w.history.len();
    }

    /// Distinct tokens in flight now (read-only: also counts what the
    /// history recorded since the last `catch_up`).
    pub fn in_flight<P: Protocol>(&self, w: &World<P>) -> u32 {
        let raw = w.in_flight("TOKEN");
        let Some(kind) = Self::token_kind(w) else { return raw };
        let mut open = self.open.clone();
        for rec in &w.history[self.cursor.min(w.history.len())..] {
            Self::apply(&mut open, kind, &rec.kind);
        }
        let surplus: u32 = open
            .iter()
            .map(|(&e, c)| {
                let left = w.history.get(e as usize).map_or(0, |r| r.sends.saturating_sub(c.consumed));
                if left == 0 || c.delivered { left } else { left - 1 }
            })
            .sum();
        raw.saturating_sub(surplus)
    }

    /// Tokens that exist: held by live nodes plus distinct ones in flight.
    pub fn tokens<P: Protocol>(&self, w: &World<P>) -> (usize, u32) {
        (self.holders.len(), self.in_flight(w))
    }

    /// "token lost" when no live node holds a token and none is in flight.
    pub fn status<P: Protocol>(&self, w: &World<P>) -> Option<String> {
        let (held, flying) = self.tokens(w);
        (held == 0 && flying == 0).then(|| "token lost".to_string())
    }

    /// Where the token is, for the headless result.
    pub fn whereabouts<P: Protocol>(&self, w: &World<P>) -> (&'static str, Option<NodeId>) {
        let (held, flying) = self.tokens(w);
        match (held, flying) {
            (0, 0) => ("lost", None),
            (1, 0) => ("held", self.holders.first().copied()),
            (0, 1) => ("in flight", None),
            _ => ("several", None),
        }
    }

    /// The `one-token` check after a change: at most one token exists.
    /// Reports once each time the count goes above one.
    pub fn check<P: Protocol>(&mut self, w: &World<P>, over: &mut bool) -> Option<Violation> {
        self.catch_up(w);
        let (held, flying) = self.tokens(w);
        let now_over = held + flying as usize > 1;
        let report = now_over && !*over;
        *over = now_over;
        report.then(|| {
            let holders: Vec<String> = self.holders.iter().map(|h| h.to_string()).collect();
            w.violation(
                "one-token",
                format!("{} tokens exist: held by [{}], {flying} in flight", held + flying as usize, holders.join(" ")),
            )
        })
    }
}

// ----- the monitor -----------------------------------------------------------------

/// Invariants: at most one node in the CS; at most one token (held or in
/// flight; none is "token lost", shown as a status, not a violation); no
/// node twice in the token's queue; at quiescence, with the token alive and
/// nobody in the CS, nobody still waits.
#[derive(Default)]
pub struct Check {
    book: TokenBook,
    in_cs: BTreeSet<NodeId>,
    entries: Vec<(NodeId, u32)>,
    over: bool,
    dup_queue: bool,
    passes: u64,
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
    fn properties(&self) -> Vec<&'static str> {
        vec!["mutual-exclusion", "one-token", "queue-no-duplicates", "no-starvation"]
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let mut out = Vec::new();
        match change {
            Change::Summary(x) => {
                let s = &w.summaries[x];
                let old_sent = old.map_or(0, |o| o.sent);
                if s.sent > old_sent {
                    self.passes += s.sent - old_sent;
                    self.book.sent_at(w.event);
                }
                self.book.set_holder(x, w.alive[x] && s.holding);
                let was_in = old.is_some_and(|o| o.role == Role::InCs);
                if s.role == Role::InCs && !was_in {
                    self.entries.push((x, s.sn));
                    if let Some(&y) = self.in_cs.iter().find(|&&y| y != x) {
                        out.push(w.violation(
                            "mutual-exclusion",
                            format!("nodes {y} and {x} are both in the critical section"),
                        ));
                    }
                }
                if s.role == Role::InCs {
                    self.in_cs.insert(x);
                } else {
                    self.in_cs.remove(&x);
                }
                if let Some(q) = &s.queue
                    && old.is_none_or(|o| o.queue.as_ref() != Some(q))
                {
                    match queue_fault(x, q) {
                        Some(what) if !self.dup_queue => {
                            self.dup_queue = true;
                            out.push(w.violation("queue-no-duplicates", what));
                        }
                        Some(_) => {}
                        None => self.dup_queue = false,
                    }
                }
            }
            Change::Crash(x) | Change::Recover(x) => {
                self.book.set_holder(x, w.alive[x] && w.summaries[x].holding);
                self.in_cs.remove(&x);
            }
            Change::Links => {}
        }
        out.extend(self.book.check(w, &mut self.over));
        out
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        self.book.catch_up(w);
        // A lost token is reported as a status; with cs=0 the others wait
        // for a `release` by design.
        if self.book.status(w).is_some() || !self.in_cs.is_empty() {
            return Vec::new();
        }
        w.live()
            .filter(|&y| w.summaries[y].role == Role::Wanting)
            .map(|y| w.violation("no-starvation", format!("node {y} waits for a token that will never come")))
            .collect()
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        let order: Vec<NodeId> = self.entries.iter().map(|e| e.0).collect();
        let entries: Vec<serde_json::Value> =
            self.entries.iter().map(|(n, sn)| serde_json::json!({"node": n, "sn": sn})).collect();
        let (token, holder) = self.book.whereabouts(w);
        let discarded: u64 = w.summaries.iter().map(|s| s.discarded).sum();
        serde_json::json!({
            "cs_order": order,
            "entries": entries,
            "token": token,
            "holder": holder,
            "token_passes": self.passes,
            "stale_tokens_discarded": discarded,
        })
    }

    fn status(&self, w: &World<Node>) -> Option<String> {
        self.book.status(w)
    }
}

pub struct SuzukiKasami;

static INFO: AlgoInfo = AlgoInfo {
    name: "suzuki-kasami",
    about: "Suzuki–Kasami: broadcast REQUESTs, one TOKEN carrying LN and a queue; N messages per entry",
    default_nodes: 5,
    min_nodes: 1,
    max_nodes: 4096,
    verbs: &[
        VerbHelp { usage: "request N", help: "node N asks for the critical section" },
        VerbHelp { usage: "release N", help: "node N leaves the critical section" },
    ],
    params: &[
        ParamHelp {
            key: "cs",
            default: "0",
            help: "ms a node stays in the CS before it leaves on its own (0: only `release`)",
        },
        ParamHelp {
            key: "think",
            default: "0",
            help: "ms after leaving before a node asks again (0: only on `request`; needs cs > 0)",
        },
        ParamHelp {
            key: "retry",
            default: "0",
            help: "ms before a waiting node broadcasts its REQUEST again (0: never, the classic algorithm)",
        },
        ParamHelp {
            key: "variant",
            default: "correct",
            help: "correct | no-queue-check (broken: queues a node twice) | no-serial (accepts duplicated tokens)",
        },
    ],
    action: "request / release",
    results: &[
        FieldHelp { key: "cs_order", help: "node ids in critical-section entry order" },
        FieldHelp { key: "entries", help: "`{node, sn}` per entry: who entered for its how-many-th request" },
        FieldHelp {
            key: "token",
            help: "`held`, `in flight` or `lost` (`several` if the checker found more than one)",
        },
        FieldHelp { key: "holder", help: "the node holding the token, or null" },
        FieldHelp { key: "token_passes", help: "TOKEN messages sent (hand-offs)" },
        FieldHelp { key: "stale_tokens_discarded", help: "duplicated token copies discarded by their serial" },
    ],
};

impl Algorithm for SuzukiKasami {
    type P = Node;

    fn info() -> &'static AlgoInfo {
        &INFO
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let variant = match params.choice("variant", VARIANTS)? {
            0 => Variant::Correct,
            1 => Variant::NoQueueCheck,
            _ => Variant::NoSerial,
        };
        let k = Knobs {
            cs: params.num::<u64>("cs", 0)? * MS,
            think: params.num::<u64>("think", 0)? * MS,
            retry: params.num::<u64>("retry", 0)? * MS,
            variant,
        };
        if k.think > 0 && k.cs == 0 {
            return Err("think > 0 needs cs > 0 (nodes must leave on their own)".into());
        }
        let nodes = (0..n).map(|i| Node::new(i, n, k)).collect();
        Ok((nodes, Box::new(Check::default())))
    }

    fn parse_verb(verb: &str, args: &[String], n: usize) -> Result<(NodeId, Request), String> {
        let req = match verb {
            "request" => Request::Enter,
            "release" => Request::Leave,
            _ => return Err(format!("unknown verb {verb:?} (suzuki-kasami knows: request N, release N)")),
        };
        Ok((node_arg(verb, args, n)?, req))
    }

    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        let verb = match s.role {
            Role::Idle => "request",
            Role::InCs => "release",
            _ => return None,
        };
        Some(Input::Verb { verb: verb.into(), args: vec![node.to_string()] })
    }
}
