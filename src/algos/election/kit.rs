//! What the two leader elections (ring-election, bully-election) share: the
//! `elect N` verb, the `L=c` badge, the `agreement` and `one-coordinator`
//! violation texts and the `leaders` result. Each algorithm proper stays in
//! its own file.

use crate::algos::kit::node_arg;
use crate::engine::invariant::{Violation, World};
use crate::engine::protocol::{NodeId, Protocol};
use crate::scenario::{FieldHelp, VerbHelp};

/// What a user asks of a node: start an election.
#[derive(Clone, Debug)]
pub struct Elect;

pub(crate) const VERBS: &[VerbHelp] = &[VerbHelp { usage: "elect N", help: "node N starts an election" }];

pub(crate) const RESULTS: &[FieldHelp] =
    &[FieldHelp { key: "leaders", help: "for each live node, the coordinator it believes in" }];

/// `elect N` for the scenario called `name`.
pub(crate) fn parse_verb(name: &str, verb: &str, args: &[String], n: usize) -> Result<(NodeId, Elect), String> {
    match verb {
        "elect" => Ok((node_arg(verb, args, n)?, Elect)),
        _ => Err(format!("unknown verb {verb:?} ({name} knows: elect N)")),
    }
}

/// The badge of a node that believes in `coordinator`.
pub(crate) fn badge(coordinator: Option<NodeId>) -> String {
    coordinator.map(|c| format!("L={c}")).unwrap_or_default()
}

/// The `agreement` violation: node `y` believes in `coordinator`, not in `highest`.
pub(crate) fn disagrees<P: Protocol>(
    w: &World<P>,
    y: NodeId,
    coordinator: Option<NodeId>,
    highest: NodeId,
) -> Violation {
    let believes = coordinator.map(|c| c.to_string()).unwrap_or_else(|| "nobody".into());
    w.violation("agreement", format!("node {y} believes {believes} is coordinator; the highest live id is {highest}"))
}

/// The `one-coordinator` violation: `y` and `x` both act as coordinator.
pub(crate) fn two_coordinators<P: Protocol>(w: &World<P>, y: NodeId, x: NodeId) -> Violation {
    w.violation("one-coordinator", format!("nodes {y} and {x} both act as coordinator in one component"))
}

/// The result's `leaders`: for each live node, the coordinator it believes in.
pub(crate) fn leaders<P: Protocol>(
    w: &World<P>,
    coordinator: impl Fn(&P::Summary) -> Option<NodeId>,
) -> serde_json::Value {
    let leaders: serde_json::Map<String, serde_json::Value> =
        w.live().map(|i| (i.to_string(), coordinator(&w.summaries[i]).into())).collect();
    serde_json::json!({ "leaders": leaders })
}
