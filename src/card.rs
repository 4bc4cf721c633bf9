//! The scenario card: everything a user or a check needs to know of a
//! scenario, declared once next to its code. `distlab list`, `distlab info`,
//! the picker, the in-app guide, the prompt's verb help, the verb parser,
//! parameter checks and the README's scenario table are all made from it.

use crate::engine::protocol::{MS, NodeId, Time};
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

/// The largest time a card lets a user type, in ms (about 11.6 days of
/// virtual time): far beyond any lecture, far below where µs overflow.
pub const MAX_MS: u64 = 1_000_000_000;

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
    /// Display title ("Ricart–Agrawala mutual exclusion").
    pub title: &'static str,
    pub family: Family,
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

// ----- parsing verbs against the card ------------------------------------------

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

/// The nodes playing `role`, as "1..3" or "0, 4".
pub fn nodes_of(roles: &dyn NodeRoles, role: &str) -> String {
    let ids: Vec<NodeId> = (0..roles.n()).filter(|&i| roles.role_of(i) == role).collect();
    match ids.as_slice() {
        [] => "none".into(),
        [one] => one.to_string(),
        [first, .., last] if last - first + 1 == ids.len() => format!("{first}..{last}"),
        _ if ids.len() > 8 => format!("{} nodes", ids.len()),
        _ => ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", "),
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
                        "node {x} is a {actual}; `{usage}` needs a {role} (nodes {})",
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
        let wanted = if required == vc.args.len() {
            format!("{required}")
        } else if text_last {
            format!("at least {required}")
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

// ----- texts made from the card ------------------------------------------------

/// `distlab info NAME`: the full reference of one scenario, as plain text
/// (Markdown-like, readable in a terminal and in the in-app guide).
pub fn info_text(card: &Card) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{} — {}", card.name, card.title);
    let _ = writeln!(o, "{} · {} · {}", card.family.title(), card.origin(), nodes_text(card));
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", card.description);
    section(&mut o, "Roles");
    for r in card.roles {
        let _ = writeln!(o, "  {:<16} {}", r.name, r.help);
    }
    section(&mut o, "Verbs (at the : prompt, in scripts)");
    let usages = card.usages();
    let w = usages.iter().map(|u| u.chars().count()).max().unwrap_or(0).max(16) + 1;
    for (v, usage) in card.verbs.iter().zip(&usages) {
        let _ = writeln!(o, "  {usage:<w$} {}", v.help);
    }
    let _ = writeln!(o, "  key a on the selected node: {}", card.action);
    section(&mut o, "Parameters (-p key=value)");
    for p in card.params {
        let _ = writeln!(o, "  {:<16} {} ({}; default {})", p.key, p.help, p.kind.describe(card), p.default);
    }
    section(&mut o, &format!("Variants (-p {}=…)", card.variant_key()));
    for v in card.variants {
        let breaks = if v.breaks.is_empty() { String::new() } else { format!(" [caught by {}]", v.breaks.join(", ")) };
        let _ = writeln!(o, "  {:<16} {}{breaks}", v.name, v.help);
    }
    section(&mut o, "Properties checked live");
    for p in card.properties {
        let kind = match p.guarantee {
            Guarantee::Safety => "safety",
            Guarantee::Liveness => "liveness",
        };
        let _ = writeln!(o, "  {:<24} {} ({kind})", p.name, p.definition);
    }
    section(&mut o, "Headless result fields");
    for f in card.results {
        let _ = writeln!(o, "  {:<24} {}", f.key, f.help);
    }
    section(&mut o, "Lecture scripts");
    for s in card.scripts {
        let _ = writeln!(o, "  assets/{:<28} {}", s.file, s.about);
    }
    o
}

fn section(o: &mut String, title: &str) {
    let _ = writeln!(o);
    let _ = writeln!(o, "{title}");
}

fn nodes_text(card: &Card) -> String {
    let r = card.nodes;
    format!("{} nodes by default ({} to {})", r.default, r.min, r.max)
}

/// The README's scenario table (a test keeps the README equal to it).
pub fn markdown_table<'a>(cards: impl IntoIterator<Item = &'a Card>) -> String {
    let mut out = String::from("| scenario | family | what it shows | verbs |\n|---|---|---|---|\n");
    for c in cards {
        let verbs: Vec<String> = c.verbs.iter().map(|v| format!("`{}`", v.usage().replace('|', "\\|"))).collect();
        let origin = if c.seeds.is_empty() { String::new() } else { format!(" (seed {})", c.seeds) };
        let _ = writeln!(
            out,
            "| `{}` | {} | {}{origin} | {} |",
            c.name,
            c.family.title(),
            c.about.replace('|', "\\|"),
            verbs.join(", ")
        );
    }
    out
}

/// The README's lecture-script table: every card's scripts, with the
/// arguments `header` reads from each script's first line
/// (`# distlab: run NAME ARGS…`) and the card's words for what it shows.
pub fn scripts_markdown<'a>(cards: impl IntoIterator<Item = &'a Card>, header: impl Fn(&str) -> String) -> String {
    let mut out = String::from("| script | run with | what the class sees |\n|---|---|---|\n");
    for c in cards {
        for s in c.scripts {
            let _ = writeln!(
                out,
                "| `assets/{}` | `{}` | {} |",
                s.file,
                header(s.file).replace('|', "\\|"),
                s.about.replace('|', "\\|")
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    static CARD: Card = Card {
        name: "demo",
        title: "Demo",
        family: Family::ClientServer,
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
    }
}
