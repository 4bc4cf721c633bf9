//! Birman–Schiper–Stephenson causal broadcast (what it shows: see `CARD`).
//!
//! The delivery rule and the hold-back queue live in [`super::bss`]; a
//! `Node` adds what a member needs around it: the delivered `log` (with
//! stamps and texts, indexed by `by_id`, so any member can resend what it
//! has delivered) and the repair state (`wants`: per sender, the highest
//! seq still missing and whom to ask). `recovered` keeps `V`, the log and
//! the mode, and drops the hold-back queue and the repair state. The
//! variants are `Mode::ALL`, picked by the `ordering` parameter; the
//! `ordering` verb switches one member only because the engine hands each
//! input to one node (`Bss::set_mode` releases what the new rule allows,
//! and `rewant` recomputes the gaps).
//!
//! Repair: a SYNC makes a member resend every post of its log the sender
//! lacks (not only its own: their author may be down), and ask for what the
//! SYNC shows it lacks itself. A NACK goes to the
//! member whose message revealed the gap, because that member has
//! delivered the missing messages and can resend them from its log;
//! `settle` arms or cancels the `Nack` timer and counts the tries.
//!
//! Causality here is the one BSS (and ISIS's CBCAST) define: m precedes m'
//! when m was *delivered* at the sender of m' before it posted m' (or
//! posted there earlier), transitively. The monitor (`check.rs`) rebuilds
//! that order from the engine's record (the history event of every post,
//! and `Sum::batch`, the deliveries of each event), never from the stamps.
//! The engine's own ground-truth clocks count a message's *arrival*, so a
//! member that posts while it still holds a message back looks, to them,
//! as if it depended on it; BSS, by design, does not. The violation
//! messages name the post events, and `hb E1 E2` on them shows the
//! engine's view. `all-delivered` is agreement among the live members:
//! each must have delivered what any live one delivered. The card claims
//! delays and duplicates only: a lost message nothing reveals (the last
//! one, or one whose NACKs were all lost) waits for a `sync`, and a gap
//! waits while the member it is asked of is down, so such a member is a
//! status naming the loss or the crash (a repaired loss leaves none).

mod check;

pub use self::check::{ALL_DELIVERED, Check};
use super::bss::{Arrival, Bss, CAUSAL_DELIVERY, Delivered, Mode, NO_DUPLICATE_DELIVERY, Stamp};
use crate::algos::kit::{listing, show_vector};
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, MAX_MS, NodeRange, ParamCard, RoleCard, ScriptCard, VariantCard,
    VerbCard,
};
use crate::card::{Claim, Fault};
use crate::engine::input::Input;
use crate::engine::invariant::Monitor;
use crate::engine::protocol::{Cx, Describe, NodeId, Protocol, Role, Row, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Up to this many members the badge shows `V`.
pub const BADGE_VECTOR: usize = 8;
/// Held messages the inspector lists.
pub const HELD_ROWS: usize = 6;
/// Delivered messages the inspector lists (the latest).
pub const LAST_ROWS: usize = 4;

/// A stamp on the wire: a plain list of numbers.
mod wire {
    use super::Stamp;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub fn serialize<S: Serializer>(v: &Stamp, s: S) -> Result<S::Ok, S::Error> {
        v[..].serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Stamp, D::Error> {
        Vec::<u32>::deserialize(d).map(Into::into)
    }
    pub mod text {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};
        use std::sync::Arc;
        pub fn serialize<S: Serializer>(t: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
            t[..].serialize(s)
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
            String::deserialize(d).map(Into::into)
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, Hash)]
pub enum Msg {
    /// A broadcast of `origin` (`resent`: a repair copy, possibly sent by
    /// another member that delivered it).
    Post {
        origin: u32,
        #[serde(with = "wire")]
        stamp: Stamp,
        #[serde(with = "wire::text")]
        text: Arc<str>,
        resent: bool,
    },
    /// "Resend broadcasts `first..=last` of `origin`."
    Nack { origin: u32, first: u32, last: u32 },
    /// "I am back (or: anti-entropy): this is my delivered vector."
    Sync { v: Vec<u32> },
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Post { resent: false, .. } => "POST",
            Msg::Post { resent: true, .. } => "RESEND",
            Msg::Nack { .. } => "NACK",
            Msg::Sync { .. } => "SYNC",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Post { origin, stamp, text, .. } => {
                let seq = stamp.get(*origin as usize).copied().unwrap_or_default();
                format!("{}({origin}:{seq} W={} {text:?})", self.kind(), show_vector(stamp, 8))
            }
            Msg::Nack { origin, first, last } => format!("NACK({})", range(*origin as usize, *first, *last)),
            Msg::Sync { v } => format!("SYNC(V={})", show_vector(v, 8)),
        }
    }
}

/// `k:a` or `k:a..b`.
fn range(k: usize, a: u32, b: u32) -> String {
    if a == b { format!("{k}:{a}") } else { format!("{k}:{a}..{b}") }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Timer {
    /// Ask again for what is still missing.
    Nack,
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        "nack-timer"
    }
}

#[derive(Clone, Debug, Hash)]
pub enum Request {
    Post(String),
    Ordering(Mode),
    Sync,
}

/// What the engine keeps of a member after every event.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    /// Own broadcasts so far.
    pub posted: u32,
    /// Others' messages delivered so far.
    pub delivered: u64,
    /// (from, seq) of the messages this event delivered, in order.
    pub batch: Vec<(u32, u32)>,
    pub held: u32,
    pub mode: Mode,
    /// `V`, for small runs (the badge).
    pub small: Option<Vec<u32>>,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        if self.held > 0 { Role::Wanting } else { Role::Idle }
    }
    fn badge(&self) -> String {
        let held = if self.held > 0 { format!(" held={}", self.held) } else { String::new() };
        match &self.small {
            Some(v) => format!("V={}{held}", show_vector(v, usize::MAX)),
            None if self.held > 0 => held.trim_start().to_string(),
            None => format!("d={}", self.delivered),
        }
    }
}

/// One delivered message, on stable storage.
#[derive(Clone, Debug, Hash)]
struct Entry {
    from: u32,
    seq: u32,
    stamp: Stamp,
    text: Arc<str>,
}

#[derive(Clone, Debug)]
pub struct Node {
    id: NodeId,
    n: usize,
    bss: Bss<Arc<str>>,
    /// Delivered messages (own posts included) in delivery order: stable.
    log: Vec<Entry>,
    by_id: HashMap<(u32, u32), usize>,
    delivered: u64,
    /// Volatile repair state: sender → (highest seq needed, who to ask).
    wants: BTreeMap<usize, (u32, usize)>,
    armed: bool,
    tries: u32,
    nack: Time,
    retries: u32,
    batch: Vec<(u32, u32)>,
}

/// Every field but `by_id`, an index of `log`.
impl std::hash::Hash for Node {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let Node { id, n, bss, log, by_id: _, delivered, wants, armed, tries, nack, retries, batch } = self;
        (id, n, bss, log, delivered, wants, armed, tries, nack, retries, batch).hash(h)
    }
}

impl Node {
    fn new(id: NodeId, n: usize, mode: Mode, nack: Time, retries: u32) -> Self {
        Node {
            id,
            n,
            bss: Bss::new(n, id, mode),
            log: Vec::new(),
            by_id: HashMap::new(),
            delivered: 0,
            wants: BTreeMap::new(),
            armed: false,
            tries: 0,
            nack,
            retries,
            batch: Vec::new(),
        }
    }

    fn keep(&mut self, from: usize, seq: u32, stamp: Stamp, text: Arc<str>) {
        self.by_id.insert((from as u32, seq), self.log.len());
        self.log.push(Entry { from: from as u32, seq, stamp, text });
    }

    fn deliver(&mut self, cx: &mut Cx<Self>, list: Vec<Delivered<Arc<str>>>) {
        for d in list {
            cx.note(format!("delivers {}:{} {:?}", d.from, d.seq, &*d.payload));
            self.batch.push((d.from as u32, d.seq));
            self.delivered += 1;
            self.keep(d.from, d.seq, d.stamp, d.payload);
        }
    }

    /// Remember what a stamp reveals as missing, and whom to ask.
    fn want(&mut self, revealer: usize, gaps: impl Iterator<Item = (usize, u32)>) -> bool {
        let mut news = false;
        for (k, last) in gaps {
            if k == self.id || revealer == self.id {
                continue;
            }
            let e = self.wants.entry(k).or_insert((0, revealer));
            if last > e.0 {
                *e = (last, revealer);
                news = true;
            }
        }
        news
    }

    /// Drop what is no longer missing; arm or cancel the NACK timer.
    fn settle(&mut self, cx: &mut Cx<Self>, news: bool) {
        let v = self.bss.vector().to_vec();
        self.wants.retain(|&k, (last, _)| *last > v[k]);
        if self.wants.is_empty() {
            if self.armed {
                cx.cancel_timer(Timer::Nack);
                self.armed = false;
            }
            self.tries = 0;
        } else if news || !self.armed {
            if news {
                self.tries = 0;
            }
            if !self.armed && self.tries < self.retries {
                cx.set_timer(self.nack, Timer::Nack);
                self.armed = true;
            }
        }
    }

    fn on_post(&mut self, cx: &mut Cx<Self>, from: NodeId, origin: usize, stamp: Stamp, text: Arc<str>) {
        let gaps = self.bss.gaps(origin, &stamp);
        let r = self.bss.receive(origin, stamp.clone(), text);
        let news = match r.arrival {
            Arrival::Held => {
                cx.note(format!("holds back {origin}:{}", stamp[origin]));
                self.want(from, gaps.iter().map(|g| (g.from, g.last)))
            }
            Arrival::Duplicate => {
                cx.note(format!("drops duplicate {origin}:{}", stamp[origin]));
                false
            }
            Arrival::Invalid => {
                cx.note("drops a message with a bad stamp");
                false
            }
            Arrival::Delivered => false,
        };
        self.deliver(cx, r.delivered);
        self.settle(cx, news);
    }

    fn resend(&self, cx: &mut Cx<Self>, to: NodeId, e: &Entry) {
        cx.send(to, Msg::Post { origin: e.from, stamp: e.stamp.clone(), text: e.text.clone(), resent: true });
    }

    /// Recompute what the held messages wait for (after a mode switch).
    fn rewant(&mut self) {
        self.wants.clear();
        let gaps: Vec<(usize, Vec<(usize, u32)>)> = self
            .bss
            .held()
            .map(|h| (h.from, self.bss.gaps(h.from, &h.stamp).iter().map(|g| (g.from, g.last)).collect()))
            .collect();
        for (from, g) in gaps {
            self.want(from, g.into_iter());
        }
    }

    fn broadcast_sync(&self, cx: &mut Cx<Self>) {
        cx.broadcast(Msg::Sync { v: self.bss.vector().to_vec() });
    }
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Summary = Sum;

    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        self.batch.clear();
        match msg {
            Msg::Post { origin, stamp, text, .. } => {
                let origin = origin as usize;
                if origin >= self.n {
                    return;
                }
                self.on_post(cx, from, origin, stamp, text);
            }
            Msg::Nack { origin, first, last } => {
                let last = last.min(first.saturating_add(100_000));
                for seq in first..=last {
                    if let Some(&i) = self.by_id.get(&(origin, seq)) {
                        let e = self.log[i].clone();
                        self.resend(cx, from, &e);
                    }
                }
            }
            Msg::Sync { v } => {
                if v.len() != self.n {
                    return;
                }
                // Everything of my log it lacks, by author (its own posts
                // excepted: it has them): an author that is down cannot.
                let mine = self.bss.vector().to_vec();
                for (k, (&theirs, &have)) in v.iter().zip(&mine).enumerate().filter(|&(k, _)| k != from) {
                    for seq in theirs.saturating_add(1)..=have {
                        if let Some(&i) = self.by_id.get(&(k as u32, seq)) {
                            let e = self.log[i].clone();
                            self.resend(cx, from, &e);
                        }
                    }
                }
                // A SYNC is news: its sender is up and has delivered all of
                // `v`, so whatever it shows this member lacks is asked of it,
                // and the NACKs start over (the member they went to may have
                // been down until now).
                let mut news = false;
                for (k, (&x, &h)) in v.iter().zip(&mine).enumerate() {
                    if k != self.id && x > h {
                        let e = self.wants.entry(k).or_insert((0, from));
                        if x >= e.0 {
                            *e = (x, from);
                        }
                        news = true;
                    }
                }
                self.settle(cx, news);
            }
        }
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        self.batch.clear();
        let Timer::Nack = timer;
        self.armed = false;
        let v = self.bss.vector().to_vec();
        self.wants.retain(|&k, (last, _)| *last > v[k]);
        if self.wants.is_empty() {
            return;
        }
        for (&k, &(last, who)) in &self.wants {
            cx.send(who, Msg::Nack { origin: k as u32, first: v[k] + 1, last });
        }
        self.tries += 1;
        self.settle(cx, false);
    }

    fn on_request(&mut self, cx: &mut Cx<Self>, req: Request) {
        self.batch.clear();
        match req {
            Request::Post(text) => {
                let text: Arc<str> = text.into();
                let (stamp, released) = self.bss.broadcast();
                let me = self.id;
                self.keep(me, stamp[me], stamp.clone(), text.clone());
                cx.broadcast(Msg::Post { origin: me as u32, stamp, text, resent: false });
                self.deliver(cx, released);
            }
            Request::Ordering(mode) => {
                let released = self.bss.set_mode(mode);
                self.deliver(cx, released);
                self.rewant();
                self.settle(cx, true);
            }
            Request::Sync => self.broadcast_sync(cx),
        }
    }

    fn on_recover(&mut self, cx: &mut Cx<Self>) {
        self.batch.clear();
        self.broadcast_sync(cx);
    }

    fn recovered(&self) -> Self {
        // Stable: V, the delivered log, the mode. Volatile: the hold-back
        // queue and the repair state.
        let mut r = self.clone();
        r.bss.clear_held();
        r.wants.clear();
        r.armed = false;
        r.tries = 0;
        r.batch.clear();
        r
    }

    fn summary(&self) -> Sum {
        let v = self.bss.vector();
        Sum {
            posted: v[self.id],
            delivered: self.delivered,
            batch: self.batch.clone(),
            held: self.bss.held_len() as u32,
            mode: self.bss.mode(),
            small: (self.n <= BADGE_VECTOR).then(|| v.to_vec()),
        }
    }

    fn inspect(&self) -> Vec<Row> {
        let mode = self.bss.mode();
        let note = match mode {
            Mode::Causal => "BSS hold-back",
            Mode::Fifo => "per sender only: NOT causal",
            Mode::None => "at once: NOT causal",
        };
        let mut rows = vec![
            Row::new("ordering", format!("{} ({note})", mode.name())),
            Row::new("V (delivered)", show_vector(self.bss.vector(), 16)),
            Row::new("posted", self.bss.vector()[self.id]),
            Row::new("held back", self.bss.held_len()),
        ];
        for h in self.bss.held().take(HELD_ROWS) {
            let waits = listing(self.bss.gaps(h.from, &h.stamp).iter().map(|g| range(g.from, g.first, g.last)), 4);
            rows.push(Row::new("", format!("{}:{} W={} waits for {waits}", h.from, h.seq, show_vector(&h.stamp, 8))));
        }
        if self.bss.held_len() > HELD_ROWS {
            rows.push(Row::new("", format!("… +{} more", self.bss.held_len() - HELD_ROWS)));
        }
        rows.push(Row::new("delivered", format!("{} (own posts: {})", self.delivered, self.bss.vector()[self.id])));
        let others: Vec<&Entry> =
            self.log.iter().rev().filter(|e| e.from as usize != self.id).take(LAST_ROWS).collect();
        for (i, e) in others.iter().enumerate() {
            rows.push(Row::new(
                if i == 0 { "last delivered" } else { "" },
                format!("{}:{} {:?}", e.from, e.seq, &*e.text),
            ));
        }
        if !self.wants.is_empty() {
            let asks = listing(
                self.wants
                    .iter()
                    .map(|(&k, &(last, who))| format!("{} from {who}", range(k, self.bss.vector()[k] + 1, last))),
                4,
            );
            rows.push(Row::new("repair", format!("wants {asks} (NACKs sent {}/{})", self.tries, self.retries)));
        }
        rows
    }
}

pub struct CausalOrder;

static CARD: Card = Card {
    name: "causal-order",
    role_words: &[(Role::Idle, "idle"), (Role::Wanting, "holding")],
    title: "Causal broadcast (Birman–Schiper–Stephenson)",
    family: Family::Group,
    // Not lost messages: one nothing reveals waits for a `sync N`, and NACKs
    // stop after `retries`. Not crashes: a gap is asked of the member that
    // revealed it, and waits while that member is down (its SYNC on
    // recovery repairs it).
    tolerates: &[Claim::of(Fault::Delay), Claim::of(Fault::Dup)],
    about: "Birman–Schiper–Stephenson causal broadcast: vector-stamped posts, a hold-back queue, NACK repair",
    description: "Causal broadcast with the Birman–Schiper–Stephenson protocol (seed 004's chat room, done \
        properly). `post N text` makes member N broadcast text to the N−1 others, stamped with its delivered \
        vector V (its own post counted); a member delivers a message from j stamped W when `W[j] = V[j]+1` and \
        `W[k] ≤ V[k]` for every other k, and holds it back until its causal predecessors are delivered. \
        `ordering N causal|fifo|none` switches member N's rule live (the parameter `ordering` sets every \
        member's from the start); fifo and none are the broken rules. A member keeps V and its delivered log on \
        stable storage, its hold-back queue is volatile. Repair: a recovered member broadcasts `SYNC(V)` and the \
        others RESEND the posts it lacks from their logs; a gap a held message reveals is asked for with a NACK after \
        `nack` ms, sent to the member whose message revealed it, at most `retries` times until news arrives; a \
        lost last message nothing reveals is repaired by `sync N` (lost messages and crashes are not claimed: a \
        member left behind is a stuck status until then). Without faults exactly N−1 messages per post. \
        The monitor rebuilds the causal order from the post events and the deliveries the engine saw, never \
        from the stamps. Inspector: V, the hold-back queue (`1:1 W=[1 1 0] waits for 0:1`), the last messages \
        delivered and the repair planned; the badge is `V=[1 0 2]` up to 8 members.",
    seeds: "004",
    nodes: NodeRange { default: 3, min: 2, max: 2048 },
    roles: &[RoleCard { name: "member", help: "every node: posts to the group and delivers the others' posts" }],
    verbs: &[
        VerbCard {
            name: "post",
            args: &[ArgCard::node("N"), ArgCard::new("text", Kind::Text)],
            help: "member N broadcasts text (quoted or the rest of the line) to the others",
        },
        VerbCard {
            name: "ordering",
            args: &[ArgCard::node("N"), ArgCard::new("", Kind::Choice(&["causal", "fifo", "none"]))],
            help: "member N's delivery rule from now on (fifo and none break causal order on purpose)",
        },
        VerbCard {
            name: "sync",
            args: &[ArgCard::node("N")],
            help: "member N broadcasts its delivered vector: the others repair what it lacks",
        },
    ],
    params: &[
        ParamCard {
            key: "ordering",
            kind: Kind::Variant,
            default: "causal",
            help: "every member's delivery rule at the start (fifo and none are the broken variants)",
        },
        ParamCard {
            key: "nack",
            kind: Kind::Ms { min: 1, max: MAX_MS },
            default: "100",
            help: "ms a gap may stay open before the member asks for a resend",
        },
        ParamCard {
            key: "retries",
            kind: Kind::Int { min: 0, max: 1000 },
            default: "3",
            help: "NACKs per gap before waiting for news (a SYNC or a newer message)",
        },
    ],
    variants: &[
        VariantCard {
            name: "causal",
            help: "BSS: hold a message back until its causal past is delivered (the rules are picked with \
                `-p ordering=…`)",
            breaks: &[],
        },
        VariantCard {
            name: "fifo",
            help: "per-sender order only: a reply from another member overtakes the message it answers",
            breaks: &[CAUSAL_DELIVERY.name],
        },
        VariantCard {
            name: "none",
            help: "deliver at once: with a latency spread a reply is shown before its question",
            breaks: &[CAUSAL_DELIVERY.name],
        },
    ],
    properties: &[CAUSAL_DELIVERY, NO_DUPLICATE_DELIVERY, ALL_DELIVERED],
    results: &[
        FieldCard { key: "posts", help: "messages posted so far" },
        FieldCard {
            key: "delivered",
            help: "per member, the ids of the others' messages it delivered, in order: `\"2:1\"` is member 2's first post",
        },
        FieldCard { key: "held", help: "per member, messages in its hold-back queue now" },
        FieldCard { key: "missing", help: "per member, others' messages it has not delivered (yet)" },
        FieldCard { key: "ordering", help: "per member, its delivery rule now" },
    ],
    scripts: &[
        ScriptCard {
            file: "causal-order.dl",
            about: "the classic picture: m1, a reply m2 that overtakes it, held back at member 2 until m1 arrives; \
                then a lost message repaired by NACK",
        },
        ScriptCard {
            file: "causal-order-broken.dl",
            about: "the same schedule without the hold-back (`-p ordering=none`): member 2 shows the reply before the \
                question (`causal-delivery`)",
        },
    ],
    action: "post",
};

impl Algorithm for CausalOrder {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        // The variants are the delivery rules, in `Mode::ALL`'s order; the
        // parameter that picks one is `ordering`.
        let mode = Mode::ALL[params.variant(&CARD)?];
        let nack = params.ms(&CARD, "nack")?;
        let retries = params.int::<u32>(&CARD, "retries")?;
        let nodes = (0..n).map(|i| Node::new(i, n, mode, nack, retries)).collect();
        Ok((nodes, Box::new(Check::new(n))))
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        let node = args.node(0);
        match verb {
            "post" => {
                let text = args.text(1).unwrap_or_default();
                if text.trim().is_empty() {
                    return Err(format!("`post {node}`: what does member {node} post? e.g. `post {node} \"hello\"`"));
                }
                Ok((node, Request::Post(text.to_string())))
            }
            "ordering" => {
                let mode = args.text(1).and_then(Mode::parse).ok_or("`ordering N causal|fifo|none`: no rule")?;
                Ok((node, Request::Ordering(mode)))
            }
            "sync" => Ok((node, Request::Sync)),
            _ => Err(format!("unknown verb {verb:?}")),
        }
    }

    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        Some(Input::Verb { verb: "post".into(), args: vec![node.to_string(), format!("hello {}", s.posted + 1)] })
    }
}
