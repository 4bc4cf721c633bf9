//! Every scenario works at the ends of the node range its card documents,
//! with its default parameters: at `nodes.min` it opens, its action (the
//! TUI's action key, a verb with valid node arguments) is taken at every
//! node that has one, and the run ends without an error or a violation of
//! the correct algorithm; at `nodes.max` it opens and takes a few steps.
//!
//! `distlab run dfs --nodes 2` once failed here: the default two servers
//! left no node for a client.

mod common;

use common::*;
use distlab::algos;
use distlab::engine::input::Input;
use distlab::engine::record::EvKind;
use distlab::scenario::Scenario;
use serde_json::json;

/// Deliveries a run at the minimum may take (every scenario's defaults
/// settle in far fewer; a periodic one stops here).
const RUN_STEPS: u64 = 5_000;

/// Open `name` at `n` nodes with no parameters.
fn open_at(name: &str, n: usize) -> Result<Box<dyn Scenario>, String> {
    block_on(algos::open_run(config(name, n, 1, &[])))
}

/// The run's violations and failed expectations, as sentences.
fn complaints(sc: &dyn Scenario) -> Vec<String> {
    let mut out: Vec<String> = sc.violations().iter().map(|v| format!("{}: {}", v.property, v.detail)).collect();
    out.extend(sc.failed_expectations().iter().map(|f| format!("{f:?}")));
    out
}

/// Everything wrong with `name` at its minimum node count `n`, as sentences.
fn problems_at_minimum(name: &str, n: usize) -> Vec<String> {
    let mut sc = match open_at(name, n) {
        Ok(sc) => sc,
        Err(e) => return vec![format!("does not open at its minimum of {n} nodes: {e}")],
    };
    let mut out = Vec::new();
    // What the defaults start by themselves (a writer writing) settles first.
    if let Err(e) = apply(sc.as_mut(), Input::Run(Some(RUN_STEPS))) {
        out.push(format!("at {n} nodes, the first `run` fails: {e}"));
    }
    let mut acted = 0;
    // Last node first: clients act before the server a scenario puts at node 0.
    for node in (0..n).rev() {
        let Some(input) = sc.action(node) else { continue };
        match apply(sc.as_mut(), input.clone()) {
            Ok(_) => acted += 1,
            Err(e) => out.push(format!("at {n} nodes, node {node}'s action `{input}` is refused: {e}")),
        }
        if let Err(e) = apply(sc.as_mut(), Input::Run(Some(RUN_STEPS))) {
            out.push(format!("at {n} nodes, `run` after node {node}'s action fails: {e}"));
        }
    }
    if acted == 0 {
        out.push(format!("at {n} nodes, no node has an action"));
    }
    // Each action reached its node as a request.
    let requests = sc.history().iter().filter(|e| matches!(e.kind, EvKind::Request)).count();
    if requests != acted {
        out.push(format!("at {n} nodes, {acted} actions but {requests} requests in the history"));
    }
    out.extend(complaints(sc.as_ref()).into_iter().map(|c| format!("at {n} nodes: {c}")));
    out
}

#[test]
fn every_scenario_runs_at_its_minimum_node_count_with_its_defaults() {
    let mut report = Vec::new();
    for e in algos::all() {
        let card = e.card;
        for p in problems_at_minimum(card.name, card.nodes.min) {
            report.push(format!("{}: {p}", card.name));
        }
    }
    assert!(report.is_empty(), "scenarios that fail at their documented minimum:\n  {}", report.join("\n  "));
}

#[test]
fn every_scenario_opens_and_steps_at_its_maximum_node_count() {
    let mut report = Vec::new();
    for e in algos::all() {
        let card = e.card;
        let n = card.nodes.max;
        let mut sc = match open_at(card.name, n) {
            Ok(sc) => sc,
            Err(err) => {
                report.push(format!("{}: does not open at its maximum of {n} nodes: {err}", card.name));
                continue;
            }
        };
        assert_eq!(sc.n(), n, "{}", card.name);
        // The last node's action, if it has one, then a few deliveries.
        if let Some(input) = sc.action(n - 1)
            && let Err(err) = apply(sc.as_mut(), input.clone())
        {
            report.push(format!("{}: at {n} nodes, node {}'s action `{input}` is refused: {err}", card.name, n - 1));
        }
        if let Err(err) = apply(sc.as_mut(), Input::Step(20)) {
            report.push(format!("{}: at {n} nodes, `step 20` fails: {err}", card.name));
        }
        for c in complaints(sc.as_ref()) {
            report.push(format!("{}: at {n} nodes: {c}", card.name));
        }
    }
    assert!(report.is_empty(), "scenarios that fail at their documented maximum:\n  {}", report.join("\n  "));
}

/// The test has teeth: a node count below a card's minimum is refused
/// with the card's range, and dfs at its minimum is a server and a client.
#[test]
fn below_the_minimum_is_refused_and_dfs_at_two_nodes_has_a_client() {
    for e in algos::all() {
        let card = e.card;
        if card.nodes.min > 1 {
            let n = card.nodes.min - 1;
            let err = open_at(card.name, n).err().unwrap_or_else(|| panic!("{} opened at {n} nodes", card.name));
            assert_eq!(err, format!("{} runs with {} to {} nodes, not {n}", card.name, card.nodes.min, card.nodes.max));
        }
    }
    // dfs at 2 nodes: one server A holding the only copy, one client.
    let mut sc = open_at("dfs", 2).expect("dfs opens at 2 nodes");
    assert_eq!((sc.node_role(0), sc.node_role(1)), ("server", "client"));
    lines(sc.as_mut(), "upload 1 notes.txt 3000; run; download 1 notes.txt; run; list 1; run");
    let ops = &sc.report()["result"]["ops"]["1"];
    assert_eq!(ops[0], json!({"op": "upload", "name": "notes.txt", "outcome": "ok", "copies": 1, "tag": "c1.1"}));
    assert_eq!(ops[1]["outcome"], "ok", "{ops}");
    assert_eq!(ops[2]["names"], json!(["notes.txt"]), "{ops}");
    assert_eq!(sc.report()["result"]["files"]["0"], json!([{"name": "notes.txt", "size": 3000, "tag": "c1.1"}]));
    assert!(sc.violations().is_empty(), "{:?}", sc.violations());
    // From 3 nodes the default is two servers again; given, it is taken as is.
    let sc = open_at("dfs", 3).expect("dfs opens at 3 nodes");
    assert_eq!((0..3).map(|i| sc.node_role(i)).collect::<Vec<_>>(), ["server", "server", "client"]);
    let err = block_on(algos::open_run(config("dfs", 2, 1, &[("servers", "2")]))).err().expect("refused");
    assert_eq!(err, "parameter servers=2: fewer than the 2 nodes (clients need a node too)");
    let card = algos::find("dfs").expect("dfs").card;
    assert_eq!(card.param("servers").map(|p| (p.default, p.is_derived())), Some(("2, or 1 with 2 nodes", true)));
}
