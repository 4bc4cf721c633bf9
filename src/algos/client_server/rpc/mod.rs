//! RPC/RMI: stubs, skeletons and call semantics (what it shows: see `CARD`).
//!
//! Here: the messages, the summary and the card; `node.rs` is the node
//! (server and client stub), `check.rs` the monitor, `wire.rs` the
//! marshalling (the codec stays behind it). The monitor checks a stub's
//! result against `check::reference`, its own evaluation of the call, not
//! against the server's `dispatch`.
//!
//! The server's `serve` looks a call up in the duplicate table only in
//! at-most-once mode, and records each execution in `Sum` (`executions`,
//! `last_exec`): that is the execution log the monitor judges
//! `at-most-once` by. The table keeps every entry (a real server drops the
//! ones its clients have acknowledged); switching to at-least-once clears
//! it. A client keeps its next request id across a crash because ids are
//! never reused: otherwise the table would answer a new call with an old
//! reply.
//!
//! The variants: `no-dedup` makes `serve` skip the lookup (it still fills
//! the table); `forgetful` makes `recovered` clear the table; `any-reply`
//! makes the stub's `on_reply` accept a reply without matching its id.

mod check;
mod node;
pub mod wire;

pub use self::node::{Node, dispatch};

use self::wire::{Call, Outcome, Reply, decode, show_call, show_outcome};
use super::kit::{self as cs, VARIANT};
use crate::algos::kit::node_verb;
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, NodeRange, ParamCard, Property, RoleCard, ScriptCard, VariantCard,
    VerbCard,
};
use crate::card::{Claim, Fault};
use crate::engine::input::Input;
use crate::engine::invariant::Monitor;
use crate::engine::protocol::{Describe, NodeId, Role, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};

/// The server's node.
pub const SERVER: NodeId = 0;
/// Bytes of hex the inspector shows before it truncates.
const HEX_MAX: usize = 24;
/// Arguments a `call` may carry.
const MAX_ARGS: usize = 8;
/// Finished calls a client's inspector lists.
const KEEP_DONE: usize = 4;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Msg {
    /// Client → server: a marshalled [`Call`].
    Request { bytes: Vec<u8> },
    /// Server → client: a marshalled [`Reply`].
    Reply { bytes: Vec<u8> },
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Request { .. } => "REQUEST",
            Msg::Reply { .. } => "REPLY",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Request { bytes } => match decode::<Call>(bytes) {
                Ok(c) => format!("REQUEST {} [{} B]", show_call(&c), bytes.len()),
                Err(_) => format!("REQUEST [{} B, malformed]", bytes.len()),
            },
            Msg::Reply { bytes } => match decode::<Reply>(bytes) {
                Ok(Reply { id: Some(id), outcome }) => {
                    format!("REPLY call {id} = {} [{} B]", show_outcome(&outcome), bytes.len())
                }
                Ok(Reply { id: None, outcome }) => {
                    format!("REPLY (no id) = {} [{} B]", show_outcome(&outcome), bytes.len())
                }
                Err(_) => format!("REPLY [{} B, malformed]", bytes.len()),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Timer {
    /// No reply to call `id` yet: re-send it (or give up).
    Retry { id: u64 },
    /// Time for a client's next call of its own (`think`).
    Think,
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        match self {
            Timer::Retry { .. } => "RETRY",
            Timer::Think => "THINK",
        }
    }
    fn summary(&self) -> String {
        match self {
            Timer::Retry { id } => format!("RETRY call {id}"),
            Timer::Think => "THINK".into(),
        }
    }
}

/// What a user asks of a node.
#[derive(Clone, Debug, Hash)]
pub enum Request {
    /// `call C FN ARGS...` at client C.
    Call { function: String, args: Vec<i64> },
    /// `semantics at-least-once|at-most-once` at the server.
    Semantics { at_most_once: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    Correct,
    NoDedup,
    Forgetful,
    AnyReply,
}

const SEMANTICS: [&str; 2] = ["at-most-once", "at-least-once"];

fn semantics_name(amo: bool) -> &'static str {
    if amo { "at-most-once" } else { "at-least-once" }
}

/// How a finished call ended.
#[derive(Clone, Debug, PartialEq, Hash)]
pub enum End {
    /// The stub accepted this reply.
    Answered(Outcome),
    /// No reply after `attempts` sends.
    GaveUp,
}

/// One execution at the server, as the monitor sees it.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Exec {
    pub client: NodeId,
    pub id: u64,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    pub role: Role,
    // ----- a client (zero at the server)
    /// Calls issued so far, and the newest one.
    pub issued: u64,
    pub last_issued: Option<Call>,
    /// Calls finished so far, and how the newest one ended (id, end, attempts).
    pub finished: u64,
    pub last_finished: Option<(u64, End, u32)>,
    /// Calls in flight or queued.
    pub waiting: u32,
    // ----- the server (zero at clients)
    pub server: bool,
    pub at_most_once: bool,
    pub balance: i64,
    /// Executions so far, and the newest one.
    pub executions: u64,
    pub last_exec: Option<Exec>,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        self.role
    }
    fn badge(&self) -> String {
        if self.server {
            format!("{} bal {}", if self.at_most_once { "AMO" } else { "ALO" }, self.balance)
        } else if self.waiting > 0 {
            format!("wait {}", self.waiting)
        } else {
            String::new()
        }
    }
}

/// The knobs every node of a run shares.
#[derive(Clone, Copy, Debug, Hash)]
pub struct Knobs {
    pub timeout: Time,
    /// Sends per call before the stub gives up (0: never).
    pub attempts: u32,
    pub think: Time,
    pub variant: Variant,
}

pub struct Rpc;

/// No call runs twice in at-most-once mode.
pub const AT_MOST_ONCE: Property = Property::safety(
    "at-most-once",
    "in at-most-once mode no (client, request id) runs twice, by the server's own execution log",
);

/// A stub accepts only its own call's result.
pub const REPLY_MATCHES_CALL: Property = Property::safety(
    "reply-matches-call",
    "a result a stub accepts equals the correct result of its own call, computed apart in the checker (for \
        `deposit`, one the server returned for that call)",
);

/// With retries, every call ends.
pub const CALL_COMPLETES: Property = Property::liveness(
    "call-completes",
    "with retries on, at quiescence no live client still waits while the server is up",
);

/// The modes of the `semantics` verb, as its usage shows them.
const MODES: [&str; 2] = ["at-least-once", "at-most-once"];

static CARD: Card = Card {
    name: "rpc",
    role_words: &[(Role::Leader, "server"), (Role::Wanting, "calling"), (Role::Idle, "idle")],
    title: "RPC/RMI: stubs, skeletons and call semantics",
    family: Family::ClientServer,
    tolerates: &[
        Claim::of(Fault::Delay),
        Claim::of(Fault::Dup),
        Claim::of(Fault::Crash),
        Claim::of(Fault::Recover),
        Claim::unless(Fault::Loss, "timeout", "0"),
        Claim::unless(Fault::Partition, "timeout", "0"),
    ],
    about: "client stubs and a server skeleton marshal calls; timeouts, retries, at-least-once vs at-most-once",
    description: "Node 0 is the server, the others clients. A client's stub marshals a call (request id, function \
        name, arguments; `call 2 add(3, 4)` is its client's second call) to bytes with bincode 2 and sends a REQUEST; the server's skeleton unmarshals it, \
        dispatches and sends a marshalled REPLY; the stub checks the reply's id against its call and returns the \
        result. The stub blocks: one call in flight per client, later ones wait in its queue. Functions: the \
        seed's `add`, `subtract`, `multiply`, `divide` on i64 with checked arithmetic (an overflow or a division \
        by zero is an error reply), and `deposit A`, which adds A to the server's balance and returns it: not \
        idempotent, so running it twice shows. Any other name gets the seed's reply `Function X not found`; bytes \
        that do not unmarshal get an error reply, never a panic. An unanswered call is re-sent after `timeout` ms \
        with the same id, and after `attempts` sends the stub gives up (the call may or may not have run). Under \
        at-least-once the server runs every REQUEST it gets, so a lost reply plus a retry, a duplicated REQUEST or \
        a crash before the reply runs a `deposit` twice; under at-most-once it keeps a duplicate table (client, \
        id) → reply and answers a repeat from it. The balance and the table are on stable storage, written in \
        the step of the execution before the reply leaves, so a retry after a server crash still finds its \
        reply; a client keeps its next request id across a crash and loses its pending calls. Inspector: at a \
        client each stage of its current call (the call, the marshalled bytes in hex, the attempt, the reply \
        bytes, the result), its queue and earlier results; at the server the latest request's bytes, the \
        unmarshalled call, the dispatch (`ran add → 7` or `duplicate: table says 10`), the reply bytes, the \
        balance, the execution and duplicate counts and the duplicate table.",
    seeds: "000",
    nodes: NodeRange { default: 3, min: 2, max: 4096 },
    roles: &[
        RoleCard { name: "server", help: "node 0: the skeleton, the functions, the balance and the duplicate table" },
        RoleCard { name: "client", help: "every other node: a stub that makes one call at a time" },
    ],
    verbs: &[
        VerbCard {
            name: "call",
            // FN and up to 8 integer arguments, checked by `request`.
            args: &[ArgCard::node_of("C", "client"), ArgCard::new("FN A B", Kind::Text)],
            help: "client C calls FN (add, subtract, multiply, divide, deposit, or any name) with integer arguments",
        },
        VerbCard {
            name: "semantics",
            args: &[ArgCard::new("", Kind::Choice(&MODES))],
            help: "switch the server between re-running repeats and answering them from its duplicate table",
        },
    ],
    params: &[
        cs::ms_param("timeout", "30", "ms before the stub re-sends an unanswered call, same id (0: never)"),
        ParamCard {
            key: "attempts",
            kind: Kind::Int { min: 0, max: u32::MAX as i64 },
            default: "5",
            help: "sends per call before the stub gives up (0: never gives up)",
        },
        ParamCard {
            key: "semantics",
            kind: Kind::Choice(&SEMANTICS),
            default: "at-most-once",
            help: "at-most-once (server-side duplicate table) or at-least-once (every request runs)",
        },
        cs::ms_param(
            "think",
            "0",
            "ms after a call before a client makes its next one on its own, alternating `add` and `deposit 1` (0: \
                only on `call`)",
        ),
        VARIANT,
    ],
    variants: &[
        VariantCard {
            name: "correct",
            help: "the stub matches reply ids; the server keeps its table on disk",
            breaks: &[],
        },
        VariantCard {
            name: "no-dedup",
            help: "claims at-most-once but never consults its table: a retry after a lost reply runs twice",
            breaks: &[AT_MOST_ONCE.name],
        },
        VariantCard {
            name: "forgetful",
            help: "keeps the duplicate table in memory: a retry after a server crash runs again",
            breaks: &[AT_MOST_ONCE.name],
        },
        VariantCard {
            name: "any-reply",
            help: "a stub that takes any reply as its current call's answer: a late duplicate reply to `add 3 4` \
                becomes the result of the next call",
            breaks: &[REPLY_MATCHES_CALL.name],
        },
    ],
    properties: &[AT_MOST_ONCE, REPLY_MATCHES_CALL, CALL_COMPLETES],
    results: &[
        FieldCard {
            key: "calls",
            help: "per client (by node id) its calls in order: `{id, function, args, status, result | error, \
                attempts}`; status ok | error | gave-up | lost | pending",
        },
        FieldCard { key: "executions", help: "`{client, id, times}`: how often the server ran each call" },
        FieldCard { key: "balance", help: "the server's balance (what `deposit` adds to)" },
        FieldCard { key: "semantics", help: "the server's semantics at the end: at-most-once | at-least-once" },
    ],
    scripts: &[
        ScriptCard {
            file: "rpc.dl",
            about: "`add 3 4` stage by stage (2 messages); the seed's errors; a lost reply runs `deposit 10` twice at-least-once, once at-most-once",
        },
        ScriptCard {
            file: "rpc-broken.dl",
            about: "a server that claims at-most-once but never reads its table: a lost reply and a retry run \
                `deposit 10` twice (`at-most-once`)",
        },
    ],
    action: "call add 3 4 / toggle semantics",
};

/// `call C FN A B`: the function name and up to [`MAX_ARGS`] integers.
fn parse_call(args: &Args) -> Result<(NodeId, Request), String> {
    const USAGE: &str = "`call C FN A B`";
    let words: Vec<&str> = args.text(1).unwrap_or_default().split_whitespace().collect();
    let Some((function, rest)) = words.split_first() else {
        return Err(format!("{USAGE}: FN is a function name, e.g. `call 1 add 3 4`"));
    };
    let ok_name = function.len() <= 32
        && function.starts_with(|ch: char| ch.is_ascii_alphabetic() || ch == '_')
        && function.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-');
    if !ok_name {
        return Err(format!("{USAGE}: {function:?} is not a function name (letters, digits, _ and -; at most 32)"));
    }
    if rest.len() > MAX_ARGS {
        return Err(format!("{USAGE} takes at most {MAX_ARGS} arguments, not {}", rest.len()));
    }
    let ints = rest
        .iter()
        .map(|a| a.parse::<i64>().map_err(|_| format!("{USAGE}: argument {a:?} is not an integer (i64)")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((args.node(0), Request::Call { function: function.to_string(), args: ints }))
}

impl Algorithm for Rpc {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let variant =
            [Variant::Correct, Variant::NoDedup, Variant::Forgetful, Variant::AnyReply][params.variant(&CARD)?];
        let at_most_once = params.choice(&CARD, "semantics")? == 0;
        let knobs = Knobs {
            timeout: params.ms(&CARD, "timeout")?,
            attempts: params.int::<u32>(&CARD, "attempts")?,
            think: params.ms(&CARD, "think")?,
            variant,
        };
        let nodes = (0..n).map(|i| Node::new(i, n, knobs, at_most_once)).collect();
        Ok((nodes, Box::new(check::Check::new(n, knobs.timeout > 0))))
    }

    /// Node 0 is the server, the rest clients.
    fn node_roles(n: usize, _params: &Params) -> Vec<&'static str> {
        crate::algos::kit::one_and_others(n, SERVER, "server", "client")
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        match verb {
            "call" => parse_call(args),
            "semantics" => Ok((SERVER, Request::Semantics { at_most_once: args.text(0) == Some("at-most-once") })),
            _ => Err(format!("unknown verb {verb:?}")),
        }
    }

    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        if s.server {
            let other = semantics_name(!s.at_most_once);
            return Some(Input::Verb { verb: "semantics".into(), args: vec![other.into()] });
        }
        let mut input = node_verb("call", node);
        if let Input::Verb { args, .. } = &mut input {
            args.extend(["add", "3", "4"].map(String::from));
        }
        Some(input)
    }
}
