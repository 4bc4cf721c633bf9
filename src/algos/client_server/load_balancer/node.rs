//! load-balancer: the node, a client, the balancer or a server by its id
//! (clients `0..clients`, then the balancer, then the servers): jobs and
//! their numbers at a client, the balancer's policies, dead marks, retries
//! and pings, a server's running jobs.

use super::{Answer, Fwd, Key, Knobs, Msg, POLICIES, Policy, Request, Sum, Timer, Variant, View};
use crate::algos::kit::{listing, time_ms};
use crate::engine::protocol::{Cx, NodeId, Protocol, Row, Time};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
#[derive(Clone, Debug, Hash)]
struct Job {
    label: String,
    work: Time,
    answer: Option<NodeId>,
}

/// A job on its way to a server: what `dispatch` forwards or queues.
#[derive(Clone, Debug, Hash)]
struct Task {
    key: Key,
    label: String,
    work: Time,
    /// The server index it was on before (a retry).
    prev: Option<usize>,
    attempt: u32,
}

#[derive(Clone, Debug, Hash)]
struct Out {
    label: String,
    work: Time,
    /// Server index.
    at: usize,
    attempt: u32,
}

#[derive(Clone, Debug, Hash)]
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

#[derive(Clone, Debug, Hash)]
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

#[derive(Clone, Debug, Hash)]
pub struct Node {
    id: NodeId,
    k: Arc<Knobs>,
    part: Part,
}

impl Node {
    pub(super) fn new(id: NodeId, n: usize, k: Arc<Knobs>) -> Node {
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
                    cx.note(format!("ignores a second response to {label} (job {job})"));
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
                    listing(running.iter().map(|(((c, j), a), l)| format!("{l} (job {j} of {c}, try {a})")), 8),
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
