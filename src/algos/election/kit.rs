//! What the two leader elections (ring-election, bully-election) share: the
//! `elect N` verb, the `L=c` badge, the `agreement` and `one-coordinator`
//! violation texts and the `leaders` result. Each algorithm proper stays in
//! its own file.

use crate::algos::kit::node_verb;
use crate::card::{ArgCard, FieldCard, Kind, MAX_MS, ParamCard, Property, RoleCard, VerbCard};
use crate::engine::input::Input;
use crate::engine::invariant::{Violation, World};
use crate::engine::protocol::{NodeId, Protocol};

/// What a user asks of a node: start an election.
#[derive(Clone, Debug, Hash)]
pub struct Elect;

/// `elect N`.
pub(crate) const VERBS: &[VerbCard] =
    &[VerbCard { name: "elect", args: &[ArgCard::node("N")], help: "node N starts an election" }];

/// Every node of an election is a process that may start one and may win.
pub(crate) const PROCESSES: &[RoleCard] =
    &[RoleCard { name: "process", help: "every node may start an election; the highest live id should win" }];

/// The result's `leaders`.
pub(crate) const RESULTS: &[FieldCard] =
    &[FieldCard { key: "leaders", help: "for each live node, the coordinator it believes in" }];

/// A timeout parameter (ms, at least 1) with its default.
pub(crate) const fn timeout_card(key: &'static str, default: &'static str, help: &'static str) -> ParamCard {
    ParamCard { key, kind: Kind::Ms { min: 1, max: MAX_MS }, default, help }
}

pub(crate) use crate::algos::kit::VARIANT;

/// At most one coordinator per connected component.
pub(crate) const ONE_COORDINATOR: Property =
    Property::safety("one-coordinator", "no two nodes of one connected component act as coordinator");

/// After an election, everyone believes in the highest live id.
pub(crate) const AGREEMENT: Property = Property::liveness(
    "agreement",
    "at quiescence after an election that began after the last fault, every live node of the initiator's \
     component believes in its highest live id",
);

/// `elect N`: the only verb, already checked against the card.
pub(crate) fn request(args: &crate::card::Args) -> Result<(NodeId, Elect), String> {
    Ok((args.node(0), Elect))
}

/// The TUI's action key: start an election.
pub(crate) fn action(node: NodeId) -> Option<Input> {
    Some(node_verb("elect", node))
}

/// The badge of a node that believes in `coordinator`.
pub(crate) fn badge(coordinator: Option<NodeId>) -> String {
    coordinator.map(|c| format!("L={c}")).unwrap_or_default()
}

/// The `agreement` violation: node `y` believes in `coordinator`, not in
/// `highest`, or believes in `highest` but is still in an election.
pub(crate) fn disagrees<P: Protocol>(
    w: &World<P>,
    y: NodeId,
    coordinator: Option<NodeId>,
    highest: NodeId,
) -> Violation {
    let believes = coordinator.map(|c| c.to_string()).unwrap_or_else(|| "nobody".into());
    let still = if coordinator == Some(highest) { " but is still in an election" } else { "" };
    w.violation(
        AGREEMENT.name,
        format!("node {y} believes {believes} is coordinator{still}; the highest live id is {highest}"),
    )
    .about(&[y])
}

/// The `one-coordinator` violation: `y` and `x` both act as coordinator.
pub(crate) fn two_coordinators<P: Protocol>(w: &World<P>, y: NodeId, x: NodeId) -> Violation {
    w.violation(ONE_COORDINATOR.name, format!("nodes {y} and {x} both act as coordinator in one component"))
        .about(&[y, x])
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
