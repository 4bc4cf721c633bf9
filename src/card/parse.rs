//! Verbs and parameters checked against the card before anything changes:
//! the argument count, each argument's type and range, and the role of a
//! node argument in this run.

use super::{ArgCard, Card, Kind, VerbCard};
use crate::engine::protocol::{MS, NodeId, Time};

/// One parsed argument.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Node(NodeId),
    Int(i64),
    /// Virtual time (µs).
    Time(Time),
    Real(f64),
    /// A word, a text or a choice.
    Text(String),
    /// An optional argument that was not given.
    Absent,
}

/// A verb's arguments, checked against its card: `args.node(0)`.
#[derive(Clone, Debug)]
pub struct Args {
    pub values: Vec<Value>,
}

impl Args {
    fn get(&self, i: usize) -> &Value {
        self.values.get(i).unwrap_or(&Value::Absent)
    }
    /// The node at `i` (the card says it is one; 0 if absent).
    pub fn node(&self, i: usize) -> NodeId {
        self.opt_node(i).unwrap_or(0)
    }
    pub fn opt_node(&self, i: usize) -> Option<NodeId> {
        match self.get(i) {
            Value::Node(x) => Some(*x),
            _ => None,
        }
    }
    pub fn int(&self, i: usize) -> Option<i64> {
        match self.get(i) {
            Value::Int(x) => Some(*x),
            _ => None,
        }
    }
    pub fn time(&self, i: usize) -> Option<Time> {
        match self.get(i) {
            Value::Time(x) => Some(*x),
            _ => None,
        }
    }
    pub fn real(&self, i: usize) -> Option<f64> {
        match self.get(i) {
            Value::Real(x) => Some(*x),
            _ => None,
        }
    }
    pub fn text(&self, i: usize) -> Option<&str> {
        match self.get(i) {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// What the parser knows of the run: how many nodes and each one's role.
pub trait NodeRoles {
    fn n(&self) -> usize;
    /// The role name of `node` (`node < n`).
    fn role_of(&self, node: NodeId) -> &'static str;
}

/// The nodes playing `role`: "node 2", "nodes 1..3", "nodes 0, 4".
pub fn nodes_of(roles: &dyn NodeRoles, role: &str) -> String {
    let ids: Vec<NodeId> = (0..roles.n()).filter(|&i| roles.role_of(i) == role).collect();
    match ids.as_slice() {
        [] => "no node in this run".into(),
        [one] => format!("node {one}"),
        [first, .., last] if last - first + 1 == ids.len() => format!("nodes {first}..{last}"),
        _ if ids.len() > 8 => format!("{} nodes", ids.len()),
        _ => format!("nodes {}", ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

fn parse_value(card: &Card, verb: &VerbCard, a: &ArgCard, word: &str, roles: &dyn NodeRoles) -> Result<Value, String> {
    let usage = verb.usage();
    let what = |expected: String| {
        if a.name.is_empty() {
            format!("`{usage}`: expected {expected}, not {word:?}")
        } else {
            format!("`{usage}`: {} is {expected}, not {word:?}", a.name)
        }
    };
    match a.kind {
        Kind::Node(role) => {
            let x: NodeId = word.parse().map_err(|_| what("a node id".into()))?;
            let n = roles.n();
            if x >= n {
                return Err(format!("node {x} does not exist (nodes are 0..{})", n - 1));
            }
            if let Some(role) = role {
                let actual = roles.role_of(x);
                if actual != role {
                    return Err(format!(
                        "node {x} is a {actual}; `{usage}` needs a {role} ({})",
                        nodes_of(roles, role)
                    ));
                }
            }
            Ok(Value::Node(x))
        }
        Kind::Int { min, max } => match word.parse::<i64>() {
            Ok(v) if (min..=max).contains(&v) => Ok(Value::Int(v)),
            _ => Err(what(format!("a whole number from {min} to {max}"))),
        },
        Kind::Ms { min, max } => match word.parse::<u64>() {
            Ok(v) if (min..=max).contains(&v) => Ok(Value::Time(v * MS)),
            _ => Err(what(format!("whole ms from {min} to {max}"))),
        },
        Kind::Real { min, max } => match word.parse::<f64>() {
            Ok(v) if v.is_finite() && (min..=max).contains(&v) => Ok(Value::Real(v)),
            _ => Err(what(format!("a number from {min} to {max}"))),
        },
        Kind::Choice(options) => {
            if options.contains(&word) {
                Ok(Value::Text(word.to_string()))
            } else {
                Err(what(format!("one of {}", options.join(", "))))
            }
        }
        Kind::Variant => {
            if card.variants.iter().any(|v| v.name == word) {
                Ok(Value::Text(word.to_string()))
            } else {
                Err(what(format!("one of {}", card.variant_names().join(", "))))
            }
        }
        Kind::Word | Kind::Text => {
            if word.is_empty() || word.chars().any(char::is_control) {
                Err(what("printable text".into()))
            } else {
                Ok(Value::Text(word.to_string()))
            }
        }
    }
}

/// Check `args` against the verb's card: count, types, ranges, roles.
pub fn parse_args(card: &Card, verb: &str, args: &[String], roles: &dyn NodeRoles) -> Result<Args, String> {
    let Some(vc) = card.verb(verb) else {
        return Err(format!("{} has no verb {verb:?}; its verbs: {}", card.name, card.usages().join(", ")));
    };
    let required = vc.args.iter().filter(|a| !a.optional).count();
    let text_last = vc.args.last().is_some_and(|a| matches!(a.kind, Kind::Text));
    let too_many = !text_last && args.len() > vc.args.len();
    if args.len() < required || too_many {
        let got = match args.len() {
            0 => "none".to_string(),
            k => k.to_string(),
        };
        let wanted = if text_last {
            format!("at least {required}")
        } else if required == vc.args.len() {
            format!("{required}")
        } else {
            format!("{required} to {}", vc.args.len())
        };
        return Err(format!("usage: {} ({wanted} argument(s), got {got})", vc.usage()));
    }
    let mut values = Vec::with_capacity(vc.args.len());
    for (i, a) in vc.args.iter().enumerate() {
        let value = match (a.kind, args.get(i)) {
            (_, None) => Value::Absent,
            (Kind::Text, Some(_)) => {
                let text = args[i..].join(" ");
                parse_value(card, vc, a, &text, roles)?
            }
            (_, Some(word)) => parse_value(card, vc, a, word, roles)?,
        };
        values.push(value);
    }
    Ok(Args { values })
}

/// Check one parameter value against its card (type and range).
pub fn check_param(card: &Card, key: &str, value: &str, n: usize) -> Result<(), String> {
    let Some(p) = card.param(key) else {
        let known: Vec<_> = card.params.iter().map(|p| p.key).collect();
        return Err(format!("unknown parameter {key:?} for {} (known: {})", card.name, known.join(", ")));
    };
    let bad = |expected: String| Err(format!("parameter {key}={value}: expected {expected}"));
    match p.kind {
        Kind::Node(_) => match value.parse::<NodeId>() {
            Ok(x) if x < n => Ok(()),
            _ => bad(format!("a node id, 0 to {}", n.saturating_sub(1))),
        },
        Kind::Int { min, max } => match value.parse::<i64>() {
            Ok(v) if (min..=max).contains(&v) => Ok(()),
            _ => bad(format!("a whole number from {min} to {max}")),
        },
        Kind::Ms { min, max } => match value.parse::<u64>() {
            Ok(v) if (min..=max).contains(&v) => Ok(()),
            _ => bad(format!("whole ms from {min} to {max}")),
        },
        Kind::Real { min, max } => match value.parse::<f64>() {
            Ok(v) if v.is_finite() && (min..=max).contains(&v) => Ok(()),
            _ => bad(format!("a number from {min} to {max}")),
        },
        Kind::Choice(options) => {
            if options.contains(&value) {
                Ok(())
            } else {
                bad(format!("one of {}", options.join(", ")))
            }
        }
        Kind::Variant => {
            if card.variants.iter().any(|v| v.name == value) {
                Ok(())
            } else {
                bad(format!("one of {}", card.variant_names().join(", ")))
            }
        }
        Kind::Word | Kind::Text => {
            if value.chars().any(char::is_control) {
                bad("printable text".into())
            } else {
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{Family, NodeRange, RoleCard, VariantCard};

    static CARD: Card = Card {
        name: "demo",
        role_words: &[],
        title: "Demo",
        family: Family::ClientServer,
        tolerates: &[],
        about: "a demo",
        description: "A demo.",
        seeds: "000",
        nodes: NodeRange { default: 3, min: 2, max: 8 },
        roles: &[RoleCard { name: "server", help: "node 0" }, RoleCard { name: "client", help: "the others" }],
        verbs: &[
            VerbCard {
                name: "upload",
                args: &[
                    ArgCard::node_of("C", "client"),
                    ArgCard::new("name", Kind::Word),
                    ArgCard::new("size", Kind::Int { min: 0, max: 10 }),
                ],
                help: "upload",
            },
            VerbCard {
                name: "submit",
                args: &[
                    ArgCard::new("P", Kind::Word),
                    ArgCard::optional("C", Kind::Node(None)),
                    ArgCard::optional("MS", Kind::Ms { min: 0, max: 5 }),
                ],
                help: "submit",
            },
            VerbCard { name: "post", args: &[ArgCard::node("C"), ArgCard::new("text", Kind::Text)], help: "post" },
            VerbCard {
                name: "ordering",
                args: &[ArgCard::node("N"), ArgCard::new("", Kind::Choice(&["causal", "none"]))],
                help: "o",
            },
        ],
        params: &[],
        variants: &[VariantCard { name: "correct", help: "", breaks: &[] }],
        properties: &[],
        results: &[],
        scripts: &[],
        action: "list",
    };

    struct Roles(usize);
    impl NodeRoles for Roles {
        fn n(&self) -> usize {
            self.0
        }
        fn role_of(&self, node: NodeId) -> &'static str {
            if node == 0 { "server" } else { "client" }
        }
    }

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn usage_lines_come_from_the_arguments() {
        assert_eq!(CARD.verbs[0].usage(), "upload C name size");
        assert_eq!(CARD.verbs[1].usage(), "submit P [C] [MS]");
        assert_eq!(CARD.verbs[3].usage(), "ordering N causal|none");
    }

    #[test]
    fn a_wrong_role_is_refused_with_the_nodes_that_play_it() {
        let e = parse_args(&CARD, "upload", &words("0 a 3"), &Roles(4)).unwrap_err();
        assert_eq!(e, "node 0 is a server; `upload C name size` needs a client (nodes 1..3)");
        let a = parse_args(&CARD, "upload", &words("2 a 3"), &Roles(4)).unwrap();
        assert_eq!(a.values, vec![Value::Node(2), Value::Text("a".into()), Value::Int(3)]);
    }

    #[test]
    fn counts_ranges_and_missing_arguments_are_refused() {
        let r = Roles(4);
        assert_eq!(
            parse_args(&CARD, "upload", &words("2 a"), &r).unwrap_err(),
            "usage: upload C name size (3 argument(s), got 2)"
        );
        assert!(parse_args(&CARD, "upload", &words("2 a 11"), &r).unwrap_err().contains("from 0 to 10"));
        assert!(parse_args(&CARD, "upload", &words("9 a 1"), &r).unwrap_err().contains("does not exist"));
        assert!(parse_args(&CARD, "submit", &words("p 1 2 3"), &r).is_err());
        let a = parse_args(&CARD, "submit", &words("p"), &r).unwrap();
        assert_eq!(a.opt_node(1), None);
        assert_eq!(parse_args(&CARD, "submit", &words("p 1 5"), &r).unwrap().time(2), Some(5 * MS));
        assert!(parse_args(&CARD, "ordering", &words("1 fifo"), &r).unwrap_err().contains("one of causal, none"));
    }

    #[test]
    fn text_takes_the_rest_of_the_line() {
        let a = parse_args(&CARD, "post", &words("1 hello there"), &Roles(3)).unwrap();
        assert_eq!(a.text(1), Some("hello there"));
        assert_eq!(
            parse_args(&CARD, "post", &words("1"), &Roles(3)).unwrap_err(),
            "usage: post C text (at least 2 argument(s), got 1)"
        );
    }
}
