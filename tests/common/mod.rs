//! Helpers shared by the integration tests: open a scenario, feed it lines
//! of the command language, and read its history without boilerplate.
//!
//! The property tests' scaffolding (case counts, random fault schedules,
//! failure messages that reproduce the run) is in `prop`.
//!
//! Every helper but `tui_app` is synchronous: it drives the scenario's futures on a
//! per-thread current-thread tokio runtime, which is what the actor driver
//! needs (and the inline driver does not mind).

#![allow(dead_code)]

pub mod prop;

use distlab::algos;
use distlab::engine::actor::DriverKind;
use distlab::engine::input::{EvId, Input, SchedMode};
use distlab::engine::protocol::{NodeId, Role};
use distlab::engine::record::{EvKind, EventRec, Outcome};
use distlab::engine::sim::SimConfig;
use distlab::engine::trace::RunConfig;
use distlab::scenario::{InFlight, Scenario};
use distlab::script;
use distlab::tui::{App, Start, buffer_text, render_to_buffer};
use std::collections::BTreeMap;
use std::future::Future;

thread_local! {
    static RT: tokio::runtime::Runtime =
        tokio::runtime::Builder::new_current_thread().build().expect("a current-thread runtime starts");
}

/// Drive a future to completion on this thread's runtime.
pub fn block_on<F: Future>(f: F) -> F::Output {
    RT.with(|rt| rt.block_on(f))
}

/// Drive a future to completion on a fresh current-thread runtime with
/// its time and I/O drivers on.
pub fn block_on_fresh<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// A TUI app on `cfg` after the command lines `lines`; a rejected line
/// fails the test.
pub async fn tui_app(cfg: RunConfig, lines: &[&str]) -> App {
    let mut app =
        App::new(Start { config: Some(cfg), script: None, replay: None, ..Default::default() }).await.unwrap();
    for l in lines {
        app.exec(l).await.unwrap_or_else(|e| panic!("{l}: {e}"));
    }
    app
}

/// The whole screen of `app` at `w`×`h`, as text.
pub fn screen(app: &App, w: u16, h: u16) -> String {
    buffer_text(&render_to_buffer(app, w, h))
}

pub const RA: &str = "ricart-agrawala";
pub const RING: &str = "ring-election";

/// A run configuration: inline driver, logging on, timed scheduler.
pub fn config(scenario: &str, n: usize, seed: u64, params: &[(&str, &str)]) -> RunConfig {
    let mut sim = SimConfig::new(n, seed);
    sim.driver = DriverKind::Inline;
    RunConfig {
        scenario: scenario.to_string(),
        params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        sim,
    }
}

pub fn with_driver(mut cfg: RunConfig, driver: DriverKind) -> RunConfig {
    cfg.sim.driver = driver;
    cfg
}

pub fn with_sched(mut cfg: RunConfig, sched: SchedMode) -> RunConfig {
    cfg.sim.sched = sched;
    cfg
}

pub fn open(cfg: RunConfig) -> Box<dyn Scenario> {
    block_on(algos::open_run(cfg)).unwrap_or_else(|e| panic!("scenario opens: {e}"))
}

/// Parse one line of the command language and apply it.
pub fn try_line(sc: &mut dyn Scenario, line: &str) -> Result<Outcome, String> {
    match script::parse_line(line, sc)? {
        Some(input) => block_on(sc.apply(input)),
        None => Ok(Outcome::default()),
    }
}

/// Apply one line; any error fails the test, naming the line.
pub fn line(sc: &mut dyn Scenario, line: &str) -> Outcome {
    try_line(sc, line).unwrap_or_else(|e| panic!("`{line}` was rejected: {e}"))
}

/// Apply every line of a script (`;` or newlines separate commands).
pub fn lines(sc: &mut dyn Scenario, text: &str) {
    for l in text.split(['\n', ';']) {
        line(sc, l);
    }
}

pub fn apply(sc: &mut dyn Scenario, input: Input) -> Result<Outcome, String> {
    block_on(sc.apply(input))
}

/// Open a scenario and run a script on it.
pub fn run_script(cfg: RunConfig, text: &str) -> Box<dyn Scenario> {
    let mut sc = open(cfg);
    lines(sc.as_mut(), text);
    sc
}

pub fn step_back(sc: &mut dyn Scenario) -> Result<(), String> {
    block_on(sc.step_back())
}

pub fn inspect(sc: &mut dyn Scenario, node: NodeId) -> BTreeMap<String, String> {
    block_on(sc.inspect(node)).into_iter().map(|r| (r.label, r.value)).collect()
}

/// Everything pending, in id order.
pub fn in_flight(sc: &dyn Scenario) -> Vec<InFlight> {
    sc.in_flight(usize::MAX).0
}

/// The id of the only pending message of `kind` from `from` to `to`.
pub fn msg_id(sc: &dyn Scenario, kind: &str, from: NodeId, to: NodeId) -> EvId {
    let found: Vec<EvId> =
        in_flight(sc).iter().filter(|m| m.kind == kind && m.from == Some(from) && m.to == to).map(|m| m.id).collect();
    assert_eq!(found.len(), 1, "expected one {kind} {from}→{to} in flight, found {found:?} in {:#?}", in_flight(sc));
    found[0]
}

/// The id of the first pending timer of `kind` at `node`.
pub fn timer_id(sc: &dyn Scenario, kind: &str, node: NodeId) -> EvId {
    in_flight(sc)
        .iter()
        .find(|m| m.kind == kind && m.from.is_none() && m.to == node)
        .map(|m| m.id)
        .unwrap_or_else(|| panic!("no {kind} timer at node {node} in {:#?}", in_flight(sc)))
}

/// (from, to) of every delivered message of `kind`, in delivery order.
pub fn recvs(sc: &dyn Scenario, kind: &str) -> Vec<(u32, u32)> {
    sc.history()
        .iter()
        .filter_map(|e| match e.kind {
            EvKind::Recv { from, kind: k, .. } if sc.kind_name(k) == kind => Some((from, e.node)),
            _ => None,
        })
        .collect()
}

/// (from, to) of every lost message of `kind`, in order.
pub fn losses(sc: &dyn Scenario, kind: &str) -> Vec<(u32, u32)> {
    sc.history()
        .iter()
        .filter_map(|e| match e.kind {
            EvKind::Lost { from, kind: k, .. } if sc.kind_name(k) == kind => Some((from, e.node)),
            _ => None,
        })
        .collect()
}

pub fn report(sc: &dyn Scenario) -> serde_json::Value {
    sc.report()
}

/// Properties of every recorded violation.
pub fn violated(sc: &dyn Scenario) -> Vec<String> {
    sc.violations().iter().map(|v| v.property.clone()).collect()
}

pub fn roles(sc: &dyn Scenario) -> Vec<Role> {
    (0..sc.n()).map(|i| sc.role(i)).collect()
}

/// `result.cs_order` of a Ricart–Agrawala run.
pub fn cs_order(sc: &dyn Scenario) -> Vec<u64> {
    sc.report()["result"]["cs_order"]
        .as_array()
        .expect("cs_order is a list")
        .iter()
        .map(|v| v.as_u64().expect("node id"))
        .collect()
}

/// `result.entries` of a Ricart–Agrawala run as (node, ts).
pub fn entries(sc: &dyn Scenario) -> Vec<(u64, u64)> {
    sc.report()["result"]["entries"]
        .as_array()
        .expect("entries is a list")
        .iter()
        .map(|e| (e["node"].as_u64().expect("node"), e["ts"].as_u64().expect("ts")))
        .collect()
}

pub fn total_messages(sc: &dyn Scenario) -> u64 {
    sc.report()["messages"]["total"].as_u64().expect("messages.total")
}

pub fn by_kind(sc: &dyn Scenario, kind: &str) -> u64 {
    sc.report()["messages"]["by_kind"].get(kind).and_then(|v| v.as_u64()).unwrap_or(0)
}

/// Everything observable about a run's present state, for exact comparisons.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub step: u64,
    pub now: u64,
    pub history: Vec<EventRec>,
    pub in_flight: Vec<InFlight>,
    pub report: serde_json::Value,
    pub roles: Vec<Role>,
    pub badges: Vec<String>,
    pub lamport: Vec<u64>,
    pub vector: Vec<Vec<u32>>,
    pub inspect: Vec<BTreeMap<String, String>>,
}

pub fn snapshot(sc: &mut dyn Scenario) -> Snapshot {
    let n = sc.n();
    Snapshot {
        step: sc.step(),
        now: sc.now(),
        history: sc.history().to_vec(),
        in_flight: in_flight(sc),
        report: sc.report(),
        roles: roles(sc),
        badges: (0..n).map(|i| sc.badge(i)).collect(),
        lamport: (0..n).map(|i| sc.lamport(i)).collect(),
        vector: (0..n).map(|i| sc.vector(i)).collect(),
        inspect: (0..n).map(|i| inspect(sc, i)).collect(),
    }
}

/// Replay a scenario's input log on a fresh run of the same configuration.
pub fn replay_inputs(sc: &dyn Scenario) -> Box<dyn Scenario> {
    let mut fresh = open(sc.config().clone());
    for input in sc.inputs() {
        apply(fresh.as_mut(), input.clone()).unwrap_or_else(|e| panic!("replayed input `{input}` rejected: {e}"));
    }
    fresh
}

/// Vector and Lamport clocks recomputed naively from a history (one plain
/// vector per node, merged on receive); checks every Lamport value on the
/// way and returns the final vector clock of every node.
pub fn naive_clocks(history: &[EventRec], n: usize) -> Result<(Vec<Vec<u32>>, Vec<u64>), String> {
    let mut vc = vec![vec![0u32; n]; n];
    let mut lamport = vec![0u64; n];
    let mut at: Vec<Option<(Vec<u32>, u64)>> = Vec::with_capacity(history.len());
    for (i, e) in history.iter().enumerate() {
        let node = e.node as usize;
        if !e.is_node_event() {
            // Crashes and losses are not events at the node: no tick.
            if e.lamport != lamport[node] {
                return Err(format!(
                    "event {i} ({e:?}): lamport {} but node {node} is at {}",
                    e.lamport, lamport[node]
                ));
            }
            at.push(None);
            continue;
        }
        if let EvKind::Recv { send, .. } = e.kind {
            let Some(Some((sent, l))) = at.get(send as usize) else {
                return Err(format!("event {i} receives from event {send}, which is not an earlier node event"));
            };
            for (m, t) in vc[node].iter_mut().zip(sent) {
                *m = (*m).max(*t);
            }
            lamport[node] = lamport[node].max(*l);
        }
        vc[node][node] += 1;
        lamport[node] += 1;
        if e.lamport != lamport[node] {
            return Err(format!("event {i} ({e:?}): lamport {} but the rules give {}", e.lamport, lamport[node]));
        }
        at.push(Some((vc[node].clone(), lamport[node])));
    }
    Ok((vc, lamport))
}

/// The engine's present clocks agree with the naive recomputation.
pub fn check_clocks(sc: &dyn Scenario) -> Result<(), String> {
    let n = sc.n();
    let (vc, lamport) = naive_clocks(sc.history(), n)?;
    for node in 0..n {
        let got = sc.vector(node);
        if got != vc[node] {
            return Err(format!("node {node}: engine vector clock {got:?}, recomputed {:?}", vc[node]));
        }
        if sc.lamport(node) != lamport[node] {
            return Err(format!(
                "node {node}: engine lamport clock {}, recomputed {}",
                sc.lamport(node),
                lamport[node]
            ));
        }
    }
    Ok(())
}

/// For each link (from, to): the history indices of the sends of its
/// delivered messages, in delivery order.
pub fn deliveries_per_link(history: &[EventRec]) -> BTreeMap<(u32, u32), Vec<u32>> {
    let mut links: BTreeMap<(u32, u32), Vec<u32>> = BTreeMap::new();
    for e in history {
        if let EvKind::Recv { from, send, .. } = e.kind {
            links.entry((from, e.node)).or_default().push(send);
        }
    }
    links
}

/// How many deliveries overtook an earlier-sent message on the same link.
pub fn overtakes(history: &[EventRec]) -> usize {
    deliveries_per_link(history).values().map(|sends| sends.windows(2).filter(|w| w[1] < w[0]).count()).sum()
}

/// Leaders believed by the live nodes (`result.leaders` of ring election).
pub fn leaders(sc: &dyn Scenario) -> serde_json::Value {
    sc.report()["result"]["leaders"].clone()
}
