//! Bully election (what it shows: see `CARD`).
//!
//! Garcia-Molina's algorithm as the textbooks teach it. A node opens an
//! election of its own with `open` (on `elect`, on recovery, when no
//! COORDINATOR follows an OK) and takes part in one with `hold`; `declare`
//! makes it coordinator. Each election is a `Round` (initiator, that node's
//! count of elections it opened), carried by every message and timer, so
//! that stale timers and messages are recognised.
//!
//! Rounds keep the cascade finite, as in ring election. A node takes part
//! in a round at most once (`joined`), and not after it has accepted that
//! round's result (`accepted`), so a late ELECTION is answered OK and
//! nothing more. (Without this, every late ELECTION restarts a node that
//! has just accepted the winner, and an election among 50 nodes does not
//! settle in a million steps.) For the same reason a COORDINATOR is stale,
//! and ignored, when the node knows of a later round of the same initiator
//! (`superseded`); and a node holding an election ends it only on that
//! election's result or on a claim by a node that answered it OK: a claim
//! by any other node (sent before the election began, perhaps by a node
//! that has crashed since, or by one that has just come back and missed the
//! ELECTION) makes it send the claimant an ELECTION of its current round,
//! and a live claimant takes part.
//!
//! `recovered` keeps the bookkeeping (`opened`, `joined`, `accepted`) as
//! stable storage and loses the belief and the running election. `build`
//! works out `coordinator-timeout`'s derived default (twice `timeout`). The
//! monitor is in `check.rs`. The `no-wait` variant only changes `hold`: it
//! calls `declare` right after sending the ELECTIONs.

mod check;

pub use self::check::Check;
use super::kit as election;
pub use super::kit::Elect;
use crate::algos::kit::time_ms;
use crate::card::{Args, Card, Family, NodeRange, Property, ScriptCard, VariantCard};
use crate::card::{Claim, Fault};
use crate::engine::input::Input;
use crate::engine::invariant::Monitor;
use crate::engine::protocol::{Cx, Describe, MS, NodeId, Protocol, Role, Row, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// An election round: who opened it and its count there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
pub struct Round {
    pub initiator: NodeId,
    pub k: u32,
}

impl fmt::Display for Round {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "r{}.{}", self.initiator, self.k)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, Hash)]
pub enum Msg {
    /// "Is anyone above me alive?", in election `round`.
    Election { round: Round },
    /// The answer to ELECTION of `round`: "I am alive and take over".
    Ok { round: Round },
    /// "`leader` (the sender) is the coordinator", the result of `round`.
    Coordinator { leader: NodeId, round: Round },
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Election { .. } => "ELECTION",
            Msg::Ok { .. } => "OK",
            Msg::Coordinator { .. } => "COORDINATOR",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Election { round } => format!("ELECTION({round})"),
            Msg::Ok { round } => format!("OK({round})"),
            Msg::Coordinator { leader, round } => format!("COORDINATOR({leader}, {round})"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Timer {
    /// No OK in election `round` yet: when it fires, the node declares itself.
    OkTimeout { round: Round },
    /// An OK came in election `round` but no COORDINATOR yet: when it
    /// fires, the node opens a new election.
    CoordinatorTimeout { round: Round },
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        match self {
            Timer::OkTimeout { .. } => "ok-timeout",
            Timer::CoordinatorTimeout { .. } => "coordinator-timeout",
        }
    }
    fn summary(&self) -> String {
        match self {
            Timer::OkTimeout { round } => format!("ok-timeout({round})"),
            Timer::CoordinatorTimeout { round } => format!("coordinator-timeout({round})"),
        }
    }
}

/// Where a node is in the algorithm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Hash)]
pub enum Phase {
    /// No election running: the node follows the coordinator it believes in.
    #[default]
    Normal,
    /// ELECTION sent to every higher id; waiting for an OK.
    Election,
    /// An OK came: a higher node took over; waiting for its COORDINATOR.
    Waiting,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Normal => "normal",
            Phase::Election => "election: waiting for OK",
            Phase::Waiting => "waiting for COORDINATOR",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    pub phase: Phase,
    pub coordinator: Option<NodeId>,
    pub me: NodeId,
    /// Elections this node opened (lets the monitor tell new elections
    /// from old ones; joining someone else's does not count).
    pub opened: u32,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        match self.phase {
            Phase::Election | Phase::Waiting => Role::Candidate,
            Phase::Normal if self.coordinator == Some(self.me) => Role::Leader,
            Phase::Normal => Role::Idle,
        }
    }
    fn badge(&self) -> String {
        election::badge(self.coordinator)
    }
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    id: NodeId,
    n: usize,
    timeout: Time,
    wait: Time,
    no_wait: bool,
    phase: Phase,
    coordinator: Option<NodeId>,
    /// The round of the current (or last) election this node held.
    cur: Option<Round>,
    /// Why it held it.
    why: String,
    /// Who answered OK in the current election.
    oks: Vec<NodeId>,
    /// When the pending timer fires.
    deadline: Option<Time>,
    /// Elections opened (the `k` of its own rounds).
    opened: u32,
    /// Per initiator: the latest round this node took part in.
    joined: BTreeMap<NodeId, u32>,
    /// Per initiator: the latest round whose result it accepted, and the
    /// leader it accepted for it.
    accepted: BTreeMap<NodeId, (u32, NodeId)>,
}

impl Node {
    fn new(id: NodeId, n: usize, timeout: Time, wait: Time, no_wait: bool) -> Self {
        Node {
            id,
            n,
            timeout,
            wait,
            no_wait,
            phase: Phase::Normal,
            coordinator: None,
            cur: None,
            why: String::new(),
            oks: Vec::new(),
            deadline: None,
            opened: 0,
            joined: BTreeMap::new(),
            accepted: BTreeMap::new(),
        }
    }

    /// Has this node taken part in `round` (or a later round of the same
    /// initiator), or accepted its result?
    fn seen(&self, round: Round) -> bool {
        self.joined.get(&round.initiator).is_some_and(|&k| k >= round.k)
            || self.accepted.get(&round.initiator).is_some_and(|&(k, _)| k >= round.k)
    }

    /// Does this node know of a later election of `round`'s initiator (it
    /// took part in one, or accepted its result)? Then `round` is over.
    fn superseded(&self, round: Round) -> bool {
        self.joined.get(&round.initiator).is_some_and(|&k| k > round.k)
            || self.accepted.get(&round.initiator).is_some_and(|&(k, _)| k > round.k)
    }

    /// Cancel the timer of the current election, if one is pending.
    fn cancel(&mut self, cx: &mut Cx<Self>) {
        if let Some(round) = self.cur {
            match self.phase {
                Phase::Election => cx.cancel_timer(Timer::OkTimeout { round }),
                Phase::Waiting => cx.cancel_timer(Timer::CoordinatorTimeout { round }),
                Phase::Normal => {}
            }
        }
        self.deadline = None;
    }

    /// Open a new election of this node's own.
    fn open(&mut self, cx: &mut Cx<Self>, why: &str) {
        self.opened += 1;
        let round = Round { initiator: self.id, k: self.opened };
        self.hold(cx, round, why.to_string());
    }

    /// Hold an election in `round`.
    fn hold(&mut self, cx: &mut Cx<Self>, round: Round, why: String) {
        self.cancel(cx);
        let k = self.joined.entry(round.initiator).or_default();
        *k = (*k).max(round.k);
        self.cur = Some(round);
        self.oks.clear();
        self.why = why;
        if self.id + 1 == self.n {
            cx.note(format!("{}: election {round}; no id is higher, so it wins at once", self.why));
            self.declare(cx);
            return;
        }
        self.phase = Phase::Election;
        for to in self.id + 1..self.n {
            cx.send(to, Msg::Election { round });
        }
        let higher = ids(self.id + 1, self.n);
        if self.no_wait {
            cx.note(format!("{}: election {round}, ELECTION to {higher}, and declares itself at once", self.why));
            self.declare(cx);
            return;
        }
        cx.note(format!(
            "{}: election {round}, ELECTION to {higher}; waits {} ms for an OK",
            self.why,
            self.timeout / MS
        ));
        cx.set_timer(self.timeout, Timer::OkTimeout { round });
        self.deadline = Some(cx.now + self.timeout);
    }

    /// Become coordinator as the result of the current round. No timer is
    /// left pending.
    fn declare(&mut self, cx: &mut Cx<Self>) {
        let Some(round) = self.cur else { return };
        self.deadline = None;
        self.phase = Phase::Normal;
        self.coordinator = Some(self.id);
        self.accepted.insert(round.initiator, (round.k, self.id));
        let id = self.id;
        if id > 0 {
            cx.note(format!("is coordinator: COORDINATOR({id}, {round}) to {}", ids(0, id)));
        } else {
            cx.note("is coordinator (no lower id to tell)");
        }
        for to in 0..id {
            cx.send(to, Msg::Coordinator { leader: id, round });
        }
    }
}

/// A range of ids for notes and the inspector: short ranges listed.
fn ids(lo: NodeId, hi: NodeId) -> String {
    match hi - lo {
        0 => "nobody".into(),
        1..=5 => (lo..hi).map(|i| i.to_string()).collect::<Vec<_>>().join(", "),
        k => format!("{lo}–{} ({k} nodes)", hi - 1),
    }
}

/// A list of ids, the first few of a long one.
fn list(v: &[NodeId]) -> String {
    const SHOW: usize = 8;
    let mut s: Vec<String> = v.iter().take(SHOW).map(|i| i.to_string()).collect();
    if v.len() > SHOW {
        s.push(format!("… (+{})", v.len() - SHOW));
    }
    s.join(", ")
}

/// Virtual time in ms, without trailing zeros.
fn ms(t: Time) -> String {
    format!("{}ms", time_ms(t))
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Elect;
    type Summary = Sum;

    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Election { round } => {
                if from > self.id {
                    return; // ELECTION goes up only; nothing to answer
                }
                cx.send(from, Msg::Ok { round });
                let seen = self.seen(round);
                if self.phase != Phase::Normal {
                    // Already holds an election, whose winner tells everyone
                    // below it, the sender included.
                    let k = self.joined.entry(round.initiator).or_default();
                    *k = (*k).max(round.k);
                } else if !seen {
                    self.hold(cx, round, format!("ELECTION from {from}"));
                }
            }
            Msg::Ok { round } => {
                if self.cur != Some(round) || self.phase == Phase::Normal {
                    cx.note(format!("late OK({round}) from {from} ignored"));
                    return;
                }
                self.oks.push(from);
                if self.phase == Phase::Election {
                    self.cancel(cx);
                    self.phase = Phase::Waiting;
                    cx.note(format!(
                        "OK from {from}: a higher node takes over; waits {} ms for COORDINATOR",
                        self.wait / MS
                    ));
                    cx.set_timer(self.wait, Timer::CoordinatorTimeout { round });
                    self.deadline = Some(cx.now + self.wait);
                }
            }
            Msg::Coordinator { leader, round } => {
                if leader <= self.id {
                    return; // COORDINATOR goes down only
                }
                if self.phase != Phase::Normal
                    && let Some(cur) = self.cur
                    && cur != round
                    && !self.oks.contains(&leader)
                {
                    // Perhaps sent before this election began by a node that
                    // has crashed since, perhaps by one that has just come
                    // back and missed the ELECTION: ask it. A live claimant
                    // answers OK and takes part; a dead one stays silent.
                    cx.note(format!("COORDINATOR({leader}, {round}) from a node that has not answered {cur}: asks it"));
                    cx.send(leader, Msg::Election { round: cur });
                    return;
                }
                if self.superseded(round) {
                    let i = round.initiator;
                    cx.note(format!("stale COORDINATOR({leader}, {round}) ignored: a later election of {i} is known"));
                    return;
                }
                if self.coordinator == Some(self.id) && self.phase == Phase::Normal {
                    cx.note(format!("steps down: {leader} is coordinator"));
                }
                self.cancel(cx);
                self.phase = Phase::Normal;
                self.coordinator = Some(leader);
                self.accepted.insert(round.initiator, (round.k, leader));
            }
        }
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        match timer {
            Timer::OkTimeout { round } if self.cur == Some(round) && self.phase == Phase::Election => {
                cx.note(format!("no OK within {} ms: nobody higher is alive", self.timeout / MS));
                self.declare(cx);
            }
            Timer::CoordinatorTimeout { round } if self.cur == Some(round) && self.phase == Phase::Waiting => {
                self.deadline = None;
                self.phase = Phase::Normal;
                cx.note(format!("OK from {} but no COORDINATOR within {} ms", list(&self.oks), self.wait / MS));
                self.open(cx, "no COORDINATOR");
            }
            _ => {}
        }
    }

    fn on_request(&mut self, cx: &mut Cx<Self>, _req: Elect) {
        self.open(cx, "elect");
    }

    fn on_recover(&mut self, cx: &mut Cx<Self>) {
        self.open(cx, "back after a crash");
    }

    /// The election bookkeeping (counts, rounds taken part in, results
    /// accepted) is on stable storage; the belief and the running election
    /// are lost in a crash.
    fn recovered(&self) -> Self {
        let mut fresh = Node::new(self.id, self.n, self.timeout, self.wait, self.no_wait);
        fresh.opened = self.opened;
        fresh.joined = self.joined.clone();
        fresh.accepted = self.accepted.clone();
        fresh
    }

    fn summary(&self) -> Sum {
        Sum { phase: self.phase, coordinator: self.coordinator, me: self.id, opened: self.opened }
    }

    fn inspect(&self) -> Vec<Row> {
        let coordinator = match self.coordinator {
            Some(c) if c == self.id => format!("{c} (itself)"),
            Some(c) => c.to_string(),
            None => "unknown".into(),
        };
        let election = match self.cur {
            None => "-".to_string(),
            Some(r) if self.phase == Phase::Normal => format!("last {r} ({})", self.why),
            Some(r) => format!("{r} ({})", self.why),
        };
        let timer = match (self.phase, self.deadline) {
            (Phase::Election, Some(t)) => format!("at {} → declare itself", ms(t)),
            (Phase::Waiting, Some(t)) => format!("at {} → start over", ms(t)),
            _ => "-".into(),
        };
        let mut rows = vec![
            Row::new("state", self.phase.name()),
            Row::new("coordinator", coordinator),
            Row::new("election", election),
            Row::new("ELECTION to", ids(self.id + 1, self.n)),
            Row::new("OKs received", if self.oks.is_empty() { "-".into() } else { list(&self.oks) }),
            Row::new("timer", timer),
            Row::new("timeouts", format!("OK {} ms · COORDINATOR {} ms", self.timeout / MS, self.wait / MS)),
        ];
        if self.no_wait {
            rows.push(Row::new("variant", "no-wait (BROKEN on purpose)"));
        }
        rows
    }
}

pub struct BullyElection;

/// `highest-wins`: only the highest live id of a component declares itself.
pub const HIGHEST_WINS: Property = Property::safety(
    "highest-wins",
    "a node declares itself coordinator only when no higher id is alive in its connected component",
);

/// `one-coordinator`, as the bully algorithm means it: a higher node taking
/// over from a lower one is the algorithm's move, not a violation.
pub const ONE_COORDINATOR: Property = Property::safety(
    election::ONE_COORDINATOR.name,
    "no two nodes of one connected component act as coordinator, except while a higher one takes over \
     (the lower one steps down when its COORDINATOR arrives)",
);

/// `agreement`, as the bully algorithm means it: an election opened (not
/// joined) after the last fault, judged while no link is cut.
pub const AGREEMENT: Property = Property::liveness(
    election::AGREEMENT.name,
    "at quiescence after an election opened after the last fault, every live node of the opener's \
     component believes in its highest live id (not judged while links are cut)",
);

static CARD: Card = Card {
    name: "bully-election",
    role_words: &[(Role::Idle, "idle"), (Role::Candidate, "candidate"), (Role::Leader, "leader")],
    title: "Bully election",
    family: Family::Election,
    tolerates: &[
        Claim::of(Fault::Delay),
        Claim::of(Fault::Crash),
        Claim::of(Fault::Recover),
        Claim::of(Fault::Partition),
    ],
    about: "ELECTION to higher ids, OK, COORDINATOR with timeouts; split brain, false suspicion",
    description: "Garcia-Molina's bully: a process sends ELECTION to every higher id; a live higher process \
        answers OK and holds its own election; a process that hears no OK within `timeout` declares itself \
        and sends COORDINATOR to every lower id; one that got an OK waits `coordinator-timeout` for the \
        COORDINATOR and starts over if none comes. A recovered process holds an election and, if nobody is \
        above it, bullies its way in. Messages carry their election's round (`r1.2`), so late ELECTIONs do \
        not restart settled processes. With 5 nodes, `crash 4`, `elect 1`, `run`: 6 ELECTION (3 lost at 4), \
        3 OK, 3 COORDINATOR, and every live node believes 3. Timeouts are the failure detector, and the \
        scenario shows both ways they lie: a partition elects a leader on each side (split brain, shown \
        beside the badge; `one-coordinator` when it heals), and latency above `timeout` makes processes \
        declare themselves while a higher one is alive (`highest-wins`). In the asynchronous model \
        (`distlab check`, where any timer may fire before any message arrives) even the correct algorithm \
        breaks `highest-wins` in one step: the OK-timeout of `elect 0` fires before an OK comes back. Bully \
        is safe only under bounded delays. Inspector: the phase, the \
        coordinator believed in, the election's round and why it began, the OKs received, the pending timer.",
    seeds: "",
    nodes: NodeRange { default: 5, min: 2, max: 4096 },
    roles: election::PROCESSES,
    verbs: election::VERBS,
    params: &[
        election::timeout_card("timeout", "50", "ms to wait for an OK before declaring itself coordinator"),
        election::timeout_card(
            "coordinator-timeout",
            "2×timeout",
            "ms to wait for COORDINATOR after an OK before starting over",
        ),
        election::VARIANT,
    ],
    variants: &[
        VariantCard { name: "correct", help: "the algorithm as published", breaks: &[] },
        VariantCard {
            name: "no-wait",
            help: "a node sends its ELECTIONs but declares itself at once, without waiting for OKs",
            breaks: &[HIGHEST_WINS.name],
        },
    ],
    properties: &[HIGHEST_WINS, ONE_COORDINATOR, AGREEMENT],
    results: election::RESULTS,
    scripts: &[
        ScriptCard {
            file: "bully-election.dl",
            about: "process 4 fails, 1 starts an election; the cascade until 3 is coordinator; 4 comes back and bullies in; a partition: split brain",
        },
        ScriptCard {
            file: "bully-election-timeouts.dl",
            about: "the correct algorithm misled by timeouts: a healed partition leaves two coordinators; slow links make three declare themselves",
        },
        ScriptCard {
            file: "bully-election-broken.dl",
            about: "1 and 2 declare themselves without waiting for OKs (`highest-wins`)",
        },
    ],
    action: "elect",
};

impl Algorithm for BullyElection {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let timeout = params.ms(&CARD, "timeout")?;
        // Its default depends on `timeout`: twice it.
        let wait = match params.get("coordinator-timeout") {
            None => 2 * timeout,
            Some(_) => params.ms(&CARD, "coordinator-timeout")?,
        };
        let no_wait = params.variant(&CARD)? == 1;
        let nodes = (0..n).map(|i| Node::new(i, n, timeout, wait, no_wait)).collect();
        Ok((nodes, Box::new(Check::new(n))))
    }

    fn request(_verb: &str, args: &Args) -> Result<(NodeId, Elect), String> {
        election::request(args)
    }

    fn action(node: NodeId, _s: &Sum) -> Option<Input> {
        election::action(node)
    }
}
