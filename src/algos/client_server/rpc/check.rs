//! The rpc monitor: what the server actually ran (from its summary's
//! execution log) and what each client's stub accepted, checked against an
//! independent evaluation of the call the client made.

use super::wire::{Call, Outcome, show_call, show_outcome};
use super::{AT_MOST_ONCE, CALL_COMPLETES, End, Node, REPLY_MATCHES_CALL, SERVER, Sum, semantics_name};
use crate::engine::invariant::{Change, Monitor, Violation, World};
use crate::engine::protocol::NodeId;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

#[derive(Clone, Debug, PartialEq, Hash)]
enum Status {
    Pending,
    Answered(Outcome),
    GaveUp,
    /// The client crashed before the call finished.
    Lost,
}

#[derive(Clone, Debug, Hash)]
struct Logged {
    call: Call,
    status: Status,
    attempts: u32,
}

/// Invariants: `at-most-once` (in at-most-once mode no (client, id) runs
/// twice), `reply-matches-call` (a stub's accepted result is the correct
/// result of its own call), and, with retries on, `call-completes` (at
/// quiescence no live client still waits while the server is up).
#[derive(Clone)]
pub struct Check {
    retries: bool,
    calls: Vec<Vec<Logged>>,
    /// Every execution's outcome, per (client, id).
    execs: BTreeMap<(NodeId, u64), Vec<Outcome>>,
    /// The calls run since the server last entered at-most-once mode.
    ran_at_most_once: BTreeSet<(NodeId, u64)>,
}

impl Check {
    pub fn new(n: usize, retries: bool) -> Self {
        Check { retries, calls: vec![Vec::new(); n], execs: BTreeMap::new(), ran_at_most_once: BTreeSet::new() }
    }

    fn server_changed(&mut self, w: &World<Node>, old: &Sum, s: &Sum, out: &mut Vec<Violation>) {
        if !s.at_most_once {
            self.ran_at_most_once.clear();
        }
        if s.executions <= old.executions {
            return;
        }
        let Some(e) = &s.last_exec else { return };
        let runs = self.execs.entry((e.client, e.id)).or_default();
        runs.push(e.outcome.clone());
        if s.at_most_once && !self.ran_at_most_once.insert((e.client, e.id)) {
            out.push(w.violation(
                AT_MOST_ONCE.name,
                format!(
                    "the server ran call {} of client {} again ({} times) in at-most-once mode",
                    e.id,
                    e.client,
                    runs.len()
                ),
            ));
        }
    }

    fn client_changed(&mut self, w: &World<Node>, x: NodeId, old: &Sum, s: &Sum, out: &mut Vec<Violation>) {
        if s.issued > old.issued
            && let Some(call) = &s.last_issued
        {
            self.calls[x].push(Logged { call: call.clone(), status: Status::Pending, attempts: 0 });
        }
        if s.finished <= old.finished {
            return;
        }
        let Some((id, end, attempts)) = &s.last_finished else { return };
        let Some(l) = self.calls[x].iter_mut().rev().find(|l| l.call.id == *id) else { return };
        l.attempts = *attempts;
        l.status = match end {
            End::Answered(o) => Status::Answered(o.clone()),
            End::GaveUp => Status::GaveUp,
        };
        let End::Answered(got) = end else { return };
        let wrong = match reference(&l.call) {
            Some(want) => (*got != want).then(|| format!("the correct result is {}", show_outcome(&want))),
            None => {
                let ran = self.execs.get(&(x, *id));
                (!ran.is_some_and(|r| r.contains(got))).then(|| "the server never returned that for this call".into())
            }
        };
        if let Some(why) = wrong {
            out.push(w.violation(
                REPLY_MATCHES_CALL.name,
                format!("client {x} accepted {} as the result of {}; {why}", show_outcome(got), show_call(&l.call)),
            ));
        }
    }
}

/// The result a call must have, computed apart from the server (on i128,
/// then range-checked); `None` for `deposit`, whose result depends on the
/// balance (checked against what the server returned for that call).
pub fn reference(call: &Call) -> Option<Outcome> {
    let f = call.function.as_str();
    let op: fn(i128, i128) -> Option<i128> = match f {
        "add" => |a, b| Some(a + b),
        "subtract" => |a, b| Some(a - b),
        "multiply" => |a, b| Some(a * b),
        "divide" => |a, b| (b != 0).then(|| a / b),
        "deposit" => return None,
        _ => return Some(Err(format!("Function {f} not found"))),
    };
    let [a, b] = call.args[..] else {
        return Some(Err(format!("{f} takes 2 arguments, not {}", call.args.len())));
    };
    Some(match op(a as i128, b as i128) {
        None => Err("division by zero".into()),
        Some(v) => i64::try_from(v).map_err(|_| "integer overflow (i64)".into()),
    })
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        false
    }

    fn fingerprint(&self, _w: &World<Node>, mut h: &mut dyn Hasher) {
        (&self.calls, &self.execs, &self.ran_at_most_once).hash(&mut h);
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let mut out = Vec::new();
        match change {
            Change::Summary(x) => {
                let s = &w.summaries[x];
                let Some(o) = old else { return out };
                if x == SERVER {
                    self.server_changed(w, o, s, &mut out);
                } else {
                    self.client_changed(w, x, o, s, &mut out);
                }
            }
            Change::Crash(x) => {
                for l in self.calls[x].iter_mut().filter(|l| l.status == Status::Pending) {
                    l.status = Status::Lost;
                }
            }
            Change::Recover(_) | Change::Links => {}
        }
        out
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        if !self.retries || !w.alive[SERVER] {
            return Vec::new();
        }
        w.live()
            .filter(|&x| x != SERVER)
            .filter_map(|x| {
                let l = self.calls[x].iter().find(|l| l.status == Status::Pending)?;
                Some(
                    w.violation(
                        CALL_COMPLETES.name,
                        format!("client {x} waits for a reply to {} that will never come", show_call(&l.call)),
                    )
                    .about(&[x]),
                )
            })
            .collect()
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        let mut calls = serde_json::Map::new();
        for (x, list) in self.calls.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
            let rows: Vec<serde_json::Value> = list
                .iter()
                .map(|l| {
                    let mut r = json!({
                        "id": l.call.id,
                        "function": l.call.function,
                        "args": l.call.args,
                        "attempts": l.attempts,
                    });
                    let status = match &l.status {
                        Status::Pending => "pending",
                        Status::Answered(Ok(v)) => {
                            r["result"] = json!(v);
                            "ok"
                        }
                        Status::Answered(Err(e)) => {
                            r["error"] = json!(e);
                            "error"
                        }
                        Status::GaveUp => "gave-up",
                        Status::Lost => "lost",
                    };
                    r["status"] = json!(status);
                    r
                })
                .collect();
            calls.insert(x.to_string(), rows.into());
        }
        let executions: Vec<serde_json::Value> =
            self.execs.iter().map(|((c, id), runs)| json!({ "client": c, "id": id, "times": runs.len() })).collect();
        let s = &w.summaries[SERVER];
        json!({
            "calls": calls,
            "executions": executions,
            "balance": s.balance,
            "semantics": semantics_name(s.at_most_once),
        })
    }

    fn status(&self, w: &World<Node>) -> Option<String> {
        if w.alive[SERVER] {
            return None;
        }
        let waiting = w.live().filter(|&x| w.summaries[x].waiting > 0).count();
        Some(format!("server {SERVER} crashed: calls go unanswered, {waiting} clients waiting"))
    }
}
