//! Fuzzing the command language, one test per scenario: random scripts of
//! every generic verb and every verb on the scenario's card, with hostile
//! arguments (0, -1, node ids n-1 and n, 2^32, u64::MAX and beyond, 1e308,
//! NaN, inf, -0, empty and quoted text with unicode and control
//! characters, very long words, event ids that exist and that do not)
//! and valid ones, with arguments left out or added, random `-p` parameters
//! from the card (valid and hostile), and random node counts (0, 1, the
//! card's min-1, min, max, max+1, huge). Each case runs in process the way
//! `distlab run NAME --headless` does, and the run must answer: exit code
//! 0, 1 or 2, one JSON object, and for 2 an `"error"` of one line of text
//! (no line break, no control character: the message reaches a terminal).
//! No panic, no hang (each case has a deadline). A node count or a
//! parameter the card refuses is refused with the card's message, as on
//! the command line.
//!
//! A script is checked whole before any of it runs, so most cases are
//! tame (everything as the card accepts it) to reach deep into runs; the
//! others put hostility in one line, every line, the configuration, or
//! everywhere (see `Mode`). A bare `run` (a million steps) is never drawn.
//!
//! Cases per scenario: `DISTLAB_FUZZ_CASES` (default 24; for many more use
//! `cargo test --test fuzz`, which has no 60 s limit per test). A failing
//! case prints the command line and script that reproduce it.

mod common;

use common::block_on;
use common::prop::fuzz_cases;
use distlab::algos;
use distlab::card::{Card, Kind};
use distlab::engine::actor::DriverKind;
use distlab::engine::input::SchedMode;
use distlab::engine::sim::SimConfig;
use distlab::engine::trace::RunConfig;
use distlab::headless;
use distlab::scenario::Params;
use distlab::script;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use proptest::test_runner::{TestCaseError, TestRunner};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The engine's ceiling on one `step K` / `run K`: larger counts are
/// refused with exit 2.
const MAX_COUNT: u64 = 1_000_000;

/// Longest script of a run above `SMALL_NODES` nodes: such a run checks the
/// card's largest size is accepted and takes a few commands; long scripts
/// at thousands of nodes are the benchmarks' business.
const MAX_LINES_AT_MAX_NODES: usize = 4;

/// A case that has not answered by then has hung: it fails with its
/// reproduction (well inside nextest's 60 s limit).
const CASE_DEADLINE: Duration = Duration::from_secs(10);

/// Longest script, in lines.
const MAX_LINES: usize = 12;

/// Largest node count drawn for a run meant to be accepted (the card's
/// max and beyond are drawn as hostile values).
const SMALL_NODES: usize = 64;

/// The arguments of the generic verbs (`script::GENERIC`), for the
/// generator: every generic verb is here (checked below).
#[derive(Clone, Copy, Debug)]
enum Arg {
    /// `step K`, `run MAX`.
    Count,
    /// An in-flight id, `7` or `#7`.
    Id,
    /// Milliseconds, fractional allowed.
    Ms,
    Node,
    /// One group of `partition`: `0,1,2`.
    Group,
    Prob,
    Sched,
    OnOff,
    Text,
    /// An event number of `hb`, `12` or `e12`.
    Event,
    /// A pane of `hide` / `show` (`script::PANES`).
    Pane,
    /// The depth of `check`: small (each line runs a search), or out of range.
    Depth,
}

const GENERIC_ARGS: &[(&str, &[Arg])] = &[
    ("step", &[Arg::Count]),
    ("run", &[Arg::Count]),
    ("deliver", &[Arg::Id]),
    ("drop", &[Arg::Id]),
    ("delay", &[Arg::Id, Arg::Ms]),
    ("dup", &[Arg::Id]),
    ("crash", &[Arg::Node]),
    ("recover", &[Arg::Node]),
    ("partition", &[Arg::Group, Arg::Group]),
    ("cut", &[Arg::Node, Arg::Node]),
    ("heal", &[]),
    ("loss", &[Arg::Prob]),
    ("dup-rate", &[Arg::Prob]),
    ("latency", &[Arg::Ms, Arg::Ms]),
    ("sched", &[Arg::Sched]),
    ("fifo", &[Arg::OnOff]),
    ("say", &[Arg::Text]),
    ("pause", &[]),
    ("select", &[Arg::Node]),
    ("hide", &[Arg::Pane]),
    ("show", &[Arg::Pane]),
    ("hb", &[Arg::Event, Arg::Event]),
    ("check", &[Arg::Depth]),
    // `expect` has three forms; see `expect_line`.
    ("expect", &[]),
];

/// One generated run: what `distlab run NAME --nodes N --seed S --sched X
/// [--fifo] [--inline] -p K=V… --headless --script -` gets.
#[derive(Clone, Debug)]
struct Case {
    n: usize,
    seed: u64,
    sched: &'static str,
    fifo: bool,
    inline: bool,
    params: Vec<(String, String)>,
    lines: Vec<String>,
}

impl Case {
    /// The configuration as `distlab run … --headless` builds it
    /// (src/main.rs `run_config`, then logging off), without its early
    /// checks: the run must make them itself.
    fn config(&self, scenario: &str) -> RunConfig {
        let mut sim = SimConfig::new(self.n, self.seed);
        sim.sched = SchedMode::parse(self.sched).expect("a scheduler name");
        sim.net.fifo = self.fifo;
        sim.driver = if self.inline { DriverKind::Inline } else { DriverKind::Actors };
        sim.logging = false;
        // As main reads `-p KEY=VALUE`: split at the first `=`, trimmed.
        let params = self.params.iter().map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
        RunConfig { scenario: scenario.to_string(), params, sim }
    }

    fn script(&self) -> String {
        self.lines.join("\n")
    }

    /// The command line that reproduces the case, and its exact text.
    fn repro(&self, scenario: &str) -> String {
        let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
        let params: String = self.params.iter().map(|(k, v)| format!(" -p {}", quote(&format!("{k}={v}")))).collect();
        format!(
            "distlab run {scenario} --nodes {} --seed {} --sched {}{}{}{params} --headless --script - <<'EOF'\n{}\nEOF\n\
             (params exactly: {:?}; script lines exactly: {:?})",
            self.n,
            self.seed,
            self.sched,
            if self.fifo { " --fifo" } else { "" },
            if self.inline { " --inline" } else { "" },
            self.script(),
            self.params,
            self.lines
        )
    }
}

// ----- values --------------------------------------------------------------------

fn pick(values: Vec<String>) -> BoxedStrategy<String> {
    select(values).boxed()
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| s.to_string()).collect()
}

/// Words no argument wants: numbers at and beyond every boundary, the
/// spellings of infinity and NaN, event-id forms, empty, quoted and
/// unterminated text, unicode, control characters, very long words.
fn hostile(n: usize) -> BoxedStrategy<String> {
    let n = n as u128;
    let mut fixed = strings(&[
        "0",
        "1",
        "-1",
        "2",
        "4294967295",
        "4294967296",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "340282366920938463463374607431768211456",
        "1e308",
        "-1e308",
        "1e309",
        "1e-320",
        "NaN",
        "nan",
        "-NaN",
        "inf",
        "-inf",
        "infinity",
        "-0",
        "+0",
        "-0.0",
        "0.5",
        "1.5",
        "0x10",
        "1_000",
        "+1",
        "１",
        "٣",
        "\"\"",
        "\" \"",
        "#7",
        "#0",
        "#",
        "##",
        "#-1",
        "#18446744073709551616",
        "e5",
        "e0",
        "e",
        "e-1",
        "E5",
        "5e",
        "\"two words\"",
        "\"ünïcødé ✓ 日本語 🦀\"",
        "\"tab\there\"",
        "\"bell\u{7}\"",
        "\"esc\u{1b}[2J\"",
        "\"nul\u{0}\"",
        "\"cr\rret\"",
        "\"del\u{7f}\"",
        "\"rtl\u{202e}txt\"",
        "\"quote \\\" inside\"",
        "\"back\\\\slash\"",
        "\"unterminated",
        "\"",
        "\\",
        "==",
        "[1,0]",
        "{",
        "}",
        "null",
        "true",
        ",",
        ",,",
        "0,1",
        "0,0",
        "1,2,3",
        "NaN,inf",
        "🦀",
        "\u{feff}",
        "\u{0}",
        "\u{7}",
        "\u{1b}",
        "\t",
        "a\u{0}b",
        "ok",
        "role",
        "causal",
        "leader",
        "on",
        "timed",
        "--",
        "-p",
        "k=v",
    ]);
    fixed.extend([n.saturating_sub(1), n, n + 1, n * 2].map(|x| x.to_string()));
    prop_oneof![
        12 => select(fixed),
        1 => (1000usize..6000).prop_map(|k| "a".repeat(k)),
        1 => (19usize..400).prop_map(|k| "9".repeat(k)),
        2 => (0u64..40).prop_map(|k| format!("#{k}")),
        1 => any::<u64>().prop_map(|k| format!("#{k}")),
        2 => (0u64..40).prop_map(|k| format!("e{k}")),
        1 => any::<u32>().prop_map(|k| format!("e{k}")),
        1 => "[^\n]{1,16}",
        1 => "\"[^\n\"\\\\]{0,24}\"",
    ]
    .boxed()
}

/// `valid`, or when `wild` sometimes `near` (just outside what is
/// accepted) or a hostile word.
fn maybe_wild(valid: BoxedStrategy<String>, near: Vec<String>, n: usize, wild: bool) -> BoxedStrategy<String> {
    if !wild {
        return valid;
    }
    if near.is_empty() {
        return prop_oneof![3 => valid, 1 => hostile(n)].boxed();
    }
    prop_oneof![5 => valid, 2 => select(near), 2 => hostile(n)].boxed()
}

/// Node ids that exist (n-1 among them).
fn node_id(n: usize) -> BoxedStrategy<String> {
    let top = n.clamp(1, SMALL_NODES);
    prop_oneof![6 => (0..top).prop_map(|i| i.to_string()), 1 => Just(n.saturating_sub(1).to_string())].boxed()
}

fn beyond_nodes(n: usize) -> Vec<String> {
    let n = n as u128;
    [n, n + 1, 1 << 32, u64::MAX as u128].map(|x| x.to_string()).to_vec()
}

fn int_values(min: i64, max: i64) -> BoxedStrategy<String> {
    let (lo, hi) = (min as i128, max as i128);
    let edges: Vec<String> = [lo, hi, lo + 1, hi - 1, 0, 1, -1, (lo + hi) / 2]
        .into_iter()
        .filter(|v| (lo..=hi).contains(v))
        .map(|v| v.to_string())
        .collect();
    // Small values near the bottom: the likely ones.
    let s_lo = min.max(-1000);
    let s_hi = max.min(s_lo.saturating_add(1000));
    prop_oneof![2 => select(edges), 2 => (s_lo..=s_hi).prop_map(|v| v.to_string()), 1 => (min..=max).prop_map(|v| v.to_string())]
        .boxed()
}

fn ms_values(min: u64, max: u64) -> BoxedStrategy<String> {
    let edges: Vec<String> = [min, max, min + 1, 10, 50, 100]
        .into_iter()
        .filter(|v| (min..=max).contains(v))
        .map(|v| v.to_string())
        .collect();
    let top = max.min(min.saturating_add(200));
    prop_oneof![2 => select(edges), 2 => (min..=top).prop_map(|v| v.to_string())].boxed()
}

fn real_values(min: f64, max: f64) -> BoxedStrategy<String> {
    let edges: Vec<String> = [min, max, 0.0, -0.0, 0.5, -0.5, 1.5, 2.5, (min + max) / 2.0, min / 2.0, max / 2.0]
        .into_iter()
        .filter(|v| (min..=max).contains(v))
        .map(|v| v.to_string())
        .collect();
    let (lo, hi) = (min.max(-1000.0), max.min(1000.0));
    prop_oneof![2 => select(edges), 1 => (lo..=hi).prop_map(|v| v.to_string())].boxed()
}

/// One word: names, labels and the comma lists berkeley and the load
/// balancer read (one value per node, or per server).
fn word_values(n: usize) -> BoxedStrategy<String> {
    let per_node = |v: &str| vec![v; n.clamp(1, SMALL_NODES)].join(",");
    let mut words = strings(&[
        "alpha",
        "job-1",
        "x",
        "ünï",
        "elect",
        "0",
        "1",
        "-1",
        "3,1,1,1",
        "1,2,3",
        "100.3,102.5,98.4,101.0",
        "NaN,NaN",
        "inf",
        "1e308",
        "100000",
        "-100000",
        "100001",
        "0,0,0",
        ",",
        "1,,1",
        "spread",
    ]);
    words.extend([per_node("1"), per_node("100.5"), per_node("0"), per_node("-100000"), per_node("1e308")]);
    pick(words)
}

/// Text: plain, quoted with spaces, and what rpc's `call C FN A B` parses
/// (overflowing arithmetic included).
fn text_values() -> BoxedStrategy<String> {
    pick(strings(&[
        "hello",
        "hello world",
        "\"quoted text with spaces\"",
        "\"ünïcødé ✓ 日本語\"",
        "echo",
        "add 3 4",
        "subtract 1 2",
        "deposit 1",
        "divide 1 0",
        "divide -9223372036854775808 -1",
        "multiply 9223372036854775807 2",
        "add 9223372036854775807 1",
        "subtract -9223372036854775808 1",
        "deposit 9223372036854775807",
        "deposit -9223372036854775808",
        "noop 0 0",
        "add",
        "add 1",
        "add 1 2 3",
        "add NaN 1",
    ]))
}

/// A value of `kind`: one the card accepts, or when `wild` sometimes not.
fn kind_value(card: &'static Card, kind: Kind, n: usize, wild: bool) -> BoxedStrategy<String> {
    let (valid, near) = match kind {
        Kind::Node(_) => (node_id(n), beyond_nodes(n)),
        Kind::Int { min, max } => {
            (int_values(min, max), [min as i128 - 1, max as i128 + 1].map(|v| v.to_string()).to_vec())
        }
        Kind::Ms { min, max } => {
            let mut near = strings(&["1.5", "-1", "1e3", "-0"]);
            near.push((max as u128 + 1).to_string());
            if min > 0 {
                near.push((min - 1).to_string());
            }
            (ms_values(min, max), near)
        }
        Kind::Real { min, max } => {
            let mut near = strings(&["NaN", "inf", "-inf", "1e308", "-1e308"]);
            near.extend([max * 10.0 + 1.0, min * 10.0 - 1.0].map(|v| v.to_string()));
            (real_values(min, max), near)
        }
        Kind::Choice(options) => {
            let mut near: Vec<String> = options.iter().map(|o| o.to_uppercase()).collect();
            near.push(options.join(","));
            (select(strings(options)).boxed(), near)
        }
        Kind::Variant => (select(strings(&card.variant_names())).boxed(), strings(&["bogus", "CORRECT"])),
        Kind::Word => (word_values(n), Vec::new()),
        Kind::Text => (text_values(), Vec::new()),
    };
    maybe_wild(valid, near, n, wild)
}

/// Counts of `step K` / `run MAX`: small ones (the run stays fast), and
/// when `wild`, counts beyond the ceiling and words that are no count.
fn count(wild: bool) -> BoxedStrategy<String> {
    let small = prop_oneof![6 => (0u64..=200).prop_map(|k| k.to_string()), 1 => Just("+7".to_string())].boxed();
    let mut near = strings(&["18446744073709551616", "-1", "1e3", "NaN", "inf", "\"\"", "#5", "0x10", "1.5", "-0"]);
    // Counts above one command's limit: refused (exit 2), never run.
    near.extend([MAX_COUNT + 1, 1 << 32, u64::MAX / 2, u64::MAX].map(|k| k.to_string()));
    near.push("9".repeat(19));
    // Not `maybe_wild`: hostile words include huge numbers that parse as
    // counts; `near` has those that may be drawn.
    if wild { prop_oneof![3 => small, 1 => select(near)].boxed() } else { small }
}

fn generic_arg(arg: Arg, n: usize, wild: bool) -> BoxedStrategy<String> {
    let ids = || {
        prop_oneof![
            3 => (0u64..32).prop_map(|k| format!("#{k}")),
            2 => (0u64..32).prop_map(|k| k.to_string()),
            1 => (1000u64..=u64::MAX).prop_map(|k| format!("#{k}")),
        ]
        .boxed()
    };
    match arg {
        Arg::Count => count(wild),
        Arg::Id => maybe_wild(ids(), strings(&["#", "#-1", "e5", "#18446744073709551616", "##1"]), n, wild),
        Arg::Ms => maybe_wild(
            prop_oneof![
                4 => (0u64..=100).prop_map(|k| k.to_string()),
                1 => select(strings(&["0.5", "0.001", "1e-9", "1000000000000", "1e12", "-0"])),
            ]
            .boxed(),
            strings(&["1e13", "-1", "NaN", "inf", "1e308"]),
            n,
            wild,
        ),
        Arg::Node => maybe_wild(node_id(n), beyond_nodes(n), n, wild),
        Arg::Group => {
            let member = if wild { prop_oneof![4 => node_id(n), 1 => hostile(n)].boxed() } else { node_id(n) };
            let group = prop::collection::vec(member, 1..=4).prop_map(|g| g.join(",")).boxed();
            maybe_wild(group, strings(&[",", ",,", "0,,1"]), n, wild)
        }
        Arg::Prob => maybe_wild(
            select(strings(&["0", "1", "0.5", "0.1", "1e-300", "-0"])).boxed(),
            strings(&["1.0000001", "-0.5", "NaN", "inf", "2"]),
            n,
            wild,
        ),
        Arg::Sched => {
            maybe_wild(select(strings(&["timed", "random", "manual"])).boxed(), strings(&["Timed", "fifo"]), n, wild)
        }
        Arg::OnOff => maybe_wild(select(strings(&["on", "off"])).boxed(), strings(&["yes", "1", "ON"]), n, wild),
        Arg::Text => maybe_wild(text_values(), Vec::new(), n, wild),
        Arg::Pane => maybe_wild(
            select(script::PANES.iter().map(|p| p.to_string()).collect::<Vec<_>>()).boxed(),
            strings(&["logs", "Log", "all", "panes"]),
            n,
            wild,
        ),
        Arg::Depth => maybe_wild(
            prop_oneof![3 => Just("1".to_string()), 1 => Just("2".to_string())].boxed(),
            strings(&["0", "1001", "-1", "deep", "4294967296"]),
            n,
            wild,
        ),
        Arg::Event => maybe_wild(
            prop_oneof![
                3 => (0u32..40).prop_map(|k| format!("e{k}")),
                2 => (0u32..40).prop_map(|k| k.to_string()),
                1 => any::<u32>().prop_map(|k| format!("e{k}")),
            ]
            .boxed(),
            strings(&["e4294967296", "e-1", "#3", "e", "ee5", "e1e3"]),
            n,
            wild,
        ),
    }
}

/// What becomes of a line's arguments.
#[derive(Clone, Debug)]
enum Mutation {
    None,
    /// Leave out the last k.
    Drop(usize),
    /// Add these words.
    Extra(Vec<String>),
}

/// `verb` and its arguments; when `wild`, sometimes with some left out or
/// some added. `keep` forbids leaving out (a bare `run` runs a million
/// steps, a bare `check` searches to depth 12: too slow for a fuzz case).
fn with_args(
    verb: String,
    args: Vec<BoxedStrategy<String>>,
    n: usize,
    wild: bool,
    keep: bool,
) -> BoxedStrategy<String> {
    let mutation = if wild {
        prop_oneof![
            4 => Just(Mutation::None),
            1 => (1usize..=2).prop_map(Mutation::Drop),
            1 => prop::collection::vec(hostile(n), 1..=3).prop_map(Mutation::Extra),
        ]
        .boxed()
    } else {
        Just(Mutation::None).boxed()
    };
    (args, mutation)
        .prop_map(move |(mut words, m)| {
            match m {
                Mutation::None => {}
                Mutation::Drop(k) if !keep => words.truncate(words.len().saturating_sub(k)),
                Mutation::Drop(_) => {}
                Mutation::Extra(extra) => words.extend(extra),
            }
            std::iter::once(verb.clone()).chain(words).collect::<Vec<_>>().join(" ")
        })
        .boxed()
}

/// `expect ok`, `expect role N ROLE`, `expect PATH == JSON`; when `wild`,
/// bad forms too.
fn expect_line(n: usize, wild: bool) -> BoxedStrategy<String> {
    let roles = strings(&["idle", "wanting", "in-cs", "candidate", "leader", "crashed"]);
    let role = maybe_wild(select(roles).boxed(), strings(&["LEADER", "bogus", "\"\"", "\"in cs\""]), n, wild);
    let node = maybe_wild(node_id(n), beyond_nodes(n), n, wild);
    let path = select(strings(&[
        "result.cs_order",
        "messages.total",
        "nodes",
        "result",
        "violations",
        "",
        "a..b",
        "result.0",
        "result.x.y.z",
        "\"spaced path\"",
        "..",
    ]));
    let json = maybe_wild(
        select(strings(&["[1,0]", "0", "[]", "null", "\"x\"", "true", "{}", "1e308", "-0", "5 # a comment"])).boxed(),
        strings(&["NaN", "{", "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]", "1e999", "\"unterminated", ""]),
        n,
        wild,
    );
    let forms = prop_oneof![
        1 => Just("expect ok".to_string()),
        2 => (node, role).prop_map(|(node, role)| format!("expect role {node} {role}")),
        2 => (path, json).prop_map(|(p, j)| format!("expect {p} == {j}")),
    ];
    if wild {
        let bad = prop::collection::vec(hostile(n), 0..=3).prop_map(|w| format!("expect {}", w.join(" ")));
        prop_oneof![4 => forms, 1 => bad].boxed()
    } else {
        forms.boxed()
    }
}

/// How often a generic verb is drawn: moving the run on most; the verbs
/// that name an event (which must exist at that moment) least.
fn generic_weight(verb: &str) -> u32 {
    match verb {
        "step" => 8,
        "run" => 4,
        "expect" | "crash" => 2,
        "deliver" | "drop" | "dup" | "delay" | "hb" | "recover" | "sched" => 1,
        _ => 1,
    }
}

/// A line: a generic verb or one of the card's verbs; when `wild`, with
/// arguments that may be refused, or junk.
fn line(card: &'static Card, n: usize, wild: bool) -> BoxedStrategy<String> {
    let generic = Union::new_weighted(
        GENERIC_ARGS
            .iter()
            .map(|&(verb, args)| {
                let line = if verb == "expect" {
                    expect_line(n, wild)
                } else {
                    let args = args.iter().map(|&a| generic_arg(a, n, wild)).collect();
                    // A bare `run` runs a million steps, a bare `check` a
                    // search to depth 12: too slow for a fuzz case.
                    with_args(verb.to_string(), args, n, wild, verb == "run" || verb == "check")
                };
                (generic_weight(verb), line)
            })
            .collect(),
    );
    let own = (0..card.verbs.len().max(1)).prop_flat_map(move |i| match card.verbs.get(i) {
        Some(v) => {
            let args = v.args.iter().map(|a| kind_value(card, a.kind, n, wild)).collect();
            with_args(v.name.to_string(), args, n, wild, false)
        }
        None => Just("heal".to_string()).boxed(),
    });
    if !wild {
        return prop_oneof![4 => generic, 3 => own].boxed();
    }
    let junk = prop_oneof![
        3 => (hostile(n), prop::collection::vec(hostile(n), 0..=3))
            .prop_map(|(v, rest)| std::iter::once(v).chain(rest).collect::<Vec<_>>().join(" ")),
        1 => select(strings(&["frobnicate 3", "STEP", "Step 1", "stepp", "", "   ", "# a comment", "#", "\"step\" 1", "step\t2"])),
    ];
    prop_oneof![5 => generic, 5 => own, 2 => junk].boxed()
}

/// Node counts: small ones the card accepts (its max now and then); when
/// `wild`, also 0, 1, the card's bounds and their neighbours, and huge ones.
fn nodes(card: &'static Card, wild: bool) -> BoxedStrategy<usize> {
    let r = card.nodes;
    let small = prop_oneof![20 => r.min..=r.max.min(SMALL_NODES).max(r.min), 1 => Just(r.max)];
    if !wild {
        return small.boxed();
    }
    let edges = vec![0, 1, r.min.saturating_sub(1), r.min, r.max, r.max + 1, 1 << 32, 1 << 40, usize::MAX];
    prop_oneof![3 => small, 1 => select(edges)].boxed()
}

/// A parameter value of `kind`; when `wild`, also what `-p` may carry
/// (empty, spaces, `=`, a newline) and hostile words.
fn param_value(card: &'static Card, kind: Kind, n: usize, wild: bool) -> BoxedStrategy<String> {
    if !wild {
        return kind_value(card, kind, n, false);
    }
    let odd = select(strings(&["", " ", " 5 ", "=", "a=b", "-", "\u{0}", "ünï", "1 2", "5\n6", "NaN", "1e999"]));
    prop_oneof![
        6 => kind_value(card, kind, n, true),
        1 => odd,
        1 => (1000usize..6000).prop_map(|k| "7".repeat(k)),
    ]
    .boxed()
}

/// Random `-p` parameters: each of the card's now and then (twice, at
/// times); when `wild`, unknown keys too.
fn params(card: &'static Card, n: usize, wild: bool) -> BoxedStrategy<Vec<(String, String)>> {
    let each: Vec<BoxedStrategy<Vec<(String, String)>>> = card
        .params
        .iter()
        .map(|p| {
            let (one, two) = (p.key.to_string(), p.key.to_string());
            prop_oneof![
                if wild { 6 } else { 24 } => Just(vec![]),
                3 => param_value(card, p.kind, n, wild).prop_map(move |v| vec![(one.clone(), v)]),
                1 => prop::collection::vec(param_value(card, p.kind, n, wild), 2)
                    .prop_map(move |vs| vs.into_iter().map(|v| (two.clone(), v)).collect()),
            ]
            .boxed()
        })
        .collect();
    let unknown = if wild {
        let keys = strings(&["nope", "", "VARIANT", "variant ", "nodes", "seed", "cs.x", "ünï", "a\nb"]);
        prop::collection::vec((select(keys), hostile(n)), 0..=1).boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    (each, unknown).prop_map(|(each, unknown)| each.into_iter().flatten().chain(unknown).collect()).boxed()
}

/// Where hostility goes in a case. A script is checked whole before any of
/// it runs, so one refused line stops everything: most cases are tame, to
/// reach deep into runs; the others refuse something on purpose.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Everything as the card accepts it (the run may still refuse a line
    /// that does not fit the moment: crash a crashed node…).
    Tame,
    /// A tame run whose script has one wild line.
    OneWildLine,
    /// A tame configuration, every line wild.
    WildLines,
    /// Wild node count and parameters, tame lines.
    WildConfig,
    WildAll,
}

fn case(card: &'static Card) -> impl Strategy<Value = Case> {
    let mode = prop_oneof![
        6 => Just(Mode::Tame),
        2 => Just(Mode::OneWildLine),
        1 => Just(Mode::WildLines),
        1 => Just(Mode::WildConfig),
        1 => Just(Mode::WildAll),
    ];
    let sched = prop_oneof![6 => Just("timed"), 3 => Just("random"), 1 => Just("manual")];
    (mode, any::<u64>(), sched, any::<bool>(), any::<bool>())
        .prop_flat_map(move |(mode, seed, sched, fifo, inline)| {
            let wild_config = matches!(mode, Mode::WildConfig | Mode::WildAll);
            let wild_lines = matches!(mode, Mode::WildLines | Mode::WildAll);
            (Just((mode, seed, sched, fifo, inline)), nodes(card, wild_config), Just(wild_config), Just(wild_lines))
        })
        .prop_flat_map(move |(head, n, wild_config, wild_lines)| {
            let one_wild = matches!(head.0, Mode::OneWildLine);
            let max = if one_wild { MAX_LINES - 1 } else { MAX_LINES };
            (
                Just(head),
                Just(n),
                params(card, n, wild_config),
                prop::collection::vec(line(card, n, wild_lines), 0..=max),
                line(card, n, true),
                any::<prop::sample::Index>(),
            )
        })
        .prop_map(move |((mode, seed, sched, fifo, inline), n, params, mut lines, wild, at)| {
            if n > SMALL_NODES {
                let one_wild = matches!(mode, Mode::OneWildLine);
                lines.truncate(MAX_LINES_AT_MAX_NODES - usize::from(one_wild));
            }
            if matches!(mode, Mode::OneWildLine) {
                let i = at.index(lines.len() + 1);
                lines.insert(i, wild);
            }
            Case { n, seed, sched, fifo, inline, params, lines }
        })
}

// ----- the checks ----------------------------------------------------------------

/// A `step K` / `run K` line with K above the ceiling (K a u64).
fn over_ceiling(line: &str) -> bool {
    match script::tokenize(line).as_deref() {
        Ok([verb, k]) if verb == "step" || verb == "run" => k.parse::<u64>().is_ok_and(|k| k > MAX_COUNT),
        _ => false,
    }
}

/// Run `f` on its own thread; a panic or a run past the deadline is an error.
fn with_deadline<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(r);
    });
    match rx.recv_timeout(CASE_DEADLINE) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(panic)) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("panicked: {what}"))
        }
        // The stuck thread is left behind; the test fails anyway.
        Err(_) => Err(format!("no answer within {CASE_DEADLINE:?} (hung?)")),
    }
}

/// Run one case in process as `distlab run --headless` does; the answer
/// must keep the headless contract.
fn check_case(card: &'static Card, c: &Case, stats: &Stats) -> Result<(), String> {
    let config = c.config(card.name);
    let script = c.script();
    let (code, json) = with_deadline(move || {
        let r = block_on(headless::run(config, &script));
        (r.code, r.json)
    })?;
    if ![0, 1, 2].contains(&code) {
        return Err(format!("exit code {code}, not 0, 1 or 2"));
    }
    stats.count(code, json["steps"].as_u64().unwrap_or(0));
    let Some(obj) = json.as_object() else { return Err(format!("the answer is not a JSON object: {json}")) };
    let error = obj.get("error");
    if code == 2 {
        let Some(e) = error.and_then(|e| e.as_str()) else {
            return Err(format!("exit 2 without an \"error\" string: {json}"));
        };
        if e.trim().is_empty() || e.chars().any(char::is_control) {
            return Err(format!("the error is not one line of text: {e:?}"));
        }
    } else if let Some(e) = error {
        return Err(format!("exit {code} with an error {e}"));
    }
    let error = error.and_then(|e| e.as_str()).unwrap_or_default();
    // A node count the card refuses is refused as `--nodes` is.
    if let Err(want) = card.check_nodes(c.n) {
        if code != 2 || !error.contains(&want) {
            return Err(format!("{} nodes: want exit 2 with {want:?}, got exit {code}: {json}", c.n));
        }
        return Ok(());
    }
    // A parameter the card refuses is refused as `-p` is.
    if let Err(want) = Params(c.config(card.name).params).check(card, c.n) {
        // Shown as one line: control characters escaped.
        let want = distlab::files::one_line(&want);
        if code != 2 || !error.contains(&want) {
            return Err(format!("want exit 2 with {want:?}, got exit {code}: {json}"));
        }
        return Ok(());
    }
    // A count above the ceiling is refused (the script does not run).
    if let Some(l) = c.lines.iter().find(|l| over_ceiling(l))
        && code != 2
    {
        return Err(format!("`{l}` is above the ceiling of {MAX_COUNT} steps, yet the run ended with exit {code}"));
    }
    Ok(())
}

/// What the cases of one test did, shown with `--no-capture` (to see the
/// generator reaches into runs rather than stopping at refusals).
#[derive(Default)]
struct Stats {
    codes: [std::cell::Cell<u32>; 3],
    steps: std::cell::Cell<u64>,
}

impl Stats {
    fn count(&self, code: i32, steps: u64) {
        if let Some(c) = self.codes.get(code as usize) {
            c.set(c.get() + 1);
        }
        self.steps.set(self.steps.get() + steps);
    }
}

fn fuzz_scenario(name: &str) {
    let card = algos::find(name).unwrap_or_else(|e| panic!("{e}")).card;
    let config = ProptestConfig {
        cases: fuzz_cases(),
        failure_persistence: None,
        max_shrink_iters: 500,
        // A hung case costs its deadline; shrinking stops in time to report.
        max_shrink_time: 20_000,
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let reported = AtomicBool::new(false);
    let stats = Stats::default();
    let result = runner.run(&case(card), |c| {
        check_case(card, &c, &stats).map_err(|e| {
            let message = format!("{e}\nreproduce with:\n{}", c.repro(name));
            // The first failure shows at once, in case shrinking is cut short.
            if !reported.swap(true, Ordering::Relaxed) {
                eprintln!("{name}: first failing case (shrinking follows):\n{message}\n");
            }
            TestCaseError::fail(message)
        })
    });
    let [ok, failed, refused] = stats.codes.each_ref().map(|c| c.get());
    eprintln!("{name}: exit 0 ×{ok}, 1 ×{failed}, 2 ×{refused}; {} steps in all", stats.steps.get());
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

macro_rules! fuzz_tests {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                fuzz_scenario($name);
            }
        )*
        const FUZZED: &[&str] = &[$($name),*];
    };
}

fuzz_tests! {
    ricart_agrawala => "ricart-agrawala",
    suzuki_kasami => "suzuki-kasami",
    lamport_mutex => "lamport-mutex",
    central_lock => "central-lock",
    token_ring => "token-ring",
    ring_election => "ring-election",
    bully_election => "bully-election",
    berkeley => "berkeley",
    logical_clocks => "logical-clocks",
    chat => "chat",
    chat_rooms => "chat-rooms",
    causal_order => "causal-order",
    shared_memory => "shared-memory",
    socket_echo => "socket-echo",
    rpc => "rpc",
    load_balancer => "load-balancer",
    dfs => "dfs",
}

#[test]
fn every_scenario_is_fuzzed() {
    let names: Vec<&str> = algos::all().iter().map(|e| e.card.name).collect();
    assert_eq!(FUZZED, names.as_slice(), "one fuzz test per scenario, in the registry's order");
}

#[test]
fn every_generic_verb_is_fuzzed() {
    let mut generic: Vec<&str> = script::GENERIC.iter().filter_map(|(u, _)| u.split_whitespace().next()).collect();
    generic.dedup();
    let fuzzed: Vec<&str> = GENERIC_ARGS.iter().map(|(v, _)| *v).collect();
    assert_eq!(fuzzed, generic, "GENERIC_ARGS lists every generic verb of script::GENERIC, in its order");
}
