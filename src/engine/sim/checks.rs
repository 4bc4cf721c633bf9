//! What the engine answers about a run: happened-before between two events
//! (`hb`, from the ground-truth vector clocks), `expect` lines, and dotted
//! paths into the summary.

use super::*;

impl<P: Protocol> Sim<P> {
    /// The ground-truth vector clocks of two history events, by one replay
    /// of the history up to the later one (queries are rare).
    pub(super) fn event_vectors(&self, a: u32, b: u32) -> [Vec<u32>; 2] {
        let mut vc = VcTracker::new(self.cfg.n);
        let mut at = |e: u32| {
            let history = self.history.records();
            vc.catch_up(&history[..=e as usize]);
            vc.vector(history[e as usize].node as usize)
        };
        if a <= b {
            let va = at(a);
            [va, at(b)]
        } else {
            let vb = at(b);
            [at(a), vb]
        }
    }

    /// Answer `hb A B` from the engine's ground truth and, when the
    /// algorithm keeps its own timestamps, from those too; a disagreement
    /// is a violation of `hb-matches-truth`.
    pub(super) fn happened_before(&mut self, a: u32, b: u32) -> String {
        let truth = self.event_vectors(a, b);
        let verdict = |va: &[u32], vb: &[u32]| relation(va, vb, a == b);
        let t = verdict(&truth[0], &truth[1]);
        let name = |r: Relation| match r {
            Relation::Same => format!("e{a} and e{b} are the same event"),
            Relation::Before => format!("e{a} → e{b}: e{a} happened before e{b}"),
            Relation::After => format!("e{b} → e{a}: e{b} happened before e{a}"),
            Relation::Concurrent => format!("e{a} ∥ e{b}: concurrent"),
        };
        let show = |v: &[u32]| format!("[{}]", v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" "));
        match (self.monitor.stamp(a), self.monitor.stamp(b)) {
            (Some(sa), Some(sb)) => {
                let own = verdict(&sa.vector, &sb.vector);
                let clocks = format!(
                    "e{a} L={} V={}, e{b} L={} V={}",
                    sa.lamport,
                    show(&sa.vector),
                    sb.lamport,
                    show(&sb.vector)
                );
                if own == t {
                    format!("hb e{a} e{b}: {} ({clocks}; the engine's ground truth agrees)", name(own))
                } else {
                    let v = Violation {
                        property: crate::engine::invariant::HB_MATCHES_TRUTH.into(),
                        step: self.step,
                        detail: format!("the algorithm's clocks say {}, the ground truth says {}", name(own), name(t)),
                        nodes: Vec::new(),
                    };
                    self.record(vec![v]);
                    format!("hb e{a} e{b}: {} ({clocks}) — WRONG, the ground truth says {}", name(own), name(t))
                }
            }
            _ => format!(
                "hb e{a} e{b}: {} (ground truth V(e{a})={}, V(e{b})={})",
                name(t),
                show(&truth[0]),
                show(&truth[1])
            ),
        }
    }

    /// Report what a monitor found, by the severity rule: a liveness
    /// property broken after a fault the algorithm does not claim to survive
    /// is a status naming that fault; anything else is a violation, once per
    /// run for the same property and nodes (at the step it first broke).
    pub(super) fn record(&mut self, found: Vec<Violation>) {
        for v in found {
            if self.severity.liveness.contains(&v.property.as_str())
                && let Some(f) = self.unclaimed_fault(&v.nodes)
            {
                let text = format!("stuck: {} — {}", v.detail, f.describe(|k| self.kind_name(k)));
                if !self.stuck.contains(&text) {
                    self.stuck.push(text);
                }
                continue;
            }
            let key = if v.nodes.is_empty() {
                (v.property.clone(), Vec::new(), v.detail.clone())
            } else {
                // The same pair, whichever way round the monitor names it.
                let mut nodes = v.nodes.clone();
                nodes.sort_unstable();
                (v.property.clone(), nodes, String::new())
            };
            if !self.reported.insert(key) {
                continue;
            }
            self.violation_count += 1;
            if self.cfg.logging || self.violations.is_empty() {
                self.push_log(false, format!("VIOLATION {}: {}", v.property, v.detail));
            }
            if self.violations.len() < VIOLATIONS_KEEP {
                self.violations.push(v);
            }
        }
    }

    /// The fault to blame for a liveness loss of `nodes`: the first the
    /// algorithm does not claim to survive that touched one of them, else
    /// the first it does not claim at all; `None` if every fault so far is
    /// claimed (then the loss is the algorithm's own: a violation).
    fn unclaimed_fault(&self, nodes: &[NodeId]) -> Option<FaultRec> {
        let mut unclaimed = self.fault_log.iter().filter(|f| !self.severity.tolerates.contains(&f.fault));
        let first = unclaimed.next()?;
        let touching = std::iter::once(first).chain(unclaimed).find(|f| nodes.iter().any(|&n| f.involves(n)));
        Some(*touching.unwrap_or(first))
    }

    pub(super) fn check_expect(&self, e: &Expect) -> Result<(), String> {
        match e {
            Expect::Ok => match self.violations.first() {
                None => Ok(()),
                Some(v) => Err(format!("{} violated at step {}", v.property, v.step)),
            },
            Expect::Role { node, role } => {
                let actual = if self.alive[*node] { self.summaries[*node].role() } else { Role::Crashed };
                let actual = actual.word(self.role_words);
                if actual == role { Ok(()) } else { Err(actual.to_string()) }
            }
            Expect::Path { path, value } => {
                let want: serde_json::Value =
                    serde_json::from_str(value).map_err(|e| format!("expected value is not JSON: {e}"))?;
                let report = self.report();
                let got = lookup(&report, path);
                match got {
                    Some(v) if *v == want => Ok(()),
                    Some(v) => Err(v.to_string()),
                    None => Err(format!("nothing at {path}")),
                }
            }
        }
    }

    // ----- small helpers ---------------------------------------------------
}

/// How two events are ordered by happened-before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    Same,
    Before,
    After,
    Concurrent,
}

fn relation(a: &[u32], b: &[u32], same: bool) -> Relation {
    let le = |x: &[u32], y: &[u32]| x.iter().zip(y).all(|(p, q)| p <= q);
    match (same, le(a, b), le(b, a)) {
        (true, _, _) => Relation::Same,
        (_, true, true) => Relation::Same,
        (_, true, false) => Relation::Before,
        (_, false, true) => Relation::After,
        _ => Relation::Concurrent,
    }
}

/// Walk a dotted path (`result.leaders.0`) into a JSON value.
pub fn lookup<'a>(v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.').try_fold(v, |v, key| match v {
        serde_json::Value::Object(m) => m.get(key),
        serde_json::Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}
