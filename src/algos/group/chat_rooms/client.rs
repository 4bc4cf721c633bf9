//! A client: the seed's commands as it types them, and its room's messages
//! delivered in causal order by BSS (held back until their causal past is
//! delivered; a message that overtook the welcome waits for it).

use super::{CONTROLLER, Msg, MsgId, Node, Request, RoomId, python_list};
use crate::algos::group::bss::{Bss, Mode};
use crate::engine::protocol::Cx;

/// A room message that arrived at a client (it waits in `Place::Joining`
/// when it overtook the welcome).
#[derive(Clone, Debug, PartialEq, Hash)]
pub(super) struct Arrived {
    pub(super) id: MsgId,
    pub(super) name: String,
    pub(super) stamp: Vec<u32>,
    pub(super) text: String,
}

/// A client's membership: the room, its name there, and the BSS state
/// (`V` of room messages delivered per author, own posts included, and the
/// hold-back queue; the payload is the author's name and the text).
#[derive(Clone, Debug, Hash)]
pub(super) struct Membership {
    pub(super) room: RoomId,
    pub(super) name: String,
    pub(super) session: u32,
    pub(super) bss: Bss<(String, String)>,
}

impl Membership {
    pub(super) fn v(&self) -> &[u32] {
        self.bss.vector()
    }
}

/// Where a client is.
#[derive(Clone, Debug, PartialEq, Hash)]
pub(super) enum Place {
    /// At the command prompt.
    Prompt,
    /// Asked for a room, waiting for the reply.
    Creating,
    /// Asked to join `room` as `name`, waiting for the welcome; room
    /// messages that overtake the welcome wait here for it.
    Joining { room: RoomId, name: String, session: u32, early: Vec<Arrived> },
}

impl Node {
    pub(super) fn typed(&mut self, cx: &mut Cx<Self>, req: Request) {
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

    pub(super) fn client(&mut self, cx: &mut Cx<Self>, msg: Msg) {
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
}
