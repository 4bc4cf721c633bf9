//! The controller and the room servers that run inside it (the seed's
//! threads): rooms created and numbered, joins and leaves in session order,
//! each author's posts relayed in their order, and the server's notices as
//! broadcasts of node 0.

use super::{CONTROLLER, Msg, MsgId, Node, RoomId, created_json};
use crate::engine::protocol::{Cx, NodeId};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Hash)]
pub(super) struct Room {
    /// Members in join order.
    pub(super) members: Vec<Member>,
    /// Per client, the latest membership session that has left this room
    /// (a JOIN of that session or an older one is stale).
    pub(super) left: Vec<u32>,
    /// A client's JOIN of a newer session, waiting for its previous
    /// membership to leave first (the LEAVE was overtaken): name, session.
    pub(super) pending: BTreeMap<NodeId, (String, u32)>,
    /// Per author, how many of its posts (for node 0: notices) this room
    /// has relayed: always a prefix of each author's posts.
    pub(super) relayed: Vec<u32>,
    /// Posts that overtook an earlier post of their author, held until it
    /// comes: (author, its seq) → (stamp, text).
    pub(super) early: BTreeMap<(NodeId, u32), (Vec<u32>, String)>,
}

/// A member of a room, as its server keeps it.
#[derive(Clone, Debug, Hash)]
pub(super) struct Member {
    pub(super) node: NodeId,
    pub(super) name: String,
    pub(super) session: u32,
    /// The relayed vector it started from (a copy of its JOIN gets the
    /// same welcome again).
    pub(super) base: Vec<u32>,
    /// It asked to leave after this post of its own.
    pub(super) leaving: Option<u32>,
}

impl Node {
    fn room_mut(&mut self, room: RoomId) -> Option<&mut Room> {
        self.rooms.get_mut(room as usize).and_then(Option::as_mut)
    }

    pub(super) fn serve(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
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
