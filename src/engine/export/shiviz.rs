//! ShiViz log export. Each node event becomes two lines: a description and
//! `nodeN {"nodeN":k,...}` with its vector clock. ShiViz's own rules hold
//! by construction: a host's own entry starts at 1 and grows by exactly one
//! per event, and a receive's clock dominates the clock of its send.
//! Parse it in ShiViz with the default expression
//! `(?<event>.*)\n(?<host>\S*) (?<clock>{.*})`.

use crate::engine::clocks::VcTracker;
use crate::engine::record::{EvKind, EventRec};
use std::collections::BTreeMap;
use std::fmt::Write;

fn host(n: u32) -> String {
    format!("node{n}")
}

/// Vector clocks of every event (sparse: hosts with a non-zero entry),
/// derived from the history by the engine's own tracker. Non-node records
/// (crashes, lost messages) get `None`.
pub fn vector_clocks(events: &[EventRec], n: usize) -> Vec<Option<BTreeMap<u32, u32>>> {
    let mut tracker = VcTracker::new(n);
    (0..events.len())
        .map(|i| {
            tracker.catch_up(&events[..=i]);
            let e = &events[i];
            e.is_node_event().then(|| {
                let vc = tracker.vector(e.node as usize);
                vc.iter().enumerate().filter(|(_, v)| **v > 0).map(|(h, v)| (h as u32, *v)).collect()
            })
        })
        .collect()
}

/// The ShiViz log text. `describe` names an event (e.g. `recv REPLY from 2`).
pub fn export(events: &[EventRec], n: usize, describe: impl Fn(&EventRec) -> String) -> String {
    let clocks = vector_clocks(events, n);
    let mut out = String::new();
    for (e, vc) in events.iter().zip(&clocks) {
        let Some(vc) = vc else { continue };
        let clock: serde_json::Map<String, serde_json::Value> = vc.iter().map(|(&h, &v)| (host(h), v.into())).collect();
        let desc = describe(e).replace('\n', " ");
        let _ = writeln!(out, "{desc}");
        let _ = writeln!(out, "{} {}", host(e.node), serde_json::Value::Object(clock));
    }
    out
}

/// Describe a recorded event for humans (and ShiViz's event line).
pub fn describe(e: &EventRec, kinds: &[String]) -> String {
    let kind = |k: u16| kinds.get(k as usize).map(String::as_str).unwrap_or("?");
    match e.kind {
        EvKind::Start => format!("node {} starts", e.node),
        EvKind::Recv { from, kind: k, .. } => format!("node {} receives {} from {from}", e.node, kind(k)),
        EvKind::Timer { kind: k } => format!("node {}: {} fires", e.node, kind(k)),
        EvKind::Request => format!("node {} handles a user request", e.node),
        EvKind::Recover => format!("node {} recovers", e.node),
        EvKind::Crash => format!("node {} crashes", e.node),
        EvKind::Lost { from, kind: k, .. } => format!("{} from {from} to {} lost", kind(k), e.node),
    }
}

/// The ShiViz log of a whole trace.
pub fn export_trace(trace: &crate::engine::trace::Trace) -> String {
    let n = trace.config.sim.n;
    export(&trace.events, n, |e| format!("[step {}] {}", e.step, describe(e, &trace.kinds)))
}
