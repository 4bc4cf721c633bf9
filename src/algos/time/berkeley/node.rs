//! A Berkeley node: its physical clock, the master's polls and the
//! fault-tolerant average, the slaves' answers and adjustments, and the
//! election of the lowest clock as master.

use super::clock::Clock;
use crate::algos::kit::time_ms;
use crate::engine::protocol::{Cx, Describe, NodeId, Protocol, Role, Row, Summary, Time};
use serde::{Deserialize, Serialize};

/// An election: its number and its initiator (later elections win).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
pub struct Epoch {
    pub k: u64,
    pub by: NodeId,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Msg {
    /// The master asks for a clock reading.
    Poll { round: u64 },
    /// A node's clock reading, sent the moment the POLL arrives.
    Reply { round: u64, reading: f64 },
    /// Adjust your clock by `delta` seconds; `used`: your clock went into the average.
    Adjust { round: u64, delta: f64, used: bool },
    /// Broken variant `absolute`: set your clock to `time`.
    SetTo { round: u64, time: f64, used: bool },
    /// A node asks its master for a round (`sync N` at a non-master).
    Sync,
    /// An election of the lowest clock: send me your reading.
    Election { epoch: Epoch },
    /// A clock reading for an election, and the number of the election
    /// whose result the node follows (a new result must outrank it).
    Reading { epoch: Epoch, reading: f64, follows: u64 },
    /// The election's result; `sync`: the master starts a round at once.
    Master { epoch: Epoch, master: NodeId, sync: bool },
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Poll { .. } => "POLL",
            Msg::Reply { .. } => "REPLY",
            Msg::Adjust { .. } | Msg::SetTo { .. } => "ADJUST",
            Msg::Sync => "SYNC",
            Msg::Election { .. } => "ELECTION",
            Msg::Reading { .. } => "CLOCK",
            Msg::Master { .. } => "MASTER",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Poll { round } => format!("POLL(round {round})"),
            Msg::Reply { round, reading } => format!("REPLY(round {round}, {reading:.6})"),
            Msg::Adjust { round, delta, .. } => format!("ADJUST(round {round}, {delta:+.6} s)"),
            Msg::SetTo { round, time, .. } => format!("ADJUST(round {round}, set to {time:.6})"),
            Msg::Sync => "SYNC".into(),
            Msg::Election { epoch } => format!("ELECTION({}.{})", epoch.k, epoch.by),
            Msg::Reading { reading, .. } => format!("CLOCK({reading:.6})"),
            Msg::Master { master, .. } => format!("MASTER({master})"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Timer {
    /// Stop waiting for replies to this round.
    PollTimeout { round: u64 },
    /// Time for the next periodic round.
    Period,
    /// Stop waiting for clock readings in this election.
    ElectTimeout { epoch: Epoch },
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        match self {
            Timer::PollTimeout { .. } => "poll-timeout",
            Timer::Period => "period-timer",
            Timer::ElectTimeout { .. } => "elect-timeout",
        }
    }
    fn summary(&self) -> String {
        match self {
            Timer::PollTimeout { round } => format!("poll-timeout(round {round})"),
            Timer::Period => "period-timer".into(),
            Timer::ElectTimeout { epoch } => format!("elect-timeout({}.{})", epoch.k, epoch.by),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Request {
    Sync,
    SetClock(f64),
    Drift(f64),
    Elect,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Correct,
    /// Broken: no round-trip compensation.
    NoRtt,
    /// Broken: sends the average time, not a delta.
    Absolute,
}

/// The knobs every node of a run shares.
#[derive(Clone, Copy, Debug)]
pub struct Knobs {
    pub timeout: Time,
    pub period: Time,
    /// Outlier bound (seconds from the median estimate).
    pub bound: f64,
    /// Periodic rounds a master starts at most (0: no limit).
    pub max_rounds: u64,
    pub variant: Variant,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sum {
    pub me: NodeId,
    pub clock: Clock,
    pub master: Option<NodeId>,
    pub electing: bool,
    /// The round this node is polling for, as master.
    pub polling: Option<u64>,
    /// Replies received in that round (every accepted reply changes it).
    pub replies: u32,
    /// Rounds this node finished as master.
    pub done: u64,
    /// Clocks that went into the average of its last finished round.
    pub used: u32,
    /// The last adjustment applied here: (master, round).
    pub applied: Option<(NodeId, u64)>,
    /// Its amount (seconds) and whether this clock was in the average.
    pub adjust: Option<(f64, bool)>,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        if self.master == Some(self.me) {
            Role::Leader
        } else if self.electing {
            Role::Candidate
        } else {
            Role::Idle
        }
    }
    fn badge(&self) -> String {
        match self.adjust {
            None => String::new(),
            Some((d, _)) if d.abs() >= 1.0 => format!("Δ{d:+.2}"),
            Some((d, _)) if d.abs() >= 1e-3 || d == 0.0 => format!("Δ{d:+.3}"),
            Some((d, _)) => format!("Δ{:+.2}ms", d * 1e3),
        }
    }
}

/// One answer to a poll, as the master sees it.
#[derive(Clone, Copy, Debug)]
struct Answer {
    reading: f64,
    /// Round trip measured with the master's clock (seconds).
    rtt: f64,
    /// Estimated offset from the master's clock (seconds).
    est: f64,
}

/// A round in progress at the master.
#[derive(Clone, Debug)]
struct Poll {
    round: u64,
    /// The master's clock when it sent the polls.
    sent: f64,
    answers: Vec<Option<Answer>>,
    waiting: usize,
}

/// One row of the master's poll table.
#[derive(Clone, Debug)]
struct Entry {
    node: NodeId,
    answer: Answer,
    used: bool,
    delta: f64,
}

/// The last round a master finished (for the inspector).
#[derive(Clone, Debug)]
struct Finished {
    round: u64,
    median: f64,
    avg: f64,
    table: Vec<Entry>,
    /// Polled nodes that did not answer in time.
    missing: usize,
    /// The master's own bound on the residual skew: the two largest RTT/2.
    err: f64,
}

/// An election in progress at its initiator.
#[derive(Clone, Debug)]
struct Election {
    epoch: Epoch,
    sent: f64,
    sync: bool,
    /// Estimated offsets of the nodes that answered.
    answers: Vec<Option<f64>>,
    waiting: usize,
    /// The highest election number an answering node follows.
    follows: u64,
}

#[derive(Clone, Debug)]
pub struct Node {
    id: NodeId,
    n: usize,
    k: Knobs,
    clock: Clock,
    /// Virtual time of the last event here (the inspector reads the clock then).
    now: Time,
    master: Option<NodeId>,
    /// The election whose result this node follows (`None`: configured master).
    epoch: Option<Epoch>,
    /// The highest election number seen (a new election takes the next one).
    seen_k: u64,
    /// Rounds started and finished as master (persisted: round numbers never repeat).
    rounds: u64,
    done: u64,
    used: u32,
    poll: Option<Poll>,
    last: Option<Finished>,
    /// The poll this node answered last: only its ADJUST is still current
    /// (a reading taken since, even for its own round as master, makes an
    /// older one stale), and only once.
    last_poll: Option<(NodeId, u64)>,
    poll_applied: bool,
    applied: Option<(NodeId, u64)>,
    adjust: Option<(f64, bool)>,
    election: Option<Election>,
}

// Clock readings are `f64`, which is not `Hash`: a message and a node are
// hashed by their `Debug` text, which writes every float exactly (the
// shortest text that reads back to the same bits), so equal states hash
// alike and different ones apart. Only the model checker hashes.
impl std::hash::Hash for Msg {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        format!("{self:?}").hash(h)
    }
}

impl std::hash::Hash for Node {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        format!("{self:?}").hash(h)
    }
}

fn secs_ms(s: f64) -> String {
    format!("{:.3} ms", s * 1e3)
}

/// Median of a non-empty list (the mean of the middle two for even lengths).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let m = values.len() / 2;
    if values.len() % 2 == 1 { values[m] } else { (values[m - 1] + values[m]) / 2.0 }
}

impl Node {
    pub fn new(id: NodeId, n: usize, k: Knobs, clock: Clock, master: Option<NodeId>) -> Self {
        Node {
            id,
            n,
            k,
            clock,
            now: 0,
            master,
            epoch: None,
            seen_k: 0,
            rounds: 0,
            done: 0,
            used: 0,
            poll: None,
            last: None,
            last_poll: None,
            poll_applied: false,
            applied: None,
            adjust: None,
            election: None,
        }
    }

    fn is_master(&self) -> bool {
        self.master == Some(self.id)
    }

    /// Offset estimate from a reading answered after a round trip that
    /// started when the local clock showed `sent`.
    fn estimate(&self, now: Time, sent: f64, reading: f64) -> Answer {
        let local = self.clock.read(now);
        let rtt = local - sent;
        let est = match self.k.variant {
            Variant::NoRtt => reading - local,
            _ => reading + rtt / 2.0 - local,
        };
        Answer { reading, rtt, est }
    }

    fn arm_period(&self, cx: &mut Cx<Self>) {
        if self.k.period > 0 && self.is_master() {
            cx.cancel_timer(Timer::Period);
            cx.set_timer(self.k.period, Timer::Period);
        }
    }

    /// `sync` here: run a round if master, else ask the master (or elect one).
    fn sync(&mut self, cx: &mut Cx<Self>) {
        match self.master {
            Some(m) if m == self.id => self.start_round(cx),
            Some(m) => {
                cx.note(format!("asks its master {m} for a round"));
                cx.send(m, Msg::Sync);
            }
            None => self.start_election(cx, true),
        }
    }

    fn start_round(&mut self, cx: &mut Cx<Self>) {
        if let Some(p) = &self.poll {
            cx.note(format!("round {} is still running", p.round));
            return;
        }
        self.rounds += 1;
        let round = self.rounds;
        let sent = self.clock.read(cx.now);
        // Its own reading now decides its adjustment: any older poll's is stale.
        self.last_poll = None;
        cx.note(format!("round {round}: polls every clock (its own reads {sent:.6})"));
        cx.broadcast(Msg::Poll { round });
        self.poll = Some(Poll { round, sent, answers: vec![None; self.n], waiting: self.n - 1 });
        if self.n == 1 {
            self.finish(cx);
        } else {
            cx.set_timer(self.k.timeout, Timer::PollTimeout { round });
        }
    }

    /// Average the answers and send every node that answered its adjustment.
    fn finish(&mut self, cx: &mut Cx<Self>) {
        let Some(p) = self.poll.take() else { return };
        let round = p.round;
        let me = Answer { reading: p.sent, rtt: 0.0, est: 0.0 };
        let mut all: Vec<(NodeId, Answer)> = vec![(self.id, me)];
        all.extend(p.answers.iter().enumerate().filter_map(|(i, a)| a.map(|a| (i, a))));
        let mut ests: Vec<f64> = all.iter().map(|(_, a)| a.est).collect();
        let med = median(&mut ests);
        let used = |a: &Answer| (a.est - med).abs() <= self.k.bound;
        let (sum, count) = all.iter().filter(|(_, a)| used(a)).fold((0.0, 0u32), |(s, c), (_, a)| (s + a.est, c + 1));
        // The median itself is always within the bound, so count >= 1.
        let avg = sum / count.max(1) as f64;
        let mut table = Vec::with_capacity(all.len());
        let mut halves: Vec<f64> = vec![0.0];
        for &(node, a) in &all {
            table.push(Entry { node, answer: a, used: used(&a), delta: avg - a.est });
            if node != self.id {
                halves.push(a.rtt / 2.0);
            }
        }
        halves.sort_by(|a, b| b.total_cmp(a));
        let err = halves.iter().take(2).sum();
        // Adjust self first: the `absolute` variant sends the adjusted time.
        let self_used = used(&me);
        let before = self.clock.read(cx.now);
        self.clock.set(cx.now, before + avg);
        let target = self.clock.read(cx.now);
        for e in table.iter().filter(|e| e.node != self.id) {
            let msg = match self.k.variant {
                Variant::Absolute => Msg::SetTo { round, time: target, used: e.used },
                _ => Msg::Adjust { round, delta: e.delta, used: e.used },
            };
            cx.send(e.node, msg);
        }
        let outliers = table.iter().filter(|e| !e.used).count();
        let missing = self.n - all.len();
        cx.note(format!(
            "round {round}: average {avg:+.6} s of {count} clocks ({outliers} outliers ignored, {missing} did not answer); \
             adjusts itself to {target:.6}"
        ));
        self.applied = Some((self.id, round));
        self.adjust = Some((avg, self_used));
        self.done += 1;
        self.used = count;
        self.last = Some(Finished { round, median: med, avg, table, missing, err });
    }

    fn apply(&mut self, cx: &mut Cx<Self>, from: NodeId, round: u64, amount: Result<f64, f64>, used: bool) {
        if self.last_poll != Some((from, round)) {
            cx.note(format!("ignores a stale ADJUST (round {round} of {from}): its clock was read again since"));
            return;
        }
        if self.poll_applied {
            return; // a duplicate
        }
        let before = self.clock.read(cx.now);
        let delta = match amount {
            Ok(delta) => delta,
            Err(time) => time - before,
        };
        self.clock.set(cx.now, before + delta);
        self.applied = Some((from, round));
        self.poll_applied = true;
        self.adjust = Some((delta, used));
        cx.note(format!("adjusts its clock by {delta:+.6} s to {:.6}", before + delta));
    }

    fn start_election(&mut self, cx: &mut Cx<Self>, sync: bool) {
        if let Some(e) = &mut self.election {
            e.sync |= sync;
            cx.note("its election is still running");
            return;
        }
        self.seen_k += 1;
        let epoch = Epoch { k: self.seen_k, by: self.id };
        let sent = self.clock.read(cx.now);
        cx.note(format!("starts election {}.{} of the lowest clock", epoch.k, epoch.by));
        cx.broadcast(Msg::Election { epoch });
        let follows = self.epoch.map_or(0, |e| e.k);
        self.election = Some(Election { epoch, sent, sync, answers: vec![None; self.n], waiting: self.n - 1, follows });
        if self.n == 1 {
            self.decide(cx);
        } else {
            cx.set_timer(self.k.timeout, Timer::ElectTimeout { epoch });
        }
    }

    /// The lowest estimated clock (ties to the lower id) becomes master.
    fn decide(&mut self, cx: &mut Cx<Self>) {
        let Some(e) = self.election.take() else { return };
        let mut best = (0.0, self.id);
        for (i, est) in e.answers.iter().enumerate() {
            if let Some(est) = *est
                && (est, i) < best
            {
                best = (est, i);
            }
        }
        let master = best.1;
        // The result outranks every election the answering nodes follow (a
        // node back from a crash may start one with an old number).
        let epoch = Epoch { k: e.epoch.k.max(e.follows + 1), by: self.id };
        cx.note(format!("election {}.{}: the lowest clock is node {master}'s", epoch.k, epoch.by));
        cx.broadcast(Msg::Master { epoch, master, sync: e.sync });
        self.accept(cx, epoch, master, e.sync);
    }

    fn accept(&mut self, cx: &mut Cx<Self>, epoch: Epoch, master: NodeId, sync: bool) {
        if self.epoch.is_some_and(|mine| mine >= epoch) {
            return;
        }
        self.epoch = Some(epoch);
        self.seen_k = self.seen_k.max(epoch.k);
        self.master = Some(master);
        if master == self.id {
            cx.note("becomes master");
            self.arm_period(cx);
            if sync {
                self.start_round(cx);
            }
        }
    }
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Summary = Sum;

    fn on_start(&mut self, cx: &mut Cx<Self>) {
        self.now = cx.now;
        self.arm_period(cx);
    }

    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        self.now = cx.now;
        match msg {
            Msg::Poll { round } => {
                if self.last_poll != Some((from, round)) {
                    self.last_poll = Some((from, round));
                    self.poll_applied = false;
                }
                cx.send(from, Msg::Reply { round, reading: self.clock.read(cx.now) });
            }
            Msg::Reply { round, reading } => {
                let Some(p) = &self.poll else { return };
                if p.round != round || p.answers[from].is_some() {
                    return;
                }
                let a = self.estimate(cx.now, p.sent, reading);
                let p = self.poll.as_mut().expect("checked above");
                p.answers[from] = Some(a);
                p.waiting -= 1;
                if p.waiting == 0 {
                    cx.cancel_timer(Timer::PollTimeout { round });
                    self.finish(cx);
                }
            }
            Msg::Adjust { round, delta, used } => self.apply(cx, from, round, Ok(delta), used),
            Msg::SetTo { round, time, used } => self.apply(cx, from, round, Err(time), used),
            Msg::Sync => {
                if self.is_master() {
                    self.start_round(cx);
                } else {
                    cx.note(format!("is not master: ignores SYNC from {from}"));
                }
            }
            Msg::Election { epoch } => {
                self.seen_k = self.seen_k.max(epoch.k);
                let follows = self.epoch.map_or(0, |e| e.k);
                cx.send(from, Msg::Reading { epoch, reading: self.clock.read(cx.now), follows });
            }
            Msg::Reading { epoch, reading, follows } => {
                let Some(e) = &self.election else { return };
                if e.epoch != epoch || e.answers[from].is_some() {
                    return;
                }
                let est = self.estimate(cx.now, e.sent, reading).est;
                let e = self.election.as_mut().expect("checked above");
                e.answers[from] = Some(est);
                e.follows = e.follows.max(follows);
                e.waiting -= 1;
                if e.waiting == 0 {
                    cx.cancel_timer(Timer::ElectTimeout { epoch });
                    self.decide(cx);
                }
            }
            Msg::Master { epoch, master, sync } => self.accept(cx, epoch, master, sync),
        }
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        self.now = cx.now;
        match timer {
            Timer::PollTimeout { round } if self.poll.as_ref().is_some_and(|p| p.round == round) => {
                let waiting = self.poll.as_ref().map_or(0, |p| p.waiting);
                cx.note(format!("round {round}: {waiting} clocks did not answer in time; skips them"));
                self.finish(cx);
            }
            Timer::Period if self.is_master() => {
                if self.k.max_rounds == 0 || self.rounds < self.k.max_rounds {
                    self.start_round(cx);
                }
                if self.k.max_rounds == 0 || self.rounds < self.k.max_rounds {
                    cx.set_timer(self.k.period, Timer::Period);
                }
            }
            Timer::ElectTimeout { epoch } if self.election.as_ref().is_some_and(|e| e.epoch == epoch) => {
                cx.note("some clocks did not answer the election in time");
                self.decide(cx);
            }
            _ => {}
        }
    }

    fn on_request(&mut self, cx: &mut Cx<Self>, req: Request) {
        self.now = cx.now;
        match req {
            Request::Sync => self.sync(cx),
            Request::SetClock(s) => {
                self.clock.set(cx.now, s);
                cx.note(format!("clock set to {s:.6}"));
            }
            Request::Drift(ppm) => {
                self.clock.set_drift(cx.now, ppm);
                cx.note(format!("drift set to {ppm:+} ppm"));
            }
            Request::Elect => self.start_election(cx, false),
        }
    }

    fn on_recover(&mut self, cx: &mut Cx<Self>) {
        self.now = cx.now;
        self.arm_period(cx);
    }

    fn recovered(&self) -> Self {
        // The clock is hardware and keeps running; the master belief, the
        // round and election counters are on stable storage. Rounds and
        // elections in progress are lost.
        let mut fresh = Node::new(self.id, self.n, self.k, self.clock, self.master);
        fresh.now = self.now;
        fresh.epoch = self.epoch;
        fresh.seen_k = self.seen_k;
        fresh.rounds = self.rounds;
        fresh.done = self.done;
        fresh.used = self.used;
        fresh.applied = self.applied;
        fresh.adjust = self.adjust;
        fresh
    }

    fn summary(&self) -> Sum {
        Sum {
            me: self.id,
            clock: self.clock,
            master: self.master,
            electing: self.election.is_some(),
            polling: self.poll.as_ref().map(|p| p.round),
            replies: self.poll.as_ref().map_or(0, |p| (self.n - 1 - p.waiting) as u32),
            done: self.done,
            used: self.used,
            applied: self.applied,
            adjust: self.adjust,
        }
    }

    fn inspect(&self) -> Vec<Row> {
        let now = self.now;
        let mut rows = vec![
            Row::new("clock", format!("{:.6} s at t={} ms", self.clock.read(now), time_ms(now))),
            Row::new("offset", format!("{:+.6} s vs true time", self.clock.offset(now))),
            Row::new("drift", format!("{:+} ppm", self.clock.drift)),
        ];
        let master = match (self.master, self.epoch) {
            (None, _) => "unknown (`sync` or `elect N` elects one)".to_string(),
            (Some(m), None) => format!("{m} (configured)"),
            (Some(m), Some(e)) => format!("{m} (elected in election {}.{})", e.k, e.by),
        };
        rows.push(Row::new("master", master));
        let adjust = match (self.adjust, self.applied) {
            (Some((d, used)), Some((m, r))) => {
                format!("{d:+.6} s (round {r}, master {m}){}", if used { "" } else { ", an outlier: not averaged" })
            }
            _ => "-".into(),
        };
        rows.push(Row::new("adjusted", adjust));
        if let (Some((m, r)), false) = (self.last_poll, self.poll_applied) {
            rows.push(Row::new("waiting", format!("for the ADJUST of round {r}, master {m} (it answered the POLL)")));
        }
        if let Some(e) = &self.election {
            rows.push(Row::new(
                "election",
                format!("{}.{}: {} of {} clocks answered", e.epoch.k, e.epoch.by, self.n - 1 - e.waiting, self.n - 1),
            ));
        }
        if self.rounds > 0 || self.is_master() {
            rows.push(Row::new("rounds", format!("{} started, {} finished", self.rounds, self.done)));
        }
        if let Some(p) = &self.poll {
            rows.push(Row::new(
                "polling",
                format!(
                    "round {}: {} of {} replies (timeout {} ms)",
                    p.round,
                    self.n - 1 - p.waiting,
                    self.n - 1,
                    time_ms(self.k.timeout)
                ),
            ));
        }
        if let Some(f) = &self.last {
            let used = f.table.iter().filter(|e| e.used).count();
            rows.push(Row::new(format!("round {}", f.round), format!("avg {:+.6} s of {used} clocks", f.avg)));
            rows.push(Row::new(
                "outliers",
                format!("{} (beyond ±{} s of the median {:+.3} s)", f.table.len() - used, self.k.bound, f.median),
            ));
            if f.missing > 0 {
                rows.push(Row::new("silent", format!("{} did not answer in time", f.missing)));
            }
            rows.push(Row::new("skew", format!("≤ {} by the RTTs", secs_ms(f.err))));
            // The poll table, most telling columns first: a narrow
            // inspector leaves out the last (the raw reading) and says so.
            rows.push(Row::table("poll", &["rtt ms", "est.off", "adjust", "reading"]));
            const SHOWN: usize = 64;
            for e in f.table.iter().take(SHOWN) {
                let a = e.answer;
                let rtt = if e.node == self.id { "self".to_string() } else { format!("{:.2}", a.rtt * 1e3) };
                // An outlier (left out of the average) is marked ✗.
                let label = format!("{}{}", e.node, if e.used { "" } else { " ✗" });
                let cells = [rtt, format!("{:+.4}", a.est), format!("{:+.4}", e.delta), format!("{:.3}", a.reading)];
                rows.push(Row::table(label, &cells));
            }
            if f.table.len() > SHOWN {
                rows.push(Row::new("…", format!("{} more clocks", f.table.len() - SHOWN)));
            }
        }
        match self.k.variant {
            Variant::Correct => {}
            Variant::NoRtt => rows.push(Row::new("variant", "no-rtt (BROKEN on purpose)")),
            Variant::Absolute => rows.push(Row::new("variant", "absolute (BROKEN on purpose)")),
        }
        rows
    }
}

// ----- the registry entry --------------------------------------------------------
