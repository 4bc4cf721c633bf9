//! A central lock server (what it shows: see `CARD`).
//!
//! Every node is a client; the coordinator's `Node` also carries a `Server`
//! (holder, wait queue, highest request number seen per node). The two
//! sides talk through `send_coord` and `send_client`, which call the other
//! side directly when both are the same node, so the coordinator's own
//! requests cost no messages. Requests are numbered per client (`req`):
//! `serve` answers a repeat of the holder's request with the GRANT again and
//! ignores other repeats and old copies.
//!
//! Recovery: the holder is recorded before the GRANT is sent, and
//! `recovered` keeps it (and the queue with `persist=all`, minus the
//! coordinator's own request, which died with its process). On
//! `on_recover` the coordinator broadcasts RESTART; a waiting client repeats
//! its REQUEST, and the holder it names answers as it would a PROBE
//! (`probed`): silent if it still holds the lock, RELEASE if it has left.
//! With `retry`, a repeated REQUEST also makes the coordinator PROBE the
//! holder, at most once per `retry` ms. A client gives back any GRANT it no
//! longer waits for, and one that crashed while waiting or holding gives
//! back that request when it recovers (`lost`).
//!
//! The monitor is in `check.rs`; the coordinator's `Sum` carries
//! `arrivals` and `last_arrival` so it can mirror the wait queue. The
//! variants: `no-queue` makes `serve` grant each new request at once;
//! `lifo` makes `grant_next` pop the back of the queue; `forgetful` makes
//! `recovered` keep nothing of the server, whatever `persist` says.

mod check;

pub use self::check::{Check, FIFO_GRANTS, NO_STARVATION};
use super::kit as mutex;
pub use super::kit::{Request, Timer};
use crate::algos::kit::listing;
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
use std::collections::VecDeque;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Msg {
    /// Client → coordinator: I want the lock (my request number `req`).
    Request { req: u64 },
    /// Coordinator → client: the lock is yours for request `req`.
    Grant { req: u64 },
    /// Client → coordinator: I am done with (or give back) request `req`.
    Release { req: u64 },
    /// Coordinator → holder: do you still hold the lock for `req`?
    Probe { req: u64 },
    /// Coordinator → everyone: I restarted; this is the holder I remember.
    Restart { holder: Option<(NodeId, u64)> },
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Request { .. } => "REQUEST",
            Msg::Grant { .. } => "GRANT",
            Msg::Release { .. } => "RELEASE",
            Msg::Probe { .. } => "PROBE",
            Msg::Restart { .. } => "RESTART",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Request { req } => format!("REQUEST(req {req})"),
            Msg::Grant { req } => format!("GRANT(req {req})"),
            Msg::Release { req } => format!("RELEASE(req {req})"),
            Msg::Probe { req } => format!("PROBE(req {req})"),
            Msg::Restart { holder: Some((h, req)) } => format!("RESTART(holder {h} req {req})"),
            Msg::Restart { holder: None } => "RESTART(lock free)".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum State {
    Idle,
    Waiting,
    InCs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    Correct,
    NoQueue,
    Lifo,
    Forgetful,
}

#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    pub role: Role,
    /// The rest describes the coordinator (zero at other nodes).
    pub coordinator: bool,
    pub holder: Option<NodeId>,
    pub queue: u32,
    /// Requests queued so far, and the node of the latest one: the monitor
    /// mirrors the queue from these to check the grant order.
    pub arrivals: u64,
    pub last_arrival: NodeId,
    pub grants: u64,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        self.role
    }
    fn badge(&self) -> String {
        if self.coordinator { format!("queue {}", self.queue) } else { String::new() }
    }
}

/// The lock server's state (only at the coordinator).
#[derive(Clone, Debug, Hash)]
struct Server {
    /// Who holds the lock, for which request: on stable storage.
    holder: Option<(NodeId, u64)>,
    queue: VecDeque<(NodeId, u64)>,
    /// The highest request number that arrived from each node.
    seen: Vec<u64>,
    arrivals: u64,
    last_arrival: NodeId,
    grants: u64,
    last_probe: Option<Time>,
}

impl Server {
    fn new(n: usize) -> Self {
        Server {
            holder: None,
            queue: VecDeque::new(),
            seen: vec![0; n],
            arrivals: 0,
            last_arrival: 0,
            grants: 0,
            last_probe: None,
        }
    }
}

/// The knobs every node of a run shares.
#[derive(Clone, Copy, Debug, Hash)]
pub struct Knobs {
    pub coordinator: NodeId,
    pub cs: Time,
    pub retry: Time,
    pub think: Time,
    pub persist_all: bool,
    pub variant: Variant,
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    id: NodeId,
    n: usize,
    state: State,
    /// This client's latest request number (on stable storage).
    req: u64,
    /// After a crash: the request this node was waiting for or holding,
    /// which it gives back when it comes back.
    lost: Option<u64>,
    server: Option<Server>,
    k: Knobs,
    entries: u64,
}

impl Node {
    fn new(id: NodeId, n: usize, k: Knobs) -> Self {
        Node {
            id,
            n,
            state: State::Idle,
            req: 0,
            lost: None,
            server: (id == k.coordinator).then(|| Server::new(n)),
            k,
            entries: 0,
        }
    }

    // ----- the client side ----------------------------------------------

    /// A message for the coordinator: handled here when I am it.
    fn send_coord(&mut self, cx: &mut Cx<Self>, msg: Msg) {
        if self.server.is_some() {
            self.serve(cx, self.id, msg);
        } else {
            cx.send(self.k.coordinator, msg);
        }
    }

    fn want(&mut self, cx: &mut Cx<Self>) {
        if self.state != State::Idle {
            cx.note("already wants or holds the lock");
            return;
        }
        self.req += 1;
        self.state = State::Waiting;
        self.send_coord(cx, Msg::Request { req: self.req });
        // The coordinator's own repeat is local (no message), but it too
        // makes the server probe a holder that may have gone silent.
        if self.state == State::Waiting && self.k.retry > 0 {
            cx.set_timer(self.k.retry, Timer::Retry);
        }
    }

    fn enter(&mut self, cx: &mut Cx<Self>) {
        self.state = State::InCs;
        self.entries += 1;
        cx.cancel_timer(Timer::Retry);
        cx.note(format!("gets the lock (req {})", self.req));
        if self.k.cs > 0 {
            cx.set_timer(self.k.cs, Timer::Release);
        }
    }

    fn leave(&mut self, cx: &mut Cx<Self>) {
        self.state = State::Idle;
        cx.cancel_timer(Timer::Release);
        cx.note("releases the lock");
        self.send_coord(cx, Msg::Release { req: self.req });
        if self.k.think > 0 {
            cx.set_timer(self.k.think, Timer::Want);
        }
    }

    /// The coordinator asks whether I hold the lock for `req`.
    fn probed(&mut self, cx: &mut Cx<Self>, req: u64) {
        match self.state {
            State::InCs if req == self.req => {}
            // The GRANT was lost (or is still on its way): ask again.
            State::Waiting if req == self.req => self.send_coord(cx, Msg::Request { req }),
            _ => {
                cx.note(format!("does not hold the lock for req {req}: releases it"));
                self.send_coord(cx, Msg::Release { req });
            }
        }
    }

    fn client(&mut self, cx: &mut Cx<Self>, msg: Msg) {
        match msg {
            Msg::Grant { req } => match self.state {
                State::Waiting if req == self.req => self.enter(cx),
                State::InCs if req == self.req => {}
                _ => {
                    cx.note(format!("no longer waits for req {req}: gives the lock back"));
                    self.send_coord(cx, Msg::Release { req });
                }
            },
            Msg::Probe { req } => self.probed(cx, req),
            Msg::Restart { holder } => {
                if let Some((h, req)) = holder
                    && h == self.id
                {
                    self.probed(cx, req);
                    if req == self.req {
                        return;
                    }
                }
                if self.state == State::Waiting {
                    self.send_coord(cx, Msg::Request { req: self.req });
                }
            }
            Msg::Request { .. } | Msg::Release { .. } => {}
        }
    }

    // ----- the coordinator side -------------------------------------------

    /// A message for client `x`: handled here when it is me.
    fn send_client(&mut self, cx: &mut Cx<Self>, x: NodeId, msg: Msg) {
        if x == self.id { self.client(cx, msg) } else { cx.send(x, msg) }
    }

    fn serve(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        let (retry, variant) = (self.k.retry, self.k.variant);
        let Some(s) = self.server.as_mut() else { return };
        match msg {
            Msg::Request { req } => {
                if s.holder == Some((from, req)) {
                    // The GRANT went missing: send it again.
                    self.send_client(cx, from, Msg::Grant { req });
                    return;
                }
                if req <= s.seen[from] {
                    // A repeat of a queued request (or an old copy). A repeat
                    // means a client has waited `retry` ms: is the holder
                    // still there? (At most one PROBE per `retry` ms.)
                    if retry > 0
                        && req == s.seen[from]
                        && let Some((h, hreq)) = s.holder
                        && s.last_probe.is_none_or(|t| cx.now >= t + retry)
                    {
                        s.last_probe = Some(cx.now);
                        self.send_client(cx, h, Msg::Probe { req: hreq });
                    }
                    return;
                }
                s.seen[from] = req;
                s.arrivals += 1;
                s.last_arrival = from;
                if variant == Variant::NoQueue {
                    s.holder = Some((from, req));
                    s.grants += 1;
                    self.send_client(cx, from, Msg::Grant { req });
                } else {
                    s.queue.push_back((from, req));
                    if s.holder.is_some() {
                        cx.note(format!("queues {from} (req {req}); queue {}", s.queue.len()));
                    }
                    self.grant_next(cx);
                }
            }
            Msg::Release { req } if s.holder == Some((from, req)) => {
                s.holder = None;
                self.grant_next(cx);
            }
            // A release of a request that does not hold the lock (a copy, a
            // stale grant given back): nothing to do.
            _ => {}
        }
    }

    fn grant_next(&mut self, cx: &mut Cx<Self>) {
        let lifo = self.k.variant == Variant::Lifo;
        let Some(s) = self.server.as_mut() else { return };
        if s.holder.is_some() {
            return;
        }
        let next = if lifo { s.queue.pop_back() } else { s.queue.pop_front() };
        if let Some((x, req)) = next {
            s.holder = Some((x, req));
            s.grants += 1;
            self.send_client(cx, x, Msg::Grant { req });
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
            Msg::Request { .. } | Msg::Release { .. } => self.serve(cx, from, msg),
            _ => self.client(cx, msg),
        }
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        match timer {
            Timer::Release if self.state == State::InCs => self.leave(cx),
            Timer::Want => self.want(cx),
            Timer::Retry if self.state == State::Waiting => {
                self.send_coord(cx, Msg::Request { req: self.req });
                cx.set_timer(self.k.retry, Timer::Retry);
            }
            _ => {}
        }
    }

    fn on_request(&mut self, cx: &mut Cx<Self>, req: Request) {
        match (req, self.state) {
            (Request::Enter, _) => self.want(cx),
            (Request::Leave, State::InCs) => self.leave(cx),
            (Request::Leave, _) => cx.note("does not hold the lock"),
        }
    }

    fn on_recover(&mut self, cx: &mut Cx<Self>) {
        // Whatever this node held or waited for died with it: give it back.
        if let Some(req) = self.lost.take() {
            self.send_coord(cx, Msg::Release { req });
        }
        if let Some(s) = &self.server {
            let holder = s.holder;
            cx.note(format!(
                "restarts: lock {}, queue {}",
                holder.map_or("free".into(), |(h, _)| format!("held by {h}")),
                s.queue.len()
            ));
            cx.broadcast(Msg::Restart { holder });
        }
        if self.k.think > 0 {
            cx.set_timer(self.k.think, Timer::Want);
        }
    }

    fn recovered(&self) -> Self {
        // Stable storage: the request counter, and at the coordinator the
        // grant record (everything with `persist=all`, nothing when forgetful).
        let mut fresh = Node::new(self.id, self.n, self.k);
        fresh.req = self.req;
        fresh.entries = self.entries;
        fresh.lost = (self.state != State::Idle).then_some(self.req);
        if let (Some(old), Some(new)) = (&self.server, &mut fresh.server) {
            if self.k.persist_all && self.k.variant != Variant::Forgetful {
                *new = old.clone();
                // The coordinator's own request died with its process.
                new.queue.retain(|&(x, _)| x != self.id);
            } else if self.k.variant != Variant::Forgetful {
                new.holder = old.holder;
            }
            // The counters are the monitor's view of the log, not state.
            new.arrivals = old.arrivals;
            new.last_arrival = old.last_arrival;
            new.grants = old.grants;
            new.last_probe = None;
        }
        fresh
    }

    fn summary(&self) -> Sum {
        let role = match self.state {
            State::Idle if self.server.is_some() => Role::Leader,
            State::Idle => Role::Idle,
            State::Waiting => Role::Wanting,
            State::InCs => Role::InCs,
        };
        match &self.server {
            Some(s) => Sum {
                role,
                coordinator: true,
                holder: s.holder.map(|h| h.0),
                queue: s.queue.len() as u32,
                arrivals: s.arrivals,
                last_arrival: s.last_arrival,
                grants: s.grants,
            },
            None => Sum { role, coordinator: false, holder: None, queue: 0, arrivals: 0, last_arrival: 0, grants: 0 },
        }
    }

    fn inspect(&self) -> Vec<Row> {
        // Short labels and values: the inspector is 30 columns at 80×24.
        let mut rows = Vec::new();
        if let Some(s) = &self.server {
            rows.push(Row::new("role", "coordinator"));
            rows.push(Row::new("lock", s.holder.map_or("free".into(), |(h, _)| format!("held by {h}"))));
            rows.push(Row::new("holder req", s.holder.map_or("-".into(), |(_, req)| format!("req {req}"))));
            rows.push(Row::new("wait queue", listing(s.queue.iter().map(|(x, _)| x.to_string()), 16)));
            rows.push(Row::new("queued reqs", listing(s.queue.iter().map(|(_, req)| req.to_string()), 16)));
            rows.push(Row::new("grants", s.grants));
            rows.push(Row::new(
                "after a crash",
                match (self.k.variant, self.k.persist_all) {
                    (Variant::Forgetful, _) => "nothing kept",
                    (_, true) => "holder + queue",
                    (_, false) => "holder only",
                },
            ));
        } else {
            rows.push(Row::new("role", format!("client of {}", self.k.coordinator)));
        }
        let state = match self.state {
            State::Idle => "idle",
            State::Waiting => "waiting",
            State::InCs => "in the CS",
        };
        rows.push(Row::new("state", state));
        rows.push(Row::new(
            "request",
            if self.state == State::Idle { "-".into() } else { format!("req {}", self.req) },
        ));
        rows.push(Row::new("entries", self.entries));
        match self.k.variant {
            Variant::Correct => {}
            Variant::NoQueue => rows.push(Row::new("variant", "no-queue (BROKEN)")),
            Variant::Lifo => rows.push(Row::new("variant", "lifo (BROKEN)")),
            Variant::Forgetful => rows.push(Row::new("variant", "forgetful (BROKEN)")),
        }
        rows
    }
}

pub struct CentralLock;

/// The `persist` parameter's choices.
const PERSIST: &[&str] = &["holder", "all"];

static CARD: Card = Card {
    name: "central-lock",
    role_words: &[
        (Role::Leader, "coordinator"),
        (Role::Idle, "idle"),
        (Role::Wanting, "waiting"),
        (Role::InCs, "in-cs"),
    ],
    title: "Central lock server",
    family: Family::Mutex,
    tolerates: &[
        Claim::of(Fault::Delay),
        Claim::of(Fault::Dup),
        Claim::of(Fault::Crash),
        Claim::of(Fault::Recover),
        Claim::unless(Fault::Loss, "retry", "0"),
        Claim::unless(Fault::Partition, "retry", "0"),
    ],
    about: "a lock server with a visible wait queue; 3 messages per entry; its crash stops everyone",
    description: "A coordinator (★, node 0 by default) grants one lock and keeps a first-come, first-served \
        wait queue (its badge: `queue 3`): a node sends REQUEST, the coordinator answers GRANT when the lock is \
        free and queues the request otherwise, and the holder sends RELEASE when it leaves: 3 messages per \
        entry, none for the coordinator's own requests. Requests are numbered per node, so copies and late \
        answers are recognised. The grant record is on stable storage, the queue only with `persist=all`. \
        While the coordinator is down nobody gets the lock — the header says \"lock service down\", the \
        lesson of a central server. On recovery it sends RESTART naming the holder it remembers; waiting nodes \
        repeat their REQUESTs and the queue is rebuilt in the order the repeats arrive (fairness across the \
        crash is lost). `retry` re-sends a waiting node's REQUEST, and a repeat makes the coordinator PROBE a \
        holder that may have gone silent. Inspector: at the coordinator the lock, the holder's request, the \
        wait queue and what it keeps across a crash; at every node its state and request.",
    seeds: "000",
    nodes: NodeRange { default: 5, min: 1, max: 4096 },
    roles: &[
        RoleCard {
            name: "coordinator",
            help: "node `coordinator` (0 by default): runs the lock server and its wait queue, and may ask for \
                the lock itself",
        },
        RoleCard { name: "node", help: "every other node: asks the coordinator for the lock" },
    ],
    verbs: &[
        VerbCard { name: "request", args: &[ArgCard::node("N")], help: "node N asks the coordinator for the lock" },
        VerbCard { name: "release", args: &[ArgCard::node("N")], help: "node N gives the lock back" },
    ],
    params: &[
        ParamCard {
            key: "coordinator",
            kind: Kind::Node(None),
            default: "0",
            help: "the node that runs the lock server",
        },
        ParamCard {
            key: "cs",
            kind: Kind::Ms { min: 0, max: MAX_MS },
            default: "20",
            help: "ms a node holds the lock before it releases on its own (0: only `release`)",
        },
        mutex::retry_param("ms before a waiting node re-sends its REQUEST (0: never, the classic algorithm)"),
        ParamCard {
            key: "think",
            kind: Kind::Ms { min: 0, max: MAX_MS },
            default: "0",
            help: "ms after releasing before a node asks again (0: only on `request`; needs cs > 0)",
        },
        ParamCard {
            key: "persist",
            kind: Kind::Choice(PERSIST),
            default: "holder",
            help: "what the coordinator keeps across a crash: holder (the queue is lost) or all",
        },
        mutex::VARIANT,
    ],
    variants: &[
        VariantCard { name: "correct", help: "a FIFO wait queue; the grant record survives a crash", breaks: &[] },
        VariantCard {
            name: "no-queue",
            help: "grants every request at once: two nodes hold the lock together",
            breaks: &[mutex::MUTUAL_EXCLUSION.name],
        },
        VariantCard { name: "lifo", help: "serves the newest waiting request first", breaks: &[FIFO_GRANTS.name] },
        VariantCard {
            name: "forgetful",
            help: "keeps nothing across a crash: a restarted coordinator grants a lock that is still held",
            breaks: &[mutex::MUTUAL_EXCLUSION.name],
        },
    ],
    properties: &[mutex::MUTUAL_EXCLUSION, FIFO_GRANTS, NO_STARVATION],
    results: &[
        mutex::CS_ORDER,
        FieldCard { key: "grants", help: "node ids in the order the coordinator granted the lock" },
    ],
    scripts: &[
        ScriptCard {
            file: "central-lock.dl",
            about: "REQUEST and GRANT; three waiters served in order; the coordinator crashes and everyone is stuck; its restart rebuilds the queue",
        },
        ScriptCard {
            file: "central-lock-broken.dl",
            about: "a coordinator that grants every REQUEST at once: nodes 1 and 2 in the critical section \
                together (`mutual-exclusion`)",
        },
    ],
    action: "request / release",
};

/// The `coordinator` parameter (the card has checked it is a node id).
fn coordinator(params: &Params) -> Result<NodeId, String> {
    params.int::<NodeId>(&CARD, "coordinator")
}

impl Algorithm for CentralLock {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn node_roles(n: usize, params: &Params) -> Vec<&'static str> {
        crate::algos::kit::one_and_others(n, coordinator(params).unwrap_or(0), "coordinator", "node")
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let variant = match params.variant(&CARD)? {
            0 => Variant::Correct,
            1 => Variant::NoQueue,
            2 => Variant::Lifo,
            _ => Variant::Forgetful,
        };
        let knobs = Knobs {
            coordinator: coordinator(params)?,
            cs: params.ms(&CARD, "cs")?,
            retry: params.ms(&CARD, "retry")?,
            think: params.ms(&CARD, "think")?,
            persist_all: params.choice(&CARD, "persist")? == 1,
            variant,
        };
        if knobs.coordinator >= n {
            return Err(format!("coordinator={} does not exist (nodes are 0..{})", knobs.coordinator, n - 1));
        }
        mutex::check_think(knobs.cs, knobs.think)?;
        let nodes = (0..n).map(|i| Node::new(i, n, knobs)).collect();
        let check = Check::new(knobs.coordinator, knobs.persist_all);
        Ok((nodes, Box::new(check)))
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        // Any node, the coordinator too: it serves its own requests.
        mutex::request(verb, args)
    }

    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        // The idle coordinator (shown as leader) asks like any client.
        mutex::action(node, if s.role == Role::Leader { Role::Idle } else { s.role })
    }
}
