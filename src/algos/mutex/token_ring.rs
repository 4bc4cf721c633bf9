//! Token ring mutual exclusion (what it shows: see `CARD`).
//!
//! The `Token` carries `serial` (hops so far, checked against the node's
//! `seen` in `receive_token` to drop network copies) and `idle` (how many
//! nodes in a row passed it on unused). `pass` is the only place a token
//! leaves a node; its `reset` restarts the idle count. Tokens are granted in
//! `on_start`, not in `new`, so the monitor sees them appear. `recovered`
//! keeps `seen` and the counters, never the token; the classic ring has no
//! remedy for a lost one (no skipping of dead successors, no regeneration),
//! and none is added.
//!
//! `idle=park` exists so that `run` can end. `keep_or_hold` parks a token
//! after a full idle lap. A WAKE travels successor to successor; a node
//! without the token that forwards it sets `wake_seen`, so the token
//! restarts its idle count there and cannot park between the WAKE and the
//! node that sent it. A WAKE stops back at its sender or at a node holding
//! a moving token (which sets `wake_seen` too). A WAKE is not
//! retransmitted: a node that still waits knocks again with `request`.
//!
//! The monitor is `Check`, near the end: `super::token::TokenBook` counts the
//! tokens, and `Check::broken` gives the "ring broken" status (a node down,
//! or a ring link cut); no-starvation is not judged while it holds. The
//! `two-tokens` variant only changes `on_start`: node ⌊N/2⌋ starts with a
//! token too. A node that receives a second token while holding one keeps
//! one (only that variant gets there).

pub use super::kit::Request;
use super::kit::{self as mutex, Inside, State};
use super::token::{self, TOKEN_BADGE, TokenBook, TokenCounts, TokenSummary};
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, MAX_MS, NodeRange, ParamCard, Property, ScriptCard, VariantCard,
    VerbCard,
};
use crate::card::{Claim, Fault};
use crate::engine::input::Input;
use crate::engine::invariant::{Change, Monitor, Violation, World};
use crate::engine::protocol::{Cx, Describe, MS, NodeId, Protocol, Role, Row, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
pub struct Token {
    /// Hops so far; a copy with a serial its receiver has already seen is stale.
    pub serial: u64,
    /// How many nodes in a row have passed it on without using it.
    pub idle: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize, Hash)]
pub enum Msg {
    Token(Token),
    /// `idle=park`: node `origin` wants the token.
    Wake {
        origin: NodeId,
    },
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Token(_) => "TOKEN",
            Msg::Wake { .. } => "WAKE",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Token(t) => format!("TOKEN(hop {})", t.serial),
            Msg::Wake { origin } => format!("WAKE(for {origin})"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Timer {
    /// Pass on the token nobody here wants.
    Hold,
    /// Leave the critical section after the configured duration.
    Release,
    /// Ask for the critical section again (the `think` workload).
    Want,
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        match self {
            Timer::Hold => "hold-timer",
            Timer::Release => "release-timer",
            Timer::Want => "want-timer",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    pub role: Role,
    pub holding: bool,
    pub parked: bool,
    /// Tokens this node has sent (the monitor counts passes with it).
    pub sent: u64,
    /// Stale token copies this node has discarded.
    pub discarded: u64,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        self.role
    }
    fn badge(&self) -> String {
        match (self.holding, self.parked) {
            (true, false) => TOKEN_BADGE.to_string(),
            (true, true) => format!("{TOKEN_BADGE} parked"),
            _ => String::new(),
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
    pub hold: Time,
    pub think: Time,
    pub park: bool,
    pub two_tokens: bool,
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    id: NodeId,
    n: usize,
    k: Knobs,
    state: State,
    token: Option<Token>,
    parked: bool,
    /// A WAKE passed here: the token restarts its idle-lap count here.
    wake_seen: bool,
    /// The highest token serial this node has accepted (persisted).
    seen: u64,
    entries: u64,
    sent: u64,
    discarded: u64,
}

impl Node {
    fn new(id: NodeId, n: usize, k: Knobs) -> Self {
        Node {
            id,
            n,
            k,
            state: State::Idle,
            token: None,
            parked: false,
            wake_seen: false,
            seen: 0,
            entries: 0,
            sent: 0,
            discarded: 0,
        }
    }

    fn successor(&self) -> NodeId {
        (self.id + 1) % self.n
    }

    fn enter(&mut self, cx: &mut Cx<Self>) {
        self.state = State::InCs;
        self.entries += 1;
        self.parked = false;
        cx.cancel_timer(Timer::Hold);
        cx.note("enters the critical section");
        if self.k.cs > 0 {
            cx.set_timer(self.k.cs, Timer::Release);
        }
    }

    fn leave(&mut self, cx: &mut Cx<Self>) {
        self.state = State::Idle;
        cx.cancel_timer(Timer::Release);
        cx.note("leaves the critical section");
        self.pass(cx, true);
        if self.k.think > 0 {
            cx.set_timer(self.k.think, Timer::Want);
        }
    }

    fn want(&mut self, cx: &mut Cx<Self>) {
        match self.state {
            State::InCs => cx.note("is already in the critical section"),
            _ if self.token.is_some() => {
                cx.note("holds the token: enters without a message");
                self.enter(cx);
            }
            State::Wanting if !self.k.park => cx.note("already waits for the token"),
            State::Wanting => {
                cx.note("knocks again: WAKE to its successor");
                cx.send(self.successor(), Msg::Wake { origin: self.id });
            }
            State::Idle => {
                self.state = State::Wanting;
                if self.k.park {
                    cx.note("wants the token: WAKE to its successor");
                    cx.send(self.successor(), Msg::Wake { origin: self.id });
                } else {
                    cx.note("wants the token: waits for it to come round");
                }
            }
        }
    }

    /// Send the token to the successor. `reset`: it was used (or someone
    /// asked for it), so its idle-lap count starts again.
    fn pass(&mut self, cx: &mut Cx<Self>, reset: bool) {
        let Some(mut t) = self.token.take() else { return };
        t.idle = if reset || self.wake_seen { 0 } else { t.idle + 1 };
        t.serial += 1;
        self.wake_seen = false;
        self.parked = false;
        self.sent += 1;
        cx.cancel_timer(Timer::Hold);
        cx.send(self.successor(), Msg::Token(t));
    }

    /// An unwanted token: park it after a full idle lap, else hold it a while.
    fn keep_or_hold(&mut self, cx: &mut Cx<Self>) {
        let Some(t) = self.token else { return };
        if self.k.park && !self.wake_seen && t.idle as usize + 1 >= self.n {
            self.parked = true;
            cx.note("nobody wanted the token for a full lap: parks it");
        } else {
            cx.set_timer(self.k.hold, Timer::Hold);
        }
    }

    fn receive_token(&mut self, cx: &mut Cx<Self>, t: Token) {
        if t.serial <= self.seen {
            self.discarded += 1;
            cx.note(format!("discards a stale copy of the token (hop {} ≤ {} already seen)", t.serial, self.seen));
            return;
        }
        self.seen = t.serial;
        if self.token.is_some() {
            // Only possible with two tokens: they merge into one.
            cx.note("receives a second token while holding one: keeps one");
            return;
        }
        self.token = Some(t);
        match self.state {
            State::Wanting => self.enter(cx),
            State::InCs => {}
            State::Idle => self.keep_or_hold(cx),
        }
    }

    fn start_with_token(&mut self, cx: &mut Cx<Self>) {
        self.token = Some(Token { serial: 0, idle: 0 });
        if self.k.park {
            // Nobody wants anything yet: the token rests until someone knocks.
            self.parked = true;
        } else {
            cx.set_timer(self.k.hold, Timer::Hold);
        }
    }
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Summary = Sum;

    fn on_start(&mut self, cx: &mut Cx<Self>) {
        // Granted here (not in `new`) so the monitor sees the token appear.
        if self.id == 0 || (self.k.two_tokens && self.id == self.n / 2) {
            self.start_with_token(cx);
        }
        mutex::first_want(cx, self.k.think, self.id, self.n, Timer::Want);
    }

    fn on_message(&mut self, cx: &mut Cx<Self>, _from: NodeId, msg: Msg) {
        match msg {
            Msg::Token(t) => self.receive_token(cx, t),
            Msg::Wake { origin } => {
                if self.token.is_some() {
                    if self.parked {
                        cx.note(format!("WAKE from {origin}: sends the parked token on"));
                        self.pass(cx, true);
                    } else {
                        // The token is moving anyway; it must not park before `origin`.
                        self.wake_seen = true;
                    }
                } else if origin == self.id {
                    cx.note("its WAKE went all the way round: the token is on its way");
                } else {
                    self.wake_seen = true;
                    cx.send(self.successor(), Msg::Wake { origin });
                }
            }
        }
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        match timer {
            Timer::Hold if self.token.is_some() && self.state == State::Idle => self.pass(cx, false),
            Timer::Release if self.state == State::InCs => self.leave(cx),
            Timer::Want => self.want(cx),
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
        // Only the highest serial seen and the counters are on stable storage.
        let mut fresh = Node::new(self.id, self.n, self.k);
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
            parked: self.parked,
            sent: self.sent,
            discarded: self.discarded,
        }
    }

    fn inspect(&self) -> Vec<Row> {
        let state = match self.state {
            State::Idle => "idle",
            State::Wanting => "waiting for the token",
            State::InCs => "in the CS",
        };
        let token = match (&self.token, self.parked) {
            (None, _) => "no".to_string(),
            (Some(t), true) => format!("yes ◆ parked (hop {})", t.serial),
            (Some(t), false) => format!("yes ◆ (hop {})", t.serial),
        };
        let mut rows = vec![
            Row::new("state", state),
            Row::new("holds token", token),
            Row::new("successor", self.successor()),
            Row::new("last hop seen", self.seen),
            Row::new("entries so far", self.entries),
            Row::new("tokens passed", self.sent),
            Row::new(
                "when idle",
                if self.k.park {
                    format!("hold {} ms, park after a full lap", self.k.hold / MS)
                } else {
                    format!("hold {} ms, circulate", self.k.hold / MS)
                },
            ),
        ];
        if self.k.park {
            if let Some(t) = &self.token {
                rows.push(Row::new("unused for", format!("{} of {} nodes", t.idle, self.n)));
            }
            rows.push(Row::new("WAKE seen", if self.wake_seen { "yes" } else { "no" }));
        }
        if self.discarded > 0 {
            rows.push(Row::new("stale discarded", self.discarded));
        }
        if self.k.two_tokens {
            rows.push(Row::new("variant", "two-tokens (BROKEN on purpose)"));
        }
        rows
    }
}

/// Invariants: at most one node in the CS; at most one token (none is the
/// status "token lost"); at quiescence, with the token alive, the ring
/// whole and nobody in the CS, nobody still waits.
#[derive(Clone, Default)]
pub struct Check {
    book: TokenBook,
    in_cs: Inside,
    down: BTreeSet<NodeId>,
    entries: Vec<NodeId>,
}

impl Check {
    /// Why the ring cannot carry the token round, if it cannot.
    fn broken(&self, w: &World<Node>) -> Option<String> {
        if let Some(x) = self.down.first() {
            return Some(format!("ring broken: node {x} crashed"));
        }
        if w.faults.is_clear() {
            return None;
        }
        let n = w.n();
        (0..n)
            .find(|&i| !w.faults.link_up(i, (i + 1) % n))
            .map(|i| format!("ring broken: link {i}→{} down", (i + 1) % n))
    }
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        true
    }

    fn fingerprint(&self, w: &World<Node>, mut h: &mut dyn Hasher) {
        self.book.fingerprint(w, h);
        (&self.in_cs, &self.down).hash(&mut h);
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let mut out = Vec::new();
        self.book.on_change(w, change, old);
        match change {
            Change::Summary(x) => {
                let s = &w.summaries[x];
                if mutex::entered(old, s) {
                    self.entries.push(x);
                    out.extend(self.in_cs.admit(w, x));
                }
                self.in_cs.set(x, s.role == Role::InCs);
            }
            Change::Crash(x) | Change::Recover(x) => {
                self.in_cs.remove(x);
                if w.alive[x] {
                    self.down.remove(&x);
                } else {
                    self.down.insert(x);
                }
            }
            Change::Links => {}
        }
        out.extend(self.book.check(w));
        out
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        self.book.catch_up(w);
        if self.book.status(w).is_some() || self.broken(w).is_some() || !self.in_cs.is_empty() {
            return Vec::new();
        }
        mutex::starving(w, |y| format!("node {y} waits, but the token rests elsewhere"))
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        self.book.result(w, serde_json::json!({ "cs_order": self.entries }))
    }

    fn status(&self, w: &World<Node>) -> Option<String> {
        self.book.status(w).or_else(|| self.broken(w))
    }
}

pub struct TokenRing;

/// `no-starvation`, judged only while the token can reach everyone.
pub const NO_STARVATION: Property = mutex::no_starvation(
    "when nothing is left to deliver, with the token alive, the ring whole and nobody in the CS, no live node \
     still waits",
);

/// The `idle` parameter's choices.
const IDLE: &[&str] = &["circulate", "park"];

static CARD: Card = Card {
    name: "token-ring",
    role_words: &[(Role::Idle, "idle"), (Role::Wanting, "wanting"), (Role::InCs, "in-cs")],
    title: "Token ring mutual exclusion",
    family: Family::Mutex,
    tolerates: &[Claim::of(Fault::Delay), Claim::of(Fault::Dup)],
    about: "the classic token circulating on a logical ring; a dropped token or crashed holder is \"token lost\"",
    description: "Nodes sit on a logical ring 0 → 1 → … → N−1 → 0 and one TOKEN (with its hop count) travels \
        round it. A node that wants the critical section waits for the token, enters, and passes it to its \
        successor when it leaves; a node that does not want it keeps it `hold` ms and passes it on, so entry \
        costs 0 to N−1 TOKEN messages of waiting. With the classic `idle=circulate` the ring never falls \
        silent (a bare `run` stops at its step bound: use `run K`, `step` or play); with `idle=park` the \
        token rests after an idle lap and a WAKE sent round the ring fetches it. A node remembers the highest \
        hop it accepted, so a `dup`licated TOKEN is discarded. The classic ring has no remedy for failures \
        and none is added: a crashed node or a cut ring link shows \"ring broken\", and a token sent to it \
        or held by a crashed node is gone (\"token lost\"). Inspector: whether the node holds the token \
        (and its hop), its successor, the last hop seen, tokens passed, and with `idle=park` the token's idle \
        count and whether a WAKE passed.",
    seeds: "",
    nodes: NodeRange { default: 5, min: 2, max: 4096 },
    roles: mutex::NODES,
    verbs: &[
        VerbCard {
            name: "request",
            args: &[ArgCard::node("N")],
            help: "node N asks for the critical section (again: knocks again)",
        },
        VerbCard {
            name: "release",
            args: &[ArgCard::node("N")],
            help: "node N leaves the critical section and passes the token on",
        },
    ],
    params: &[
        mutex::cs_param("0"),
        ParamCard {
            key: "hold",
            kind: Kind::Ms { min: 0, max: MAX_MS },
            default: "10",
            help: "ms a node keeps a token it does not want before passing it",
        },
        ParamCard {
            key: "idle",
            kind: Kind::Choice(IDLE),
            default: "circulate",
            help: "an unwanted token: circulate (the classic: it never rests) or park (it rests after an idle lap; \
                a WAKE fetches it)",
        },
        mutex::THINK_NEEDS_CS,
        mutex::VARIANT,
    ],
    variants: &[
        VariantCard { name: "correct", help: "the classic ring: one token", breaks: &[] },
        VariantCard {
            name: "two-tokens",
            help: "node ⌊N/2⌋ starts with a second token, as after a careless regeneration: two nodes in the CS \
                at once",
            breaks: &[token::ONE_TOKEN.name, mutex::MUTUAL_EXCLUSION.name],
        },
    ],
    properties: &[mutex::MUTUAL_EXCLUSION, token::ONE_TOKEN, NO_STARVATION],
    results: &[
        mutex::CS_ORDER,
        token::TOKEN,
        token::HOLDER,
        FieldCard { key: "token_passes", help: "TOKEN messages sent (hops)" },
        token::DISCARDED,
    ],
    scripts: &[
        ScriptCard {
            file: "token-ring.dl",
            about: "an idle lap, two waiters entering in ring order, a duplicated TOKEN discarded, a crashed process that swallows the token",
        },
        ScriptCard {
            file: "token-ring-broken.dl",
            about: "two tokens from the start: `one-token` at step 0, then processes 1 and 4 in the CS at once \
                (`mutual-exclusion`)",
        },
    ],
    action: "request / release",
};

impl Algorithm for TokenRing {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let k = Knobs {
            cs: params.ms(&CARD, "cs")?,
            hold: params.ms(&CARD, "hold")?,
            think: params.ms(&CARD, "think")?,
            park: params.choice(&CARD, "idle")? == 1,
            two_tokens: params.variant(&CARD)? == 1,
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
