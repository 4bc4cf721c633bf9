//! The details of one event of the history, as inspector rows (a click on
//! an event in the space-time diagram shows them): its node and kind, the
//! message it received or lost (id, kind, from→to, payload text, its send
//! event), its step and virtual time, and the engine's ground-truth
//! Lamport and vector clocks. The message id and payload come from the
//! log line the engine wrote for it (`#9 0→1 ELECTION[2,4,0] delivered
//! (e12)`); the log keeps its last lines only, so an old event may say
//! its payload is no longer there.

use super::theme::fmt_ms;
use crate::engine::clocks::VcTracker;
use crate::engine::protocol::Row;
use crate::engine::record::{EvKind, EventRec, LogLine, LossWhy};
use crate::scenario::Scenario;

fn why_text(why: LossWhy) -> &'static str {
    match why {
        LossWhy::Loss => "lost on the network",
        LossWhy::Link => "lost: link down",
        LossWhy::Crash => "lost: receiver crashed",
        LossWhy::User => "dropped",
    }
}

/// The log lines written at `step` (the log is in step order).
fn lines_at(sc: &dyn Scenario, step: u64) -> impl Iterator<Item = &LogLine> {
    let log = sc.log();
    let from = log.partition_point(|l| l.step < step);
    log.range(from..).take_while(move |l| l.step == step)
}

/// `(id, payload)` of the message or timer of event `index`, from the
/// log line the engine wrote for it.
fn from_log(sc: &dyn Scenario, index: usize, e: &EventRec) -> Option<(String, String)> {
    let split = |text: &str| -> Option<(String, String)> {
        let (id, rest) = text.split_once(' ')?;
        Some((id.to_string(), rest.to_string()))
    };
    match e.kind {
        EvKind::Recv { from, .. } => {
            let tail = format!(" delivered (e{index})");
            let line = lines_at(sc, e.step).find(|l| l.text.ends_with(&tail))?;
            let (id, rest) = split(line.text.strip_suffix(&tail)?)?;
            let payload = rest.strip_prefix(&format!("{from}→{} ", e.node))?;
            Some((id, payload.to_string()))
        }
        EvKind::Timer { .. } => {
            let tail = format!(" fires at node {} (e{index})", e.node);
            let line = lines_at(sc, e.step).find(|l| l.text.ends_with(&tail))?;
            let (id, rest) = split(line.text.strip_suffix(&tail)?)?;
            Some((id, rest.strip_prefix("timer ")?.to_string()))
        }
        EvKind::Lost { from, why, .. } => {
            let link = format!("{from}→{} ", e.node);
            let tail = format!(" {}", why_text(why));
            let line = lines_at(sc, e.step).find(|l| l.text.ends_with(&tail) && l.text.contains(&link))?;
            let text = line.text.strip_suffix(&tail)?;
            let (id, payload) = text.split_once(&link)?;
            Some((id.trim().to_string(), payload.to_string()))
        }
        _ => None,
    }
}

/// What kind of event it is, in words.
fn what(sc: &dyn Scenario, e: &EventRec) -> String {
    match e.kind {
        EvKind::Start => "start".into(),
        EvKind::Recv { kind, .. } => format!("receive {}", sc.kind_name(kind)),
        EvKind::Timer { kind } => format!("timer {}", sc.kind_name(kind)),
        EvKind::Request => "request (an input)".into(),
        EvKind::Recover => "recover".into(),
        EvKind::Crash => "crash".into(),
        EvKind::Lost { kind, why, .. } => format!("{} {}", sc.kind_name(kind), why_text(why)),
    }
}

/// The node's vector clock at event `index` (at a crash or a lost
/// message: as it stood then), replayed from the history.
fn vector(sc: &dyn Scenario, index: usize, node: usize) -> Vec<u32> {
    let mut vc = VcTracker::new(sc.n());
    vc.catch_up(&sc.history()[..=index]);
    vc.vector(node)
}

/// The inspector rows of history event `index` (`eN`).
pub fn rows(sc: &dyn Scenario, index: usize) -> Vec<Row> {
    let hist = sc.history();
    let Some(e) = hist.get(index) else { return vec![Row::new("event", format!("e{index} is not in the history"))] };
    let node = e.node as usize;
    let name = if e.is_node_event() { format!("e{index}") } else { "—".to_string() };
    let mut rows = vec![Row::new("event", format!("{name} · {}", what(sc, e))), Row::new("node", node)];
    if let EvKind::Recv { from, send, kind } | EvKind::Lost { from, send, kind, .. } = e.kind {
        let log = from_log(sc, index, e);
        let id = log.as_ref().map_or("#?", |(id, _)| id.as_str());
        rows.push(Row::new("message", format!("{id} {} {from}→{node}", sc.kind_name(kind))));
        rows.push(Row::new("payload", log.map_or("no longer in the log".to_string(), |(_, p)| p)));
        if let Some(s) = hist.get(send as usize) {
            rows.push(Row::new("sent by", format!("e{send} at node {} (step {}, L{})", s.node, s.step, s.lamport)));
        }
    }
    if let (EvKind::Timer { .. }, Some((id, text))) = (e.kind, from_log(sc, index, e)) {
        rows.push(Row::new("timer", format!("{id} {text}")));
    }
    rows.push(Row::new("step", e.step));
    rows.push(Row::new("virtual time", format!("{} ms", fmt_ms(e.time))));
    let clock = if e.is_node_event() { "lamport clock" } else { "lamport (then)" };
    rows.push(Row::new(clock, e.lamport));
    let v: Vec<String> = vector(sc, index, node).iter().map(|c| c.to_string()).collect();
    let clock = if e.is_node_event() { "vector clock" } else { "vector (then)" };
    rows.push(Row::new(clock, format!("[{}]", v.join(" "))));
    if e.sends > 0 {
        let s = if e.sends == 1 { "" } else { "s" };
        rows.push(Row::new("sent", format!("{} message{s}", e.sends)));
    }
    rows.push(Row::new("back", format!("Esc or a click on a node: node {node}")));
    rows
}
