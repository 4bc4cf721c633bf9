//! What every algorithm may use: the `variant` parameter's card, the
//! action key's verb, virtual-time formatting and short listings. A kit
//! never imports an algorithm.

pub mod screens;

use crate::card::{Kind, ParamCard};
use crate::engine::input::Input;
use crate::engine::protocol::{MS, NodeId, Time};

/// The `variant` parameter (its values are the card's variants).
pub(crate) const VARIANT: ParamCard = ParamCard {
    key: "variant",
    kind: Kind::Variant,
    default: "correct",
    help: "the correct algorithm or a broken one",
};

/// Node `one` plays `role`, every other node `others` (a server and its
/// clients, a coordinator and the nodes it serves).
pub(crate) fn one_and_others(n: usize, one: NodeId, role: &'static str, others: &'static str) -> Vec<&'static str> {
    (0..n).map(|i| if i == one { role } else { others }).collect()
}

/// A verb with one node number, as the TUI's action key sends it.
pub(crate) fn node_verb(verb: &str, node: NodeId) -> Input {
    Input::Verb { verb: verb.into(), args: vec![node.to_string()] }
}

/// Virtual time in ms, without trailing zeros (`12.5`).
pub(crate) fn time_ms(t: Time) -> String {
    let s = format!("{}.{:03}", t / MS, t % MS);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// At most `max` items, then "… +K more"; "-" for none.
pub(crate) fn listing(items: impl Iterator<Item = String>, max: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut total = 0;
    for item in items {
        if total < max {
            out.push(item);
        }
        total += 1;
    }
    if total == 0 {
        return "-".into();
    }
    if total > max {
        out.push(format!("… +{} more", total - max));
    }
    out.join(" ")
}

/// A vector clock as text, `[2 0 1]`; with more than `max` entries the
/// first `max` and the count.
pub(crate) fn show_vector(v: &[u32], max: usize) -> String {
    let shown: Vec<String> = v.iter().take(max).map(|x| x.to_string()).collect();
    if v.len() > max {
        format!("[{} …{} entries]", shown.join(" "), v.len())
    } else {
        format!("[{}]", shown.join(" "))
    }
}
