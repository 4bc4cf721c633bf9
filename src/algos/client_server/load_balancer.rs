//! A load balancer (seed 000 "Load Balancing Algorithm"): clients hand jobs
//! to one balancer, which forwards each to a server by a policy; the
//! server runs it for its work time and answers; the balancer returns the
//! answer to the client.
//!
//! Layout: nodes `0..clients` are clients (`clients`, default 1), node
//! `clients` is the balancer, every node after it a server. With the
//! default 6 nodes: client 0, balancer 1, servers 2–5 (the seed's servers
//! 1–4). `submit P [C] [MS]` hands the balancer job `P` (any label) from
//! client `C` (default 0), running `MS` ms (default `work`).
//!
//! Messages: JOB (client → balancer), FORWARD (balancer → server), DONE
//! (server → balancer), REPLY (balancer → client): 4 per job without
//! faults. Jobs are numbered per client (`job`), so copies and late
//! answers are recognised: the balancer answers a job once (a repeated JOB
//! of an answered job gets the cached REPLY again), the client takes the
//! first REPLY of a job and ignores the rest.
//!
//! Policies: `round-robin` (the seed: the rotation pointer moves one server
//! per job), `least-connections` (fewest jobs outstanding, lowest id on a
//! tie), `weighted` (smooth weighted round robin over `weights`, as nginx
//! does: weights 3,1,1,1 give 0 1 0 2 3 0 per six jobs).
//!
//! Failure detection is a timeout: a FORWARD not answered within
//! `timeout` ms plus its work time marks the server dead; the balancer
//! skips it from then on and forwards every job it had there to another
//! server (a retry, `attempt` 2, 3...). A dead-marked server rejoins when
//! it announces itself (HELLO, sent when it recovers) or when a late DONE
//! shows it was alive after all. While no server is believed up, jobs wait
//! at the balancer and it PINGs the dead-marked servers every `timeout` ms.
//! Crashes: a server loses its running jobs; the balancer loses everything
//! and on recovery sends RESTART to the clients, which re-send their
//! unanswered jobs; a client keeps its job table (stable storage) and
//! re-sends what is unanswered when it recovers. `retry` > 0 makes clients
//! re-send unanswered jobs every `retry` ms (lost JOB or REPLY messages).
//!
//! Broken on purpose: `variant=no-skip` ignores its own dead marks (keeps
//! sending to a dead server); `variant=no-dedup` checks no job numbers (a
//! late DONE is answered again and the client takes every REPLY).

use super::kit::{self as cs, VARIANT};
use crate::algos::kit::{listing, ms_param, time_ms};
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, MAX_MS, NodeRange, ParamCard, Property, RoleCard, ScriptCard,
    VariantCard, VerbCard,
};
use crate::engine::input::Input;
use crate::engine::invariant::{Change, Monitor, Table, Violation, World};
use crate::engine::protocol::{Cx, Describe, NodeId, Protocol, Role, Row, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

/// A job's identity: (client, job number at that client).
pub type Key = (NodeId, u64);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Msg {
    /// Client → balancer: run job `job` labelled `label` for `work`.
    Job { job: u64, label: String, work: Time },
    /// Balancer → server: run it (attempt `attempt` of this job).
    Forward { client: NodeId, job: u64, label: String, work: Time, attempt: u32 },
    /// Server → balancer: done.
    Done { client: NodeId, job: u64, label: String, attempt: u32 },
    /// Balancer → client: the response to job `job`, run by `server`.
    Reply { job: u64, label: String, server: NodeId },
    /// Server → balancer: I am up (after a recovery, or to a PING).
    Hello,
    /// Balancer → dead-marked server: are you back?
    Ping,
    /// Balancer → clients: I restarted and know no jobs: send yours again.
    Restart,
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Job { .. } => "JOB",
            Msg::Forward { .. } => "FORWARD",
            Msg::Done { .. } => "DONE",
            Msg::Reply { .. } => "REPLY",
            Msg::Hello => "HELLO",
            Msg::Ping => "PING",
            Msg::Restart => "RESTART",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Job { job, label, .. } => format!("JOB({label} #{job})"),
            Msg::Forward { client, job, label, attempt, .. } => {
                format!("FORWARD({label} #{job} of {client}, try {attempt})")
            }
            Msg::Done { job, label, attempt, .. } => format!("DONE({label} #{job}, try {attempt})"),
            Msg::Reply { job, label, server } => format!("REPLY({label} #{job} by {server})"),
            m => m.kind().to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Timer {
    /// At the balancer: the FORWARD of this job has had no answer.
    Timeout { client: NodeId, job: u64, attempt: u32 },
    /// At a server: this job is finished.
    Work { client: NodeId, job: u64, attempt: u32 },
    /// At a client: re-send unanswered jobs.
    Retry,
    /// At the balancer: ping the dead-marked servers (jobs are waiting).
    Probe,
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        match self {
            Timer::Timeout { .. } => "timeout",
            Timer::Work { .. } => "work",
            Timer::Retry => "retry",
            Timer::Probe => "probe",
        }
    }
    fn summary(&self) -> String {
        match self {
            Timer::Timeout { client, job, attempt } => format!("timeout(#{job} of {client}, try {attempt})"),
            Timer::Work { client, job, attempt } => format!("work(#{job} of {client}, try {attempt})"),
            t => t.kind().to_string(),
        }
    }
}

/// `submit P [C] [MS]`, addressed to client `C`.
#[derive(Clone, Debug)]
pub struct Request {
    pub label: String,
    pub work: Option<Time>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    RoundRobin,
    LeastConnections,
    Weighted,
}

const POLICIES: [&str; 3] = ["round-robin", "least-connections", "weighted"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Correct,
    NoSkip,
    NoDedup,
}

/// One forward the balancer made, as its summary reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Fwd {
    pub to: NodeId,
    pub client: NodeId,
    pub job: u64,
    pub label: String,
    pub attempt: u32,
    /// The server it was on before (a retry).
    pub prev: Option<NodeId>,
}

/// One response a client accepted.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub job: u64,
    pub label: String,
    pub server: NodeId,
}

/// The balancer's belief about one server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct View {
    pub dead: bool,
    /// Jobs outstanding there (the "connections").
    pub active: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Sum {
    Client {
        submitted: u64,
        /// Responses accepted so far, and the latest.
        answers: u64,
        last: Option<Answer>,
        waiting: u32,
    },
    Balancer {
        /// Per server (in server order): what the balancer believes.
        view: Arc<Vec<View>>,
        /// The forwards of the event just handled.
        batch: Vec<Fwd>,
        forwards: u64,
        /// Jobs waiting for a live server.
        queued: u32,
    },
    Server {
        running: u32,
        completed: u64,
    },
}

impl Summary for Sum {
    fn role(&self) -> Role {
        match self {
            Sum::Client { waiting: 0, .. } => Role::Idle,
            Sum::Client { .. } => Role::Wanting,
            Sum::Balancer { .. } => Role::Leader,
            Sum::Server { running: 0, .. } => Role::Idle,
            Sum::Server { .. } => Role::InCs,
        }
    }
    fn badge(&self) -> String {
        match self {
            Sum::Client { waiting: 0, answers, .. } => format!("{answers} answered"),
            Sum::Client { waiting, .. } => format!("{waiting} waiting"),
            Sum::Balancer { view, .. } => {
                let dead = view.iter().filter(|v| v.dead).count();
                if dead > 0 { format!("{dead} dead") } else { String::new() }
            }
            Sum::Server { running: 0, .. } => String::new(),
            Sum::Server { running, .. } => format!("run {running}"),
        }
    }
}

/// The knobs every node of a run shares.
#[derive(Clone, Debug)]
pub struct Knobs {
    pub clients: usize,
    pub policy: Policy,
    pub weights: Vec<u32>,
    pub work: Time,
    pub timeout: Time,
    pub retry: Time,
    pub variant: Variant,
}

impl Knobs {
    fn balancer(&self) -> NodeId {
        self.clients
    }
    fn server_node(&self, i: usize) -> NodeId {
        self.clients + 1 + i
    }
}

#[derive(Clone, Debug)]
struct Job {
    label: String,
    work: Time,
    answer: Option<NodeId>,
}

/// A job on its way to a server: what `dispatch` forwards or queues.
#[derive(Clone, Debug)]
struct Task {
    key: Key,
    label: String,
    work: Time,
    /// The server index it was on before (a retry).
    prev: Option<usize>,
    attempt: u32,
}

#[derive(Clone, Debug)]
struct Out {
    label: String,
    work: Time,
    /// Server index.
    at: usize,
    attempt: u32,
}

#[derive(Clone, Debug)]
struct Balancer {
    view: Arc<Vec<View>>,
    outstanding: BTreeMap<Key, Out>,
    waiting: VecDeque<Task>,
    /// Answered jobs and who ran them (the REPLY cache).
    answered: BTreeMap<Key, NodeId>,
    pointer: usize,
    current: Vec<i64>,
    batch: Vec<Fwd>,
    forwards: u64,
    probing: bool,
}

#[derive(Clone, Debug)]
enum Part {
    /// `open`: the indices of the jobs still unanswered, so that nothing
    /// per event walks the whole job table (it only grows).
    Client {
        jobs: Vec<Job>,
        open: BTreeSet<usize>,
        answers: u64,
        last: Option<Answer>,
    },
    Balancer(Balancer),
    Server {
        running: BTreeMap<(Key, u32), String>,
        completed: u64,
    },
}

#[derive(Clone, Debug)]
pub struct Node {
    id: NodeId,
    k: Arc<Knobs>,
    part: Part,
}

impl Node {
    fn new(id: NodeId, n: usize, k: Arc<Knobs>) -> Node {
        let part = if id < k.clients {
            Part::Client { jobs: Vec::new(), open: BTreeSet::new(), answers: 0, last: None }
        } else if id == k.balancer() {
            let servers = n - k.clients - 1;
            Part::Balancer(Balancer {
                view: Arc::new(vec![View::default(); servers]),
                outstanding: BTreeMap::new(),
                waiting: VecDeque::new(),
                answered: BTreeMap::new(),
                pointer: 0,
                current: vec![0; servers],
                batch: Vec::new(),
                forwards: 0,
                probing: false,
            })
        } else {
            Part::Server { running: BTreeMap::new(), completed: 0 }
        };
        Node { id, k, part }
    }

    fn resend_unanswered(&self, cx: &mut Cx<Self>) {
        if let Part::Client { jobs, open, .. } = &self.part {
            for (i, j) in open.iter().map(|&i| (i, &jobs[i])) {
                cx.send(self.k.balancer(), Msg::Job { job: i as u64 + 1, label: j.label.clone(), work: j.work });
            }
        }
    }

    fn client_msg(&mut self, cx: &mut Cx<Self>, msg: Msg) {
        let dedup = self.k.variant != Variant::NoDedup;
        let Part::Client { jobs, open, answers, last } = &mut self.part else { return };
        match msg {
            Msg::Reply { job, label, server } => {
                let Some(j) = jobs.get_mut(job.wrapping_sub(1) as usize) else { return };
                if j.answer.is_some() && dedup {
                    cx.note(format!("ignores a second response to {label} (#{job})"));
                    return;
                }
                j.answer = Some(server);
                open.remove(&(job as usize - 1));
                *answers += 1;
                *last = Some(Answer { job, label: label.clone(), server });
                cx.note(format!("gets the response to {label} from server {server}"));
                if self.k.retry > 0 && open.is_empty() {
                    cx.cancel_timer(Timer::Retry);
                }
            }
            Msg::Restart => self.resend_unanswered(cx),
            _ => {}
        }
    }

    // ----- the balancer ---------------------------------------------------

    /// The server index the policy picks for the next job, if one is up.
    fn pick(b: &mut Balancer, k: &Knobs) -> Option<usize> {
        let s = b.view.len();
        let usable = |i: usize| k.variant == Variant::NoSkip || !b.view[i].dead;
        if s == 0 || !(0..s).any(usable) {
            return None;
        }
        match k.policy {
            Policy::RoundRobin => {
                let i = (0..s).map(|d| (b.pointer + d) % s).find(|&i| usable(i))?;
                b.pointer = (i + 1) % s;
                Some(i)
            }
            Policy::LeastConnections => (0..s).filter(|&i| usable(i)).min_by_key(|&i| (b.view[i].active, i)),
            Policy::Weighted => {
                let total: i64 = (0..s).filter(|&i| usable(i)).map(|i| k.weights[i] as i64).sum();
                for i in (0..s).filter(|&i| usable(i)) {
                    b.current[i] += k.weights[i] as i64;
                }
                let best = (0..s).filter(|&i| usable(i)).max_by_key(|&i| (b.current[i], std::cmp::Reverse(i)))?;
                b.current[best] -= total;
                Some(best)
            }
        }
    }

    /// Forward a job by the policy, or queue it when no server is up.
    fn dispatch(b: &mut Balancer, k: &Knobs, cx: &mut Cx<Self>, task: Task) {
        let Some(i) = Self::pick(b, k) else {
            cx.note(format!("no server is up: {} waits", task.label));
            b.waiting.push_back(task);
            if !b.probing {
                b.probing = true;
                cx.set_timer(k.timeout, Timer::Probe);
            }
            return;
        };
        let Task { key, label, work, prev, attempt } = task;
        let to = k.server_node(i);
        Arc::make_mut(&mut b.view)[i].active += 1;
        b.forwards += 1;
        b.outstanding.insert(key, Out { label: label.clone(), work, at: i, attempt });
        b.batch.push(Fwd {
            to,
            client: key.0,
            job: key.1,
            label: label.clone(),
            attempt,
            prev: prev.map(|p| k.server_node(p)),
        });
        cx.send(to, Msg::Forward { client: key.0, job: key.1, label, work, attempt });
        cx.set_timer(k.timeout + work, Timer::Timeout { client: key.0, job: key.1, attempt });
    }

    fn mark_up(b: &mut Balancer, k: &Knobs, cx: &mut Cx<Self>, i: usize) {
        if b.view[i].dead {
            Arc::make_mut(&mut b.view)[i].dead = false;
            cx.note(format!("server {} is back", k.server_node(i)));
            b.current[i] = 0;
        }
        // Queued again (and at most once each) if no server is up after all.
        let waiting: Vec<Task> = b.waiting.drain(..).collect();
        for task in waiting {
            Self::dispatch(b, k, cx, task);
        }
        if b.waiting.is_empty() && b.probing {
            b.probing = false;
            cx.cancel_timer(Timer::Probe);
        }
    }

    fn balancer_msg(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        let k = self.k.clone();
        let Part::Balancer(b) = &mut self.part else { return };
        let server = from.checked_sub(k.clients + 1).filter(|&i| i < b.view.len());
        match (msg, server) {
            (Msg::Job { job, label, work }, None) if from < k.clients => {
                let key = (from, job);
                if k.variant != Variant::NoDedup {
                    if let Some(&s) = b.answered.get(&key) {
                        cx.send(from, Msg::Reply { job, label, server: s });
                        return;
                    }
                    if b.outstanding.contains_key(&key) || b.waiting.iter().any(|w| w.key == key) {
                        return;
                    }
                }
                Self::dispatch(b, &k, cx, Task { key, label, work, prev: None, attempt: 1 });
            }
            (Msg::Done { client, job, label, attempt }, Some(i)) => {
                let key = (client, job);
                // A DONE proves the server is alive.
                if b.view[i].dead {
                    Self::mark_up(b, &k, cx, i);
                }
                let current = b.outstanding.get(&key).is_some_and(|o| o.at == i && o.attempt == attempt);
                if current {
                    b.outstanding.remove(&key);
                    Arc::make_mut(&mut b.view)[i].active -= 1;
                    cx.cancel_timer(Timer::Timeout { client, job, attempt });
                } else if k.variant != Variant::NoDedup {
                    if b.answered.contains_key(&key) {
                        cx.note(format!("ignores a late DONE of {label} from {from}"));
                        return;
                    }
                    if b.outstanding.contains_key(&key) {
                        // Running again elsewhere: that one will answer.
                        return;
                    }
                }
                b.answered.insert(key, from);
                cx.send(client, Msg::Reply { job, label, server: from });
            }
            (Msg::Hello, Some(i)) => Self::mark_up(b, &k, cx, i),
            _ => {}
        }
    }

    fn timeout(&mut self, cx: &mut Cx<Self>, client: NodeId, job: u64, attempt: u32) {
        let k = self.k.clone();
        let Part::Balancer(b) = &mut self.part else { return };
        let Some(out) = b.outstanding.get(&(client, job)) else { return };
        if out.attempt != attempt {
            return;
        }
        let dead = out.at;
        cx.note(format!("no answer from server {} in time: marks it dead", k.server_node(dead)));
        Arc::make_mut(&mut b.view)[dead] = View { dead: true, active: 0 };
        let moved: Vec<(Key, Out)> =
            b.outstanding.iter().filter(|(_, o)| o.at == dead).map(|(k, o)| (*k, o.clone())).collect();
        for (key, o) in moved {
            b.outstanding.remove(&key);
            cx.cancel_timer(Timer::Timeout { client: key.0, job: key.1, attempt: o.attempt });
            let task = Task { key, label: o.label, work: o.work, prev: Some(dead), attempt: o.attempt + 1 };
            Self::dispatch(b, &k, cx, task);
        }
    }

    fn probe(&mut self, cx: &mut Cx<Self>) {
        let k = self.k.clone();
        let Part::Balancer(b) = &mut self.part else { return };
        if b.waiting.is_empty() {
            b.probing = false;
            return;
        }
        for i in (0..b.view.len()).filter(|&i| b.view[i].dead) {
            cx.send(k.server_node(i), Msg::Ping);
        }
        cx.set_timer(k.timeout, Timer::Probe);
    }

    // ----- a server -------------------------------------------------------

    fn server_msg(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        let Part::Server { running, .. } = &mut self.part else { return };
        match msg {
            Msg::Forward { client, job, label, work, attempt } => {
                let key = ((client, job), attempt);
                if running.contains_key(&key) {
                    return;
                }
                running.insert(key, label);
                cx.set_timer(work, Timer::Work { client, job, attempt });
            }
            Msg::Ping => cx.send(from, Msg::Hello),
            _ => {}
        }
    }
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Summary = Sum;

    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        if let Part::Balancer(b) = &mut self.part {
            b.batch.clear();
        }
        match self.part {
            Part::Client { .. } => self.client_msg(cx, msg),
            Part::Balancer(_) => self.balancer_msg(cx, from, msg),
            Part::Server { .. } => self.server_msg(cx, from, msg),
        }
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        if let Part::Balancer(b) = &mut self.part {
            b.batch.clear();
        }
        match timer {
            Timer::Timeout { client, job, attempt } => self.timeout(cx, client, job, attempt),
            Timer::Probe => self.probe(cx),
            Timer::Retry => {
                self.resend_unanswered(cx);
                if let Part::Client { open, .. } = &self.part
                    && !open.is_empty()
                {
                    cx.set_timer(self.k.retry, Timer::Retry);
                }
            }
            Timer::Work { client, job, attempt } => {
                let Part::Server { running, completed } = &mut self.part else { return };
                if let Some(label) = running.remove(&((client, job), attempt)) {
                    *completed += 1;
                    cx.send(self.k.balancer(), Msg::Done { client, job, label, attempt });
                }
            }
        }
    }

    fn on_request(&mut self, cx: &mut Cx<Self>, req: Request) {
        let (retry, default_work, balancer) = (self.k.retry, self.k.work, self.k.balancer());
        let Part::Client { jobs, open, .. } = &mut self.part else {
            cx.note("only a client submits jobs");
            return;
        };
        let work = req.work.unwrap_or(default_work);
        let first_open = open.is_empty();
        open.insert(jobs.len());
        jobs.push(Job { label: req.label.clone(), work, answer: None });
        let job = jobs.len() as u64;
        cx.send(balancer, Msg::Job { job, label: req.label, work });
        if retry > 0 && first_open {
            cx.set_timer(retry, Timer::Retry);
        }
    }

    fn on_recover(&mut self, cx: &mut Cx<Self>) {
        match &self.part {
            Part::Client { open, .. } => {
                let open = !open.is_empty();
                self.resend_unanswered(cx);
                if self.k.retry > 0 && open {
                    cx.set_timer(self.k.retry, Timer::Retry);
                }
            }
            Part::Balancer(_) => {
                for c in 0..self.k.clients {
                    cx.send(c, Msg::Restart);
                }
            }
            Part::Server { .. } => cx.send(self.k.balancer(), Msg::Hello),
        }
    }

    fn recovered(&self) -> Self {
        let mut fresh = self.clone();
        match &mut fresh.part {
            // A client's job table is on stable storage.
            Part::Client { .. } => {}
            Part::Balancer(b) => {
                let (servers, forwards) = (b.view.len(), b.forwards);
                let Part::Balancer(nb) = Node::new(self.id, self.k.clients + 1 + servers, self.k.clone()).part else {
                    unreachable!("node {} is the balancer", self.id)
                };
                *b = nb;
                // A count for the monitor, not state.
                b.forwards = forwards;
            }
            Part::Server { running, .. } => running.clear(),
        }
        fresh
    }

    fn summary(&self) -> Sum {
        match &self.part {
            Part::Client { jobs, open, answers, last } => Sum::Client {
                submitted: jobs.len() as u64,
                answers: *answers,
                last: last.clone(),
                waiting: open.len() as u32,
            },
            Part::Balancer(b) => Sum::Balancer {
                view: b.view.clone(),
                batch: b.batch.clone(),
                forwards: b.forwards,
                queued: b.waiting.len() as u32,
            },
            Part::Server { running, completed } => Sum::Server { running: running.len() as u32, completed: *completed },
        }
    }

    fn inspect(&self) -> Vec<Row> {
        let k = &self.k;
        let mut rows = Vec::new();
        match &self.part {
            Part::Client { jobs, open, answers, .. } => {
                rows.push(Row::new("role", format!("client of {}", k.balancer())));
                rows.push(Row::new("jobs", jobs.len()));
                rows.push(Row::new("waiting", listing(open.iter().map(|&i| jobs[i].label.clone()), 12)));
                rows.push(Row::new(
                    "responses",
                    listing(jobs.iter().filter_map(|j| j.answer.map(|s| format!("{}←{s}", j.label))), 12),
                ));
                rows.push(Row::new("accepted", answers));
            }
            Part::Balancer(b) => {
                rows.push(Row::new("role", "balancer"));
                rows.push(Row::new("policy", POLICIES[k.policy as usize]));
                if k.policy == Policy::RoundRobin {
                    rows.push(Row::new("next (rr)", k.server_node(b.pointer % b.view.len().max(1))));
                }
                rows.push(Row::new(
                    "servers up",
                    listing((0..b.view.len()).filter(|&i| !b.view[i].dead).map(|i| k.server_node(i).to_string()), 12),
                ));
                rows.push(Row::new(
                    "marked dead",
                    listing((0..b.view.len()).filter(|&i| b.view[i].dead).map(|i| k.server_node(i).to_string()), 12),
                ));
                rows.push(Row::new(
                    "active",
                    listing(
                        (0..b.view.len())
                            .filter(|&i| b.view[i].active > 0)
                            .map(|i| format!("{}:{}", k.server_node(i), b.view[i].active)),
                        12,
                    ),
                ));
                rows.push(Row::new(
                    "outstanding",
                    listing(
                        b.outstanding
                            .values()
                            .map(|o| format!("{}→{} try {}", o.label, k.server_node(o.at), o.attempt)),
                        8,
                    ),
                ));
                rows.push(Row::new("queued", listing(b.waiting.iter().map(|w| w.label.clone()), 8)));
                rows.push(Row::new("answered", b.answered.len()));
                rows.push(Row::new("timeout", format!("{} ms + work", time_ms(k.timeout))));
            }
            Part::Server { running, completed } => {
                rows.push(Row::new("role", format!("server of {}", k.balancer())));
                rows.push(Row::new(
                    "running",
                    listing(running.iter().map(|(((c, j), a), l)| format!("{l} (#{j} of {c}, try {a})")), 8),
                ));
                rows.push(Row::new("completed", completed));
            }
        }
        match k.variant {
            Variant::Correct => {}
            Variant::NoSkip => rows.push(Row::new("variant", "no-skip (BROKEN)")),
            Variant::NoDedup => rows.push(Row::new("variant", "no-dedup (BROKEN)")),
        }
        rows
    }
}

/// Invariants, from the summaries: `no-send-to-known-dead` (every forward
/// goes to a server the balancer believes up, in its view after the
/// event), `exactly-one-response` (no job is answered twice at its client;
/// at quiescence, with the client, the balancer and a server up, every job
/// is answered), `round-robin-order` (round robin and nothing failed yet:
/// the k-th forward goes to server k mod S).
pub struct Check {
    k: Arc<Knobs>,
    servers: usize,
    /// Labels forwarded to each server, in order (retries included).
    assigned: Vec<Vec<String>>,
    done: Vec<u64>,
    /// Responses accepted per job.
    responses: BTreeMap<Key, u32>,
    /// Per client: its jobs with at least one response (what quiescence
    /// compares with `submitted` before looking for the missing ones).
    answered: Vec<u64>,
    answers: Vec<(NodeId, Answer)>,
    retries: Vec<Fwd>,
    /// Nothing failed yet (no crash, no dead mark): round-robin order holds.
    clean: bool,
    first_forwards: u64,
    last: Option<usize>,
}

impl Check {
    fn balancer_changed(&mut self, w: &World<Node>, old: Option<&Sum>, out: &mut Vec<Violation>) {
        let Sum::Balancer { view, batch, forwards, .. } = &w.summaries[self.k.balancer()] else { return };
        let before = match old {
            Some(Sum::Balancer { forwards, .. }) => *forwards,
            _ => 0,
        };
        if view.iter().any(|v| v.dead) {
            self.clean = false;
        }
        // A batch is new only when the forward count moved.
        if *forwards == before {
            return;
        }
        for f in batch {
            let i = f.to - self.k.clients - 1;
            self.assigned[i].push(f.label.clone());
            self.last = Some(i);
            if view[i].dead {
                out.push(w.violation(
                    NO_SEND_TO_KNOWN_DEAD.name,
                    format!("the balancer forwarded {} to server {}, which it has marked dead", f.label, f.to),
                ));
            }
            if f.attempt > 1 {
                self.retries.push(f.clone());
            } else {
                if self.clean && self.k.policy == Policy::RoundRobin {
                    let want = self.first_forwards as usize % self.servers;
                    if i != want {
                        out.push(w.violation(
                            ROUND_ROBIN_ORDER.name,
                            format!(
                                "job {} went to server {}, but the rotation is at server {}",
                                f.label,
                                f.to,
                                self.k.server_node(want)
                            ),
                        ));
                    }
                }
                self.first_forwards += 1;
            }
        }
    }
}

impl Monitor<Node> for Check {
    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let mut out = Vec::new();
        match change {
            Change::Summary(x) => match &w.summaries[x] {
                Sum::Balancer { .. } => self.balancer_changed(w, old, &mut out),
                Sum::Client { answers, last: Some(a), .. } => {
                    let before = match old {
                        Some(Sum::Client { answers, .. }) => *answers,
                        _ => 0,
                    };
                    if *answers > before {
                        let n = self.responses.entry((x, a.job)).or_insert(0);
                        *n += 1;
                        if *n == 1 {
                            self.answered[x] += 1;
                        }
                        if *n > 1 {
                            out.push(w.violation(
                                EXACTLY_ONE_RESPONSE.name,
                                format!("client {x} got {n} responses to job {} (#{})", a.label, a.job),
                            ));
                        }
                        if let Some(i) = a.server.checked_sub(self.k.clients + 1).filter(|&i| i < self.servers) {
                            self.done[i] += 1;
                        }
                        self.answers.push((x, a.clone()));
                    }
                }
                _ => {}
            },
            Change::Crash(_) => self.clean = false,
            Change::Recover(_) | Change::Links => {}
        }
        out
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        let b = self.k.balancer();
        if !w.alive[b] || !(0..self.servers).any(|i| w.alive[self.k.server_node(i)]) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for c in w.live().filter(|&c| c < self.k.clients) {
            if let Sum::Client { submitted, .. } = &w.summaries[c]
                && self.answered[c] < *submitted
            {
                let missing: Vec<u64> = (1..=*submitted).filter(|j| !self.responses.contains_key(&(c, *j))).collect();
                if !missing.is_empty() {
                    out.push(w.violation(
                        EXACTLY_ONE_RESPONSE.name,
                        format!("client {c} never got a response to job numbers {missing:?}"),
                    ));
                }
            }
        }
        out
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        let assignments: serde_json::Map<String, serde_json::Value> = self
            .assigned
            .iter()
            .enumerate()
            .map(|(i, a)| (self.k.server_node(i).to_string(), serde_json::json!(a)))
            .collect();
        let dead: Vec<NodeId> = match &w.summaries[self.k.balancer()] {
            Sum::Balancer { view, .. } => {
                (0..view.len()).filter(|&i| view[i].dead).map(|i| self.k.server_node(i)).collect()
            }
            _ => Vec::new(),
        };
        serde_json::json!({
            "assignments": assignments,
            "responses": self.answers.iter().map(|(c, a)| serde_json::json!({
                "client": c, "job": a.job, "label": a.label, "server": a.server
            })).collect::<Vec<_>>(),
            "retries": self.retries.iter().map(|f| serde_json::json!({
                "client": f.client, "job": f.job, "label": f.label, "from": f.prev, "to": f.to, "attempt": f.attempt
            })).collect::<Vec<_>>(),
            "dead": dead,
        })
    }

    fn status(&self, w: &World<Node>) -> Option<String> {
        let b = self.k.balancer();
        if !w.alive[b] {
            return Some(format!("balancer {b} crashed: no job gets through"));
        }
        match &w.summaries[b] {
            Sum::Balancer { queued, .. } if *queued > 0 => Some(format!("no server up: {queued} jobs wait")),
            _ => None,
        }
    }

    fn table(&self, w: &World<Node>) -> Option<Table> {
        let Sum::Balancer { view, .. } = &w.summaries[self.k.balancer()] else { return None };
        let mut t = Table::new(
            format!("servers ({})", POLICIES[self.k.policy as usize]),
            &["srv", "state", "active", "done", "w", "assigned"],
        );
        for (i, v) in view.iter().enumerate() {
            let node = self.k.server_node(i);
            let state = match (v.dead, w.alive[node]) {
                (true, _) => "dead",
                (false, true) => "up",
                (false, false) => "up?",
            };
            let jobs = self.assigned[i].join(" ");
            t.row(vec![
                node.to_string(),
                state.into(),
                v.active.to_string(),
                self.done[i].to_string(),
                self.k.weights[i].to_string(),
                if jobs.is_empty() { "-".into() } else { jobs },
            ]);
            if v.dead {
                t.flagged.push(i);
            }
        }
        t.highlight = self.last;
        Some(t)
    }

    fn inspect(&self, _w: &World<Node>, node: NodeId) -> Vec<Row> {
        match node.checked_sub(self.k.clients + 1).filter(|&i| i < self.servers) {
            Some(i) => vec![Row::new("assigned", listing(self.assigned[i].iter().cloned(), 12))],
            None => Vec::new(),
        }
    }
}

pub struct LoadBalancer;

/// The balancer forwards only to servers it believes up.
pub const NO_SEND_TO_KNOWN_DEAD: Property =
    Property::safety("no-send-to-known-dead", "every FORWARD goes to a server that is up in the balancer's own view");

/// One response per job.
pub const EXACTLY_ONE_RESPONSE: Property = Property::safety(
    "exactly-one-response",
    "no job is answered twice at its client, and at quiescence, with the client, the balancer and a server up, \
        every job has been answered",
);

/// Round robin takes the servers in turn.
pub const ROUND_ROBIN_ORDER: Property = Property::safety(
    "round-robin-order",
    "under round robin, until the first crash or dead mark, the k-th job goes to server k mod S",
);

static CARD: Card = Card {
    name: "load-balancer",
    title: "Load balancer",
    family: Family::ClientServer,
    about: "clients submit jobs to a balancer that forwards them to servers by round robin (the seed's processes \
        1..10 over 4 servers), least connections or weights; a crashed server is detected by a timeout, skipped, \
        and its jobs retried elsewhere; a table pane of per-server assignments and load",
    description: "Clients hand jobs to one balancer, which forwards each to a server by a policy; the server runs \
        it for its work time and answers, and the balancer returns the answer to the client: JOB, FORWARD, DONE, \
        REPLY, 4 messages per job. Policies: `round-robin` (a rotation pointer; with `fifo on`, `submit 1` … \
        `submit 10` over 4 servers gives the seed's lists [1,5,9] [2,6,10] [3,7] [4,8]), `least-connections` \
        (fewest jobs outstanding, lowest id on a tie) and `weighted` (smooth weighted round robin over `weights`: \
        3,1,1,1 gives 0 1 0 2 3 0 per six jobs). Failure detection is a timeout: a FORWARD without DONE after \
        `timeout` ms plus its work time marks the server dead; the balancer skips it from then on and forwards \
        its jobs to another server (attempt 2, 3…). A dead-marked server rejoins when it announces itself (HELLO, \
        sent when it recovers) or when a late DONE shows it was alive; while no server is believed up, jobs wait \
        and the balancer PINGs the dead-marked servers every `timeout` ms. Jobs are numbered per client, so a \
        late or duplicated DONE is ignored, a repeated JOB of an answered job gets its cached REPLY again and the \
        client takes only the first REPLY. A crashed balancer forgets everything and on recovery sends RESTART, \
        and the clients re-send their unanswered jobs (a client keeps its job table across a crash); `retry` \
        makes clients re-send unanswered jobs. The table pane lists every server: its state as the balancer \
        believes it, its active jobs, the responses it gave, its weight and the labels assigned to it. \
        Inspector: the balancer's rotation pointer, dead marks and outstanding jobs with their server and \
        attempt; a server's running jobs; a client's waiting jobs and responses.",
    seeds: "000",
    nodes: NodeRange { default: 6, min: 3, max: 4096 },
    roles: &[
        RoleCard { name: "client", help: "nodes 0..clients: submit jobs and take their responses" },
        RoleCard { name: "balancer", help: "node `clients`: forwards each job to a server by the policy" },
        RoleCard { name: "server", help: "every node after the balancer: runs the jobs it is given" },
    ],
    verbs: &[VerbCard {
        name: "submit",
        args: &[
            ArgCard::new("P", Kind::Word),
            ArgCard { name: "C", kind: Kind::Node(Some("client")), optional: true },
            ArgCard::optional("MS", Kind::Ms { min: 0, max: MAX_MS }),
        ],
        help: "client C (default 0) hands the balancer job P (a label), running MS ms (default `work`)",
    }],
    params: &[
        ParamCard {
            key: "clients",
            kind: Kind::Int { min: 1, max: 4094 },
            default: "1",
            help: "client nodes 0..clients; the next node is the balancer, the rest servers",
        },
        ParamCard {
            key: "policy",
            kind: Kind::Choice(&POLICIES),
            default: "round-robin",
            help: "how the balancer picks a server",
        },
        ParamCard {
            key: "weights",
            kind: Kind::Word,
            default: "1,…",
            help: "server weights for `weighted`, e.g. 3,1,1,1 (one positive whole number per server)",
        },
        cs::ms_param("work", "10", "ms a server takes for a job (`submit P C MS` overrides)"),
        cs::timeout_param(
            "timeout",
            "50",
            "ms beyond its work time before a FORWARD without DONE marks the server dead",
        ),
        cs::ms_param("retry", "0", "ms before a client re-sends unanswered jobs (0: never)"),
        VARIANT,
    ],
    variants: &[
        VariantCard {
            name: "correct",
            help: "skips the servers it has marked dead; answers each job once",
            breaks: &[],
        },
        VariantCard {
            name: "no-skip",
            help: "marks dead servers but keeps them in the rotation",
            breaks: &[NO_SEND_TO_KNOWN_DEAD.name],
        },
        VariantCard {
            name: "no-dedup",
            help: "checks no job numbers: a late DONE is answered again and the client takes both",
            breaks: &[EXACTLY_ONE_RESPONSE.name],
        },
    ],
    properties: &[NO_SEND_TO_KNOWN_DEAD, EXACTLY_ONE_RESPONSE, ROUND_ROBIN_ORDER],
    results: &[
        FieldCard {
            key: "assignments",
            help: "per server node: the job labels forwarded to it, in order (retries included)",
        },
        FieldCard {
            key: "responses",
            help: "responses the clients accepted, in order: client, job number, label, server",
        },
        FieldCard {
            key: "retries",
            help: "jobs forwarded again after a server was marked dead: client, job, label, from, to, attempt",
        },
        FieldCard { key: "dead", help: "servers the balancer believes dead now" },
    ],
    scripts: &[
        ScriptCard {
            file: "load-balancer.dl",
            about: "the seed's processes 1..10 round robin over 4 servers: `[1,5,9] [2,6,10] [3,7] [4,8]` in the \
                table pane and `assignments`, 40 messages; server 3 crashes, job 14 times out there and is retried \
                on server 4 with exactly one response; the rotation skips server 3 until its HELLO",
        },
        ScriptCard {
            file: "load-balancer-broken.dl",
            about: "a balancer that marks server 3 dead but keeps it in the rotation: job 9 is forwarded to it \
                (`no-send-to-known-dead`)",
        },
    ],
    action: "submit a job",
};

impl Algorithm for LoadBalancer {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let clients = params.num::<usize>("clients", 1)?;
        if clients + 2 > n {
            return Err(format!("clients={clients}: need at least 1 client, the balancer and 1 server in {n} nodes"));
        }
        let servers = n - clients - 1;
        let weights: Vec<u32> = match params.get("weights") {
            None => vec![1; servers],
            Some(v) => {
                let w: Vec<u32> = v
                    .split(',')
                    .map(|x| x.trim().parse::<u32>().ok().filter(|&w| w > 0))
                    .collect::<Option<_>>()
                    .ok_or_else(|| format!("parameter weights={v}: expected positive whole numbers like 3,1,1,1"))?;
                if w.len() != servers {
                    return Err(format!("parameter weights={v}: {} weights for {servers} servers", w.len()));
                }
                w
            }
        };
        let policy = match params.choice("policy", &POLICIES)? {
            0 => Policy::RoundRobin,
            1 => Policy::LeastConnections,
            _ => Policy::Weighted,
        };
        let variant = [Variant::Correct, Variant::NoSkip, Variant::NoDedup][params.variant(&CARD)?];
        let k = Arc::new(Knobs {
            clients,
            policy,
            weights,
            work: ms_param(params, "work", 10)?,
            timeout: ms_param(params, "timeout", 50)?,
            retry: ms_param(params, "retry", 0)?,
            variant,
        });
        let nodes = (0..n).map(|i| Node::new(i, n, k.clone())).collect();
        let check = Check {
            k,
            servers,
            assigned: vec![Vec::new(); servers],
            done: vec![0; servers],
            responses: BTreeMap::new(),
            answered: vec![0; clients],
            answers: Vec::new(),
            retries: Vec::new(),
            clean: true,
            first_forwards: 0,
            last: None,
        };
        Ok((nodes, Box::new(check)))
    }

    /// Clients, the balancer, servers: as [`Node::new`] lays them out.
    fn node_roles(n: usize, params: &Params) -> Vec<&'static str> {
        let clients = params.num::<usize>("clients", 1).unwrap_or(1);
        (0..n)
            .map(|i| match i.cmp(&clients) {
                std::cmp::Ordering::Less => "client",
                std::cmp::Ordering::Equal => "balancer",
                std::cmp::Ordering::Greater => "server",
            })
            .collect()
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        if verb != "submit" {
            return Err(format!("unknown verb {verb:?}"));
        }
        let label = args.text(0).unwrap_or_default().to_string();
        Ok((args.opt_node(1).unwrap_or(0), Request { label, work: args.time(2) }))
    }

    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        match s {
            Sum::Client { submitted, .. } => {
                Some(Input::Verb { verb: "submit".into(), args: vec![(submitted + 1).to_string(), node.to_string()] })
            }
            _ => None,
        }
    }
}
