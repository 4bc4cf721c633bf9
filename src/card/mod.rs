//! The scenario card: everything a user or a check needs to know of a
//! scenario, declared once next to its code. `distlab list`, `distlab info`,
//! the picker, the in-app guide, the prompt's verb help, the verb parser,
//! parameter checks and the README's scenario table are all made from it.

use std::fmt::Write as _;

/// The families the algorithm folders are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Mutex,
    Election,
    Time,
    Group,
    ClientServer,
}

impl Family {
    pub fn title(self) -> &'static str {
        match self {
            Family::Mutex => "mutual exclusion",
            Family::Election => "election",
            Family::Time => "time and clocks",
            Family::Group => "group communication",
            Family::ClientServer => "clients and servers",
        }
    }
}

pub use crate::engine::network::Fault;
pub use crate::engine::protocol::MAX_MS;
use crate::engine::protocol::{Role, RoleWords};

/// A fault the algorithm claims to survive: its liveness properties must
/// hold under it (a loss is then a violation), where any other fault's
/// liveness loss is only a status. Some claims hold only while a parameter
/// is on (classic Ricart–Agrawala survives no lost message; with `retry` it
/// does).
#[derive(Clone, Copy, Debug)]
pub struct Claim {
    pub fault: Fault,
    /// `Some((key, off))`: not claimed when parameter `key` is `off`.
    pub unless: Option<(&'static str, &'static str)>,
}

impl Claim {
    pub const fn of(fault: Fault) -> Self {
        Claim { fault, unless: None }
    }
    /// Claimed except when parameter `key` has the value `off` (`retry=0`).
    pub const fn unless(fault: Fault, key: &'static str, off: &'static str) -> Self {
        Claim { fault, unless: Some((key, off)) }
    }
    /// "lost messages (unless retry=0)".
    pub fn words(&self) -> String {
        match self.unless {
            None => self.fault.words().to_string(),
            Some((key, off)) => format!("{} (unless {key}={off})", self.fault.words()),
        }
    }
}

/// Every fault an algorithm can be said to survive.
pub const ALL_FAULTS: &[Claim] = &[
    Claim::of(Fault::Crash),
    Claim::of(Fault::Recover),
    Claim::of(Fault::Loss),
    Claim::of(Fault::Dup),
    Claim::of(Fault::Delay),
    Claim::of(Fault::Partition),
];

/// What one argument of a verb (or one parameter) accepts.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A node id; `Some(role)` when only nodes of that role may be named.
    Node(Option<&'static str>),
    /// A whole number in `min..=max`.
    Int { min: i64, max: i64 },
    /// Milliseconds of virtual time in `min..=max` (whole ms).
    Ms { min: u64, max: u64 },
    /// A real number in `min..=max`.
    Real { min: f64, max: f64 },
    /// One of these words.
    Choice(&'static [&'static str]),
    /// One word (a name, a label).
    Word,
    /// The rest of the line, words joined by one space (last argument only).
    Text,
    /// For the `variant` parameter: one of the card's variants.
    Variant,
}

impl Kind {
    /// Plain words for help texts ("a client node", "0 to 100").
    pub fn describe(&self, card: &Card) -> String {
        match self {
            Kind::Node(None) => "a node id".into(),
            Kind::Node(Some(role)) => format!("a {role}'s node id"),
            Kind::Int { min, max } => format!("a whole number, {min} to {max}"),
            Kind::Ms { min, max } => format!("ms, {min} to {max}"),
            Kind::Real { min, max } => format!("a number, {min} to {max}"),
            Kind::Choice(options) => format!("one of {}", options.join(", ")),
            Kind::Word => "one word".into(),
            Kind::Text => "text (quote it to keep spaces)".into(),
            Kind::Variant => format!("one of {}", card.variant_names().join(", ")),
        }
    }
}

/// A role nodes play (server, client, site, …).
#[derive(Clone, Copy, Debug)]
pub struct RoleCard {
    pub name: &'static str,
    /// Which nodes play it, and what they do.
    pub help: &'static str,
}

/// One argument of a verb.
#[derive(Clone, Copy, Debug)]
pub struct ArgCard {
    /// As the usage line shows it: `N`, `C`, `name`.
    pub name: &'static str,
    pub kind: Kind,
    pub optional: bool,
}

impl ArgCard {
    pub const fn new(name: &'static str, kind: Kind) -> Self {
        ArgCard { name, kind, optional: false }
    }
    pub const fn optional(name: &'static str, kind: Kind) -> Self {
        ArgCard { name, kind, optional: true }
    }
    /// Any node.
    pub const fn node(name: &'static str) -> Self {
        ArgCard::new(name, Kind::Node(None))
    }
    /// A node of one role.
    pub const fn node_of(name: &'static str, role: &'static str) -> Self {
        ArgCard::new(name, Kind::Node(Some(role)))
    }
}

/// One verb of a scenario (`request N`).
#[derive(Clone, Copy, Debug)]
pub struct VerbCard {
    pub name: &'static str,
    pub args: &'static [ArgCard],
    pub help: &'static str,
}

impl VerbCard {
    /// The usage line: `submit P [C] [MS]`, `ordering N causal|fifo|none`.
    pub fn usage(&self) -> String {
        let mut out = self.name.to_string();
        for a in self.args {
            let shown = match a.kind {
                Kind::Choice(options) if a.name.is_empty() => options.join("|"),
                _ => a.name.to_string(),
            };
            if a.optional {
                let _ = write!(out, " [{shown}]");
            } else {
                let _ = write!(out, " {shown}");
            }
        }
        out
    }
}

/// One parameter (`-p key=value`).
#[derive(Clone, Copy, Debug)]
pub struct ParamCard {
    pub key: &'static str,
    pub kind: Kind,
    pub default: &'static str,
    pub help: &'static str,
}

impl ParamCard {
    /// A default that depends on other parameters or on the node count
    /// (`2×timeout`, `servers`): words, where the kind wants a number. The
    /// scenario's `build` works it out; the card only says how.
    pub fn is_derived(&self) -> bool {
        match self.kind {
            Kind::Int { .. } => self.default.parse::<i64>().is_err(),
            Kind::Ms { .. } => self.default.parse::<u64>().is_err(),
            Kind::Real { .. } => self.default.parse::<f64>().is_err(),
            _ => false,
        }
    }
}

/// A variant: the correct algorithm (the first) or a broken one.
#[derive(Clone, Copy, Debug)]
pub struct VariantCard {
    pub name: &'static str,
    /// What it does differently (for a broken one: what goes wrong).
    pub help: &'static str,
    /// The properties a broken variant is caught by (empty for correct).
    pub breaks: &'static [&'static str],
}

/// Safety (never happens) or liveness (eventually happens).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guarantee {
    Safety,
    Liveness,
}

/// A property the scenario's monitor checks; the monitor reports a broken
/// one by this constant's name.
#[derive(Clone, Copy, Debug)]
pub struct Property {
    pub name: &'static str,
    /// One sentence: what holds.
    pub definition: &'static str,
    pub guarantee: Guarantee,
}

impl Property {
    pub const fn safety(name: &'static str, definition: &'static str) -> Self {
        Property { name, definition, guarantee: Guarantee::Safety }
    }
    pub const fn liveness(name: &'static str, definition: &'static str) -> Self {
        Property { name, definition, guarantee: Guarantee::Liveness }
    }
}

/// One field of the headless `result`.
#[derive(Clone, Copy, Debug)]
pub struct FieldCard {
    pub key: &'static str,
    pub help: &'static str,
}

/// A lecture script in `assets/`.
#[derive(Clone, Copy, Debug)]
pub struct ScriptCard {
    /// File name in `assets/` (`ricart-agrawala.dl`).
    pub file: &'static str,
    /// What the class sees.
    pub about: &'static str,
}

/// How many nodes a scenario runs with.
#[derive(Clone, Copy, Debug)]
pub struct NodeRange {
    pub default: usize,
    pub min: usize,
    pub max: usize,
}

/// Everything a scenario says of itself.
#[derive(Debug)]
pub struct Card {
    pub name: &'static str,
    /// The roles the nodes show (the topology's colours and glyphs), each
    /// with the algorithm's word for it: a chat client is "connected", a
    /// dfs server "server". Every screen, `expect role` and the help use
    /// these words; `crashed` is always possible and need not be listed.
    pub role_words: RoleWords,
    /// Display title ("Ricart–Agrawala mutual exclusion").
    pub title: &'static str,
    pub family: Family,
    /// The faults the algorithm claims to survive (the severity rule: a
    /// liveness property lost to any other fault is a status, not a
    /// violation).
    pub tolerates: &'static [Claim],
    /// One line for lists.
    pub about: &'static str,
    /// One paragraph: the algorithm as a lecture states it, and what the
    /// inspector shows.
    pub description: &'static str,
    /// The seed labs it comes from (`"000, 001"`; empty for a classic the
    /// labs do not cover).
    pub seeds: &'static str,
    pub nodes: NodeRange,
    /// The roles nodes play; a verb argument may require one.
    pub roles: &'static [RoleCard],
    pub verbs: &'static [VerbCard],
    pub params: &'static [ParamCard],
    /// The correct variant first, then each broken one.
    pub variants: &'static [VariantCard],
    pub properties: &'static [Property],
    pub results: &'static [FieldCard],
    /// The lecture scripts, the broken variant's last.
    pub scripts: &'static [ScriptCard],
    /// Label of the TUI's action key on the selected node.
    pub action: &'static str,
}

impl Card {
    pub fn verb(&self, name: &str) -> Option<&'static VerbCard> {
        self.verbs.iter().find(|v| v.name == name)
    }
    pub fn param(&self, key: &str) -> Option<&'static ParamCard> {
        self.params.iter().find(|p| p.key == key)
    }
    pub fn property(&self, name: &str) -> Option<&'static Property> {
        self.properties.iter().find(|p| p.name == name)
    }
    /// The key of the parameter that picks the variant (`variant`, or a
    /// scenario's own word for it, like causal-order's `ordering`).
    pub fn variant_key(&self) -> &'static str {
        self.params.iter().find(|p| matches!(p.kind, Kind::Variant)).map_or("variant", |p| p.key)
    }
    pub fn variant_names(&self) -> Vec<&'static str> {
        self.variants.iter().map(|v| v.name).collect()
    }
    /// The names of the properties, in the card's order.
    pub fn property_names(&self) -> Vec<&'static str> {
        self.properties.iter().map(|p| p.name).collect()
    }
    /// The scenario's word for `role` (the generic word if it names none).
    pub fn role_word(&self, role: Role) -> &'static str {
        role.word(self.role_words)
    }
    /// The roles the scenario's nodes show, with `crashed` last.
    pub fn roles_shown(&self) -> Vec<Role> {
        Role::shown(self.role_words).collect()
    }
    /// The faults claimed in a run whose parameter `key` is `value(key)`.
    pub fn tolerated<'a>(&self, value: impl Fn(&str) -> &'a str) -> Vec<Fault> {
        self.tolerates.iter().filter(|c| c.unless.is_none_or(|(key, off)| value(key) != off)).map(|c| c.fault).collect()
    }
    /// The names of the liveness properties.
    pub fn liveness_names(&self) -> Vec<&'static str> {
        self.properties.iter().filter(|p| p.guarantee == Guarantee::Liveness).map(|p| p.name).collect()
    }
    /// "crashes, lost messages (unless retry=0)", or "nothing".
    pub fn claims_text(&self) -> String {
        if self.tolerates.is_empty() {
            return "no fault".into();
        }
        self.tolerates.iter().map(Claim::words).collect::<Vec<_>>().join(", ")
    }
    /// Does the scenario run with `n` nodes?
    pub fn check_nodes(&self, n: usize) -> Result<(), String> {
        let r = self.nodes;
        if n < r.min || n > r.max {
            return Err(format!("{} runs with {} to {} nodes, not {n}", self.name, r.min, r.max));
        }
        Ok(())
    }
    /// The verbs' usage lines.
    pub fn usages(&self) -> Vec<String> {
        self.verbs.iter().map(|v| v.usage()).collect()
    }
    /// Where it comes from: "seed lab 000, 001", or "a classic beyond the
    /// seed labs".
    pub fn origin(&self) -> String {
        if self.seeds.is_empty() { "a classic beyond the seed labs".into() } else { format!("seed lab {}", self.seeds) }
    }
}

mod parse;
mod text;

pub use parse::{Args, NodeRoles, Value, check_param, nodes_of, parse_args};
pub use text::{Section, claims, facts, info_text, markdown_table, script_run_line, scripts_markdown, sections};
