//! load-balancer: the monitor (from the summaries) and the table pane of
//! per-server assignments and load.

use super::node::Node;
use super::{
    Answer, EVERY_JOB_ANSWERED, EXACTLY_ONE_RESPONSE, Fwd, Key, Knobs, NO_SEND_TO_KNOWN_DEAD, POLICIES, Policy,
    ROUND_ROBIN_ORDER, Sum,
};
use crate::algos::kit::listing;
use crate::engine::invariant::{Change, Monitor, Table, Violation, World};
use crate::engine::protocol::{NodeId, Row};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
/// Invariants, from the summaries: `no-send-to-known-dead` (every forward
/// goes to a server the balancer believes up, in its view after the
/// event), `exactly-one-response` (no job is answered twice at its client;
/// at quiescence, with the client, the balancer and a server up, every job
/// is answered), `round-robin-order` (round robin and nothing failed yet:
/// the k-th forward goes to server k mod S).
#[derive(Clone)]
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
    /// The monitor of a run with these knobs and `servers` servers.
    pub(super) fn new(k: Arc<Knobs>, servers: usize) -> Self {
        let clients = k.clients;
        Check {
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
        }
    }

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
    fn reads_history(&self) -> bool {
        false
    }

    fn fingerprint(&self, _w: &World<Node>, mut h: &mut dyn Hasher) {
        (&self.assigned, &self.done, &self.responses, &self.answered, &self.answers, &self.retries, self.clean)
            .hash(&mut h);
        self.first_forwards.hash(&mut h);
    }

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
                                format!("client {x} got {n} responses to job {} (labelled {})", a.job, a.label),
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
                    out.push(
                        w.violation(
                            EVERY_JOB_ANSWERED.name,
                            format!("client {c} never got a response to job numbers {missing:?}"),
                        )
                        .about(&[c]),
                    );
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
