//! A group chat server (what it shows: see `CARD`).
//!
//! Every `Node` has a `Client` (in `client.rs`); node 0 also has the
//! `Server` (in `server.rs`), and `on_message` hands a message to one side
//! or the other. Each server→client channel is an outbox of numbered
//! `Item`s, re-sent until acknowledged (the ordered, acknowledged channel
//! TCP gives the seed's sockets); the client shows only the next number,
//! and re-acknowledges a copy or an early one. Every message carries the
//! client's session (a new JOIN starts one), so messages of an old
//! connection are ignored; a disconnected client answers a channel item
//! with LEAVE, as a reset socket would. The server accepts each client's
//! POSTs in `seq` order, once: an early one is dropped (the client re-sends
//! in order) and a copy re-acknowledged.
//!
//! A node's screen is the `Line`s it shows; `Sum::last` carries the latest,
//! and the monitor (`check.rs`) builds the transcripts and checks every
//! property from those lines, never from private state. `recovered` keeps
//! the client's counters (`next_seq`, `session`, `last_seen`) and the line
//! count; the connections and the server's room are lost. With `autojoin`,
//! `build` makes the clients start as joining and `on_start` sends JOIN.
//!
//! The variants: `echo` keeps the sender among the RELAY targets in
//! `server_msg`; `no-seq` makes the client's `in_order` accept every item;
//! `no-resend` makes `enqueue` send and forget, so a lost item is never
//! re-sent and a crashed client is never detected as dead.

mod check;
mod client;
mod server;

pub use self::check::{Check, EVERY_POST_DELIVERED, FIFO_PER_SENDER, NO_SELF_DELIVERY, SHUTDOWN_DISCONNECTS};
use self::client::Client;
use self::server::Server;
use crate::algos::kit::listing;
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, MAX_MS, NodeRange, ParamCard, RoleCard, ScriptCard, VariantCard,
    VerbCard,
};
use crate::card::{Claim, Fault};
use crate::engine::input::Input;
use crate::engine::invariant::Monitor;
use crate::engine::protocol::{Cx, Describe, NodeId, Protocol, Role, Row, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};

/// The server is node 0.
pub const SERVER: NodeId = 0;
/// Transcript lines the monitor keeps per node (the oldest go first).
pub const LINES_KEEP: usize = 10_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Msg {
    /// Client → server: let me in (session `session`; my next post is `next_seq`).
    Join { session: u64, next_seq: u64 },
    /// Server → client, channel item 1: you are in; `members` clients in the room.
    Welcome { session: u64, n: u64, members: u32 },
    /// Server → client: the room is closed, no new members.
    Refused { session: u64 },
    /// Client → server: my post number `seq`.
    Post { session: u64, seq: u64, text: String },
    /// Server → client: your posts up to `seq` are in.
    PostAck { session: u64, seq: u64 },
    /// Server → client, channel item `n`: `from`'s post number `seq`.
    Relay { session: u64, n: u64, from: NodeId, seq: u64, text: String },
    /// Client → server: I have shown your channel items up to `upto`.
    Ack { session: u64, upto: u64 },
    /// Client → server: I close my connection.
    Leave { session: u64 },
    /// Server → client, channel item `n`: the server closes the room.
    Shutdown { session: u64, n: u64 },
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Join { .. } => "JOIN",
            Msg::Welcome { .. } => "WELCOME",
            Msg::Refused { .. } => "REFUSED",
            Msg::Post { .. } => "POST",
            Msg::PostAck { .. } => "POST-ACK",
            Msg::Relay { .. } => "RELAY",
            Msg::Ack { .. } => "ACK",
            Msg::Leave { .. } => "LEAVE",
            Msg::Shutdown { .. } => "SHUTDOWN",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Join { session, next_seq } => format!("JOIN(s{session} next {next_seq})"),
            Msg::Welcome { n, members, .. } => format!("WELCOME(n={n}, {members} in room)"),
            Msg::Refused { .. } => "REFUSED(room closed)".into(),
            Msg::Post { seq, text, .. } => format!("POST({seq} {:?})", short(text)),
            Msg::PostAck { seq, .. } => format!("POST-ACK(≤{seq})"),
            Msg::Relay { n, from, seq, text, .. } => format!("RELAY(n={n} {from}:{seq} {:?})", short(text)),
            Msg::Ack { upto, .. } => format!("ACK(n≤{upto})"),
            Msg::Leave { session } => format!("LEAVE(s{session})"),
            Msg::Shutdown { n, .. } => format!("SHUTDOWN(n={n})"),
        }
    }
}

/// At most 16 characters of a message text, for summaries.
fn short(text: &str) -> String {
    if text.chars().count() <= 16 { text.to_string() } else { text.chars().take(15).collect::<String>() + "…" }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Timer {
    /// Server: re-send what client `client` has not acknowledged.
    Resend { client: NodeId, session: u64 },
    /// Client: re-send the JOIN or the unacknowledged POSTs.
    Retry { session: u64 },
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        match self {
            Timer::Resend { .. } => "resend-timer",
            Timer::Retry { .. } => "retry-timer",
        }
    }
    fn summary(&self) -> String {
        match self {
            Timer::Resend { client, .. } => format!("resend-timer(→{client})"),
            Timer::Retry { .. } => "retry-timer".into(),
        }
    }
}

#[derive(Clone, Debug, Hash)]
pub enum Request {
    Join,
    Post(String),
    Leave,
    Shutdown,
}

/// Why the server took a client off its list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gone {
    /// The client sent LEAVE (or answered a RELAY with LEAVE).
    Left,
    /// Sends to it failed: no acknowledgement after `retries` re-sends.
    Dead,
    /// It acknowledged the SHUTDOWN.
    Closed,
}

/// One line on a node's screen: what the monitor builds the transcripts
/// from (one per event at most), and what the live checks look at.
#[derive(Clone, Debug, PartialEq, Hash)]
pub enum Line {
    // ----- a client's screen
    /// WELCOME shown.
    Connected,
    /// Another client's post shown.
    Shown {
        from: NodeId,
        seq: u64,
        text: String,
    },
    /// My own post, as I typed it.
    Own {
        seq: u64,
        text: String,
    },
    /// I closed my connection.
    Left,
    /// SHUTDOWN shown.
    ServerClosed,
    /// REFUSED, or no answer to JOIN.
    Failed {
        closed: bool,
    },
    /// No acknowledgement from the server after `retries` re-sends.
    LostServer,
    // ----- the server's console
    Added {
        client: NodeId,
    },
    Accepted {
        from: NodeId,
        seq: u64,
        text: String,
    },
    Removed {
        client: NodeId,
        why: Gone,
    },
    Closing,
}

impl Line {
    /// The line as the node's own screen shows it.
    pub fn text(&self) -> String {
        match self {
            Line::Connected => format!("connected to chat room at server {SERVER}"),
            Line::Shown { from, text, .. } => format!("<{from}>: {text}"),
            Line::Own { text, .. } => format!("<you> {text}"),
            Line::Left => "you left the room".into(),
            Line::ServerClosed => "server closed the room".into(),
            Line::Failed { closed: true } => "failed to connect: the room is closed".into(),
            Line::Failed { closed: false } => "failed to connect: no answer".into(),
            Line::LostServer => "lost connection to the server".into(),
            Line::Added { client } => format!("{client} added to the room"),
            Line::Accepted { from, text, .. } => format!("<{from}>: {text}"),
            Line::Removed { client, why: Gone::Left } => format!("{client} left the room"),
            Line::Removed { client, why: Gone::Dead } => format!("dead client {client} removed (no answer)"),
            Line::Removed { client, why: Gone::Closed } => format!("{client} disconnected (room closed)"),
            Line::Closing => "closing server".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Conn {
    Off,
    Joining,
    Connected,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    Correct,
    Echo,
    NoSeq,
    NoResend,
}

#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    pub server: bool,
    /// Client: its connection (Off at the server).
    pub conn: Conn,
    /// Client: its current session; its next post number.
    pub session: u64,
    pub next_seq: u64,
    /// Server: clients in the room, and whether it is closed.
    pub members: u32,
    pub closed: bool,
    /// Lines on this node's screen so far, and the latest one.
    pub lines: u64,
    pub last: Option<Line>,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        match (self.server, self.closed, self.conn) {
            (true, false, _) => Role::Leader,
            (true, true, _) => Role::Idle,
            (false, _, Conn::Connected) => Role::InCs,
            (false, _, Conn::Joining) => Role::Wanting,
            (false, _, Conn::Off) => Role::Idle,
        }
    }
    fn badge(&self) -> String {
        match (self.server, self.closed, self.conn) {
            (true, false, _) => format!("room {}", self.members),
            (true, true, _) => "closed".into(),
            (false, _, Conn::Connected) => "on".into(),
            (false, _, Conn::Joining) => "join".into(),
            (false, _, Conn::Off) => String::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, Hash)]
pub struct Knobs {
    pub timeout: Time,
    pub retries: u32,
    pub variant: Variant,
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    id: NodeId,
    k: Knobs,
    server: Option<Server>,
    client: Client,
    lines: u64,
    last: Option<Line>,
}

impl Node {
    fn new(id: NodeId, k: Knobs) -> Self {
        Node { id, k, server: (id == SERVER).then(Server::default), client: Client::new(), lines: 0, last: None }
    }

    fn line(&mut self, cx: &mut Cx<Self>, line: Line) {
        cx.note(format!("screen: {}", line.text()));
        self.lines += 1;
        self.last = Some(line);
    }
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Summary = Sum;

    fn on_start(&mut self, cx: &mut Cx<Self>) {
        // `autojoin=true` builds the clients as joining: they send JOIN now.
        if self.server.is_none() && self.client.conn == Conn::Joining {
            cx.send(SERVER, Msg::Join { session: self.client.session, next_seq: self.client.next_seq });
            self.arm_client(cx);
        }
    }

    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        if self.server.is_some() { self.server_msg(cx, from, msg) } else { self.client_msg(cx, msg) }
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        match timer {
            Timer::Resend { client, session } => self.server_resend(cx, client, session),
            Timer::Retry { session } => self.client_retry(cx, session),
        }
    }

    fn on_request(&mut self, cx: &mut Cx<Self>, req: Request) {
        match req {
            Request::Join => self.join(cx),
            Request::Post(text) => self.post(cx, text),
            Request::Leave => self.leave(cx),
            Request::Shutdown => self.shutdown(cx),
        }
    }

    fn recovered(&self) -> Self {
        // The connections died with the process. Stable storage: a client's
        // post and session counters (ids stay unique) and the screen count.
        let mut fresh = Node::new(self.id, self.k);
        fresh.client.next_seq = self.client.next_seq;
        fresh.client.session = self.client.session;
        fresh.client.last_seen = self.client.last_seen.clone();
        fresh.lines = self.lines;
        fresh
    }

    fn summary(&self) -> Sum {
        let s = self.server.as_ref();
        Sum {
            server: s.is_some(),
            conn: if s.is_some() { Conn::Off } else { self.client.conn },
            session: self.client.session,
            next_seq: self.client.next_seq,
            members: s.map_or(0, |s| s.members.len() as u32),
            closed: s.is_some_and(|s| s.closed),
            lines: self.lines,
            last: self.last.clone(),
        }
    }

    fn inspect(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        if let Some(s) = &self.server {
            rows.push(Row::new("role", "chat server"));
            rows.push(Row::new("room", if s.closed { "closed" } else { "open" }));
            rows.push(Row::new("client list", listing(s.members.keys().map(|x| x.to_string()), 16)));
            rows.push(Row::new(
                "next seq from",
                listing(s.members.iter().map(|(x, m)| format!("{x}:{}", m.expect)), 8),
            ));
            rows.push(Row::new(
                "unacked to",
                listing(
                    s.members
                        .iter()
                        .filter(|(_, m)| !m.outbox.is_empty())
                        .map(|(x, m)| format!("{x}:{}", m.outbox.len())),
                    8,
                ),
            ));
            rows.push(Row::new(
                "re-sends",
                listing(
                    s.members
                        .iter()
                        .filter(|(_, m)| m.tries > 0)
                        .map(|(x, m)| format!("{x}:{}/{}", m.tries, self.k.retries)),
                    8,
                ),
            ));
            rows.push(Row::new("posts accepted", s.accepted));
        } else {
            let c = &self.client;
            rows.push(Row::new("role", format!("client of {SERVER}")));
            let conn = match c.conn {
                Conn::Off => "disconnected",
                Conn::Joining => "joining",
                Conn::Connected => "connected",
            };
            rows.push(Row::new("connection", format!("{conn} (session {})", c.session)));
            rows.push(Row::new("next seq", c.next_seq));
            rows.push(Row::new("unacked posts", listing(c.unacked.iter().map(|(s, _)| s.to_string()), 8)));
            rows.push(Row::new("shown upto n", c.shown_n));
            rows.push(Row::new("last seen seq", listing(c.last_seen.iter().map(|(x, s)| format!("{x}:{s}")), 8)));
            if c.tries > 0 {
                rows.push(Row::new("retries", format!("{}/{}", c.tries, self.k.retries)));
            }
        }
        rows.push(Row::new("transcript", format!("{} lines", self.lines)));
        match self.k.variant {
            Variant::Correct => {}
            Variant::Echo => rows.push(Row::new("variant", "echo (BROKEN)")),
            Variant::NoSeq => rows.push(Row::new("variant", "no-seq (BROKEN)")),
            Variant::NoResend => rows.push(Row::new("variant", "no-resend (BROKEN)")),
        }
        rows
    }
}

pub struct Chat;

static CARD: Card = Card {
    name: "chat",
    role_words: &[
        (Role::Leader, "server"),
        (Role::InCs, "connected"),
        (Role::Wanting, "joining"),
        (Role::Idle, "offline"),
    ],
    title: "Group chat server",
    family: Family::Group,
    tolerates: &[
        Claim::of(Fault::Delay),
        Claim::of(Fault::Dup),
        Claim::of(Fault::Loss),
        Claim::of(Fault::Partition),
        Claim::of(Fault::Crash),
        Claim::of(Fault::Recover),
    ],
    about: "a chat server relays each post to every other client; leave, shutdown, a dead client removed",
    description: "Node 0 is the chat server, nodes 1..N−1 its clients. `join C` sends JOIN and the server adds C to \
        its client list (WELCOME); `post C text` sends POST with C's own sequence number, the server answers \
        POST-ACK and RELAYs it to every *other* client on its list (N−2 relays per post with N−1 clients in); \
        `leave C` is a client's `\\close` (LEAVE) and `shutdown` the server's (SHUTDOWN to every client, later \
        JOINs REFUSED). Each server→client connection is an ordered, acknowledged channel, as TCP gives the \
        seed's sockets: items carry a channel number, a client shows only the next one in order and ACKs \
        cumulatively, and the server re-sends what is unacknowledged every `timeout` ms; after `retries` \
        re-sends with no answer the client is dead and removed (\"dead client 3 removed\"). Clients re-send \
        JOIN and POSTs the same way and give up a silent server. A crash loses the connections: a client comes \
        back disconnected (its sequence counter on stable storage), the server with an empty, open room; a \
        client the server gave up on while cut off shows as half-open. The screens pane draws every node's \
        terminal as it sees it; the inspector shows the client list, sequence numbers and unacknowledged items.",
    seeds: "000, 002",
    nodes: NodeRange { default: 4, min: 2, max: 4096 },
    roles: &[
        RoleCard { name: "server", help: "node 0: keeps the client list and relays every post" },
        RoleCard { name: "client", help: "nodes 1..N−1: join, post and leave" },
    ],
    verbs: &[
        VerbCard {
            name: "join",
            args: &[ArgCard::node_of("C", "client")],
            help: "client C connects to the server (JOIN, WELCOME)",
        },
        VerbCard {
            name: "post",
            args: &[ArgCard::node_of("C", "client"), ArgCard::new("text", Kind::Text)],
            help: "client C posts text (quoted or the rest of the line); the server relays it to every other client",
        },
        VerbCard {
            name: "leave",
            args: &[ArgCard::node_of("C", "client")],
            help: "client C closes its connection (the seed's \\close at a client)",
        },
        VerbCard {
            name: "shutdown",
            args: &[],
            help: "the server closes the room: SHUTDOWN to every client, all disconnect",
        },
    ],
    params: &[
        ParamCard {
            key: "autojoin",
            kind: Kind::Choice(&["false", "true"]),
            default: "false",
            help: "every client joins at the start",
        },
        ParamCard {
            key: "timeout",
            kind: Kind::Ms { min: 1, max: MAX_MS },
            default: "30",
            help: "ms before an unacknowledged message is sent again (server and clients)",
        },
        ParamCard {
            key: "retries",
            kind: Kind::Int { min: 0, max: 1000 },
            default: "3",
            help: "re-sends without an answer before the peer is given up (a dead client removed)",
        },
        ParamCard {
            key: "variant",
            kind: Kind::Variant,
            default: "correct",
            help: "the correct server or a broken one",
        },
    ],
    variants: &[
        VariantCard {
            name: "correct",
            help: "ordered, acknowledged channels; relays to every client but the sender",
            breaks: &[],
        },
        VariantCard {
            name: "echo",
            help: "relays a post back to its sender too (the seed's `if c != sender` forgotten)",
            breaks: &[NO_SELF_DELIVERY.name],
        },
        VariantCard {
            name: "no-seq",
            help: "clients show every RELAY as it arrives: a copy shown twice, a reordered pair out of order",
            breaks: &[FIFO_PER_SENDER.name],
        },
        VariantCard {
            name: "no-resend",
            help: "sends each RELAY once and forgets it: a lost one is never shown",
            breaks: &[EVERY_POST_DELIVERED.name],
        },
    ],
    properties: &[FIFO_PER_SENDER, NO_SELF_DELIVERY, EVERY_POST_DELIVERED, SHUTDOWN_DISCONNECTS],
    results: &[
        FieldCard {
            key: "delivered",
            help: "per node, the post ids shown in order (\"2:1\" = client 2's post 1); the server's: posts it accepted",
        },
        FieldCard { key: "transcripts", help: "per node, its screen's lines in order" },
        FieldCard { key: "clients", help: "the server's client list at the end" },
        FieldCard { key: "connected", help: "live clients that believe they are connected" },
        FieldCard { key: "room", help: "open | closed | down (server crashed)" },
        FieldCard { key: "posts", help: "posts the server accepted" },
    ],
    scripts: &[
        ScriptCard {
            file: "chat.dl",
            about: "seed 002's story: two clients post (relayed to the other only), client 2 leaves, the server's close ends client 1, a late JOIN refused",
        },
        ScriptCard {
            file: "chat-broken.dl",
            about: "clients that ignore sequence numbers: a duplicated RELAY shown twice, then a reordered pair \
                shown out of order (`fifo-per-sender`)",
        },
    ],
    action: "join / post",
};

impl Algorithm for Chat {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn node_roles(n: usize, _params: &Params) -> Vec<&'static str> {
        crate::algos::kit::one_and_others(n, SERVER, "server", "client")
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let variant = match params.variant(&CARD)? {
            0 => Variant::Correct,
            1 => Variant::Echo,
            2 => Variant::NoSeq,
            _ => Variant::NoResend,
        };
        let retries = params.int::<u32>(&CARD, "retries")?;
        let k = Knobs { timeout: params.ms(&CARD, "timeout")?, retries, variant };
        let autojoin = params.choice(&CARD, "autojoin")? == 1;
        let mut nodes: Vec<Node> = (0..n).map(|i| Node::new(i, k)).collect();
        if autojoin {
            for c in nodes.iter_mut().skip(1) {
                c.client.conn = Conn::Joining;
                c.client.session = 1;
            }
        }
        Ok((nodes, Box::new(Check::new(n))))
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        let c = args.node(0);
        match verb {
            "join" => Ok((c, Request::Join)),
            "leave" => Ok((c, Request::Leave)),
            "post" => {
                let text = args.text(1).unwrap_or_default();
                if text.trim().is_empty() {
                    return Err(format!("`post {c}` needs a text: `post {c} \"hello\"`"));
                }
                Ok((c, Request::Post(text.to_string())))
            }
            "shutdown" => Ok((SERVER, Request::Shutdown)),
            _ => Err(format!("unknown verb {verb:?}")),
        }
    }
    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        let verb = |v: &str, args: Vec<String>| Some(Input::Verb { verb: v.into(), args });
        match (s.server, s.closed, s.conn) {
            (true, false, _) => verb("shutdown", Vec::new()),
            (true, true, _) => None,
            (false, _, Conn::Off) => verb("join", vec![node.to_string()]),
            (false, _, Conn::Connected) => {
                verb("post", vec![node.to_string(), format!("message {} from {node}", s.next_seq)])
            }
            (false, _, Conn::Joining) => None,
        }
    }
}
