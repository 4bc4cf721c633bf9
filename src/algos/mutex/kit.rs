//! What the mutual-exclusion scenarios (ricart-agrawala, suzuki-kasami,
//! lamport-mutex, central-lock, token-ring) share: the `request N` /
//! `release N` verbs, the `cs` / `think` workload, the timers and node
//! states most of them use, and the monitors' mutual-exclusion bookkeeping.
//! Each algorithm proper stays in its own file.

use crate::algos::kit::node_verb;
use crate::card::{ArgCard, Args, FieldCard, Kind, MAX_MS, ParamCard, Property, RoleCard, VerbCard};
use crate::engine::input::Input;
use crate::engine::invariant::{Violation, World};
use crate::engine::protocol::{Cx, Describe, NodeId, Protocol, Role, Summary, Time};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

// ----- the scenario's interface --------------------------------------------------

/// What a user asks of a node.
#[derive(Clone, Debug, Hash)]
pub enum Request {
    Enter,
    Leave,
}

/// `request N` and `release N`, as most of the scenarios describe them.
pub(crate) const VERBS: &[VerbCard] = &[
    VerbCard { name: "request", args: &[ArgCard::node("N")], help: "node N asks for the critical section" },
    VerbCard { name: "release", args: &[ArgCard::node("N")], help: "node N leaves the critical section" },
];

/// Every node of a mutual-exclusion scenario is a peer, except where a
/// card says otherwise.
pub(crate) const NODES: &[RoleCard] = &[RoleCard { name: "node", help: "every node may ask for the critical section" }];

/// The `cs` parameter with its default in ms.
pub(crate) const fn cs_param(default: &'static str) -> ParamCard {
    ParamCard {
        key: "cs",
        kind: Kind::Ms { min: 0, max: MAX_MS },
        default,
        help: "ms a node stays in the CS before it leaves on its own (0: only `release`)",
    }
}

/// A `retry` parameter: ms before re-sending what is still unanswered.
pub(crate) const fn retry_param(help: &'static str) -> ParamCard {
    ParamCard { key: "retry", kind: Kind::Ms { min: 0, max: MAX_MS }, default: "0", help }
}

/// The `think` parameter.
pub(crate) const THINK: ParamCard = ParamCard {
    key: "think",
    kind: Kind::Ms { min: 0, max: MAX_MS },
    default: "0",
    help: "ms after leaving before a node asks again (0: only on `request`)",
};

/// The `think` parameter, saying that it needs `cs`.
pub(crate) const THINK_NEEDS_CS: ParamCard = ParamCard {
    key: "think",
    kind: Kind::Ms { min: 0, max: MAX_MS },
    default: "0",
    help: "ms after leaving before a node asks again (0: only on `request`; needs cs > 0)",
};

pub(crate) use crate::algos::kit::VARIANT;

/// Never two nodes in the critical section.
pub(crate) const MUTUAL_EXCLUSION: Property =
    Property::safety("mutual-exclusion", "never are two nodes in the critical section at once");

/// `timestamp-order`: a node enters only ahead of later requests
/// (ricart-agrawala, lamport-mutex).
pub(crate) const TIMESTAMP_ORDER: Property =
    Property::safety("timestamp-order", "a node enters only when no waiting node has an earlier (timestamp, id)");

/// `no-starvation` with the conditions under which a scenario judges it.
pub(crate) const fn no_starvation(definition: &'static str) -> Property {
    Property::liveness("no-starvation", definition)
}

/// At quiescence nobody still waits.
pub(crate) const NO_STARVATION: Property =
    no_starvation("when nothing is left to deliver, no live node still waits for the CS");

/// The result's `cs_order`.
pub(crate) const CS_ORDER: FieldCard = FieldCard { key: "cs_order", help: "node ids in critical-section entry order" };

/// The result's `entries`, for algorithms that stamp requests with a Lamport timestamp.
pub(crate) const ENTRIES_TS: FieldCard = FieldCard { key: "entries", help: "`{node, ts}` per entry" };

/// A continuous workload (`think` > 0) needs nodes that leave on their own.
pub(crate) fn check_think(cs: Time, think: Time) -> Result<(), String> {
    if think > 0 && cs == 0 {
        return Err("think > 0 needs cs > 0 (nodes must leave on their own)".into());
    }
    Ok(())
}

/// `request N` and `release N`, already checked against the card.
pub(crate) fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
    let req = match verb {
        "request" => Request::Enter,
        "release" => Request::Leave,
        _ => return Err(format!("unknown verb {verb:?}")),
    };
    Ok((args.node(0), req))
}

/// The TUI's action key: `request` for an idle node, `release` for one in
/// the critical section, nothing while it waits.
pub(crate) fn action(node: NodeId, role: Role) -> Option<Input> {
    match role {
        Role::Idle => Some(node_verb("request", node)),
        Role::InCs => Some(node_verb("release", node)),
        _ => None,
    }
}

// ----- the nodes -----------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Timer {
    /// Leave the critical section after the configured duration.
    Release,
    /// Ask for the critical section again (the `think` workload).
    Want,
    /// Re-send what is still unanswered (the `retry` parameter).
    Retry,
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        match self {
            Timer::Release => "release-timer",
            Timer::Want => "want-timer",
            Timer::Retry => "retry-timer",
        }
    }
}

/// Where a node is with respect to the critical section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum State {
    Idle,
    Wanting,
    InCs,
}

impl State {
    pub(crate) fn role(self) -> Role {
        match self {
            State::Idle => Role::Idle,
            State::Wanting => Role::Wanting,
            State::InCs => Role::InCs,
        }
    }
}

/// The `think` workload's first request: node `id` of `n` asks after its
/// share of one `think`, so the workload starts mixed.
pub(crate) fn first_want<P: Protocol>(cx: &mut Cx<P>, think: Time, id: NodeId, n: usize, want: P::Timer) {
    if think > 0 {
        cx.set_timer(think * (id as Time + 1) / n as Time, want);
    }
}

// ----- the monitors --------------------------------------------------------------

/// Has the node just entered the critical section (in it now, not before)?
pub(crate) fn entered<S: Summary>(old: Option<&S>, now: &S) -> bool {
    now.role() == Role::InCs && old.is_none_or(|o| o.role() != Role::InCs)
}

/// The `mutual-exclusion` violation: `x` entered while `y` is inside.
pub(crate) fn both_inside<P: Protocol>(w: &World<P>, y: NodeId, x: NodeId) -> Violation {
    w.violation(MUTUAL_EXCLUSION.name, format!("nodes {y} and {x} are both in the critical section")).about(&[y, x])
}

/// The nodes in the critical section, as a monitor keeps them.
#[derive(Clone, Default, Hash)]
pub(crate) struct Inside(BTreeSet<NodeId>);

impl Inside {
    /// `x` is in the critical section now (entered, or came back in it):
    /// a `mutual-exclusion` violation if another node is too.
    pub(crate) fn admit<P: Protocol>(&mut self, w: &World<P>, x: NodeId) -> Option<Violation> {
        let v = self.0.iter().find(|&&y| y != x).map(|&y| both_inside(w, y, x));
        self.0.insert(x);
        v
    }

    pub(crate) fn set(&mut self, x: NodeId, inside: bool) {
        if inside {
            self.0.insert(x);
        } else {
            self.0.remove(&x);
        }
    }

    pub(crate) fn remove(&mut self, x: NodeId) {
        self.0.remove(&x);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `no-starvation` at quiescence: every live node still waiting, and `why`.
pub(crate) fn starving<P: Protocol>(w: &World<P>, why: impl Fn(NodeId) -> String) -> Vec<Violation> {
    w.live()
        .filter(|&y| w.summaries[y].role() == Role::Wanting)
        .map(|y| w.violation(NO_STARVATION.name, why(y)).about(&[y]))
        .collect()
}

/// The result's `cs_order` and `entries` (`{node, <key>}` per entry) from
/// the entries in order: (node, the number it entered under).
pub(crate) fn entries_result<T: Serialize>(entries: &[(NodeId, T)], key: &str) -> serde_json::Value {
    let order: Vec<NodeId> = entries.iter().map(|e| e.0).collect();
    let entries: Vec<serde_json::Value> = entries.iter().map(|(n, v)| serde_json::json!({"node": n, key: v})).collect();
    serde_json::json!({ "cs_order": order, "entries": entries })
}
