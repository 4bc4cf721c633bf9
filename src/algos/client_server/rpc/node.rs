//! rpc: the node, the server (node 0: skeleton, functions, balance and
//! duplicate table) or a client (a blocking stub with retries).

use super::wire::{Call, Outcome, Reply, decode, encode, hex, show_call, show_outcome};
use super::{End, Exec, HEX_MAX, KEEP_DONE, Knobs, Msg, Request, SERVER, Sum, Timer, Variant, semantics_name};
use crate::algos::kit::{listing, time_ms};
use crate::engine::protocol::{Cx, NodeId, Protocol, Role, Row, Time};
use std::collections::{BTreeMap, VecDeque};
/// A call the stub has sent and waits on.
#[derive(Clone, Debug, Hash)]
struct Pending {
    call: Call,
    bytes: Vec<u8>,
    attempts: u32,
    sent_at: Time,
}

/// A call the stub has finished.
#[derive(Clone, Debug, Hash)]
struct Done {
    call: Call,
    bytes: Vec<u8>,
    reply: Option<Vec<u8>>,
    end: End,
    attempts: u32,
}

#[derive(Clone, Debug, Default, Hash)]
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
#[derive(Clone, Debug, Hash)]
struct Handled {
    from: NodeId,
    bytes: Vec<u8>,
    call: Result<Call, String>,
    dispatch: String,
    reply: Vec<u8>,
}

#[derive(Clone, Debug, Default, Hash)]
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

#[derive(Clone, Debug, Hash)]
pub struct Node {
    id: NodeId,
    n: usize,
    k: Knobs,
    client: Option<Client>,
    server: Option<Server>,
}

impl Node {
    pub(super) fn new(id: NodeId, n: usize, k: Knobs, at_most_once: bool) -> Self {
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
            cx.note(format!("stub queues {} (waiting for call {})", show_call(&call), p.call.id));
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
            let what = reply.id.map_or("a reply without id".to_string(), |id| format!("a reply to call {id}"));
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
        cx.note(format!("no reply to call {id}: stub re-sends it (attempt {}), same id", p.attempts));
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
            let entries =
                s.table.iter().rev().map(|((c, id), o)| {
                    format!("c{c} call {id}={}", o.as_ref().map_or("err".into(), |v| v.to_string()))
                });
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
                rows.push(Row::new("stub", format!("waiting for call {}", p.call.id)));
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
            End::Answered(Ok(v)) => format!("call {}={v}", d.call.id),
            End::Answered(Err(_)) => format!("call {}=err", d.call.id),
            End::GaveUp => format!("call {}=?", d.call.id),
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
