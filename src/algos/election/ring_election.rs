//! Ring election (what it shows: see `CARD`).
//!
//! Every ELECTION and COORDINATOR travels as `Msg::Pass` with a per-node
//! `seq` and is acknowledged by `Msg::Ack`; `outstanding` holds the
//! forwards still unacknowledged. When the `AckTimeout` fires, `forward`
//! is called again from the silent node, so the message goes to the one
//! after it; a forward that wraps round to the sender itself is handled
//! locally. A false timeout (a slow or lost ACK) can therefore copy a
//! message, and the design keeps copies harmless: each election is a
//! `Round` (initiator, count), a node forwards each round once
//! (`forwarded`), accepts each result once (`accepted`), and takes no
//! part in a round whose result it has accepted (a false timeout can let
//! the COORDINATOR overtake that round's ELECTION). The
//! COORDINATOR carries the nodes it has `visited` and stops after exactly
//! one lap, not at the first node that already knows the leader: a node the
//! election skipped would otherwise swallow it and leave the participants
//! after it candidates for ever.
//!
//! `recovered` keeps only `started` (the monitor needs it to tell a new
//! election from an old one still circulating); `on_recover` starts an
//! election. The monitor is `Check`, at the end of the file; it judges
//! agreement only after an election that began after the last fault. The
//! `self-elect` variant changes one line of `receive`: the node where the
//! ELECTION completes takes its own id instead of the highest collected.

use super::kit as election;
pub use super::kit::Elect;
use crate::card::{Args, Card, Family, NodeRange, ScriptCard, VariantCard};
use crate::card::{Claim, Fault};
use crate::engine::input::Input;
use crate::engine::invariant::{Change, Monitor, Violation, World};
use crate::engine::protocol::{Cx, Describe, MS, NodeId, Protocol, Role, Row, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// An election round: who started it and its count there. Rounds let a
/// node forward each election once, so copies made by a false timeout
/// (a slow ACK, a lost one) die out instead of multiplying.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
pub struct Round {
    pub initiator: NodeId,
    pub k: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Payload {
    /// The ids visited so far; the first is the initiator.
    Election { round: Round, ids: Vec<NodeId> },
    /// `leader` won `round`. `visited` lists the nodes the announcement has
    /// passed: it stops when it comes back to one of them (normally where it
    /// started), after exactly one lap.
    Coordinator { round: Round, leader: NodeId, visited: Vec<NodeId> },
}

#[derive(Clone, Debug, Serialize, Deserialize, Hash)]
pub enum Msg {
    Pass { seq: u64, payload: Payload },
    Ack { seq: u64 },
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Pass { payload: Payload::Election { .. }, .. } => "ELECTION",
            Msg::Pass { payload: Payload::Coordinator { .. }, .. } => "COORDINATOR",
            Msg::Ack { .. } => "ACK",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Pass { payload: Payload::Election { ids, .. }, .. } => {
                let ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
                format!("ELECTION[{}]", ids.join(","))
            }
            Msg::Pass { payload: Payload::Coordinator { leader, .. }, .. } => format!("COORDINATOR({leader})"),
            Msg::Ack { seq } => format!("ACK(seq={seq})"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Timer {
    /// No ACK for forward `seq` yet.
    AckTimeout { seq: u64 },
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        "ack-timeout"
    }
    fn summary(&self) -> String {
        let Timer::AckTimeout { seq } = self;
        format!("ack-timeout(seq={seq})")
    }
}

#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    pub participant: bool,
    pub coordinator: Option<NodeId>,
    pub me: NodeId,
    /// Elections this node started (lets the monitor tell new elections
    /// from old ones still circulating).
    pub started: u32,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        if self.participant {
            Role::Candidate
        } else if self.coordinator == Some(self.me) {
            Role::Leader
        } else {
            Role::Idle
        }
    }
    fn badge(&self) -> String {
        election::badge(self.coordinator)
    }
}

/// A forward still waiting for its ACK.
#[derive(Clone, Debug, Hash)]
struct Outstanding {
    seq: u64,
    to: NodeId,
    payload: Payload,
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    id: NodeId,
    n: usize,
    participant: bool,
    coordinator: Option<NodeId>,
    seq: u64,
    outstanding: Vec<Outstanding>,
    timeout: Time,
    self_elect: bool,
    started: u32,
    /// Per initiator: the latest election round this node forwarded.
    forwarded: BTreeMap<NodeId, u32>,
    /// Per initiator: the latest round whose result this node accepted, and
    /// the leader it accepted for it.
    accepted: BTreeMap<NodeId, (u32, NodeId)>,
}

impl Node {
    fn new(id: NodeId, n: usize, timeout: Time, self_elect: bool) -> Self {
        Node {
            id,
            n,
            participant: false,
            coordinator: None,
            seq: 0,
            outstanding: Vec::new(),
            timeout,
            self_elect,
            started: 0,
            forwarded: BTreeMap::new(),
            accepted: BTreeMap::new(),
        }
    }

    /// Send `payload` to the first successor after `after`, expecting an ACK.
    fn forward(&mut self, cx: &mut Cx<Self>, after: NodeId, payload: Payload) {
        let to = (after + 1) % self.n;
        if to == self.id {
            // Everyone else is unreachable: the message comes straight back.
            self.receive(cx, payload);
            return;
        }
        self.seq += 1;
        let seq = self.seq;
        cx.send(to, Msg::Pass { seq, payload: payload.clone() });
        cx.set_timer(self.timeout, Timer::AckTimeout { seq });
        self.outstanding.push(Outstanding { seq, to, payload });
    }

    fn start(&mut self, cx: &mut Cx<Self>) {
        self.participant = true;
        self.started += 1;
        cx.note(format!("starts an election: ELECTION[{}] to its successor", self.id));
        let id = self.id;
        let round = Round { initiator: id, k: self.started };
        self.forwarded.insert(id, round.k);
        self.forward(cx, id, Payload::Election { round, ids: vec![id] });
    }

    /// Has this node already accepted `leader` (or better) for `round`, or
    /// a later round of the same initiator?
    fn knows(&self, round: Round, leader: NodeId) -> bool {
        self.accepted.get(&round.initiator).is_some_and(|&(k, l)| k > round.k || (k == round.k && l >= leader))
    }

    fn receive(&mut self, cx: &mut Cx<Self>, payload: Payload) {
        match payload {
            Payload::Election { round, mut ids } => {
                // Back at its initiator, or at a node it already passed (the
                // initiator died on the way): the round is complete.
                if ids.contains(&self.id) {
                    let leader = if self.self_elect { self.id } else { ids.iter().copied().max().unwrap_or(self.id) };
                    if self.knows(round, leader) {
                        return; // this round's result is already going round
                    }
                    cx.note(format!("election went round {ids:?}: {leader} becomes coordinator"));
                    self.announce(cx, round, leader, Vec::new());
                } else if self.forwarded.get(&round.initiator).is_some_and(|&k| k >= round.k)
                    || self.accepted.get(&round.initiator).is_some_and(|&(k, _)| k >= round.k)
                {
                    // A copy of a round this node already passed on, or a
                    // round whose result it has accepted already (a false
                    // timeout let the COORDINATOR overtake the ELECTION):
                    // drop it. Taking part now would leave this node a
                    // candidate for ever, as nothing of that round follows.
                } else {
                    self.participant = true;
                    self.forwarded.insert(round.initiator, round.k);
                    ids.push(self.id);
                    let id = self.id;
                    self.forward(cx, id, Payload::Election { round, ids });
                }
            }
            Payload::Coordinator { round, leader, visited } => {
                // The announcement stops where it has already been (one lap),
                // not at the first node that happens to know the leader: a
                // node the election skipped would otherwise swallow it and
                // leave the participants after it candidates for ever. A stale
                // round, or one whose result (or a higher one, when copies of
                // a round disagree) this node already passed on, stops too.
                if visited.contains(&self.id) || self.knows(round, leader) {
                    return;
                }
                self.announce(cx, round, leader, visited);
            }
        }
    }

    fn announce(&mut self, cx: &mut Cx<Self>, round: Round, leader: NodeId, mut visited: Vec<NodeId>) {
        self.participant = false;
        self.coordinator = Some(leader);
        self.accepted.insert(round.initiator, (round.k, leader));
        let id = self.id;
        visited.push(id);
        self.forward(cx, id, Payload::Coordinator { round, leader, visited });
    }
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Elect;
    type Summary = Sum;

    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Ack { seq } => {
                if let Some(i) = self.outstanding.iter().position(|o| o.seq == seq) {
                    self.outstanding.remove(i);
                    cx.cancel_timer(Timer::AckTimeout { seq });
                }
            }
            Msg::Pass { seq, payload } => {
                cx.send(from, Msg::Ack { seq });
                self.receive(cx, payload);
            }
        }
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        let Timer::AckTimeout { seq } = timer;
        if let Some(i) = self.outstanding.iter().position(|o| o.seq == seq) {
            let o = self.outstanding.remove(i);
            cx.note(format!("no ACK from {} in time: skips it", o.to));
            self.forward(cx, o.to, o.payload);
        }
    }

    fn on_request(&mut self, cx: &mut Cx<Self>, _req: Elect) {
        self.start(cx);
    }

    fn on_recover(&mut self, cx: &mut Cx<Self>) {
        self.start(cx);
    }

    fn recovered(&self) -> Self {
        let mut fresh = Node::new(self.id, self.n, self.timeout, self.self_elect);
        fresh.started = self.started;
        fresh
    }

    fn summary(&self) -> Sum {
        Sum { participant: self.participant, coordinator: self.coordinator, me: self.id, started: self.started }
    }

    fn inspect(&self) -> Vec<Row> {
        let waiting: Vec<String> = self
            .outstanding
            .iter()
            .map(|o| {
                format!("seq {} →{} {}", o.seq, o.to, Msg::Pass { seq: o.seq, payload: o.payload.clone() }.summary())
            })
            .collect();
        let mut rows = vec![
            Row::new("participant", if self.participant { "yes (election running)" } else { "no" }),
            Row::new("coordinator", self.coordinator.map(|c| c.to_string()).unwrap_or_else(|| "unknown".into())),
            Row::new("successor", (self.id + 1) % self.n),
            Row::new("awaiting ACK", if waiting.is_empty() { "-".to_string() } else { waiting.join("; ") }),
            Row::new("ack timeout", format!("{} ms", self.timeout / MS)),
        ];
        if self.self_elect {
            rows.push(Row::new("variant", "self-elect (BROKEN on purpose)"));
        }
        rows
    }
}

/// Invariants: at most one coordinator per connected component (checked
/// when a node becomes coordinator); at quiescence after an election that
/// began after the last fault, every live node of that component agrees on
/// its highest live id.
#[derive(Clone, Default)]
pub struct Check {
    seq: u64,
    last_fault: u64,
    last_start: Option<(u64, NodeId)>,
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        false
    }

    /// Only whether the last election began after the last fault, and who
    /// began it, decide a verdict (not the change count itself).
    fn fingerprint(&self, _w: &World<Node>, mut h: &mut dyn Hasher) {
        self.last_start.map(|(at, x)| (at >= self.last_fault, x)).hash(&mut h);
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        self.seq += 1;
        let x = match change {
            Change::Summary(x) => x,
            Change::Crash(_) | Change::Recover(_) | Change::Links => {
                self.last_fault = self.seq;
                return Vec::new();
            }
        };
        let s = &w.summaries[x];
        if old.is_some_and(|o| o.started < s.started) {
            self.last_start = Some((self.seq, x));
        }
        if s.role() != Role::Leader || old.is_some_and(|o| o.role() == Role::Leader) {
            return Vec::new();
        }
        let comps = w.faults.components(w.alive);
        let comp = comps.iter().find(|c| c.contains(&x));
        match comp.and_then(|c| c.iter().copied().find(|&y| y != x && w.summaries[y].role() == Role::Leader)) {
            Some(y) => vec![election::two_coordinators(w, y, x)],
            None => Vec::new(),
        }
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        let Some((at, starter)) = self.last_start else { return Vec::new() };
        if at < self.last_fault || !w.alive[starter] {
            return Vec::new();
        }
        let comps = w.faults.components(w.alive);
        let Some(comp) = comps.into_iter().find(|c| c.contains(&starter)) else { return Vec::new() };
        let highest = comp.iter().copied().max();
        comp.iter()
            .filter(|&&y| w.summaries[y].coordinator != highest || w.summaries[y].participant)
            .map(|&y| election::disagrees(w, y, w.summaries[y].coordinator, highest.unwrap_or(0)))
            .collect()
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        election::leaders(w, |s| s.coordinator)
    }
}

pub struct RingElection;

static CARD: Card = Card {
    name: "ring-election",
    role_words: &[(Role::Idle, "idle"), (Role::Candidate, "candidate"), (Role::Leader, "leader")],
    title: "Ring election",
    family: Family::Election,
    tolerates: &[
        Claim::of(Fault::Delay),
        Claim::of(Fault::Crash),
        Claim::of(Fault::Recover),
        Claim::of(Fault::Partition),
    ],
    about: "ELECTION collects ids round the ring, the highest becomes coordinator; a dead successor is skipped",
    description: "Processes sit on a logical ring 0 → 1 → … → N−1 → 0. The initiator sends ELECTION carrying \
        the ids it has passed; every process appends its own and forwards it to its successor. Back at the \
        initiator (or at a process already on the list, when the initiator died on the way) the highest id \
        on the list is the coordinator, and a COORDINATOR message goes once round the ring so that every live \
        process learns it. Every forward is acknowledged: a crashed successor is detected by a missing ACK \
        within `timeout` and skipped; a recovered process starts an election. With 5 nodes, `crash 3`, \
        `elect 2`, `run`, every live node believes 4 is coordinator. The ACK timeout is a guess: in the \
        asynchronous model (`distlab check`, where any timer may fire before any message arrives) a live \
        successor can be skipped, and with 2 nodes and `elect 0` both end up coordinator (`one-coordinator`); \
        the algorithm is safe only while delays stay below `timeout`. Inspector: participant or not, the \
        coordinator believed in, the successor, the forwards awaiting an ACK.",
    seeds: "000",
    nodes: NodeRange { default: 5, min: 2, max: 4096 },
    roles: election::PROCESSES,
    verbs: election::VERBS,
    params: &[
        election::timeout_card("timeout", "50", "ms to wait for an ACK before skipping a successor"),
        election::VARIANT,
    ],
    variants: &[
        VariantCard { name: "correct", help: "the algorithm as published", breaks: &[] },
        VariantCard {
            name: "self-elect",
            help: "an initiator names itself coordinator instead of the highest id it collected",
            breaks: &[election::AGREEMENT.name],
        },
    ],
    properties: &[election::ONE_COORDINATOR, election::AGREEMENT],
    results: election::RESULTS,
    scripts: &[
        ScriptCard {
            file: "ring-election.dl",
            about: "seed 000: process 3 fails, 2 initiates, the ELECTION skips 3 by ACK timeout, 4 is coordinator; 3 recovers; the coordinator fails",
        },
        ScriptCard {
            file: "ring-election-broken.dl",
            about: "an initiator that names itself: everyone follows 2 while 4 is alive (`agreement`)",
        },
    ],
    action: "elect",
};

impl Algorithm for RingElection {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let timeout = params.ms(&CARD, "timeout")?;
        let self_elect = params.variant(&CARD)? == 1;
        let nodes = (0..n).map(|i| Node::new(i, n, timeout, self_elect)).collect();
        Ok((nodes, Box::new(Check::default())))
    }

    fn request(_verb: &str, args: &Args) -> Result<(NodeId, Elect), String> {
        election::request(args)
    }

    fn action(node: NodeId, _s: &Sum) -> Option<Input> {
        election::action(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::protocol::Cmd;

    fn passes(out: &[Cmd<Node>]) -> usize {
        out.iter().filter(|c| matches!(c, Cmd::Send { msg: Msg::Pass { .. }, .. })).count()
    }

    /// A false ack-timeout at node 1 lets its COORDINATOR reach node 0
    /// before the ELECTION of the same round. Node 0 must not take part in
    /// that finished round: it would stay a candidate for ever (found by
    /// `distlab check ring-election -n 2` after `elect 1`, as `agreement`).
    #[test]
    fn an_election_overtaken_by_its_own_result_is_dropped() {
        let mut node = Node::new(0, 2, 50, false);
        let mut out = Vec::new();
        let mut cx = Cx::new(0, 2, 0, &mut out);
        let round = Round { initiator: 1, k: 1 };
        let coordinator = Payload::Coordinator { round, leader: 1, visited: vec![1] };
        node.on_message(&mut cx, 1, Msg::Pass { seq: 2, payload: coordinator });
        assert_eq!(node.summary().coordinator, Some(1));
        let before = passes(&out);
        let mut cx = Cx::new(0, 2, 0, &mut out);
        node.on_message(&mut cx, 1, Msg::Pass { seq: 1, payload: Payload::Election { round, ids: vec![1] } });
        let s = node.summary();
        assert!(!s.participant, "node 0 took part in a round it knows the result of");
        assert_eq!(s.coordinator, Some(1));
        assert_eq!(s.role(), Role::Idle);
        assert_eq!(passes(&out), before, "nothing forwarded");
    }
}
