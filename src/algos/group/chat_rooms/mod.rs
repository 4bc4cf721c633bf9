//! Chat rooms with a controller (what it shows: see `CARD`).
//!
//! One `Node` type: the controller (node 0) runs every room server inside
//! itself (`controller.rs`, the seed's threads), the clients type the
//! seed's commands (`client.rs`), and the monitor is in `check.rs`. There
//! are no timers: nothing is re-sent, since BSS assumes reliable links.
//!
//! Each client's room state is a `group::bss::Bss` (the BSS kit) in
//! `Mode::Causal`. The room server keeps `relayed`, the count of each
//! author's posts it has relayed; it relays each author's posts in their
//! order (a post that overtook its predecessor waits in `Room::early`), so
//! `relayed` is always a prefix of each author's posts. That is what lets a
//! joining member start from it: the WELCOME carries `relayed` as the
//! member's starting `V` (`Bss::starting_at`), and the member waits for
//! nothing from before it joined. The server's notices ("joined", "left")
//! are broadcasts of node 0 stamped with `relayed`, so a notice is never
//! shown before the posts relayed ahead of it. Room messages that overtake
//! the WELCOME wait in `Place::Joining` for it.
//!
//! A client numbers its memberships (`session`), so the room server can
//! tell a copy or a stale JOIN or LEAVE; a JOIN whose previous membership's
//! LEAVE was overtaken waits in `Room::pending`. A LEAVE names the
//! member's last post, and the member leaves only once that post is
//! relayed, so none of its posts is lost to the leave. `recovered` keeps a
//! client's screen and membership so that `on_recover` can leave the room
//! cleanly; the controller keeps only how many rooms it ever created, so a
//! room number is never given twice.
//!
//! The monitor checks delivery order against causality as the deliveries
//! define it, never from the stamps the algorithm computes. The
//! `no-holdback` variant only changes the mode: the client's `Bss` runs in
//! `Mode::None`, delivering on arrival.

mod check;
mod client;
mod controller;

pub use self::check::{ALL_DELIVERED, Check};
use self::client::{Membership, Place};
use self::controller::Room;
use super::bss::{CAUSAL_DELIVERY, NO_DUPLICATE_DELIVERY};
use crate::algos::kit::listing;
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, NodeRange, ParamCard, RoleCard, ScriptCard, VariantCard, VerbCard,
};
use crate::card::{Claim, Fault};
use crate::engine::input::Input;
use crate::engine::invariant::Monitor;
use crate::engine::protocol::{Cx, Describe, NodeId, Protocol, Role, Row, Summary};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};

/// The controller's node id.
pub const CONTROLLER: NodeId = 0;
/// Longest name and longest line a client may type.
pub const NAME_MAX: usize = 24;
pub const TEXT_MAX: usize = 200;
/// Lines of a client's screen kept (older ones scroll away).
pub const SCREEN_MAX: usize = 200;
/// The last lines of its screen a client's inspector shows.
pub const SCREEN_ROWS: usize = 12;

pub type RoomId = u32;

/// A room message: room, author (node 0 for the server's notices) and the
/// author's sequence number in that room.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MsgId {
    pub room: RoomId,
    pub from: NodeId,
    pub seq: u32,
}

impl std::fmt::Display for MsgId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.room, self.from, self.seq)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Msg {
    /// Client → controller: `./createRoom`.
    CreateRoom,
    /// Controller → client: the seed's JSON reply.
    Created {
        room: RoomId,
        json: String,
    },
    /// Client → controller: `./join` room under a name. `session` numbers
    /// the client's memberships, so copies and stale requests are known.
    Join {
        room: RoomId,
        name: String,
        session: u32,
    },
    /// Controller → joiner: you are in; the members, and the vector of what
    /// the room had relayed when it let you in (your starting point).
    Welcome {
        room: RoomId,
        members: Vec<String>,
        base: Vec<u32>,
        session: u32,
    },
    /// Controller → client: a command that cannot be carried out (for a
    /// join: which one).
    Refused {
        text: String,
        room: Option<RoomId>,
        session: Option<u32>,
    },
    /// Client → room server: a line for the room, stamped with the
    /// author's delivered vector (its own entry = this post's number).
    Post {
        room: RoomId,
        stamp: Vec<u32>,
        text: String,
    },
    /// Room server → member: a post or a notice (`from` = 0) to deliver.
    Relay {
        id: MsgId,
        name: String,
        stamp: Vec<u32>,
        text: String,
    },
    /// Client → controller: `./members`.
    Members {
        room: RoomId,
    },
    MemberList {
        names: Vec<String>,
    },
    /// Client → controller: `./leave` membership `session`, after my posts
    /// up to `last` (the server relays those first, so none of them is
    /// lost to the leave).
    Leave {
        room: RoomId,
        last: u32,
        session: u32,
    },
}

fn show_vector(v: &[u32]) -> String {
    let shown: Vec<String> = v.iter().take(12).map(|x| x.to_string()).collect();
    let more = if v.len() > 12 { " …" } else { "" };
    format!("[{}{more}]", shown.join(" "))
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::CreateRoom => "CREATE",
            Msg::Created { .. } => "CREATED",
            Msg::Join { .. } => "JOIN",
            Msg::Welcome { .. } => "WELCOME",
            Msg::Refused { .. } => "REFUSED",
            Msg::Post { .. } => "POST",
            Msg::Relay { .. } => "RELAY",
            Msg::Members { .. } => "MEMBERS",
            Msg::MemberList { .. } => "MEMBER-LIST",
            Msg::Leave { .. } => "LEAVE",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::CreateRoom => "./createRoom".into(),
            Msg::Created { json, .. } => json.clone(),
            Msg::Join { room, name, session } => format!("./join room {room} as {name:?} (session {session})"),
            Msg::Welcome { room, members, .. } => format!("WELCOME(room {room}, {} members)", members.len()),
            Msg::Refused { text, .. } => format!("REFUSED({text})"),
            Msg::Post { room, stamp, text } => format!("POST(room {room} W={} {text:?})", show_vector(stamp)),
            Msg::Relay { id, stamp, text, .. } if id.from == CONTROLLER => {
                format!("RELAY({id} notice W={} {text:?})", show_vector(stamp))
            }
            Msg::Relay { id, name, stamp, text } => format!("RELAY({id} W={} {name} : {text})", show_vector(stamp)),
            Msg::Members { room } => format!("./members (room {room})"),
            Msg::MemberList { names } => format!("MEMBER-LIST({})", python_list(names)),
            Msg::Leave { room, last, .. } => format!("./leave (room {room}, after post {last})"),
        }
    }
}

/// The seed prints `str(self.members)`: a Python list of strings.
pub fn python_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// The seed's reply to `./createRoom`, with the room number for the port.
pub fn created_json(room: RoomId) -> String {
    serde_json::json!({"status": 200, "room": room, "type": "creation", "message": "CHATROOM CREATED"}).to_string()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Timer {}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        match *self {}
    }
}

/// What a client types.
#[derive(Clone, Debug, Hash)]
pub enum Request {
    CreateRoom,
    Join { room: RoomId, name: String },
    Post(String),
    Members,
    Leave,
}

/// The summary: what the monitor checks and the topology shows.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    pub controller: bool,
    /// Client: the room it is in (after the welcome) and its name there.
    pub room: Option<RoomId>,
    pub name: String,
    /// Client: delivered vector in its room (empty outside a room).
    pub v: Vec<u32>,
    pub held: u32,
    /// Client: its latest own post (the monitor dates it).
    pub last_post: Option<MsgId>,
    pub posts: u64,
    /// Client: what the latest event delivered, in order.
    pub delivered: Vec<MsgId>,
    pub deliveries: u64,
    /// Controller: per room, the relayed vector (entry 0 = notices).
    /// (Empty for a room lost in a crash.)
    pub rooms: Vec<Vec<u32>>,
    /// Client: the room it created last.
    pub created: Option<RoomId>,
    /// The lines the latest event put on the node's screen.
    pub said: Vec<String>,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        if self.controller {
            Role::Leader
        } else if self.held > 0 {
            Role::Wanting
        } else if self.room.is_some() {
            Role::InCs
        } else {
            Role::Idle
        }
    }
    fn badge(&self) -> String {
        match (self.controller, self.room) {
            (true, _) => format!("{} rooms", self.rooms.iter().filter(|r| !r.is_empty()).count()),
            (false, Some(r)) if self.held > 0 => format!("r{r} held {}", self.held),
            (false, Some(r)) => format!("r{r}"),
            (false, None) => String::new(),
        }
    }
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    id: NodeId,
    n: usize,
    no_holdback: bool,
    // ----- client (its screen, room and name are on stable storage) -----
    screen: Vec<String>,
    place: Place,
    member: Option<Membership>,
    /// The room this client created last (the action key joins it).
    created: Option<RoomId>,
    /// Memberships begun so far (on stable storage).
    sessions: u32,
    posts: u64,
    last_post: Option<MsgId>,
    delivered: Vec<MsgId>,
    deliveries: u64,
    /// The lines the latest event put on the screen.
    said: Vec<String>,
    // ----- controller: rooms in memory only (`None`: lost in a crash);
    // how many were ever created is on stable storage, so a number is
    // never given twice -----
    rooms: Vec<Option<Room>>,
}

impl Node {
    fn new(id: NodeId, n: usize, no_holdback: bool) -> Self {
        Node {
            id,
            n,
            no_holdback,
            screen: Vec::new(),
            place: Place::Prompt,
            member: None,
            created: None,
            sessions: 0,
            posts: 0,
            last_post: None,
            delivered: Vec::new(),
            deliveries: 0,
            said: Vec::new(),
            rooms: Vec::new(),
        }
    }

    fn is_controller(&self) -> bool {
        self.id == CONTROLLER
    }

    fn say(&mut self, line: impl Into<String>) {
        if self.screen.len() == SCREEN_MAX {
            self.screen.remove(0);
        }
        let line = line.into();
        self.said.push(line.clone());
        self.screen.push(line);
    }

    /// A new event: nothing delivered or said in it yet.
    fn begin(&mut self) {
        self.delivered.clear();
        self.said.clear();
    }
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Summary = Sum;

    fn on_start(&mut self, _cx: &mut Cx<Self>) {
        self.begin();
        if self.is_controller() {
            self.say("controller listening (./createRoom)");
        } else {
            self.say("Enter command : (./createRoom or ./join)");
        }
    }

    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        self.begin();
        if self.is_controller() { self.serve(cx, from, msg) } else { self.client(cx, msg) }
    }

    fn on_timer(&mut self, _cx: &mut Cx<Self>, timer: Timer) {
        match timer {}
    }

    fn on_request(&mut self, cx: &mut Cx<Self>, req: Request) {
        self.begin();
        if self.is_controller() {
            cx.note("the controller takes no commands");
        } else {
            self.typed(cx, req);
        }
    }

    fn on_recover(&mut self, cx: &mut Cx<Self>) {
        self.begin();
        if self.is_controller() {
            self.say("controller restarted: every room is gone");
            return;
        }
        self.say("(disconnected: the client crashed)");
        if let Some(m) = self.member.take() {
            cx.send(CONTROLLER, Msg::Leave { room: m.room, last: m.v()[self.id], session: m.session });
        }
        self.say("Enter command : (./createRoom or ./join)");
    }

    fn recovered(&self) -> Self {
        let mut fresh = Node::new(self.id, self.n, self.no_holdback);
        if !self.is_controller() {
            // The screen and the room it was in survive; its place in the
            // conversation (V, the hold-back queue) does not.
            fresh.screen = self.screen.clone();
            fresh.member = self.member.clone();
            fresh.created = self.created;
            fresh.sessions = self.sessions;
            fresh.posts = self.posts;
            fresh.deliveries = self.deliveries;
        } else {
            fresh.rooms = vec![None; self.rooms.len()];
        }
        fresh
    }

    fn summary(&self) -> Sum {
        let m = self.member.as_ref();
        Sum {
            controller: self.is_controller(),
            room: m.map(|m| m.room),
            name: m.map(|m| m.name.clone()).unwrap_or_default(),
            v: m.map(|m| m.v().to_vec()).unwrap_or_default(),
            held: m.map_or(0, |m| m.bss.held_len() as u32),
            last_post: self.last_post,
            posts: self.posts,
            delivered: self.delivered.clone(),
            deliveries: self.deliveries,
            rooms: self.rooms.iter().map(|r| r.as_ref().map(|r| r.relayed.clone()).unwrap_or_default()).collect(),
            created: self.created,
            said: self.said.clone(),
        }
    }

    fn inspect(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        if self.is_controller() {
            let live = self.rooms.iter().flatten().count();
            rows.push(Row::new("controller", format!("{live} rooms ({} created)", self.rooms.len())));
            for (i, r) in self.rooms.iter().enumerate() {
                let Some(r) = r else {
                    rows.push(Row::new(format!("room {i}"), "lost in a crash"));
                    continue;
                };
                let names: Vec<String> = r
                    .members
                    .iter()
                    .map(|m| format!("{}@{}{}", m.name, m.node, if m.leaving.is_some() { " (leaving)" } else { "" }))
                    .collect();
                rows.push(Row::new(format!("room {i}"), listing(names.into_iter(), 6)));
                rows.push(Row::new("  relayed", show_vector(&r.relayed)));
                if !r.early.is_empty() {
                    let early = r.early.keys().map(|(a, s)| format!("{a}:{s}"));
                    rows.push(Row::new("  out of order", listing(early, 6)));
                }
            }
        } else {
            let place = match (&self.member, &self.place) {
                (Some(m), _) => format!("in room {} as {}", m.room, m.name),
                (None, Place::Creating) => "asked for a room".into(),
                (None, Place::Joining { room, name, .. }) => format!("joining room {room} as {name}"),
                (None, Place::Prompt) => "at the command prompt".into(),
            };
            rows.push(Row::new("client", place));
            if let Some(m) = &self.member {
                rows.push(Row::new("V delivered", show_vector(m.v())));
                let held = m.bss.held().map(|h| {
                    let gaps: Vec<String> = m
                        .bss
                        .gaps(h.from, &h.stamp)
                        .iter()
                        .map(|g| {
                            if g.first == g.last {
                                format!("{}:{}", g.from, g.first)
                            } else {
                                format!("{}:{}-{}", g.from, g.first, g.last)
                            }
                        })
                        .collect();
                    format!("{}:{}:{} W={} waits for {}", m.room, h.from, h.seq, show_vector(&h.stamp), gaps.join(","))
                });
                rows.push(Row::new("hold-back", listing(held, 4)));
            }
            rows.push(Row::new("posts / deliveries", format!("{} / {}", self.posts, self.deliveries)));
            if self.no_holdback {
                rows.push(Row::new("variant", "no-holdback (BROKEN on purpose)"));
            }
        }
        let from = self.screen.len().saturating_sub(SCREEN_ROWS);
        for (i, line) in self.screen[from..].iter().cloned().enumerate() {
            rows.push(Row::new(if i == 0 { "screen" } else { "" }, line));
        }
        rows
    }
}

// ----- the registry entry --------------------------------------------------------

pub struct ChatRooms;

static CARD: Card = Card {
    name: "chat-rooms",
    role_words: &[
        (Role::Leader, "controller"),
        (Role::InCs, "connected"),
        (Role::Wanting, "holding"),
        (Role::Idle, "idle"),
    ],
    title: "Chat rooms with a controller",
    family: Family::Group,
    tolerates: &[Claim::of(Fault::Delay)],
    about: "a controller creates rooms (the seed's JSON reply); room messages in causal order by BSS",
    description: "Seed 004's chat rooms as messages between nodes. Node 0 is the controller: `create-room C` is \
        client C typing `./createRoom`, and the controller starts a room server (inside itself, as the seed's \
        threads) and answers with the seed's JSON, the room's number standing where the seed had a port; \
        `join C ROOM [NAME]` enters a room (the others see \"NAME joined the chatroom\"), `post C text` is a \
        line for the room, `members C` prints the seed's Python list and `leave C` is `./leave`. Relaying \
        through one server does not order a room: links reorder, so an answer can overtake its question on the \
        way to a third member. Room messages are therefore delivered with the Birman–Schiper–Stephenson \
        protocol: a post carries its author's delivered vector `W`, and a member delivers the post of `j` once \
        `W[j] = V[j] + 1` and `W[k] ≤ V[k]` for every other `k`, holding it back until then; the server's \
        notices are broadcasts of node 0 in the same scheme, and a newcomer starts from what the room has \
        relayed. The controller keeps its rooms in memory only: after its crash every room is gone and a client \
        that posts is told \"no such room\"; a client keeps its screen and room on stable storage and leaves \
        that room cleanly when it comes back. BSS assumes reliable links: a lost room message holds back \
        everything that depends on it. The inspector and the screens pane show each client's screen; a \
        client's inspector lists each held message and what it waits for.",
    seeds: "004",
    nodes: NodeRange { default: 3, min: 2, max: 64 },
    roles: &[
        RoleCard { name: "controller", help: "node 0: creates the rooms and runs their servers" },
        RoleCard { name: "client", help: "nodes 1..N−1: type the seed's commands" },
    ],
    verbs: &[
        VerbCard {
            name: "create-room",
            args: &[ArgCard::node_of("C", "client")],
            help: "client C types ./createRoom: the controller starts a room",
        },
        VerbCard {
            name: "join",
            args: &[
                ArgCard::node_of("C", "client"),
                ArgCard::new("ROOM", Kind::Int { min: 0, max: u32::MAX as i64 }),
                ArgCard::optional("NAME", Kind::Text),
            ],
            help: "client C types ./join ROOM and its name (default userC)",
        },
        VerbCard {
            name: "post",
            args: &[ArgCard::node_of("C", "client"), ArgCard::new("text", Kind::Text)],
            help: "client C types a line for its room",
        },
        VerbCard { name: "members", args: &[ArgCard::node_of("C", "client")], help: "client C types ./members" },
        VerbCard { name: "leave", args: &[ArgCard::node_of("C", "client")], help: "client C types ./leave" },
    ],
    params: &[ParamCard {
        key: "variant",
        kind: Kind::Variant,
        default: "correct",
        help: "the correct rooms or a broken one",
    }],
    variants: &[
        VariantCard {
            name: "correct",
            help: "members hold a post back until its causal past is delivered (BSS)",
            breaks: &[],
        },
        VariantCard {
            name: "no-holdback",
            help: "a member shows a post the moment it arrives: an answer that overtook its question comes first",
            breaks: &[CAUSAL_DELIVERY.name],
        },
    ],
    properties: &[CAUSAL_DELIVERY, NO_DUPLICATE_DELIVERY, ALL_DELIVERED],
    results: &[
        FieldCard {
            key: "delivered",
            help: "per client, the room messages it delivered in order, as `room:author:seq` (author 0: a notice)",
        },
        FieldCard { key: "rooms", help: "per room: `{room, relayed, members}` (the relayed vector; live members)" },
        FieldCard { key: "held", help: "per client, how many room messages it still holds back" },
    ],
    scripts: &[
        ScriptCard {
            file: "chat-rooms.dl",
            about: "seed 004's room: `./createRoom` and its JSON, three joins; an answer overtakes its question and waits in the hold-back queue",
        },
        ScriptCard {
            file: "chat-rooms-broken.dl",
            about: "the same answer shown before its question (`causal-delivery`)",
        },
    ],
    action: "create/join/post",
};

/// What the card cannot say of a name or a line: not blank, not too long.
fn check_text(what: &str, text: &str, max: usize) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("the {what} is empty"));
    }
    if text.chars().count() > max {
        return Err(format!("the {what} is longer than {max} characters"));
    }
    Ok(())
}

impl Algorithm for ChatRooms {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn node_roles(n: usize, _params: &Params) -> Vec<&'static str> {
        crate::algos::kit::one_and_others(n, CONTROLLER, "controller", "client")
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let no_holdback = params.variant(&CARD)? == 1;
        Ok(((0..n).map(|i| Node::new(i, n, no_holdback)).collect(), Box::new(Check::new(n))))
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        let c = args.node(0);
        match verb {
            "create-room" => Ok((c, Request::CreateRoom)),
            "members" => Ok((c, Request::Members)),
            "leave" => Ok((c, Request::Leave)),
            "join" => {
                let room = args.int(1).unwrap_or_default() as RoomId;
                let name = args.text(2).map_or_else(|| format!("user{c}"), str::to_string);
                check_text("name", &name, NAME_MAX)?;
                Ok((c, Request::Join { room, name }))
            }
            "post" => {
                let text = args.text(1).unwrap_or_default().to_string();
                check_text("text", &text, TEXT_MAX)?;
                if text.starts_with("./") {
                    return Err(format!("{text:?} is a command: use create-room, join, members or leave"));
                }
                Ok((c, Request::Post(text)))
            }
            _ => Err(format!("unknown verb {verb:?}")),
        }
    }

    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        if s.controller {
            return None;
        }
        let verb = |v: &str, args: Vec<String>| Some(Input::Verb { verb: v.into(), args });
        let me = node.to_string();
        match (s.room, s.created) {
            (Some(_), _) => verb("post", vec![me, format!("message {} from {}", s.posts + 1, s.name)]),
            (None, Some(r)) => verb("join", vec![me, r.to_string()]),
            // The first client hosts (as in the seed), the others join room 0.
            (None, None) if node == 1 => verb("create-room", vec![me]),
            (None, None) => verb("join", vec![me, "0".into()]),
        }
    }
}
