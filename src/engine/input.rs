//! Everything a user can do to a run. Every key, script line and replayed
//! trace entry becomes one [`Input`] applied through `Sim::apply`; its
//! `Display` is the command-language text, so the log shows the command.

use super::protocol::{MS, NodeId, Time};
use std::fmt;

/// Id of an in-flight message or pending timer, shown as `#7`.
pub type EvId = u64;

/// Which pending event `step` delivers next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SchedMode {
    /// Earliest due first (ties by id).
    #[default]
    Timed,
    /// A seeded random choice among the deliverable events.
    Random,
    /// Nothing moves until the user picks an event with `deliver ID`.
    Manual,
}

impl SchedMode {
    pub fn name(self) -> &'static str {
        match self {
            SchedMode::Timed => "timed",
            SchedMode::Random => "random",
            SchedMode::Manual => "manual",
        }
    }
    pub fn parse(s: &str) -> Option<SchedMode> {
        [SchedMode::Timed, SchedMode::Random, SchedMode::Manual].into_iter().find(|m| m.name() == s)
    }
}

/// An assertion in a script; a failed one fails the run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Expect {
    /// No invariant has been violated.
    Ok,
    /// A node's role, e.g. `expect role 2 in-cs`.
    Role { node: NodeId, role: String },
    /// A value of the headless summary by dotted path, e.g.
    /// `expect result.cs_order == [1,0]` or `expect messages.total == 8`.
    /// The value is kept as JSON text.
    Path { path: String, value: String },
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Input {
    Step(u64),
    Run(Option<u64>),
    Deliver(EvId),
    Drop(EvId),
    Delay(EvId, Time),
    Dup(EvId),
    Crash(NodeId),
    Recover(NodeId),
    Partition(Vec<Vec<NodeId>>),
    Cut(NodeId, NodeId),
    Heal,
    Loss(f64),
    DupRate(f64),
    Latency(Time, Time),
    Sched(SchedMode),
    Fifo(bool),
    Say(String),
    Pause,
    Expect(Expect),
    /// `hb E1 E2`: how two history events are ordered by happened-before.
    Hb(u32, u32),
    /// An algorithm's own verb, e.g. `request 1`, `elect 2`.
    Verb {
        verb: String,
        args: Vec<String>,
    },
    /// `heal A B`: mend the one cut link between A and B (the TUI's `x` on a
    /// cut link). Added last, so traces written before it still decode.
    HealLink(NodeId, NodeId),
    /// What a script's `check [DEPTH]` line found (`distlab check` from
    /// that state): a JSON object `{"depth", "states", "exhausted",
    /// "violation", "length"}`, kept for `expect check.…` and the report.
    /// The search runs where the line is read; a replay only records it.
    Checked(String),
}

/// The text of a `check` line's outcome: `check D # …` (re-typed, it
/// searches again: `#` starts a comment).
fn checked_text(json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let depth = v["depth"].as_u64().unwrap_or_default();
    let states = v["states"].as_u64().unwrap_or_default();
    match v["violation"].as_str() {
        Some(p) => format!("check {depth} # {p} broken in {} steps ({states} states)", v["length"]),
        None => format!("check {depth} # no violation in {states} states"),
    }
}

fn ms(t: Time) -> String {
    if t.is_multiple_of(MS) { format!("{}", t / MS) } else { format!("{}", t as f64 / MS as f64) }
}

fn join(nodes: &[NodeId]) -> String {
    nodes.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(",")
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Step(1) => write!(f, "step"),
            Input::Step(k) => write!(f, "step {k}"),
            Input::Run(None) => write!(f, "run"),
            Input::Run(Some(m)) => write!(f, "run {m}"),
            Input::Deliver(id) => write!(f, "deliver {id}"),
            Input::Drop(id) => write!(f, "drop {id}"),
            Input::Delay(id, t) => write!(f, "delay {id} {}", ms(*t)),
            Input::Dup(id) => write!(f, "dup {id}"),
            Input::Crash(n) => write!(f, "crash {n}"),
            Input::Recover(n) => write!(f, "recover {n}"),
            Input::Partition(groups) => {
                write!(f, "partition")?;
                for g in groups {
                    write!(f, " {}", join(g))?;
                }
                Ok(())
            }
            Input::Cut(a, b) => write!(f, "cut {a} {b}"),
            Input::Heal => write!(f, "heal"),
            Input::HealLink(a, b) => write!(f, "heal {a} {b}"),
            Input::Checked(json) => write!(f, "{}", checked_text(json)),
            Input::Loss(p) => write!(f, "loss {p}"),
            Input::DupRate(p) => write!(f, "dup-rate {p}"),
            Input::Latency(a, b) => write!(f, "latency {} {}", ms(*a), ms(*b)),
            Input::Sched(m) => write!(f, "sched {}", m.name()),
            Input::Fifo(on) => write!(f, "fifo {}", if *on { "on" } else { "off" }),
            Input::Say(text) => write!(f, "say {text:?}"),
            Input::Pause => write!(f, "pause"),
            Input::Expect(Expect::Ok) => write!(f, "expect ok"),
            Input::Expect(Expect::Role { node, role }) => write!(f, "expect role {node} {role}"),
            Input::Expect(Expect::Path { path, value }) => write!(f, "expect {path} == {value}"),
            Input::Hb(a, b) => write!(f, "hb e{a} e{b}"),
            Input::Verb { verb, args } => {
                // A verb or argument no parser would take (a damaged trace's)
                // is shown escaped, never as raw control characters.
                if verb.contains(|c: char| c.is_control() || c.is_whitespace()) {
                    write!(f, "{verb:?}")?;
                } else {
                    write!(f, "{verb}")?;
                }
                for a in args {
                    if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c.is_control()) || a.contains('"') {
                        write!(f, " {a:?}")?;
                    } else {
                        write!(f, " {a}")?;
                    }
                }
                Ok(())
            }
        }
    }
}
