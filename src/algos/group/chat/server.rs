//! The chat server's side: its client list, one ordered, acknowledged
//! channel per client (numbered items, re-sent until acknowledged, a client
//! that never answers removed as dead), POSTs accepted in `seq` order and
//! relayed, and the room's shutdown.

use super::{Gone, Line, Msg, Node, Timer, Variant};
use crate::engine::protocol::{Cx, NodeId};
use std::collections::{BTreeMap, VecDeque};

/// An item of a server→client channel.
#[derive(Clone, Debug, Hash)]
pub(super) enum Item {
    Welcome,
    Relay { from: NodeId, seq: u64, text: String },
    Shutdown,
}

/// The server's record of one connected client.
#[derive(Clone, Debug, Hash)]
pub(super) struct Member {
    pub(super) session: u64,
    /// The next POST number it accepts from this client.
    pub(super) expect: u64,
    /// The channel: the number of the next item, and the unacknowledged ones.
    pub(super) next_n: u64,
    pub(super) outbox: VecDeque<(u64, Item)>,
    /// Re-sends in a row with no progress.
    pub(super) tries: u32,
    pub(super) armed: bool,
}

#[derive(Clone, Debug, Default, Hash)]
pub(super) struct Server {
    pub(super) members: BTreeMap<NodeId, Member>,
    pub(super) closed: bool,
    pub(super) accepted: u64,
    /// The last session of each client the server ended (left, dead,
    /// closed): a late copy of its JOIN must not bring it back on the same
    /// session, whose channel numbers the client has already used.
    pub(super) ended: BTreeMap<NodeId, u64>,
}

impl Node {
    /// Put `item` on client `x`'s channel and send it.
    fn enqueue(&mut self, cx: &mut Cx<Self>, x: NodeId, item: Item) {
        let timeout = self.k.timeout;
        let Some(s) = self.server.as_mut() else { return };
        let members = s.members.len() as u32;
        let Some(m) = s.members.get_mut(&x) else { return };
        let n = m.next_n;
        m.next_n += 1;
        cx.send(x, wire(m.session, n, &item, members));
        if self.k.variant == Variant::NoResend {
            // BROKEN: fire and forget, as if the network never lost anything.
            return;
        }
        m.outbox.push_back((n, item));
        if !m.armed {
            m.armed = true;
            m.tries = 0;
            cx.set_timer(timeout, Timer::Resend { client: x, session: m.session });
        }
    }

    fn remove(&mut self, cx: &mut Cx<Self>, x: NodeId, why: Gone) {
        let Some(s) = self.server.as_mut() else { return };
        if let Some(m) = s.members.remove(&x) {
            s.ended.insert(x, m.session);
            cx.cancel_timer(Timer::Resend { client: x, session: m.session });
            self.line(cx, Line::Removed { client: x, why });
        }
    }

    pub(super) fn server_msg(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        let echo = self.k.variant == Variant::Echo;
        let Some(s) = self.server.as_mut() else { return };
        match msg {
            Msg::Join { session, next_seq } => {
                if s.closed {
                    cx.send(from, Msg::Refused { session });
                    return;
                }
                if s.members.get(&from).is_some_and(|m| m.session >= session) {
                    // A repeat: the WELCOME is on its way (and re-sent).
                    return;
                }
                if s.ended.get(&from).is_some_and(|&ended| ended >= session) {
                    // A late copy of a JOIN whose session is over: the
                    // client joins again with a new session if it wants.
                    return;
                }
                if let Some(old) = s.members.remove(&from) {
                    cx.cancel_timer(Timer::Resend { client: from, session: old.session });
                }
                let m =
                    Member { session, expect: next_seq, next_n: 1, outbox: VecDeque::new(), tries: 0, armed: false };
                s.members.insert(from, m);
                self.line(cx, Line::Added { client: from });
                self.enqueue(cx, from, Item::Welcome);
            }
            Msg::Post { session, seq, text } => {
                let Some(m) = s.members.get_mut(&from).filter(|m| m.session == session) else { return };
                if seq == m.expect {
                    m.expect += 1;
                    s.accepted += 1;
                    cx.send(from, Msg::PostAck { session, seq });
                    let to: Vec<NodeId> = s.members.keys().copied().filter(|&x| echo || x != from).collect();
                    self.line(cx, Line::Accepted { from, seq, text: text.clone() });
                    for x in to {
                        self.enqueue(cx, x, Item::Relay { from, seq, text: text.clone() });
                    }
                } else if seq < m.expect {
                    // A copy: say again that it is in.
                    cx.send(from, Msg::PostAck { session, seq: m.expect - 1 });
                }
                // An early one (a gap before it) is dropped: the client re-sends in order.
            }
            Msg::Ack { session, upto } => {
                let Some(m) = s.members.get_mut(&from).filter(|m| m.session == session) else { return };
                let before = m.outbox.len();
                while m.outbox.front().is_some_and(|(n, _)| *n <= upto) {
                    m.outbox.pop_front();
                }
                if m.outbox.len() < before {
                    m.tries = 0;
                }
                if s.closed && m.outbox.is_empty() {
                    self.remove(cx, from, Gone::Closed);
                }
            }
            Msg::Leave { session } => {
                if s.members.get(&from).is_some_and(|m| m.session == session) {
                    self.remove(cx, from, Gone::Left);
                }
            }
            Msg::Welcome { .. }
            | Msg::Refused { .. }
            | Msg::PostAck { .. }
            | Msg::Relay { .. }
            | Msg::Shutdown { .. } => {}
        }
    }

    pub(super) fn server_resend(&mut self, cx: &mut Cx<Self>, x: NodeId, session: u64) {
        let (timeout, retries) = (self.k.timeout, self.k.retries);
        let Some(s) = self.server.as_mut() else { return };
        let members = s.members.len() as u32;
        let Some(m) = s.members.get_mut(&x).filter(|m| m.session == session) else { return };
        m.armed = false;
        if m.outbox.is_empty() {
            return;
        }
        if m.tries >= retries {
            // The send failed: a dead client.
            self.remove(cx, x, Gone::Dead);
            return;
        }
        m.tries += 1;
        for (n, item) in &m.outbox {
            cx.send(x, wire(session, *n, item, members));
        }
        m.armed = true;
        cx.set_timer(timeout, Timer::Resend { client: x, session });
    }

    pub(super) fn shutdown(&mut self, cx: &mut Cx<Self>) {
        let Some(s) = self.server.as_mut() else { return };
        if s.closed {
            cx.note("the room is already closed");
            return;
        }
        s.closed = true;
        let to: Vec<NodeId> = s.members.keys().copied().collect();
        self.line(cx, Line::Closing);
        for x in to {
            self.enqueue(cx, x, Item::Shutdown);
        }
    }
}

/// The message that carries channel item `n`.
fn wire(session: u64, n: u64, item: &Item, members: u32) -> Msg {
    match item {
        Item::Welcome => Msg::Welcome { session, n, members },
        Item::Relay { from, seq, text } => Msg::Relay { session, n, from: *from, seq: *seq, text: text.clone() },
        Item::Shutdown => Msg::Shutdown { session, n },
    }
}
