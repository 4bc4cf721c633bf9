//! Chat rooms with a controller (seed 004): node 0 is the controller, every
//! other node a client. A client types the seed's commands:
//!
//! - `./createRoom` (`create-room C`): the controller starts a room server
//!   and answers with the seed's JSON, `{"status": 200, "room": R, "type":
//!   "creation", "message": "CHATROOM CREATED"}`; rooms are numbered from 0
//!   in creation order, and the reply carries that number where the seed
//!   carried a port;
//! - `./join` (`join C ROOM [NAME]`): the client enters room R under NAME;
//!   the others see "NAME joined the chatroom";
//! - a line of text (`post C text`): everyone else in the room sees
//!   "NAME : text";
//! - `./members` (`members C`): the room's member names, as the seed's
//!   Python list prints them (`['Akshat', 'Raj']`);
//! - `./leave` (`leave C`): the others see "NAME left the chatroom".
//!
//! The room servers run inside the controller (the seed's threads) and
//! relay every post to the other members. Relaying through one server does
//! not order messages by itself: the links reorder, so a reply can overtake
//! the message it answers on the way to a third member. Room messages are
//! therefore delivered with the Birman–Schiper–Stephenson protocol: a post
//! carries its author's vector of delivered messages `W`, and a member
//! delivers the post of `j` once `W[j] = V[j] + 1` and `W[k] ≤ V[k]` for
//! every other `k`, holding it back until then. The server's own notices
//! ("joined", "left") are broadcasts of node 0 in the same scheme, stamped
//! with what the server has relayed, so a notice is never shown before the
//! messages the server relayed ahead of it. The server relays each author's
//! posts in their order (FIFO per author: it holds back a post that
//! overtook its predecessor), so what it has relayed is always a prefix,
//! and a joining member starts from that prefix: `V` = the server's
//! relayed counts, and it waits for nothing from before it joined.
//!
//! Failures: the controller keeps its rooms in memory only, as the seed's
//! threads do: when it crashes the rooms are gone, and a client that posts
//! to a room that no longer exists is told so and is back at the command
//! prompt. A client keeps on stable storage only which room it is in and
//! under what name (and its screen): when it comes back it leaves that room
//! cleanly. BSS assumes reliable links: a lost room message leaves every
//! later message that depends on it held back for good, which is what the
//! hold-back queue in the inspector shows (the `all-delivered` check is
//! made only on runs that lost no message and kept the controller up).
//!
//! Invariants, checked by the monitor from what the nodes actually deliver
//! (not from the stamps the algorithm computes): `causal-delivery` (no
//! member delivers a message before one that causally precedes it, with
//! causality taken from deliveries: a post follows everything its author
//! had delivered), `no-duplicate-delivery`, and at quiescence
//! `all-delivered`. `variant=no-holdback` is the broken version: members
//! show a post the moment it arrives, and the checker catches the reply
//! shown before the message it answers.

use super::bss::{Bss, CAUSAL_DELIVERY, Mode, NO_DUPLICATE_DELIVERY};
use crate::algos::kit::listing;
use crate::algos::kit::screens::Screens;
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, NodeRange, ParamCard, Property, RoleCard, ScriptCard, VariantCard,
    VerbCard,
};
use crate::engine::input::Input;
use crate::engine::invariant::{Change, Monitor, Transcript, Violation, World};
use crate::engine::protocol::{Cx, Describe, NodeId, Protocol, Role, Row, Summary};
use crate::engine::sim::EvKind;
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Timer {}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        match *self {}
    }
}

/// What a client types.
#[derive(Clone, Debug)]
pub enum Request {
    CreateRoom,
    Join { room: RoomId, name: String },
    Post(String),
    Members,
    Leave,
}

/// A room message that arrived at a client (it waits in `Place::Joining`
/// when it overtook the welcome).
#[derive(Clone, Debug, PartialEq)]
struct Arrived {
    id: MsgId,
    name: String,
    stamp: Vec<u32>,
    text: String,
}

/// A client's membership: the room, its name there, and the BSS state
/// (`V` of room messages delivered per author, own posts included, and the
/// hold-back queue; the payload is the author's name and the text).
#[derive(Clone, Debug)]
struct Membership {
    room: RoomId,
    name: String,
    session: u32,
    bss: Bss<(String, String)>,
}

impl Membership {
    fn v(&self) -> &[u32] {
        self.bss.vector()
    }
}

/// Where a client is.
#[derive(Clone, Debug, PartialEq)]
enum Place {
    /// At the command prompt.
    Prompt,
    /// Asked for a room, waiting for the reply.
    Creating,
    /// Asked to join `room` as `name`, waiting for the welcome; room
    /// messages that overtake the welcome wait here for it.
    Joining { room: RoomId, name: String, session: u32, early: Vec<Arrived> },
}

#[derive(Clone, Debug)]
struct Room {
    /// Members in join order.
    members: Vec<Member>,
    /// Per client, the latest membership session that has left this room
    /// (a JOIN of that session or an older one is stale).
    left: Vec<u32>,
    /// A client's JOIN of a newer session, waiting for its previous
    /// membership to leave first (the LEAVE was overtaken): name, session.
    pending: BTreeMap<NodeId, (String, u32)>,
    /// Per author, how many of its posts (for node 0: notices) this room
    /// has relayed: always a prefix of each author's posts.
    relayed: Vec<u32>,
    /// Posts that overtook an earlier post of their author, held until it
    /// comes: (author, its seq) → (stamp, text).
    early: BTreeMap<(NodeId, u32), (Vec<u32>, String)>,
}

/// A member of a room, as its server keeps it.
#[derive(Clone, Debug)]
struct Member {
    node: NodeId,
    name: String,
    session: u32,
    /// The relayed vector it started from (a copy of its JOIN gets the
    /// same welcome again).
    base: Vec<u32>,
    /// It asked to leave after this post of its own.
    leaving: Option<u32>,
}

/// The summary: what the monitor checks and the topology shows.
#[derive(Clone, Debug, PartialEq)]
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

#[derive(Clone, Debug)]
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

    // ----- the client ----------------------------------------------------

    fn typed(&mut self, cx: &mut Cx<Self>, req: Request) {
        match req {
            Request::CreateRoom => {
                self.say("> ./createRoom");
                if self.member.is_some() || self.place != Place::Prompt {
                    self.say("Please enter correct command (./leave the room first)");
                    return;
                }
                self.place = Place::Creating;
                cx.send(CONTROLLER, Msg::CreateRoom);
            }
            Request::Join { room, name } => {
                self.say(format!("> ./join {room} as {name}"));
                if self.member.is_some() || self.place != Place::Prompt {
                    self.say("Please enter correct command (./leave the room first)");
                    return;
                }
                self.sessions += 1;
                let session = self.sessions;
                self.place = Place::Joining { room, name: name.clone(), session, early: Vec::new() };
                cx.send(CONTROLLER, Msg::Join { room, name, session });
            }
            Request::Post(text) => {
                let Some(m) = self.member.as_mut() else {
                    self.say(format!("> {text}"));
                    self.say("Please enter correct command (not in a chat room: ./join one)");
                    return;
                };
                let (stamp, _) = m.bss.broadcast();
                let id = MsgId { room: m.room, from: self.id, seq: stamp[self.id] };
                let msg = Msg::Post { room: m.room, stamp: stamp.to_vec(), text: text.clone() };
                self.posts += 1;
                self.last_post = Some(id);
                self.say(text);
                cx.send(CONTROLLER, msg);
            }
            Request::Members => {
                self.say("> ./members");
                match &self.member {
                    Some(m) => cx.send(CONTROLLER, Msg::Members { room: m.room }),
                    None => self.say("Please enter correct command (not in a chat room)"),
                }
            }
            Request::Leave => {
                self.say("> ./leave");
                match self.member.take() {
                    Some(m) => {
                        cx.send(CONTROLLER, Msg::Leave { room: m.room, last: m.v()[self.id], session: m.session });
                        self.say(format!("left room {}", m.room));
                    }
                    None => self.say("Please enter correct command (not in a chat room)"),
                }
            }
        }
    }

    fn client(&mut self, cx: &mut Cx<Self>, msg: Msg) {
        match msg {
            Msg::Created { room, .. } if self.place == Place::Creating => {
                self.place = Place::Prompt;
                self.created = Some(room);
                self.say("CHATROOM CREATED");
                self.say(format!("(room {room}: ./join {room} to enter it)"));
            }
            Msg::Welcome { room, members, base, session } => match std::mem::replace(&mut self.place, Place::Prompt) {
                Place::Joining { room: r, name, session: s, early } if r == room && s == session => {
                    self.say(format!("connected to chat room {room}: {}", python_list(&members)));
                    let mode = if self.no_holdback { Mode::None } else { Mode::Causal };
                    let bss = Bss::starting_at(self.id, mode, base);
                    self.member = Some(Membership { room, name, session, bss });
                    for h in early {
                        self.receive(h);
                    }
                }
                // A copy of the welcome I had.
                other if self.member.as_ref().is_some_and(|m| m.session == session) => self.place = other,
                // The welcome of a membership I no longer want (I crashed
                // while joining): leave it.
                other => {
                    self.place = other;
                    cx.send(CONTROLLER, Msg::Leave { room, last: base.get(self.id).copied().unwrap_or(0), session });
                }
            },
            Msg::Refused { text, room, session } => {
                let abandon = match &self.place {
                    Place::Joining { session: s, .. } => session == Some(*s),
                    Place::Creating => session.is_none(),
                    Place::Prompt => false,
                };
                if abandon {
                    self.place = Place::Prompt;
                }
                if text.contains("no such room") && room.is_some() && self.member.as_ref().map(|m| m.room) == room {
                    self.member = None;
                }
                self.say(text);
            }
            Msg::MemberList { names } => self.say(python_list(&names)),
            Msg::Relay { id, name, stamp, text } => match &mut self.place {
                Place::Joining { room, early, .. } if *room == id.room => early.push(Arrived { id, name, stamp, text }),
                _ => self.receive(Arrived { id, name, stamp, text }),
            },
            _ => {}
        }
    }

    /// BSS: deliver a room message once its causal past is delivered.
    fn receive(&mut self, a: Arrived) {
        let Some(m) = self.member.as_mut() else { return };
        if a.id.room != m.room || a.stamp.len() != m.v().len() || a.stamp[a.id.from] != a.id.seq {
            return;
        }
        let room = m.room;
        let receipt = m.bss.receive(a.id.from, a.stamp.into(), (a.name, a.text));
        for d in receipt.delivered {
            let id = MsgId { room, from: d.from, seq: d.seq };
            let (name, text) = d.payload;
            self.deliveries += 1;
            self.delivered.push(id);
            if id.from == CONTROLLER {
                self.say(text);
            } else {
                self.say(format!("{name} : {text}"));
            }
        }
    }

    // ----- the controller and its room servers --------------------------

    fn room_mut(&mut self, room: RoomId) -> Option<&mut Room> {
        self.rooms.get_mut(room as usize).and_then(Option::as_mut)
    }

    fn serve(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::CreateRoom => {
                let room = self.rooms.len() as RoomId;
                let n = self.n;
                self.rooms.push(Some(Room {
                    members: Vec::new(),
                    left: vec![0; n],
                    pending: BTreeMap::new(),
                    relayed: vec![0; n],
                    early: BTreeMap::new(),
                }));
                self.say(format!("room {room} created for node {from}"));
                cx.send(from, Msg::Created { room, json: created_json(room) });
            }
            Msg::Join { room, name, session } => {
                let Some(r) = self.room_mut(room) else {
                    return cx.send(from, no_such_room(room, Some(session)));
                };
                if session <= r.left[from] {
                    return; // that membership has left already: a stale copy
                }
                if let Some(m) = r.members.iter().find(|m| m.node == from) {
                    if m.session == session {
                        // A copy of the JOIN: the same welcome again.
                        let (base, members) = (m.base.clone(), r.members.iter().map(|m| m.name.clone()).collect());
                        return cx.send(from, Msg::Welcome { room, members, base, session });
                    }
                    if m.session < session {
                        // Its LEAVE of the previous membership is still on its way.
                        r.pending.insert(from, (name, session));
                    }
                    return;
                }
                self.admit(cx, room, from, name, session);
            }
            Msg::Post { room, stamp, text } => {
                let n = self.n;
                let Some(r) = self.room_mut(room) else {
                    return cx.send(from, no_such_room(room, None));
                };
                if !r.members.iter().any(|m| m.node == from) || stamp.len() != n {
                    return;
                }
                let seq = stamp[from];
                if seq <= r.relayed[from] {
                    return; // a copy
                }
                r.early.insert((from, seq), (stamp, text));
                self.relay_ready(cx, room, from);
            }
            Msg::Members { room } => match self.room_mut(room) {
                Some(r) => {
                    let names = r.members.iter().map(|m| m.name.clone()).collect();
                    cx.send(from, Msg::MemberList { names });
                }
                None => cx.send(from, no_such_room(room, None)),
            },
            Msg::Leave { room, last, session } => {
                let Some(r) = self.room_mut(room) else { return };
                match r.members.iter_mut().find(|m| m.node == from) {
                    Some(m) if m.session == session => m.leaving = Some(last),
                    Some(m) if m.session > session => return,
                    // Its JOIN never came (or is still on its way): void.
                    _ => {
                        r.left[from] = r.left[from].max(session);
                        if r.pending.get(&from).is_some_and(|p| p.1 <= session) {
                            r.pending.remove(&from);
                        }
                        return;
                    }
                }
                self.leave_if_done(cx, room, from);
            }
            _ => {}
        }
    }

    /// Let `x` into `room` as `name` (membership `session`), or say why not.
    fn admit(&mut self, cx: &mut Cx<Self>, room: RoomId, x: NodeId, name: String, session: u32) {
        let Some(r) = self.room_mut(room) else { return };
        if r.members.iter().any(|m| m.name == name) {
            let text = format!("the name {name:?} is taken in room {room}; ./join with another");
            return cx.send(x, Msg::Refused { text, room: Some(room), session: Some(session) });
        }
        r.members.push(Member { node: x, name: name.clone(), session, base: Vec::new(), leaving: None });
        self.say(format!("{name} (node {x}) joined room {room}"));
        self.notice(cx, room, x, format!("{name} joined the chatroom"));
        let Some(r) = self.room_mut(room) else { return };
        let base = r.relayed.clone();
        let members = r.members.iter().map(|m| m.name.clone()).collect();
        if let Some(m) = r.members.iter_mut().find(|m| m.node == x) {
            m.base = base.clone();
        }
        cx.send(x, Msg::Welcome { room, members, base, session });
    }

    /// A member that asked to leave goes once its last post is relayed
    /// (and a JOIN of its next membership that was waiting comes in).
    fn leave_if_done(&mut self, cx: &mut Cx<Self>, room: RoomId, x: NodeId) {
        let Some(r) = self.room_mut(room) else { return };
        let Some(i) = r.members.iter().position(|m| m.node == x && m.leaving.is_some_and(|last| r.relayed[x] >= last))
        else {
            return;
        };
        let m = r.members.remove(i);
        r.left[x] = r.left[x].max(m.session);
        r.early.retain(|(a, _), _| *a != x);
        let next = r.pending.remove(&x);
        self.say(format!("{} (node {x}) left room {room}", m.name));
        self.notice(cx, room, x, format!("{} left the chatroom", m.name));
        if let Some((name, session)) = next.filter(|p| p.1 > m.session) {
            self.admit(cx, room, x, name, session);
        }
    }

    /// Relay `author`'s posts to `room` in their order, as far as they came.
    fn relay_ready(&mut self, cx: &mut Cx<Self>, room: RoomId, author: NodeId) {
        loop {
            let Some(r) = self.room_mut(room) else { return };
            let next = r.relayed[author] + 1;
            let Some((stamp, text)) = r.early.remove(&(author, next)) else { break };
            r.relayed[author] = next;
            let name = r.members.iter().find(|m| m.node == author).map(|m| m.name.clone()).unwrap_or_default();
            let id = MsgId { room, from: author, seq: next };
            for m in r.members.iter().filter(|m| m.node != author) {
                let msg = Msg::Relay { id, name: name.clone(), stamp: stamp.clone(), text: text.clone() };
                cx.send(m.node, msg);
            }
            // The seed's server prints its per-member message counts.
            let counts: Vec<String> = r.members.iter().map(|m| r.relayed[m.node].to_string()).collect();
            self.say(format!("room {room}: [{}]", counts.join(", ")));
        }
        self.leave_if_done(cx, room, author);
    }

    /// A notice of the room server to every member but `except`: a
    /// broadcast of node 0, after everything relayed so far.
    fn notice(&mut self, cx: &mut Cx<Self>, room: RoomId, except: NodeId, text: String) {
        let Some(r) = self.room_mut(room) else { return };
        r.relayed[CONTROLLER] += 1;
        let id = MsgId { room, from: CONTROLLER, seq: r.relayed[CONTROLLER] };
        for m in r.members.iter().filter(|m| m.node != except) {
            let msg = Msg::Relay { id, name: String::new(), stamp: r.relayed.clone(), text: text.clone() };
            cx.send(m.node, msg);
        }
    }
}

fn no_such_room(room: RoomId, session: Option<u32>) -> Msg {
    let text = format!("no such room {room} (Please enter correct port number)");
    Msg::Refused { text, room: Some(room), session }
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

// ----- the monitor ------------------------------------------------------------

/// Checks delivery order against causality as the deliveries define it: a
/// post follows everything its author had delivered (or posted) before it;
/// a notice follows everything the server had relayed before it.
pub struct Check {
    /// Per node, the causal past of its next broadcast: broadcasts counted
    /// per author (every room together).
    past: Vec<Vec<u32>>,
    /// Broadcasts per author so far (the index of the next one).
    count: Vec<u32>,
    /// Every broadcast's causal past, with its own entry set.
    stamps: HashMap<MsgId, Vec<u32>>,
    /// Per node, the maximum causal past of what it delivered.
    seen: Vec<Vec<u32>>,
    delivered: Vec<HashSet<MsgId>>,
    order: Vec<Vec<MsgId>>,
    /// History scanned for lost messages up to here.
    scanned: usize,
    lost: bool,
    controller_crashed: bool,
    /// Every node's screen, for the pane.
    screens: Screens,
}

impl Check {
    pub fn new(n: usize) -> Self {
        Check {
            past: vec![vec![0; n]; n],
            count: vec![0; n],
            stamps: HashMap::new(),
            seen: vec![vec![0; n]; n],
            delivered: vec![HashSet::new(); n],
            order: vec![Vec::new(); n],
            scanned: 0,
            lost: false,
            controller_crashed: false,
            screens: Screens::new(n, SCREEN_MAX),
        }
    }

    fn broadcast(&mut self, x: NodeId, id: MsgId) {
        self.count[x] += 1;
        self.past[x][x] = self.count[x];
        self.stamps.insert(id, self.past[x].clone());
    }

    /// Node `x` delivers (for the controller: relays) message `id`.
    fn deliver(&mut self, w: &World<Node>, x: NodeId, id: MsgId, out: &mut Vec<Violation>) {
        let Some(stamp) = self.stamps.get(&id) else { return };
        if x != CONTROLLER {
            if !self.delivered[x].insert(id) {
                out.push(w.violation(NO_DUPLICATE_DELIVERY.name, format!("node {x} delivered {id} twice")));
                return;
            }
            self.order[x].push(id);
            let a = id.from;
            if stamp[a] <= self.seen[x][a] {
                let later = self.order[x]
                    .iter()
                    .find(|m| **m != id && self.stamps.get(m).is_some_and(|s| s[a] >= stamp[a]))
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "a later message".into());
                out.push(w.violation(
                    CAUSAL_DELIVERY.name,
                    format!("node {x} delivered {id} after {later}, which causally follows it"),
                ));
            }
            for (s, v) in self.seen[x].iter_mut().zip(stamp) {
                *s = (*s).max(*v);
            }
        }
        for (p, v) in self.past[x].iter_mut().zip(stamp) {
            *p = (*p).max(*v);
        }
    }

    fn scan_losses(&mut self, w: &World<Node>) {
        for e in &w.history[self.scanned.min(w.history.len())..] {
            if matches!(e.kind, EvKind::Lost { .. }) {
                self.lost = true;
            }
        }
        self.scanned = w.history.len();
    }
}

impl Monitor<Node> for Check {
    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let mut out = Vec::new();
        match change {
            Change::Summary(x) => {
                let s = &w.summaries[x];
                self.screens.print(x, &s.said);
                if x == CONTROLLER {
                    // Notices are broadcasts of the controller; what it
                    // relays it has "delivered" (its notices follow it).
                    let empty = Vec::new();
                    let before = old.map_or(&empty, |o| &o.rooms);
                    for (room, now) in s.rooms.iter().enumerate() {
                        let was = before.get(room);
                        for (a, &k) in now.iter().enumerate() {
                            let from = was.and_then(|v| v.get(a)).copied().unwrap_or(0);
                            for seq in from + 1..=k {
                                let id = MsgId { room: room as RoomId, from: a, seq };
                                if a == CONTROLLER {
                                    self.broadcast(x, id);
                                } else {
                                    self.deliver(w, x, id, &mut out);
                                }
                            }
                        }
                    }
                } else {
                    if s.posts > old.map_or(0, |o| o.posts)
                        && let Some(id) = s.last_post
                    {
                        self.broadcast(x, id);
                    }
                    for &id in &s.delivered {
                        self.deliver(w, x, id, &mut out);
                    }
                }
            }
            Change::Crash(CONTROLLER) => self.controller_crashed = true,
            _ => {}
        }
        out
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        self.scan_losses(w);
        if self.lost || self.controller_crashed || !w.alive[CONTROLLER] {
            return Vec::new();
        }
        let rooms = &w.summaries[CONTROLLER].rooms;
        let mut out = Vec::new();
        for x in w.live().filter(|&x| x != CONTROLLER) {
            let s = &w.summaries[x];
            let Some(room) = s.room else { continue };
            let Some(relayed) = rooms.get(room as usize) else { continue };
            if s.held > 0 || s.v != *relayed {
                out.push(w.violation(
                    ALL_DELIVERED.name,
                    format!(
                        "node {x} in room {room} delivered V={} of the relayed {} ({} held back)",
                        show_vector(&s.v),
                        show_vector(relayed),
                        s.held
                    ),
                ));
            }
        }
        out
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        let delivered: serde_json::Map<String, serde_json::Value> = (0..w.n())
            .filter(|&x| x != CONTROLLER)
            .map(|x| (x.to_string(), self.order[x].iter().map(|m| m.to_string()).collect::<Vec<_>>().into()))
            .collect();
        let rooms: Vec<serde_json::Value> = w.summaries[CONTROLLER]
            .rooms
            .iter()
            .enumerate()
            .map(|(i, relayed)| {
                let members: Vec<NodeId> = (0..w.n())
                    .filter(|&x| x != CONTROLLER && w.alive[x] && w.summaries[x].room == Some(i as RoomId))
                    .collect();
                serde_json::json!({"room": i, "relayed": relayed, "members": members})
            })
            .collect();
        let held: serde_json::Map<String, serde_json::Value> =
            (0..w.n()).filter(|&x| x != CONTROLLER).map(|x| (x.to_string(), w.summaries[x].held.into())).collect();
        serde_json::json!({ "delivered": delivered, "rooms": rooms, "held": held })
    }

    fn transcript(&self, w: &World<Node>, focus: NodeId, limit: usize, tail: usize) -> Option<Transcript> {
        let n = w.n();
        let title = |i: NodeId| match (i, &w.summaries[i]) {
            (CONTROLLER, _) => "controller 0".to_string(),
            (_, s) if s.room.is_some() => format!("client {i} · {} in room {}", s.name, s.room.unwrap_or_default()),
            _ => format!("client {i}"),
        };
        // The clients in id order, the controller last (the focus first).
        Some(self.screens.transcript(focus, (1..n).chain(std::iter::once(CONTROLLER)), limit, tail, title))
    }
}

// ----- the registry entry --------------------------------------------------------

pub struct ChatRooms;

/// At quiescence every member delivered what its room relayed.
pub const ALL_DELIVERED: Property = Property::liveness(
    "all-delivered",
    "when nothing is left to deliver, on a run that lost no message and kept the controller up, every member \
        has delivered everything its room relayed",
);

static CARD: Card = Card {
    name: "chat-rooms",
    title: "Chat rooms with a controller",
    family: Family::Group,
    about: "Chat rooms: a controller creates rooms (the seed's JSON reply); room messages in causal order by BSS",
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
            about: "seed 004's room: `./createRoom` and its JSON, three joins; an answer overtakes its question on \
                the way to C and waits in C's hold-back queue until the question comes; `./members`, `./leave`",
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
        (0..n).map(|i| if i == CONTROLLER { "controller" } else { "client" }).collect()
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
