//! The command language: one grammar for the TUI's `:` prompt, lecture
//! scripts and headless runs. A line is a verb and its arguments; `#`
//! starts a comment; text with spaces goes in double quotes.

use crate::card::Card;
use crate::engine::input::{EvId, Expect, Input, SchedMode};
use crate::engine::network::{check_latency, check_prob};
use crate::engine::protocol::{MAX_MS, MS, NodeId, Role, RoleWords, Time};
use crate::engine::sim::check_count;
use crate::scenario::Scenario;

/// The generic verbs, for help and error messages.
pub const GENERIC: &[(&str, &str)] = &[
    ("step [K]", "deliver the next K events (default 1, K ≤ 10^6)"),
    ("run [MAX]", "deliver events until nothing is left (at most MAX ≤ 10^6)"),
    ("deliver ID", "deliver in-flight message or timer #ID next"),
    ("drop ID", "lose in-flight message #ID"),
    ("delay ID MS", "make #ID arrive MS milliseconds later (0 to 10^9)"),
    ("dup ID", "duplicate in-flight message #ID"),
    ("crash N", "crash node N (its timers stop, messages to it are lost)"),
    ("recover N", "restart node N from its persisted state"),
    ("partition A,B C,D", "split the network into groups (unlisted nodes form one more)"),
    ("cut A B", "cut the link between A and B"),
    ("heal [A B]", "undo all partitions and cuts, or only the cut link A B"),
    ("loss P", "lose each message with probability P"),
    ("dup-rate P", "duplicate each message with probability P"),
    ("latency MIN MAX", "message latency in ms, uniform in [MIN, MAX] (0 to 10^9)"),
    ("sched timed|random|manual", "scheduler: earliest first, seeded random, or user picks"),
    ("fifo on|off", "per-link FIFO delivery"),
    ("say \"text\"", "narration for the class"),
    ("pause", "wait for a key (lecture checkpoint)"),
    ("select N", "point at node N: the TUI selects it (headless: only checked)"),
    ("hide PANE...", "TUI: hide panes: topology diagram side inspector inflight log narration"),
    ("show PANE...|all", "TUI: show panes again (all: also ends full screen)"),
    ("hb E1 E2", "is E1 → E2, E2 → E1 or concurrent? (event numbers as in the diagram)"),
    ("check [DEPTH]", "search every delivery order from here (depth 12); expect check.violation, check.length"),
    ("expect ok", "fail the run if an invariant is broken"),
    ("expect role N ROLE", "fail unless node N shows ROLE, in the scenario's words (see its info)"),
    ("expect PATH == JSON", "fail unless the summary has JSON at PATH (e.g. result.cs_order == [1,0])"),
];

/// Split a line into words; double quotes group, `\"` and `\\` escape,
/// `#` outside quotes starts a comment.
pub fn tokenize(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        // `#` starts a comment, except in an event id like `#7`.
        let id_follows = chars.clone().nth(1).is_some_and(|c| c.is_ascii_digit());
        match chars.peek() {
            None => return Ok(words),
            Some('#') if !id_follows => return Ok(words),
            Some('"') => {
                chars.next();
                let mut w = String::new();
                loop {
                    match chars.next() {
                        None => return Err("unterminated quoted text (missing closing \")".into()),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c) => w.push(c),
                            None => return Err("unterminated quoted text".into()),
                        },
                        Some(c) => w.push(c),
                    }
                }
                words.push(w);
            }
            Some(_) => {
                let mut w = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    w.push(c);
                    chars.next();
                }
                words.push(w);
            }
        }
    }
}

fn num<T: std::str::FromStr>(word: &str, what: &str) -> Result<T, String> {
    word.parse().map_err(|_| format!("expected {what}, got {word:?}"))
}

fn ev_id(word: &str) -> Result<EvId, String> {
    num(word.trim_start_matches('#'), "an event id like 7 or #7")
}

fn millis(word: &str) -> Result<Time, String> {
    let v: f64 = num(word, "milliseconds")?;
    if !(0.0..=MAX_MS as f64).contains(&v) {
        return Err(format!("{word} ms is out of range (0 to {MAX_MS})"));
    }
    Ok((v * MS as f64).round() as Time)
}

fn count(word: &str) -> Result<u64, String> {
    let k: u64 = num(word, "a count")?;
    check_count(k).map(|()| k)
}

fn node(word: &str) -> Result<NodeId, String> {
    num(word, "a node number")
}

fn prob(word: &str) -> Result<f64, String> {
    let p: f64 = num(word, "a probability between 0 and 1")?;
    check_prob(p).map(|()| p)
}

fn usage(verb: &str) -> String {
    GENERIC
        .iter()
        .find(|(u, _)| u.split_whitespace().next() == Some(verb))
        .map(|(u, _)| format!("usage: {u}"))
        .unwrap_or_default()
}

/// One line of a script: an input of the run, or a lecture command the
/// front end acts on and the run never sees (it is not in the input log or
/// the trace).
#[derive(Clone, Debug, PartialEq)]
pub enum Line {
    /// A command of the run (`step`, `crash 3`, `request 1`, `say`, …).
    Input(Input),
    /// `select N`: point at node N (it exists). The TUI selects it, so the
    /// inspector shows it; a headless run only checks it.
    Select(NodeId),
    /// `hide PANE...` (`show: false`) or `show PANE...|all`: the TUI hides
    /// or shows these panes (indices into [`PANES`]); a headless run only
    /// checks the names.
    Panes { show: bool, panes: Vec<usize> },
    /// `check [DEPTH]`: search every delivery order from here to DEPTH
    /// (`distlab check`); its outcome is recorded as an
    /// [`Input::Checked`], so a later `expect check.violation == …` reads it.
    Check(u32),
}

/// The depth a `check` line (or the TUI's `:check`) explores by default.
pub const CHECK_DEPTH: u32 = 12;
/// The deepest a `check` line may ask for.
pub const CHECK_DEPTH_MAX: u32 = 1_000;

/// The panes `hide` and `show` name, one table for the parser, the TUI's
/// layout and help.
pub const PANES: [&str; 7] = ["topology", "diagram", "side", "inspector", "inflight", "log", "narration"];

/// Parse the arguments of `hide` / `show` (`all` only for `show`).
pub fn parse_panes(show: bool, args: &[String]) -> Result<Line, String> {
    let verb = if show { "show" } else { "hide" };
    if args.is_empty() {
        return Err(format!(
            "usage: {verb} PANE...{}; the panes are {}",
            if show { "|all" } else { "" },
            PANES.join(" ")
        ));
    }
    if show && args.len() == 1 && args[0] == "all" {
        return Ok(Line::Panes { show, panes: (0..PANES.len()).collect() });
    }
    let panes = args
        .iter()
        .map(|a| {
            PANES
                .iter()
                .position(|p| p == a)
                .ok_or_else(|| format!("{verb}: {a:?} is not a pane; the panes are {}", PANES.join(" ")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Line::Panes { show, panes })
}

/// Parse one line of a script or the prompt. `Ok(None)` for blank lines
/// and comments.
pub fn parse_command(line: &str, scenario: &dyn Scenario) -> Result<Option<Line>, String> {
    let words = tokenize(line)?;
    match words.as_slice() {
        [verb, args @ ..] if verb == "select" => {
            let [n] = args else { return Err(usage(verb)) };
            let n = node(n)?;
            let count = scenario.n();
            if n >= count {
                return Err(format!("node {n} does not exist (nodes are 0..{})", count - 1));
            }
            Ok(Some(Line::Select(n)))
        }
        [verb, args @ ..] if verb == "hide" || verb == "show" => parse_panes(verb == "show", args).map(Some),
        [verb, args @ ..] if verb == "check" => match args {
            [] => Ok(Some(Line::Check(CHECK_DEPTH))),
            [d] => d
                .parse::<u32>()
                .ok()
                .filter(|d| (1..=CHECK_DEPTH_MAX).contains(d))
                .map(|d| Some(Line::Check(d)))
                .ok_or_else(|| format!("check [DEPTH]: DEPTH is a number from 1 to {CHECK_DEPTH_MAX}")),
            _ => Err(format!("usage: check [DEPTH] (1 to {CHECK_DEPTH_MAX})")),
        },
        _ => parse_words(&words, line, scenario).map(|i| i.map(Line::Input)),
    }
}

/// Parse one line into an input of the run. `Ok(None)` for blank lines and
/// comments; `select N`, which is not an input, is refused (see
/// [`parse_command`]).
pub fn parse_line(line: &str, scenario: &dyn Scenario) -> Result<Option<Input>, String> {
    match parse_command(line, scenario)? {
        Some(Line::Input(input)) => Ok(Some(input)),
        Some(Line::Select(_)) => Err("select N points at a node in a lecture; it is not an input of the run".into()),
        Some(Line::Panes { .. }) => Err("hide and show change the TUI's panes; they are not inputs of the run".into()),
        Some(Line::Check(_)) => Err("check runs the model checker where a script or the prompt reads it".into()),
        None => Ok(None),
    }
}

fn parse_words(words: &[String], line: &str, scenario: &dyn Scenario) -> Result<Option<Input>, String> {
    let Some((verb, args)) = words.split_first() else { return Ok(None) };
    let verb = verb.as_str();
    let arity = |lo: usize, hi: usize| {
        if (lo..=hi).contains(&args.len()) { Ok(()) } else { Err(usage(verb)) }
    };
    let input = match verb {
        "step" | "run" => {
            arity(0, 1)?;
            let k = args.first().map(|a| count(a)).transpose()?;
            if verb == "step" { Input::Step(k.unwrap_or(1)) } else { Input::Run(k) }
        }
        "deliver" | "drop" | "dup" => {
            arity(1, 1)?;
            let id = ev_id(&args[0])?;
            match verb {
                "deliver" => Input::Deliver(id),
                "drop" => Input::Drop(id),
                _ => Input::Dup(id),
            }
        }
        "delay" => {
            arity(2, 2)?;
            Input::Delay(ev_id(&args[0])?, millis(&args[1])?)
        }
        "crash" | "recover" => {
            arity(1, 1)?;
            let n = node(&args[0])?;
            if verb == "crash" { Input::Crash(n) } else { Input::Recover(n) }
        }
        "partition" => {
            if args.is_empty() {
                return Err(usage(verb));
            }
            // Every comma separates two node numbers: `0,,1`, `0,1,` and
            // `,0` are typos, refused rather than read as `0,1`.
            let group = |g: &String| -> Result<Vec<NodeId>, String> {
                if g.split(',').any(str::is_empty) {
                    return Err(format!(
                        "partition: {g:?} has an empty place between commas; write groups like 0,1 2,3"
                    ));
                }
                g.split(',').map(node).collect()
            };
            let groups = args.iter().map(group).collect::<Result<Vec<_>, _>>()?;
            Input::Partition(groups)
        }
        "cut" => {
            arity(2, 2)?;
            Input::Cut(node(&args[0])?, node(&args[1])?)
        }
        "heal" => match args {
            [] => Input::Heal,
            [a, b] => Input::HealLink(node(a)?, node(b)?),
            _ => return Err(usage(verb)),
        },
        "loss" => {
            arity(1, 1)?;
            Input::Loss(prob(&args[0])?)
        }
        "dup-rate" => {
            arity(1, 1)?;
            Input::DupRate(prob(&args[0])?)
        }
        "latency" => {
            arity(2, 2)?;
            let (a, b) = (millis(&args[0])?, millis(&args[1])?);
            check_latency(a, b)?;
            Input::Latency(a, b)
        }
        "sched" => {
            arity(1, 1)?;
            Input::Sched(SchedMode::parse(&args[0]).ok_or_else(|| usage(verb))?)
        }
        "fifo" => {
            arity(1, 1)?;
            match args[0].as_str() {
                "on" => Input::Fifo(true),
                "off" => Input::Fifo(false),
                _ => return Err(usage(verb)),
            }
        }
        "say" => {
            if args.is_empty() {
                return Err(usage(verb));
            }
            Input::Say(args.join(" "))
        }
        "pause" => {
            arity(0, 0)?;
            Input::Pause
        }
        "hb" => {
            arity(2, 2)?;
            let e = |w: &str| num::<u32>(w.trim_start_matches('e'), "an event number like 12 or e12");
            Input::Hb(e(&args[0])?, e(&args[1])?)
        }
        "expect" => parse_expect(args, line, scenario.card().role_words)?,
        _ if scenario.has_verb(verb) => {
            scenario.check_verb(verb, args)?;
            Input::Verb { verb: verb.to_string(), args: args.to_vec() }
        }
        _ => {
            let own = scenario.card().usages();
            let mut generic: Vec<&str> = GENERIC.iter().filter_map(|(u, _)| u.split_whitespace().next()).collect();
            generic.dedup();
            return Err(format!(
                "unknown command {verb:?}; expected one of {}, or {}'s own: {}",
                generic.join(", "),
                scenario.card().name,
                own.join(", ")
            ));
        }
    };
    Ok(Some(input))
}

/// The JSON after `==`, taken from the raw line so strings keep their
/// quotes; a trailing `# comment` is allowed.
fn json_after_eq(line: &str) -> Result<String, String> {
    let raw = line.split_once("==").map(|(_, r)| r.trim()).unwrap_or("");
    let parses = |t: &str| serde_json::from_str::<serde_json::Value>(t).is_ok();
    if parses(raw) {
        return Ok(raw.to_string());
    }
    raw.match_indices('#')
        .map(|(i, _)| raw[..i].trim())
        .find(|t| parses(t))
        .map(str::to_string)
        .ok_or_else(|| format!("{raw:?} is not JSON"))
}

fn parse_expect(args: &[String], line: &str, words: RoleWords) -> Result<Input, String> {
    const USAGE: &str = "usage: expect ok | expect role N ROLE | expect PATH == JSON";
    match args {
        [ok] if ok == "ok" => Ok(Input::Expect(Expect::Ok)),
        [r, n, role] if r == "role" => {
            Role::parse(words, role)?;
            Ok(Input::Expect(Expect::Role { node: node(n)?, role: role.clone() }))
        }
        [path, eq, rest @ ..] if eq == "==" && !rest.is_empty() => {
            Ok(Input::Expect(Expect::Path { path: path.clone(), value: json_after_eq(line)? }))
        }
        _ => Err(USAGE.into()),
    }
}

/// A script error, with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Parse a whole script into its lines, with their 1-based numbers: every
/// line is checked before anything runs.
pub fn parse_lecture(text: &str, scenario: &dyn Scenario) -> Result<Vec<(usize, Line)>, ScriptError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match parse_command(line, scenario) {
            Ok(Some(l)) => out.push((i + 1, l)),
            Ok(None) => {}
            Err(message) => return Err(ScriptError { line: i + 1, message }),
        }
    }
    Ok(out)
}

/// Parse a whole script into the run's inputs: every line is checked before
/// anything runs; `select` lines are checked and left out (a headless run
/// has nothing to point at).
pub fn parse_script(text: &str, scenario: &dyn Scenario) -> Result<Vec<(usize, Input)>, ScriptError> {
    let mut out = Vec::new();
    for (line, l) in parse_lecture(text, scenario)? {
        match l {
            Line::Input(input) => out.push((line, input)),
            Line::Select(_) | Line::Panes { .. } => {}
            Line::Check(_) => {
                let message = "check is read by `distlab run` scripts, not by this one".to_string();
                return Err(ScriptError { line, message });
            }
        }
    }
    Ok(out)
}

/// The usage line and help of `verb` (a generic command or one of the
/// card's verbs), for the prompt's hint as the lecturer types.
pub fn verb_help(card: &Card, verb: &str) -> Option<(String, String)> {
    if let Some(v) = card.verb(verb) {
        return Some((v.usage(), v.help.to_string()));
    }
    if verb == "expect" {
        return Some((
            "expect ok | expect role N ROLE | expect PATH == JSON".into(),
            format!("fail the run unless it holds; ROLE is {}", role_words(card)),
        ));
    }
    GENERIC.iter().find(|(u, _)| u.split_whitespace().next() == Some(verb)).map(|(u, h)| (u.to_string(), h.to_string()))
}

/// The words `expect role` takes in `card`'s scenario: `server|connected|…|crashed`.
pub fn role_words(card: &Card) -> String {
    card.roles_shown().iter().map(|&r| card.role_word(r)).collect::<Vec<_>>().join("|")
}

/// The generic verbs as a Markdown table (checked against the README).
pub fn markdown_table() -> String {
    let mut out = String::from("| command | meaning |\n|---|---|\n");
    for (usage, help) in GENERIC {
        out.push_str(&format!("| `{}` | {} |\n", usage.replace('|', "\\|"), help.replace('|', "\\|")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_handles_quotes_and_comments() {
        assert_eq!(tokenize(r#"say "two words" x # note"#).unwrap(), vec!["say", "two words", "x"]);
        assert_eq!(tokenize(r#"say "a \"q\"""#).unwrap(), vec!["say", "a \"q\""]);
        assert!(tokenize(r#"say "open"#).is_err());
        assert!(tokenize("   # only a comment").unwrap().is_empty());
    }
}
