//! The choices at a state: exactly what `sched manual` and the fault keys
//! give a user. Any pending message or timer may be delivered next (under
//! FIFO links only the head of each link's messages); within the fault
//! budgets, any live node may crash, any crashed node recover, any message
//! be dropped or duplicated. Every choice is an [`Input`], so a
//! counterexample is a list of commands a lecturer can type.

use crate::engine::input::Input;
use crate::scenario::Scenario;
use std::collections::HashSet;

/// The faults the search may still add on one path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Budgets {
    pub crashes: u32,
    pub recoveries: u32,
    pub drops: u32,
    pub dups: u32,
}

impl Budgets {
    /// What is left after `input`.
    pub fn after(mut self, input: &Input) -> Budgets {
        match input {
            Input::Crash(_) => self.crashes -= 1,
            Input::Recover(_) => self.recoveries -= 1,
            Input::Drop(_) => self.drops -= 1,
            Input::Dup(_) => self.dups -= 1,
            _ => {}
        }
        self
    }
}

/// The inputs the search may apply at `sc`, in a fixed order: deliveries
/// by id, then crashes, recoveries, drops and duplicates.
pub fn choices(sc: &dyn Scenario, left: Budgets) -> Vec<Input> {
    let fifo = sc.sim_config().net.fifo;
    let pending = sc.pending_events();
    let mut out = Vec::with_capacity(pending.len());
    let mut heads = HashSet::new();
    for &(id, from, to) in &pending {
        match from {
            // Under FIFO links a message waits behind the earlier ones of its link.
            Some(from) if fifo && !heads.insert((from, to)) => {}
            _ => out.push(Input::Deliver(id)),
        }
    }
    let n = sc.n();
    if left.crashes > 0 {
        out.extend((0..n).filter(|&i| sc.alive(i)).map(Input::Crash));
    }
    if left.recoveries > 0 {
        out.extend((0..n).filter(|&i| !sc.alive(i)).map(Input::Recover));
    }
    let messages = || pending.iter().filter(|p| p.1.is_some()).map(|p| p.0);
    if left.drops > 0 {
        out.extend(messages().map(Input::Drop));
    }
    if left.dups > 0 {
        out.extend(messages().map(Input::Dup));
    }
    out
}
