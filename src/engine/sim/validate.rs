//! Every check that can reject an input, done before anything changes:
//! a rejected input leaves the run exactly as it was.

use super::*;
use crate::engine::network::{check_latency, check_prob, check_time};

impl<P: Protocol> Sim<P> {
    /// Every check that can reject an input, done before anything changes.
    pub(super) fn validate(&self, input: &Input) -> Result<(), String> {
        let n = self.cfg.n;
        let node_ok = |x: NodeId| {
            if x < n { Ok(()) } else { Err(format!("node {x} does not exist (nodes are 0..{})", n - 1)) }
        };
        let pending_ok = |id: EvId| {
            if self.pending.contains(id) { Ok(()) } else { Err(format!("no in-flight message or timer #{id}")) }
        };
        if let Some(why) = self.stopped()
            && matches!(
                input,
                Input::Step(_)
                    | Input::Run(_)
                    | Input::Deliver(_)
                    | Input::Dup(_)
                    | Input::Recover(_)
                    | Input::Crash(_)
                    | Input::Verb { .. }
            )
        {
            return Err(format!("{why}: it takes no more steps (start a new run)"));
        }
        if let Input::Step(k) | Input::Run(Some(k)) = input {
            check_count(*k)?;
        }
        match input {
            // Under manual scheduling a `run` with nothing in flight only
            // judges the "at quiescence" properties (the model checker's
            // counterexamples end with one).
            Input::Run(_) if self.cfg.sched == SchedMode::Manual && self.pending.is_empty() => Ok(()),
            Input::Step(_) | Input::Run(_) if self.cfg.sched == SchedMode::Manual => {
                Err("manual scheduling: pick an event with `deliver ID` (or `sched timed`)".into())
            }
            Input::Deliver(id) => {
                pending_ok(*id)?;
                if self.cfg.net.fifo
                    && let Some(earlier) = self.earlier_on_link(*id)
                {
                    return Err(format!("fifo links: #{earlier} must be delivered before #{id}"));
                }
                Ok(())
            }
            Input::Drop(id) | Input::Dup(id) | Input::Delay(id, _) => {
                pending_ok(*id)?;
                if let Input::Delay(_, t) = input {
                    check_time(*t)?;
                }
                if matches!(input, Input::Dup(_))
                    && !matches!(self.pending.get(*id).map(|p| &p.kind), Some(PendingKind::Msg { .. }))
                {
                    return Err(format!("#{id} is a timer; only messages can be duplicated"));
                }
                Ok(())
            }
            Input::Crash(x) => {
                node_ok(*x)?;
                if self.alive[*x] { Ok(()) } else { Err(format!("node {x} is already crashed")) }
            }
            Input::Recover(x) => {
                node_ok(*x)?;
                if self.alive[*x] { Err(format!("node {x} is not crashed")) } else { Ok(()) }
            }
            Input::Partition(groups) => {
                let mut seen = vec![false; n];
                for &x in groups.iter().flatten() {
                    node_ok(x)?;
                    if std::mem::replace(&mut seen[x], true) {
                        return Err(format!("node {x} is in two groups"));
                    }
                }
                if groups.is_empty() {
                    Err("partition needs at least one group, e.g. `partition 0,1 2,3`".into())
                } else {
                    Ok(())
                }
            }
            Input::Cut(a, b) => {
                node_ok(*a)?;
                node_ok(*b)?;
                if a == b { Err("a link joins two different nodes".into()) } else { Ok(()) }
            }
            Input::HealLink(a, b) => {
                node_ok(*a)?;
                node_ok(*b)?;
                if a == b {
                    Err("a link joins two different nodes".into())
                } else if !self.faults.cut.contains(&(*a.min(b), *a.max(b))) {
                    Err(format!("the link {a}–{b} is not cut (`heal` with no nodes undoes partitions too)"))
                } else {
                    Ok(())
                }
            }
            Input::Checked(json) => match serde_json::from_str::<serde_json::Value>(json) {
                Ok(v) if v.is_object() => Ok(()),
                _ => Err("a check outcome is a JSON object".into()),
            },
            Input::Loss(p) | Input::DupRate(p) => check_prob(*p),
            Input::Latency(a, b) => check_latency(*a, *b),
            Input::Expect(Expect::Role { node, role }) => {
                node_ok(*node)?;
                Role::parse(self.role_words, role).map(|_| ())
            }
            Input::Verb { verb, args } => {
                let (node, _) = (self.parse_verb)(verb, args)?;
                if self.alive[node] { Ok(()) } else { Err(format!("node {node} is crashed")) }
            }
            Input::Hb(a, b) => {
                for e in [*a, *b] {
                    match self.history.get(e as usize).map(|r| &r.kind) {
                        None => {
                            return Err(format!(
                                "no event e{e} yet (events are e0..e{})",
                                self.history.len().saturating_sub(1)
                            ));
                        }
                        Some(EvKind::Lost { .. } | EvKind::Crash) => {
                            return Err(format!("e{e} is a loss or a crash, not an event of a node's own history"));
                        }
                        Some(_) => {}
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
