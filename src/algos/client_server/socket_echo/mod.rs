//! Socket IPC: an echo server with base64 (what it shows: see `CARD`).
//!
//! Here: the messages, the node and the card; `check.rs` is the monitor.
//! One `Node` type: a client runs one `Exchange` at a time (`current`) and
//! queues the lines typed meanwhile; the server keeps `handlers`, one per
//! client, keyed by client (a newer CONNECT replaces the handler of an
//! older connection). The client's `Answer` timer is re-armed for each
//! stage (ACCEPT, then the reply); the server's `Idle` timer is re-armed
//! on every message of a connection. Connection numbers are per client
//! and survive a crash (`recovered` keeps `conns` and the counters, nothing
//! else), so a new connection is never taken for an old one.
//!
//! The node says what it prints in `Sum::said` and what it sent, decoded or
//! printed in the latest event; the monitor keeps the consoles and checks
//! the properties from those. `build` reads `reply` itself (`echo` means
//! `None`: send the line back). The variants: `no-except` makes the server
//! `halt` where the correct one answers ERROR (in `serve`) or closes the
//! handler of an idle connection (in `on_timer`); `no-decode` makes `serve`
//! take the wire text as the decoded line.

mod check;

pub use self::check::Check;

use super::kit::{self as cs, VARIANT};
use crate::algos::kit::listing;
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, NodeRange, ParamCard, Property, RoleCard, ScriptCard, VariantCard,
    VerbCard,
};
use crate::card::{Claim, Fault};
use crate::engine::input::Input;
use crate::engine::invariant::Monitor;
use crate::engine::protocol::{Cx, Describe, NodeId, Protocol, Role, Row, Summary, Time};
use crate::scenario::{Algorithm, Params};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// The server's node id.
pub const SERVER: NodeId = 0;
/// The experiment's answer.
pub const HELLO: &str = "Hello from server";
/// Longest line a client may send.
pub const TEXT_MAX: usize = 200;
/// Lines of a screen kept.
pub const SCREEN_MAX: usize = 200;

/// Base64 of `text`'s UTF-8 bytes.
pub fn encode(text: &str) -> String {
    B64.encode(text.as_bytes())
}

/// The text whose base64 `wire` is, or why it is not one.
pub fn decode(wire: &str) -> Result<String, String> {
    let bytes = B64.decode(wire.as_bytes()).map_err(|e| format!("invalid base64: {e}"))?;
    String::from_utf8(bytes).map_err(|_| "the bytes are not UTF-8 text".to_string())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Msg {
    Connect {
        conn: u32,
    },
    Accept {
        conn: u32,
    },
    /// The line, as it travels: base64 (or, from `send-raw`, not).
    Data {
        conn: u32,
        wire: String,
    },
    Reply {
        conn: u32,
        wire: String,
    },
    Error {
        conn: u32,
        text: String,
    },
    Close {
        conn: u32,
    },
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Connect { .. } => "CONNECT",
            Msg::Accept { .. } => "ACCEPT",
            Msg::Data { .. } => "DATA",
            Msg::Reply { .. } => "REPLY",
            Msg::Error { .. } => "ERROR",
            Msg::Close { .. } => "CLOSE",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Connect { conn } => format!("CONNECT(conn {conn})"),
            Msg::Accept { conn } => format!("ACCEPT(conn {conn})"),
            Msg::Data { conn, wire } => format!("DATA(conn {conn} {wire})"),
            Msg::Reply { conn, wire } => format!("REPLY(conn {conn} {wire})"),
            Msg::Error { conn, text } => format!("ERROR(conn {conn}: {text})"),
            Msg::Close { conn } => format!("CLOSE(conn {conn})"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Timer {
    /// Client: no answer on connection `conn` in time.
    Answer { conn: u32 },
    /// Server: nothing arrived from `client` on `conn` for `idle` ms.
    Idle { client: u32, conn: u32 },
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        match self {
            Timer::Answer { .. } => "answer-timer",
            Timer::Idle { .. } => "idle-timer",
        }
    }
}

#[derive(Clone, Debug, Hash)]
pub enum Request {
    /// Send a line, encoded (`raw`: as it is).
    Send { text: String, raw: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    Correct,
    NoExcept,
    NoDecode,
}

#[derive(Clone, Debug, Hash)]
pub struct Knobs {
    /// `None`: echo the line back.
    pub reply: Option<String>,
    pub timeout: Time,
    pub idle: Time,
    pub variant: Variant,
}

/// A client's exchange in progress.
#[derive(Clone, Debug, PartialEq, Hash)]
struct Exchange {
    conn: u32,
    text: String,
    wire: String,
    /// Connected (ACCEPT seen) and the DATA sent.
    sent: bool,
}

/// One open connection at the server.
#[derive(Clone, Debug, PartialEq, Hash)]
struct Handler {
    conn: u32,
    /// What it received and decoded, once it has.
    received: Option<String>,
}

/// What the monitor sees.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    pub server: bool,
    /// Client: its exchange (conn, plain text) when it sent the DATA in
    /// the latest event; server: (client, conn, decoded text) it decoded.
    pub sent: Option<(u32, String, bool)>,
    pub decoded: Option<(NodeId, u32, String)>,
    /// Client: the answer it printed in the latest event (conn, text).
    pub printed: Option<(u32, String)>,
    pub busy: bool,
    pub queued: u32,
    /// Server: open connections; whether its accept loop died.
    pub open: u32,
    pub halted: bool,
    pub said: Vec<String>,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        match (self.server, self.halted, self.busy) {
            (true, true, _) => Role::Candidate,
            (true, false, _) => Role::Leader,
            (false, _, true) => Role::Wanting,
            (false, _, false) => Role::Idle,
        }
    }
    fn badge(&self) -> String {
        match (self.server, self.halted) {
            (true, true) => "DOWN".into(),
            (true, false) => format!("{} open", self.open),
            (false, _) if self.queued > 0 => format!("+{} queued", self.queued),
            _ => String::new(),
        }
    }
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    id: NodeId,
    k: Knobs,
    said: Vec<String>,
    // ----- client -----
    conns: u32,
    current: Option<Exchange>,
    queue: VecDeque<(String, bool)>,
    sent: Option<(u32, String, bool)>,
    printed: Option<(u32, String)>,
    replies: u64,
    failures: u64,
    // ----- server -----
    handlers: BTreeMap<NodeId, Handler>,
    decoded: Option<(NodeId, u32, String)>,
    served: u64,
    errors: u64,
    halted: bool,
    last_wire: Option<(String, Result<String, String>)>,
}

impl Node {
    fn new(id: NodeId, k: Knobs) -> Self {
        Node {
            id,
            k,
            said: Vec::new(),
            conns: 0,
            current: None,
            queue: VecDeque::new(),
            sent: None,
            printed: None,
            replies: 0,
            failures: 0,
            handlers: BTreeMap::new(),
            decoded: None,
            served: 0,
            errors: 0,
            halted: false,
            last_wire: None,
        }
    }

    /// A line on this program's console (the monitor keeps the consoles).
    fn say(&mut self, line: impl Into<String>) {
        self.said.push(line.into());
    }

    fn begin(&mut self) {
        self.said.clear();
        self.sent = None;
        self.printed = None;
        self.decoded = None;
    }

    // ----- the client ----------------------------------------------------

    /// Start the next queued line, if the client is free.
    fn next(&mut self, cx: &mut Cx<Self>) {
        if self.current.is_some() {
            return;
        }
        let Some((text, raw)) = self.queue.pop_front() else { return };
        self.conns += 1;
        let conn = self.conns;
        let wire = if raw { text.clone() } else { encode(&text) };
        self.current = Some(Exchange { conn, text, wire, sent: false });
        cx.send(SERVER, Msg::Connect { conn });
        cx.set_timer(self.k.timeout, Timer::Answer { conn });
    }

    fn client(&mut self, cx: &mut Cx<Self>, msg: Msg) {
        let Some(ex) = self.current.clone() else { return };
        match msg {
            Msg::Accept { conn } if conn == ex.conn && !ex.sent => {
                self.say("Connected.");
                cx.send(SERVER, Msg::Data { conn, wire: ex.wire.clone() });
                cx.cancel_timer(Timer::Answer { conn });
                cx.set_timer(self.k.timeout, Timer::Answer { conn });
                self.sent = Some((conn, ex.text.clone(), ex.wire != encode(&ex.text)));
                self.current = Some(Exchange { sent: true, ..ex });
            }
            Msg::Reply { conn, wire } if conn == ex.conn && ex.sent => {
                let text = decode(&wire).unwrap_or_else(|e| format!("<undecodable reply: {e}>"));
                self.say(format!("Received: {text}"));
                self.printed = Some((conn, text));
                self.replies += 1;
                self.done(cx, conn, true);
            }
            Msg::Error { conn, text } if conn == ex.conn => {
                self.say(format!("Failed: the server says {text}"));
                self.failures += 1;
                self.done(cx, conn, true);
            }
            // An answer on an old connection, or a copy.
            _ => {}
        }
    }

    fn done(&mut self, cx: &mut Cx<Self>, conn: u32, close: bool) {
        cx.cancel_timer(Timer::Answer { conn });
        if close {
            cx.send(SERVER, Msg::Close { conn });
        }
        self.current = None;
        self.next(cx);
    }

    // ----- the server ----------------------------------------------------

    fn halt(&mut self, why: String) {
        self.say(format!("Traceback (most recent call last): {why}"));
        self.say("server stopped");
        self.halted = true;
        self.handlers.clear();
    }

    fn serve(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        if self.halted {
            return;
        }
        let after = self.k.idle;
        let idle = |cx: &mut Cx<Self>, conn: u32| {
            cx.cancel_timer(Timer::Idle { client: from as u32, conn });
            cx.set_timer(after, Timer::Idle { client: from as u32, conn });
        };
        match msg {
            Msg::Connect { conn } => {
                if self.handlers.get(&from).is_some_and(|h| h.conn >= conn) {
                    return; // a copy, or an old connection
                }
                if let Some(old) = self.handlers.insert(from, Handler { conn, received: None }) {
                    cx.cancel_timer(Timer::Idle { client: from as u32, conn: old.conn });
                }
                self.say(format!("Connected by client {from} (conn {conn})"));
                cx.send(from, Msg::Accept { conn });
                idle(cx, conn);
            }
            Msg::Data { conn, wire } => {
                if !self.handlers.get(&from).is_some_and(|h| h.conn == conn && h.received.is_none()) {
                    return;
                }
                let decoded = if self.k.variant == Variant::NoDecode { Ok(wire.clone()) } else { decode(&wire) };
                self.last_wire = Some((wire.clone(), decoded.clone()));
                match decoded {
                    Ok(text) => {
                        self.say(format!("Received: {text}"));
                        self.decoded = Some((from, conn, text.clone()));
                        let reply = self.k.reply.clone().unwrap_or(text.clone());
                        if let Some(h) = self.handlers.get_mut(&from) {
                            h.received = Some(text);
                        }
                        self.served += 1;
                        cx.send(from, Msg::Reply { conn, wire: encode(&reply) });
                        idle(cx, conn);
                    }
                    Err(e) if self.k.variant == Variant::NoExcept => {
                        self.halt(format!("UnicodeDecodeError from client {from}: {e}"));
                    }
                    Err(e) => {
                        self.errors += 1;
                        self.say(format!("client {from}: cannot decode the message ({e}); the server serves on"));
                        cx.send(from, Msg::Error { conn, text: e });
                        idle(cx, conn);
                    }
                }
            }
            Msg::Close { conn } if self.handlers.get(&from).is_some_and(|h| h.conn == conn) => {
                self.handlers.remove(&from);
                cx.cancel_timer(Timer::Idle { client: from as u32, conn });
                self.say(format!("client {from} closed conn {conn}"));
            }
            _ => {}
        }
    }
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Summary = Sum;

    fn on_start(&mut self, _cx: &mut Cx<Self>) {
        self.begin();
        if self.id == SERVER {
            self.say("Server listening...");
        }
    }

    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        self.begin();
        if self.id == SERVER { self.serve(cx, from, msg) } else { self.client(cx, msg) }
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        self.begin();
        match timer {
            Timer::Answer { conn } => {
                if self.current.as_ref().is_some_and(|ex| ex.conn == conn) {
                    self.say("Failed: no answer from the server");
                    self.failures += 1;
                    self.done(cx, conn, false);
                }
            }
            Timer::Idle { client, conn } => {
                let c = client as NodeId;
                if self.halted || self.handlers.get(&c).is_none_or(|h| h.conn != conn) {
                    return;
                }
                if self.k.variant == Variant::NoExcept {
                    self.halt(format!("ConnectionResetError: client {c} (conn {conn})"));
                    return;
                }
                self.handlers.remove(&c);
                self.errors += 1;
                self.say(format!("client {c}: connection reset (nothing for a while); handler closed, serving on"));
            }
        }
    }

    fn on_request(&mut self, cx: &mut Cx<Self>, req: Request) {
        self.begin();
        if self.id == SERVER {
            cx.note("the server only answers");
            return;
        }
        let Request::Send { text, raw } = req;
        self.queue.push_back((text, raw));
        self.next(cx);
    }

    fn on_recover(&mut self, _cx: &mut Cx<Self>) {
        self.begin();
        if self.id == SERVER {
            self.say("Server listening...");
        } else {
            self.say("(restarted)");
        }
    }

    fn recovered(&self) -> Self {
        // Nothing survives but the counters (the connection counter, so a
        // new connection is never taken for an old one); the console is the
        // monitor's.
        let mut fresh = Node::new(self.id, self.k.clone());
        fresh.conns = self.conns;
        fresh.replies = self.replies;
        fresh.failures = self.failures;
        fresh.served = self.served;
        fresh.errors = self.errors;
        fresh
    }

    fn summary(&self) -> Sum {
        Sum {
            server: self.id == SERVER,
            sent: self.sent.clone(),
            decoded: self.decoded.clone(),
            printed: self.printed.clone(),
            busy: self.current.is_some(),
            queued: self.queue.len() as u32,
            open: self.handlers.len() as u32,
            halted: self.halted,
            said: self.said.clone(),
        }
    }

    fn inspect(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        if self.id == SERVER {
            rows.push(Row::new("server", if self.halted { "STOPPED (an unhandled error)" } else { "serving" }));
            let open = self
                .handlers
                .iter()
                .map(|(c, h)| format!("{c}:conn{}{}", h.conn, if h.received.is_some() { " answered" } else { "" }));
            rows.push(Row::new("handlers", listing(open, 6)));
            rows.push(Row::new("served / errors", format!("{} / {}", self.served, self.errors)));
            if let Some((wire, decoded)) = &self.last_wire {
                rows.push(Row::new("last on wire", wire.clone()));
                let plain = match decoded {
                    Ok(t) => t.clone(),
                    Err(e) => format!("(cannot decode: {e})"),
                };
                rows.push(Row::new("decoded", plain));
            }
        } else {
            match &self.current {
                Some(ex) => {
                    let stage = if ex.sent { "sent; waiting for the reply" } else { "connecting" };
                    rows.push(Row::new("exchange", format!("conn {}: {stage}", ex.conn)));
                    rows.push(Row::new("plain", ex.text.clone()));
                    rows.push(Row::new("on the wire", ex.wire.clone()));
                }
                None => rows.push(Row::new("exchange", "-")),
            }
            rows.push(Row::new("queued", listing(self.queue.iter().map(|(t, _)| format!("{t:?}")), 4)));
            rows.push(Row::new("replies / failures", format!("{} / {}", self.replies, self.failures)));
        }
        rows.push(Row::new("base64", "an encoding, not encryption: anyone can decode it"));
        if self.k.variant != Variant::Correct {
            let v = if self.k.variant == Variant::NoExcept { "no-except" } else { "no-decode" };
            rows.push(Row::new("variant", format!("{v} (BROKEN on purpose)")));
        }
        rows
    }
}

// ----- the registry entry --------------------------------------------------------

pub struct SocketEcho;

/// The server reads what the client sent.
pub const DECODE_ROUNDTRIP: Property =
    Property::safety("decode-roundtrip", "the text the server decoded is exactly the text the client sent");

/// A client prints the answer to its own line.
pub const REPLY_MATCHES: Property =
    Property::safety("reply-matches", "every answer a client prints is the answer to its own line");

/// Errors never take the server down.
pub const SERVER_KEEPS_SERVING: Property =
    Property::safety("server-keeps-serving", "the server never stops serving while it is up");

/// `C text` of both verbs: a client and its line.
const LINE: &[ArgCard] = &[ArgCard::node_of("C", "client"), ArgCard::new("text", Kind::Text)];

static CARD: Card = Card {
    name: "socket-echo",
    role_words: &[(Role::Leader, "server"), (Role::Candidate, "halted"), (Role::Wanting, "busy"), (Role::Idle, "idle")],
    title: "Socket IPC: an echo server with base64",
    family: Family::ClientServer,
    tolerates: &[Claim::of(Fault::Delay), Claim::of(Fault::Crash), Claim::of(Fault::Recover), Claim::of(Fault::Loss)],
    about: "an echo server with one handler per client, base64 on the wire, errors that never take it down",
    description: "Seed 001's Experiment 7 (IPC using Python sockets) with its three tasks. Node 0 is `server.py`, \
        every other node runs `client.py`. `send C text` makes client C connect (CONNECT → ACCEPT), send its \
        line (DATA, base64 of the UTF-8 bytes: task 3), print the answer (`Received: Hello from server`) and \
        close (CLOSE); lines typed while an exchange runs wait their turn. The server keeps one handler per open \
        connection (task 2: many clients at once; its badge counts them), decodes the line, prints `Received: \
        text` and answers with `reply` (the experiment's \"Hello from server\", or `echo`). Errors are handled \
        (task 1): `send-raw C text` sends a line that is not base64 and the server answers ERROR and serves on; a \
        client gives up after `timeout` ms without an answer (\"Failed: no answer from the server\"); a connection \
        silent for `idle` ms is closed (\"connection reset\"), so a client that crashes mid-exchange costs one \
        handler, never the service. Connections are numbered per client, so an answer on an old connection is \
        ignored. The inspector shows the plain and the encoded form side by side and says plainly that base64 is \
        an encoding, not encryption; the screens pane shows every program's console.",
    seeds: "001",
    nodes: NodeRange { default: 3, min: 2, max: 1000 },
    roles: &[
        RoleCard { name: "server", help: "node 0: `server.py`, one handler per open connection" },
        RoleCard { name: "client", help: "every other node: `client.py`, one exchange at a time" },
    ],
    verbs: &[
        VerbCard { name: "send", args: LINE, help: "client C connects, sends text (base64), prints the reply, closes" },
        VerbCard {
            name: "send-raw",
            args: LINE,
            help: "client C sends text without encoding it (the server cannot decode it)",
        },
    ],
    params: &[
        ParamCard {
            key: "reply",
            kind: Kind::Text,
            default: HELLO,
            help: "the server's answer (1 to 200 characters), or `echo` to send the line back",
        },
        cs::timeout_param("timeout", "100", "ms a client waits for each answer before it gives up"),
        cs::timeout_param("idle", "200", "ms without data before the server closes a connection"),
        VARIANT,
    ],
    variants: &[
        VariantCard { name: "correct", help: "every error is caught; the server decodes base64", breaks: &[] },
        VariantCard {
            name: "no-except",
            help: "nothing catches the first error: an undecodable line or a connection reset kills the server's \
                loop, and every later client times out",
            breaks: &[SERVER_KEEPS_SERVING.name],
        },
        VariantCard {
            name: "no-decode",
            help: "the server reads the base64 text as the message",
            breaks: &[DECODE_ROUNDTRIP.name],
        },
    ],
    properties: &[DECODE_ROUNDTRIP, REPLY_MATCHES, SERVER_KEEPS_SERVING],
    results: &[
        FieldCard {
            key: "replies",
            help: "per client, `{conn, sent, reply}` per line that reached the wire (reply null: no answer printed)",
        },
        FieldCard { key: "server_up", help: "the server is up and serving" },
        FieldCard { key: "open", help: "connections the server has open" },
    ],
    scripts: &[
        ScriptCard {
            file: "socket-echo.dl",
            about: "the exchange with its base64 DATA; three clients at once; an undecodable line answered with ERROR; a client crashing mid-exchange",
        },
        ScriptCard {
            file: "socket-echo-broken.dl",
            about: "without try/except an undecodable line kills the server (`server-keeps-serving`), and the next \
                client times out",
        },
    ],
    action: "send a line",
};

impl Algorithm for SocketEcho {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let reply = match params.get("reply") {
            Some("echo") => None,
            Some(r) if r.is_empty() || r.chars().count() > TEXT_MAX => {
                return Err(format!("parameter reply: 1 to {TEXT_MAX} characters, or `echo`"));
            }
            Some(r) => Some(r.to_string()),
            None => Some(HELLO.to_string()),
        };
        let variant = [Variant::Correct, Variant::NoExcept, Variant::NoDecode][params.variant(&CARD)?];
        let k = Knobs {
            reply: reply.clone(),
            timeout: params.ms(&CARD, "timeout")?,
            idle: params.ms(&CARD, "idle")?,
            variant,
        };
        Ok(((0..n).map(|i| Node::new(i, k.clone())).collect(), Box::new(Check::new(n, reply))))
    }

    /// Node 0 is the server, the rest clients.
    fn node_roles(n: usize, _params: &Params) -> Vec<&'static str> {
        crate::algos::kit::one_and_others(n, SERVER, "server", "client")
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        let raw = match verb {
            "send" => false,
            "send-raw" => true,
            _ => return Err(format!("unknown verb {verb:?}")),
        };
        let text = args.text(1).unwrap_or_default().to_string();
        if text.chars().count() > TEXT_MAX {
            return Err(format!("the line is longer than {TEXT_MAX} characters"));
        }
        Ok((args.node(0), Request::Send { text, raw }))
    }

    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        (!s.server)
            .then(|| Input::Verb { verb: "send".into(), args: vec![node.to_string(), "Hello from client".into()] })
    }
}
