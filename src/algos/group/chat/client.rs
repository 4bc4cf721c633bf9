//! A chat client's side: JOIN, POSTs re-sent until acknowledged (a silent
//! server given up), LEAVE, and the server's channel shown item by item in
//! order (a copy or an early item ignored and re-acknowledged).

use super::{Conn, Line, Msg, Node, SERVER, Timer, Variant};
use crate::engine::protocol::{Cx, NodeId};
use std::collections::{BTreeMap, VecDeque};

#[derive(Clone, Debug, Hash)]
pub(super) struct Client {
    pub(super) conn: Conn,
    pub(super) session: u64,
    /// The next post number (stable storage).
    pub(super) next_seq: u64,
    /// Unacknowledged posts, oldest first.
    pub(super) unacked: VecDeque<(u64, String)>,
    /// The last channel item shown in this session.
    pub(super) shown_n: u64,
    /// The last post number shown from each sender (all sessions).
    pub(super) last_seen: BTreeMap<NodeId, u64>,
    pub(super) tries: u32,
    pub(super) armed: bool,
}

impl Client {
    /// Disconnected, before its first session.
    pub(super) fn new() -> Self {
        Client {
            conn: Conn::Off,
            session: 0,
            next_seq: 1,
            unacked: VecDeque::new(),
            shown_n: 0,
            last_seen: BTreeMap::new(),
            tries: 0,
            armed: false,
        }
    }
}

impl Node {
    pub(super) fn arm_client(&mut self, cx: &mut Cx<Self>) {
        if !self.client.armed {
            self.client.armed = true;
            cx.set_timer(self.k.timeout, Timer::Retry { session: self.client.session });
        }
    }

    fn disconnect(&mut self, cx: &mut Cx<Self>, line: Line) {
        let c = &mut self.client;
        cx.cancel_timer(Timer::Retry { session: c.session });
        c.conn = Conn::Off;
        c.unacked.clear();
        c.armed = false;
        c.tries = 0;
        self.line(cx, line);
    }

    pub(super) fn join(&mut self, cx: &mut Cx<Self>) {
        if self.client.conn != Conn::Off {
            cx.note("is already connected (or connecting)");
            return;
        }
        let c = &mut self.client;
        c.session += 1;
        c.conn = Conn::Joining;
        c.shown_n = 0;
        c.tries = 0;
        cx.send(SERVER, Msg::Join { session: c.session, next_seq: c.next_seq });
        self.arm_client(cx);
    }

    pub(super) fn post(&mut self, cx: &mut Cx<Self>, text: String) {
        if self.client.conn != Conn::Connected {
            cx.note("is not connected: `join` first");
            return;
        }
        let c = &mut self.client;
        let seq = c.next_seq;
        c.next_seq += 1;
        c.unacked.push_back((seq, text.clone()));
        cx.send(SERVER, Msg::Post { session: c.session, seq, text: text.clone() });
        self.arm_client(cx);
        self.line(cx, Line::Own { seq, text });
    }

    pub(super) fn leave(&mut self, cx: &mut Cx<Self>) {
        if self.client.conn == Conn::Off {
            cx.note("is not connected");
            return;
        }
        cx.send(SERVER, Msg::Leave { session: self.client.session });
        self.disconnect(cx, Line::Left);
    }

    /// A channel item numbered `n` arrived: is it the one to show next?
    fn in_order(&mut self, cx: &mut Cx<Self>, session: u64, n: u64) -> bool {
        let c = &self.client;
        if session != c.session {
            return false;
        }
        if c.conn == Conn::Off {
            // A closed connection answers like a reset socket.
            cx.send(SERVER, Msg::Leave { session });
            return false;
        }
        if self.k.variant == Variant::NoSeq {
            // BROKEN: no numbers checked, everything is shown as it comes.
            self.client.shown_n = self.client.shown_n.max(n);
            cx.send(SERVER, Msg::Ack { session, upto: self.client.shown_n });
            return true;
        }
        let ok = n == c.shown_n + 1;
        if ok {
            self.client.shown_n = n;
        }
        // Acknowledge what is shown so far (again, for a copy or an early one).
        cx.send(SERVER, Msg::Ack { session, upto: self.client.shown_n });
        ok
    }

    pub(super) fn client_msg(&mut self, cx: &mut Cx<Self>, msg: Msg) {
        match msg {
            Msg::Welcome { session, n, members } => {
                if self.in_order(cx, session, n) {
                    self.client.conn = Conn::Connected;
                    self.client.tries = 0;
                    cx.note(format!("in the room with {} other(s)", members.saturating_sub(1)));
                    self.line(cx, Line::Connected);
                }
            }
            Msg::Relay { session, n, from, seq, text } => {
                if self.in_order(cx, session, n) {
                    let last = self.client.last_seen.entry(from).or_insert(0);
                    *last = (*last).max(seq);
                    self.line(cx, Line::Shown { from, seq, text });
                }
            }
            Msg::Shutdown { session, n } => {
                if self.in_order(cx, session, n) {
                    self.disconnect(cx, Line::ServerClosed);
                }
            }
            Msg::Refused { session } => {
                if session == self.client.session && self.client.conn == Conn::Joining {
                    self.disconnect(cx, Line::Failed { closed: true });
                }
            }
            Msg::PostAck { session, seq } => {
                let c = &mut self.client;
                if session == c.session && c.conn == Conn::Connected {
                    let before = c.unacked.len();
                    c.unacked.retain(|(s, _)| *s > seq);
                    if c.unacked.len() < before {
                        c.tries = 0;
                    }
                }
            }
            Msg::Join { .. } | Msg::Post { .. } | Msg::Ack { .. } | Msg::Leave { .. } => {}
        }
    }

    pub(super) fn client_retry(&mut self, cx: &mut Cx<Self>, session: u64) {
        if session != self.client.session {
            return;
        }
        self.client.armed = false;
        let waiting = match self.client.conn {
            Conn::Off => false,
            Conn::Joining => true,
            Conn::Connected => !self.client.unacked.is_empty(),
        };
        if !waiting {
            return;
        }
        if self.client.tries >= self.k.retries {
            let line =
                if self.client.conn == Conn::Joining { Line::Failed { closed: false } } else { Line::LostServer };
            self.disconnect(cx, line);
            return;
        }
        self.client.tries += 1;
        let c = &self.client;
        if c.conn == Conn::Joining {
            cx.send(SERVER, Msg::Join { session, next_seq: c.next_seq });
        } else {
            for (seq, text) in &c.unacked {
                cx.send(SERVER, Msg::Post { session, seq: *seq, text: text.clone() });
            }
        }
        self.arm_client(cx);
    }
}
