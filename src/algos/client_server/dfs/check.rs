//! dfs: the monitor. `acked-write-readable` and `listing-complete` from
//! what each client started and finished, `replicas-equal` over the
//! servers' files at quiescence, `names-valid` on every file a server
//! stores; the screens pane and the result.

use super::names::{check_name, letter, replicas_of};
use super::node::Node;
use super::{
    ACKED_WRITE_READABLE, LISTING_COMPLETE, NAMES_VALID, OpStart, Outcome, REPLICAS_EQUAL, SCREEN_MAX, Sum, Version,
};
use crate::engine::invariant::{Change, Monitor, Screen, Transcript, Violation, World};
use crate::engine::protocol::NodeId;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// One client operation as the result lists it.
#[derive(Clone, Debug, Hash)]
struct OpRec {
    start: OpStart,
    /// acked-write-readable: the newest acknowledged version of the name when a download started.
    need: Option<Version>,
    /// listing-complete: the names acknowledged when a listing started.
    acked_names: Vec<String>,
    outcome: Option<Outcome>,
}

#[derive(Clone)]
pub struct Check {
    servers: usize,
    replicas: usize,
    /// name → newest acknowledged version.
    acked: BTreeMap<String, Version>,
    ops: Vec<Vec<OpRec>>,
    screens: Vec<VecDeque<String>>,
    totals: Vec<usize>,
}

impl Check {
    pub fn new(n: usize, servers: usize, replicas: usize) -> Self {
        Check {
            servers,
            replicas,
            acked: BTreeMap::new(),
            ops: vec![Vec::new(); n],
            screens: vec![VecDeque::new(); n],
            totals: vec![0; n],
        }
    }
}

fn outcome_json(o: &Option<Outcome>) -> serde_json::Value {
    use serde_json::json;
    match o {
        None => json!({"outcome": null}),
        Some(Outcome::Uploaded { copies, ver }) => json!({"outcome": "ok", "copies": copies, "tag": ver.tag()}),
        Some(Outcome::Downloaded { size, ver }) => json!({"outcome": "ok", "size": size, "tag": ver.tag()}),
        Some(Outcome::NotFound) => json!({"outcome": "not-found"}),
        Some(Outcome::Listed { names, unreachable }) => {
            json!({"outcome": "ok", "names": names, "unreachable": unreachable})
        }
        Some(Outcome::Failed(e)) => json!({"outcome": "error", "error": e}),
    }
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        false
    }

    /// The acknowledged versions and each client's operations; the screens
    /// are left out.
    fn fingerprint(&self, _w: &World<Node>, mut h: &mut dyn Hasher) {
        (&self.acked, &self.ops, &self.totals).hash(&mut h);
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let Change::Summary(x) = change else { return Vec::new() };
        let s = &w.summaries[x];
        if s.server && !old.is_some_and(|o| Arc::ptr_eq(&o.files, &s.files)) {
            let new = s.files.keys().filter(|n| old.is_none_or(|o| !o.files.contains_key(*n)));
            if let Some((n, e)) = new.filter_map(|n| check_name(n).err().map(|e| (n, e))).next() {
                return vec![w.violation(NAMES_VALID.name, format!("server {} stored {n:?}: {e}", letter(x)))];
            }
        }
        for line in &s.said {
            if self.screens[x].len() == SCREEN_MAX {
                self.screens[x].pop_front();
            }
            self.screens[x].push_back(line.clone());
            self.totals[x] += 1;
        }
        let mut out = Vec::new();
        // Finished before started: one event may end one operation and start the next.
        if let Some(o) = &s.finished
            && let Some(rec) = self.ops[x].iter_mut().rev().find(|r| r.outcome.is_none())
        {
            rec.outcome = Some(o.clone());
            match o {
                Outcome::Uploaded { ver, .. } => {
                    let e = self.acked.entry(rec.start.name.clone()).or_insert(*ver);
                    *e = (*e).max(*ver);
                }
                Outcome::Downloaded { ver, .. } if rec.need.is_some_and(|n| *ver < n) => {
                    out.push(w.violation(
                        ACKED_WRITE_READABLE.name,
                        format!(
                            "client {x} downloaded {} as {}, but {} was acknowledged before",
                            rec.start.name,
                            ver.tag(),
                            rec.need.expect("some").tag()
                        ),
                    ));
                }
                Outcome::NotFound if rec.need.is_some() => {
                    out.push(w.violation(
                        ACKED_WRITE_READABLE.name,
                        format!(
                            "client {x} was told {} does not exist, but {} was acknowledged",
                            rec.start.name,
                            rec.need.expect("some").tag()
                        ),
                    ));
                }
                Outcome::Listed { names, unreachable } if unreachable.is_empty() => {
                    if let Some(m) = rec.acked_names.iter().find(|n| !names.contains(n)) {
                        out.push(w.violation(
                            LISTING_COMPLETE.name,
                            format!("client {x}'s listing misses {m}, acknowledged before it started"),
                        ));
                    }
                }
                _ => {}
            }
        }
        if let Some(st) = &s.started {
            let need = (st.op == "download").then(|| self.acked.get(&st.name).copied()).flatten();
            let acked_names = if st.op == "list" { self.acked.keys().cloned().collect() } else { Vec::new() };
            self.ops[x].push(OpRec { start: st.clone(), need, acked_names, outcome: None });
        }
        out
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        if (0..self.servers).any(|s| !w.alive[s]) || w.faults.group.is_some() || !w.faults.cut.is_empty() {
            return Vec::new();
        }
        let mut names: BTreeSet<&String> = BTreeSet::new();
        for s in 0..self.servers {
            names.extend(w.summaries[s].files.keys());
        }
        for name in names {
            let reps = replicas_of(name, self.servers, self.replicas);
            let held: Vec<(NodeId, Option<Version>)> =
                (0..self.servers).map(|s| (s, w.summaries[s].files.get(name).map(|f| f.ver))).collect();
            let first = held[reps[0]].1;
            let bad = held.iter().any(|(s, v)| if reps.contains(s) { *v != first } else { v.is_some() });
            if bad {
                let list: Vec<String> = held
                    .iter()
                    .map(|(s, v)| format!("{}: {}", letter(*s), v.map_or("-".into(), |v| v.tag())))
                    .collect();
                return vec![
                    w.violation(REPLICAS_EQUAL.name, format!("{name} differs at quiescence: {}", list.join(", "))),
                ];
            }
        }
        Vec::new()
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        use serde_json::json;
        let files: serde_json::Map<String, serde_json::Value> = (0..self.servers)
            .map(|s| {
                let list: Vec<serde_json::Value> = w.summaries[s]
                    .files
                    .iter()
                    .map(|(n, f)| json!({"name": n, "size": f.size, "tag": f.ver.tag()}))
                    .collect();
                (s.to_string(), list.into())
            })
            .collect();
        let ops: serde_json::Map<String, serde_json::Value> = (self.servers..w.n())
            .map(|c| {
                let list: Vec<serde_json::Value> = self.ops[c]
                    .iter()
                    .map(|r| {
                        let mut v = outcome_json(&r.outcome);
                        v["op"] = r.start.op.into();
                        if r.start.op != "list" {
                            v["name"] = r.start.name.clone().into();
                        }
                        v
                    })
                    .collect();
                (c.to_string(), list.into())
            })
            .collect();
        json!({"files": files, "ops": ops})
    }

    fn transcript(&self, w: &World<Node>, focus: NodeId, limit: usize, tail: usize) -> Option<Transcript> {
        let n = w.n();
        let screen = |i: NodeId| {
            if i < self.servers {
                let s = &w.summaries[i];
                let mut lines: Vec<String> =
                    s.files.iter().map(|(n, f)| format!("{n}  {} B  {}", f.size, f.ver.tag())).collect();
                if lines.is_empty() {
                    lines.push("(no files)".into());
                }
                lines.extend(s.transfers.iter().cloned());
                let total = lines.len();
                Screen {
                    node: i,
                    title: match s.files.len() {
                        1 => format!("server {} (1 file)", letter(i)),
                        k => format!("server {} ({k} files)", letter(i)),
                    },
                    lines: lines.into_iter().skip(total.saturating_sub(tail)).collect(),
                    total,
                }
            } else {
                let t = &self.screens[i];
                Screen {
                    node: i,
                    title: format!("client · {i}"),
                    lines: t.iter().skip(t.len().saturating_sub(tail)).cloned().collect(),
                    total: self.totals[i],
                }
            }
        };
        let focus = focus.min(n - 1);
        let order = std::iter::once(focus).chain((0..n).filter(|&i| i != focus));
        Some(Transcript { screens: order.take(limit).map(screen).collect(), total: n })
    }
}
