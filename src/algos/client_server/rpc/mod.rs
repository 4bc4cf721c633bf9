//! RPC/RMI (seed 000 "RPC/RMI"): node 0 is the server, every other node a
//! client. A client's stub marshals a call (request id, function name,
//! arguments) to bytes with bincode 2 and sends them in a REQUEST; the
//! server's skeleton unmarshals them, dispatches to the function and
//! returns a marshalled REPLY; the stub unmarshals it, checks that its id
//! is the call's and hands the result back. The stub is blocking: one call
//! in flight per client, later calls wait in its queue.
//!
//! Functions: `add`, `subtract`, `multiply`, `divide` (the seed's, on i64
//! with checked arithmetic: an overflow is an error, `divide` is integer
//! division truncating toward zero, dividing by zero is the error
//! "division by zero"), and `deposit A`, which adds A to the server's one
//! bank balance and returns the new balance: not idempotent, so running it
//! twice shows. Any other name gets the seed's reply "Function X not found".
//!
//! A call unanswered after `timeout` ms is re-sent with the SAME id, at most
//! `attempts` times in all (then the stub gives up: the call may or may not
//! have run). With `semantics=at-least-once` the server runs every REQUEST
//! it receives, so a lost reply plus a retry, a duplicated message or a
//! crash before the reply runs a call twice. With `at-most-once` it keeps a
//! duplicate table (client, id) → reply and answers a repeat from it.
//!
//! Across a crash the server keeps its balance and its duplicate table: both
//! are on stable storage, written in the same step as the execution and
//! before the reply leaves, so a retry after a crash finds the reply (the
//! table keeps every entry; a real server drops the ones its clients have
//! acknowledged). A client keeps its next request id (ids are never reused,
//! or the table would answer a new call with an old reply); the calls it had
//! pending die with it.
//!
//! Broken on purpose: `variant=no-dedup` claims at-most-once but never
//! consults its table; `variant=forgetful` keeps the table in memory only,
//! so it is lost in a crash; `variant=any-reply` is a stub that takes any
//! reply as the answer to its current call, without matching ids.

mod check;
pub mod wire;

use self::wire::{Call, Outcome, Reply, decode, encode, hex, show_call, show_outcome};
use super::kit::{self as cs, VARIANT};
use crate::algos::kit::{listing, ms_param, node_verb, time_ms};
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, NodeRange, ParamCard, Property, RoleCard, ScriptCard, VariantCard,
    VerbCard,
};
use crate::engine::input::Input;
use crate::engine::invariant::Monitor;
use crate::engine::protocol::{Cx, Describe, NodeId, Protocol, Role, Row, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// The server's node.
pub const SERVER: NodeId = 0;
/// Bytes of hex the inspector shows before it truncates.
const HEX_MAX: usize = 24;
/// Arguments a `call` may carry.
const MAX_ARGS: usize = 8;
/// Finished calls a client's inspector lists.
const KEEP_DONE: usize = 4;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
                    format!("REPLY #{id} = {} [{} B]", show_outcome(&outcome), bytes.len())
                }
                Ok(Reply { id: None, outcome }) => {
                    format!("REPLY (no id) = {} [{} B]", show_outcome(&outcome), bytes.len())
                }
                Err(_) => format!("REPLY [{} B, malformed]", bytes.len()),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
            Timer::Retry { id } => format!("RETRY #{id}"),
            Timer::Think => "THINK".into(),
        }
    }
}

/// What a user asks of a node.
#[derive(Clone, Debug)]
pub enum Request {
    /// `call C FN ARGS...` at client C.
    Call { function: String, args: Vec<i64> },
    /// `semantics at-least-once|at-most-once` at the server.
    Semantics { at_most_once: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq)]
pub enum End {
    /// The stub accepted this reply.
    Answered(Outcome),
    /// No reply after `attempts` sends.
    GaveUp,
}

/// One execution at the server, as the monitor sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Exec {
    pub client: NodeId,
    pub id: u64,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Copy, Debug)]
pub struct Knobs {
    pub timeout: Time,
    /// Sends per call before the stub gives up (0: never).
    pub attempts: u32,
    pub think: Time,
    pub variant: Variant,
}

/// A call the stub has sent and waits on.
#[derive(Clone, Debug)]
struct Pending {
    call: Call,
    bytes: Vec<u8>,
    attempts: u32,
    sent_at: Time,
}

/// A call the stub has finished.
#[derive(Clone, Debug)]
struct Done {
    call: Call,
    bytes: Vec<u8>,
    reply: Option<Vec<u8>>,
    end: End,
    attempts: u32,
}

#[derive(Clone, Debug, Default)]
struct Client {
    /// The next request id (on stable storage: ids are never reused).
    next_id: u64,
    queue: VecDeque<Call>,
    current: Option<Pending>,
    done: VecDeque<Done>,
    /// Replies that matched no waiting call.
    stale: u64,
    issued: u64,
    last_issued: Option<Call>,
    finished: u64,
    last_finished: Option<(u64, End, u32)>,
}

/// What the skeleton did with the latest REQUEST.
#[derive(Clone, Debug)]
struct Handled {
    from: NodeId,
    bytes: Vec<u8>,
    call: Result<Call, String>,
    dispatch: String,
    reply: Vec<u8>,
}

#[derive(Clone, Debug, Default)]
struct Server {
    at_most_once: bool,
    /// The bank balance `deposit` changes (stable storage).
    balance: i64,
    /// (client, id) → the reply sent (stable storage unless forgetful).
    table: BTreeMap<(NodeId, u64), Outcome>,
    last: Option<Handled>,
    /// The monitor's view of what the server did (not state).
    executions: u64,
    last_exec: Option<Exec>,
    duplicates: u64,
}

/// The server's functions: the seed's four on i64 (checked), and the
/// non-idempotent `deposit`. Changes the balance only on success.
pub fn dispatch(function: &str, args: &[i64], balance: &mut i64) -> Outcome {
    const OVERFLOW: &str = "integer overflow (i64)";
    let two = |f: fn(i64, i64) -> Outcome| match args {
        [a, b] => f(*a, *b),
        _ => Err(format!("{function} takes 2 arguments, not {}", args.len())),
    };
    match function {
        "add" => two(|a, b| a.checked_add(b).ok_or_else(|| OVERFLOW.into())),
        "subtract" => two(|a, b| a.checked_sub(b).ok_or_else(|| OVERFLOW.into())),
        "multiply" => two(|a, b| a.checked_mul(b).ok_or_else(|| OVERFLOW.into())),
        "divide" => {
            two(
                |a, b| {
                    if b == 0 {
                        Err("division by zero".into())
                    } else {
                        a.checked_div(b).ok_or_else(|| OVERFLOW.into())
                    }
                },
            )
        }
        "deposit" => match args {
            [a] => {
                let new = balance.checked_add(*a).ok_or_else(|| OVERFLOW.to_string())?;
                *balance = new;
                Ok(new)
            }
            _ => Err(format!("deposit takes 1 argument, not {}", args.len())),
        },
        _ => Err(format!("Function {function} not found")),
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    id: NodeId,
    n: usize,
    k: Knobs,
    client: Option<Client>,
    server: Option<Server>,
}

impl Node {
    fn new(id: NodeId, n: usize, k: Knobs, at_most_once: bool) -> Self {
        let server = id == SERVER;
        Node {
            id,
            n,
            k,
            client: (!server).then(|| Client { next_id: 1, ..Client::default() }),
            server: server.then(|| Server { at_most_once, ..Server::default() }),
        }
    }

    // ----- the client stub ------------------------------------------------

    fn call(&mut self, cx: &mut Cx<Self>, function: String, args: Vec<i64>) {
        let Some(c) = self.client.as_mut() else { return };
        let call = Call { id: c.next_id, function, args };
        c.next_id += 1;
        c.issued += 1;
        c.last_issued = Some(call.clone());
        if let Some(p) = &c.current {
            cx.note(format!("stub queues {} (waiting for #{})", show_call(&call), p.call.id));
        }
        c.queue.push_back(call);
        if c.current.is_none() {
            self.send_next(cx);
        }
    }

    fn send_next(&mut self, cx: &mut Cx<Self>) {
        let timeout = self.k.timeout;
        let Some(c) = self.client.as_mut() else { return };
        let Some(call) = c.queue.pop_front() else { return };
        let bytes = encode(&call);
        cx.note(format!("stub marshals {} into {} bytes and sends it", show_call(&call), bytes.len()));
        cx.send(SERVER, Msg::Request { bytes: bytes.clone() });
        if timeout > 0 {
            cx.set_timer(timeout, Timer::Retry { id: call.id });
        }
        c.current = Some(Pending { call, bytes, attempts: 1, sent_at: cx.now });
    }

    fn finish(&mut self, cx: &mut Cx<Self>, end: End, reply: Option<Vec<u8>>) {
        let think = self.k.think;
        let Some(c) = self.client.as_mut() else { return };
        let Some(p) = c.current.take() else { return };
        cx.cancel_timer(Timer::Retry { id: p.call.id });
        match &end {
            End::Answered(o) => cx.note(format!("stub returns {} for {}", show_outcome(o), show_call(&p.call))),
            End::GaveUp => cx.note(format!("stub gives up on {} after {} attempts", show_call(&p.call), p.attempts)),
        }
        c.finished += 1;
        c.last_finished = Some((p.call.id, end.clone(), p.attempts));
        c.done.push_back(Done { call: p.call, bytes: p.bytes, reply, end, attempts: p.attempts });
        if c.done.len() > KEEP_DONE {
            c.done.pop_front();
        }
        if c.queue.is_empty() {
            if think > 0 {
                cx.set_timer(think, Timer::Think);
            }
        } else {
            self.send_next(cx);
        }
    }

    fn on_reply(&mut self, cx: &mut Cx<Self>, bytes: Vec<u8>) {
        let any = self.k.variant == Variant::AnyReply;
        let Some(c) = self.client.as_mut() else { return };
        let reply = match decode::<Reply>(&bytes) {
            Ok(r) => r,
            Err(e) => {
                c.stale += 1;
                cx.note(format!("stub cannot unmarshal a reply ({e}): ignored"));
                return;
            }
        };
        let matches = c.current.as_ref().is_some_and(|p| any || reply.id == Some(p.call.id));
        if !matches {
            c.stale += 1;
            let what = reply.id.map_or("a reply without id".to_string(), |id| format!("a reply to #{id}"));
            cx.note(format!("stub ignores {what}: no call of that id is waiting"));
            return;
        }
        self.finish(cx, End::Answered(reply.outcome), Some(bytes));
    }

    fn retry(&mut self, cx: &mut Cx<Self>, id: u64) {
        let (timeout, limit) = (self.k.timeout, self.k.attempts);
        let Some(c) = self.client.as_mut() else { return };
        let Some(p) = c.current.as_mut().filter(|p| p.call.id == id) else { return };
        if limit > 0 && p.attempts >= limit {
            self.finish(cx, End::GaveUp, None);
            return;
        }
        p.attempts += 1;
        p.sent_at = cx.now;
        cx.note(format!("no reply to #{id}: stub re-sends it (attempt {}), same id", p.attempts));
        cx.send(SERVER, Msg::Request { bytes: p.bytes.clone() });
        cx.set_timer(timeout, Timer::Retry { id });
    }

    /// A client's own call under `think`: deposits and sums in turn.
    fn think_call(&mut self, cx: &mut Cx<Self>) {
        let Some(c) = &self.client else { return };
        let (function, args) =
            if c.next_id % 2 == 0 { ("deposit", vec![1]) } else { ("add", vec![self.id as i64, c.next_id as i64]) };
        self.call(cx, function.into(), args);
    }

    // ----- the server skeleton --------------------------------------------

    fn serve(&mut self, cx: &mut Cx<Self>, from: NodeId, bytes: Vec<u8>) {
        let no_dedup = self.k.variant == Variant::NoDedup;
        let Some(s) = self.server.as_mut() else { return };
        let (reply, call, dispatch_note) = match decode::<Call>(&bytes) {
            Err(e) => {
                cx.note(format!("skeleton cannot unmarshal {} bytes from {from}: {e}", bytes.len()));
                (Reply { id: None, outcome: Err(format!("malformed request: {e}")) }, Err(e), "decode error".into())
            }
            Ok(call) => {
                let cached = if s.at_most_once && !no_dedup { s.table.get(&(from, call.id)).cloned() } else { None };
                match cached {
                    Some(outcome) => {
                        s.duplicates += 1;
                        cx.note(format!(
                            "duplicate {} from {from}: answered from the table, not run again",
                            show_call(&call)
                        ));
                        let note = format!("duplicate: table says {}", show_outcome(&outcome));
                        (Reply { id: Some(call.id), outcome }, Ok(call), note)
                    }
                    None => {
                        let outcome = dispatch(&call.function, &call.args, &mut s.balance);
                        s.executions += 1;
                        s.last_exec = Some(Exec { client: from, id: call.id, outcome: outcome.clone() });
                        if s.at_most_once {
                            s.table.insert((from, call.id), outcome.clone());
                        }
                        cx.note(format!("runs {} for {from}: {}", show_call(&call), show_outcome(&outcome)));
                        let note = format!("ran {} → {}", call.function, show_outcome(&outcome));
                        (Reply { id: Some(call.id), outcome }, Ok(call), note)
                    }
                }
            }
        };
        let reply = encode(&reply);
        cx.send(from, Msg::Reply { bytes: reply.clone() });
        s.last = Some(Handled { from, bytes, call, dispatch: dispatch_note, reply });
    }

    fn set_semantics(&mut self, cx: &mut Cx<Self>, at_most_once: bool) {
        let Some(s) = self.server.as_mut() else { return };
        if s.at_most_once == at_most_once {
            cx.note(format!("already {}", semantics_name(at_most_once)));
            return;
        }
        s.at_most_once = at_most_once;
        if !at_most_once {
            // At-least-once keeps no table; at-most-once starts a fresh one.
            s.table.clear();
        }
        cx.note(format!("server switches to {}", semantics_name(at_most_once)));
    }

    // ----- the inspector ----------------------------------------------------

    fn inspect_server(&self, s: &Server, rows: &mut Vec<Row>) {
        rows.push(Row::new("role", "server"));
        rows.push(Row::new("semantics", semantics_name(s.at_most_once)));
        rows.push(Row::new("balance", s.balance));
        match &s.last {
            None => rows.push(Row::new("last request", "-")),
            Some(h) => {
                rows.push(Row::new("last request", format!("from {}, {} B", h.from, h.bytes.len())));
                rows.push(Row::new("request hex", hex(&h.bytes, HEX_MAX)));
                rows.push(Row::new(
                    "unmarshalled",
                    match &h.call {
                        Ok(c) => show_call(c),
                        Err(e) => format!("malformed: {e}"),
                    },
                ));
                rows.push(Row::new("dispatch", &h.dispatch));
                rows.push(Row::new("reply hex", hex(&h.reply, HEX_MAX)));
            }
        }
        rows.push(Row::new("executions", s.executions));
        rows.push(Row::new("duplicates", s.duplicates));
        if s.at_most_once {
            let entries = s
                .table
                .iter()
                .rev()
                .map(|((c, id), o)| format!("{c}#{id}={}", o.as_ref().map_or("err".into(), |v| v.to_string())));
            rows.push(Row::new("dup table", listing(entries, 8)));
        } else {
            rows.push(Row::new("dup table", "none (at-least-once)"));
        }
        rows.push(Row::new(
            "after a crash",
            if self.k.variant == Variant::Forgetful { "balance kept, table lost" } else { "balance + table kept" },
        ));
    }

    fn inspect_client(&self, c: &Client, rows: &mut Vec<Row>) {
        rows.push(Row::new("role", format!("client of {SERVER}")));
        let shown = match (&c.current, c.done.back()) {
            (Some(p), _) => {
                rows.push(Row::new("stub", format!("waiting for #{}", p.call.id)));
                Some((&p.call, &p.bytes, None, None, p.attempts, Some(p.sent_at)))
            }
            (None, Some(d)) => {
                rows.push(Row::new("stub", "idle"));
                Some((&d.call, &d.bytes, d.reply.as_ref(), Some(&d.end), d.attempts, None))
            }
            (None, None) => {
                rows.push(Row::new("stub", "idle"));
                None
            }
        };
        if let Some((call, bytes, reply, end, attempts, sent_at)) = shown {
            rows.push(Row::new("call", show_call(call)));
            rows.push(Row::new("marshalled", format!("{} B", bytes.len())));
            rows.push(Row::new("request hex", hex(bytes, HEX_MAX)));
            rows.push(Row::new(
                "sent",
                match sent_at {
                    Some(t) => format!("attempt {attempts} at {} ms", time_ms(t)),
                    None => format!("{attempts} attempt{}", if attempts == 1 { "" } else { "s" }),
                },
            ));
            rows.push(Row::new("reply hex", reply.map_or("-".into(), |r| hex(r, HEX_MAX))));
            rows.push(Row::new(
                "result",
                match end {
                    None => "(waiting)".into(),
                    Some(End::Answered(o)) => show_outcome(o),
                    Some(End::GaveUp) => "gave up (may or may not have run)".into(),
                },
            ));
        }
        rows.push(Row::new("queued", listing(c.queue.iter().map(show_call), 4)));
        let earlier = c.done.iter().rev().skip(usize::from(c.current.is_none())).map(|d| match &d.end {
            End::Answered(Ok(v)) => format!("#{}={v}", d.call.id),
            End::Answered(Err(_)) => format!("#{}=err", d.call.id),
            End::GaveUp => format!("#{}=?", d.call.id),
        });
        rows.push(Row::new("earlier", listing(earlier, KEEP_DONE)));
        rows.push(Row::new("next id", c.next_id));
        if c.stale > 0 {
            rows.push(Row::new("stale replies", c.stale));
        }
    }
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Summary = Sum;

    fn on_start(&mut self, cx: &mut Cx<Self>) {
        if self.client.is_some() && self.k.think > 0 {
            // Spread the first calls over one think time.
            let first = self.k.think * self.id as u64 / self.n as u64;
            cx.set_timer(first.max(1), Timer::Think);
        }
    }

    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Request { bytes } => self.serve(cx, from, bytes),
            Msg::Reply { bytes } => self.on_reply(cx, bytes),
        }
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        match timer {
            Timer::Retry { id } => self.retry(cx, id),
            Timer::Think => self.think_call(cx),
        }
    }

    fn on_request(&mut self, cx: &mut Cx<Self>, req: Request) {
        match req {
            Request::Call { function, args } => self.call(cx, function, args),
            Request::Semantics { at_most_once } => self.set_semantics(cx, at_most_once),
        }
    }

    fn on_recover(&mut self, cx: &mut Cx<Self>) {
        if let Some(s) = &self.server {
            cx.note(format!("server restarts: balance {}, {} table entries", s.balance, s.table.len()));
        } else {
            cx.note("client restarts: the calls it had pending died with it");
            if self.k.think > 0 {
                cx.set_timer(self.k.think, Timer::Think);
            }
        }
    }

    fn recovered(&self) -> Self {
        let mut fresh = self.clone();
        if let Some(c) = &mut fresh.client {
            // Stable storage: the next request id; the counters are the
            // monitor's view of the log.
            *c = Client {
                next_id: c.next_id,
                issued: c.issued,
                last_issued: c.last_issued.clone(),
                finished: c.finished,
                last_finished: c.last_finished.clone(),
                ..Client::default()
            };
        }
        if let Some(s) = &mut fresh.server {
            s.last = None;
            if self.k.variant == Variant::Forgetful {
                s.table.clear();
            }
        }
        fresh
    }

    fn summary(&self) -> Sum {
        let mut sum = Sum {
            role: Role::Idle,
            issued: 0,
            last_issued: None,
            finished: 0,
            last_finished: None,
            waiting: 0,
            server: false,
            at_most_once: false,
            balance: 0,
            executions: 0,
            last_exec: None,
        };
        if let Some(c) = &self.client {
            sum.waiting = c.queue.len() as u32 + u32::from(c.current.is_some());
            sum.role = if sum.waiting > 0 { Role::Wanting } else { Role::Idle };
            sum.issued = c.issued;
            sum.last_issued = c.last_issued.clone();
            sum.finished = c.finished;
            sum.last_finished = c.last_finished.clone();
        }
        if let Some(s) = &self.server {
            sum.role = Role::Leader;
            sum.server = true;
            sum.at_most_once = s.at_most_once;
            sum.balance = s.balance;
            sum.executions = s.executions;
            sum.last_exec = s.last_exec.clone();
        }
        sum
    }

    fn inspect(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        if let Some(s) = &self.server {
            self.inspect_server(s, &mut rows);
        }
        if let Some(c) = &self.client {
            self.inspect_client(c, &mut rows);
        }
        match self.k.variant {
            Variant::Correct => {}
            Variant::NoDedup => rows.push(Row::new("variant", "no-dedup (BROKEN)")),
            Variant::Forgetful => rows.push(Row::new("variant", "forgetful (BROKEN)")),
            Variant::AnyReply => rows.push(Row::new("variant", "any-reply (BROKEN)")),
        }
        rows
    }
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
    title: "RPC/RMI: stubs, skeletons and call semantics",
    family: Family::ClientServer,
    about: "RPC/RMI: client stubs marshal calls with bincode, the server skeleton unmarshals, dispatches and \
        replies; request ids, timeouts and retries; at-least-once re-runs a lost-reply `deposit`, at-most-once \
        answers it from a duplicate table; 2 messages per call",
    description: "Node 0 is the server, the others clients. A client's stub marshals a call (request id, function \
        name, arguments) to bytes with bincode 2 and sends a REQUEST; the server's skeleton unmarshals it, \
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
            about: "`add 3 4` stage by stage (stub bytes, skeleton dispatch, reply, 2 messages); the seed's \
                functions and errors (`division by zero`, `Function list not found`); a lost reply under \
                at-least-once runs `deposit 10` twice (balance 20); under at-most-once the retry is answered from \
                the duplicate table (ran once)",
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
        let at_most_once = params.choice("semantics", &SEMANTICS)? == 0;
        let knobs = Knobs {
            timeout: ms_param(params, "timeout", 30)?,
            attempts: params.num::<u32>("attempts", 5)?,
            think: ms_param(params, "think", 0)?,
            variant,
        };
        let nodes = (0..n).map(|i| Node::new(i, n, knobs, at_most_once)).collect();
        Ok((nodes, Box::new(check::Check::new(n, knobs.timeout > 0))))
    }

    /// Node 0 is the server, the rest clients.
    fn node_roles(n: usize, _params: &Params) -> Vec<&'static str> {
        cs::servers_then_clients(n, 1)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::protocol::Cmd;

    fn server(at_most_once: bool) -> Node {
        let k = Knobs { timeout: 0, attempts: 0, think: 0, variant: Variant::Correct };
        Node::new(SERVER, 2, k, at_most_once)
    }

    fn replies(out: &[Cmd<Node>]) -> Vec<Reply> {
        out.iter()
            .filter_map(|c| match c {
                Cmd::Send { msg: Msg::Reply { bytes }, .. } => Some(decode::<Reply>(bytes).unwrap()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn malformed_request_bytes_get_an_error_reply_not_a_panic() {
        let good = encode(&Call { id: 3, function: "add".into(), args: vec![1, 2] });
        let mut garbage: Vec<Vec<u8>> = vec![vec![], vec![0xff; 9], good[..good.len() - 1].to_vec()];
        garbage.push([good.clone(), vec![0]].concat());
        // A length prefix claiming ~2^64 bytes.
        garbage.push(vec![3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        for bytes in garbage {
            let mut node = server(true);
            let mut out = Vec::new();
            let mut cx = Cx::new(SERVER, 2, 0, &mut out);
            node.on_message(&mut cx, 1, Msg::Request { bytes: bytes.clone() });
            let r = replies(&out);
            assert_eq!(r.len(), 1, "{bytes:?}");
            assert_eq!(r[0].id, None);
            assert!(r[0].outcome.as_ref().unwrap_err().starts_with("malformed request: "), "{:?}", r[0]);
            assert_eq!(node.summary().executions, 0);
            assert!(node.inspect().iter().any(|row| row.label == "unmarshalled" && row.value.starts_with("malformed")));
        }
    }

    #[test]
    fn a_client_ignores_malformed_reply_bytes() {
        let k = Knobs { timeout: 0, attempts: 0, think: 0, variant: Variant::Correct };
        let mut node = Node::new(1, 2, k, true);
        let mut out = Vec::new();
        let mut cx = Cx::new(1, 2, 0, &mut out);
        node.on_request(&mut cx, Request::Call { function: "add".into(), args: vec![1, 2] });
        node.on_message(&mut cx, SERVER, Msg::Reply { bytes: vec![7, 7, 7] });
        assert_eq!(node.summary().waiting, 1, "still waiting for a real reply");
        assert_eq!(node.summary().finished, 0);
    }

    #[test]
    fn the_functions() {
        let mut bal = 0;
        assert_eq!(dispatch("add", &[3, 4], &mut bal), Ok(7));
        assert_eq!(dispatch("subtract", &[3, 4], &mut bal), Ok(-1));
        assert_eq!(dispatch("multiply", &[3, 4], &mut bal), Ok(12));
        assert_eq!(dispatch("divide", &[7, 2], &mut bal), Ok(3));
        assert_eq!(dispatch("divide", &[-7, 2], &mut bal), Ok(-3));
        assert_eq!(dispatch("divide", &[1, 0], &mut bal), Err("division by zero".into()));
        assert_eq!(dispatch("divide", &[i64::MIN, -1], &mut bal), Err("integer overflow (i64)".into()));
        assert_eq!(dispatch("add", &[i64::MAX, 1], &mut bal), Err("integer overflow (i64)".into()));
        assert_eq!(dispatch("list", &[], &mut bal), Err("Function list not found".into()));
        assert_eq!(dispatch("add", &[1], &mut bal), Err("add takes 2 arguments, not 1".into()));
        assert_eq!(dispatch("deposit", &[5], &mut bal), Ok(5));
        assert_eq!(dispatch("deposit", &[5], &mut bal), Ok(10));
        assert_eq!(dispatch("deposit", &[i64::MAX], &mut bal), Err("integer overflow (i64)".into()));
        assert_eq!(bal, 10);
    }
}
