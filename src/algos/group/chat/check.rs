//! The chat monitor: every property checked from what the nodes' screens
//! showed and the server's console said (never from their private state);
//! the transcripts for the screens pane and the headless result.

use super::{Conn, Gone, LINES_KEEP, Line, Node, SERVER, Sum};
use crate::algos::kit::listing;
use crate::card::Property;
use crate::engine::invariant::{Change, Monitor, Screen, Transcript, Violation, World};
use crate::engine::protocol::NodeId;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::hash::{Hash, Hasher};

/// No client shows a sender's posts out of order or twice.
pub const FIFO_PER_SENDER: Property = Property::safety(
    "fifo-per-sender",
    "every client shows each sender's posts in increasing sequence order, none twice",
);
/// No client is shown its own post.
pub const NO_SELF_DELIVERY: Property =
    Property::safety("no-self-delivery", "no client is shown its own post as someone else's");
/// At quiescence every accepted post reached the room.
pub const EVERY_POST_DELIVERED: Property = Property::liveness(
    "every-post-delivered",
    "when nothing is left to deliver, every post the server accepted was shown by every client on its list \
        then, unless the server has since removed that client or crashed",
);
/// The server's close disconnects its clients.
pub const SHUTDOWN_DISCONNECTS: Property = Property::safety(
    "shutdown-disconnects",
    "a client showing \"server closed the room\" is disconnected, and after a shutdown every live client that \
        was in the room ends disconnected unless the server gave up on it as dead",
);

/// Invariants, all from what the nodes' screens showed and the server's
/// console said (never from their private state):
///
/// - `fifo-per-sender`: every client shows each sender's posts in
///   increasing `seq` order, none twice;
/// - `no-self-delivery`: no client is shown its own post as someone else's;
/// - `every-post-delivered` (at quiescence): every post the server accepted
///   was shown by every client that was in the server's list then, unless
///   the server has since removed that client (left, dead, room closed, or
///   rejoined) or crashed;
/// - `shutdown-disconnects`: a client that shows "server closed the room"
///   is disconnected; at quiescence after the server closed the room, every
///   live client that was in its list is disconnected, unless the server
///   gave up on it as dead (a half-open connection, shown as status).
#[derive(Clone)]
pub struct Check {
    n: usize,
    transcripts: Vec<VecDeque<String>>,
    /// Shown post ids per node, in order ("2:1"); the server's are the posts it accepted.
    delivered: Vec<Vec<String>>,
    /// The last seq shown at each client from each sender.
    last_seen: Vec<BTreeMap<NodeId, u64>>,
    /// The server's client list as its console tells it.
    members: BTreeSet<NodeId>,
    /// Posts owed to each client: accepted while it was in the list, not yet shown.
    owed: Vec<BTreeSet<(NodeId, u64)>>,
    /// Members when the room closed; and those the server gave up on since.
    at_close: Option<BTreeSet<NodeId>>,
    given_up: BTreeSet<NodeId>,
    posts: u64,
}

impl Check {
    pub fn new(n: usize) -> Self {
        Check {
            n,
            transcripts: vec![VecDeque::new(); n],
            delivered: vec![Vec::new(); n],
            last_seen: vec![BTreeMap::new(); n],
            members: BTreeSet::new(),
            owed: vec![BTreeSet::new(); n],
            at_close: None,
            given_up: BTreeSet::new(),
            posts: 0,
        }
    }

    fn push_line(&mut self, x: NodeId, text: String) {
        let t = &mut self.transcripts[x];
        if t.len() == LINES_KEEP {
            t.pop_front();
        }
        t.push_back(text);
    }

    fn server_line(&mut self, line: &Line) {
        match line {
            Line::Added { client } => {
                // A new session: what the old one owed is forgiven.
                self.members.insert(*client);
                self.owed[*client].clear();
                self.given_up.remove(client);
            }
            Line::Accepted { from, seq, .. } => {
                self.delivered[SERVER].push(format!("{from}:{seq}"));
                self.posts += 1;
                for &x in &self.members {
                    if x != *from {
                        self.owed[x].insert((*from, *seq));
                    }
                }
            }
            Line::Removed { client, why } => {
                self.members.remove(client);
                self.owed[*client].clear();
                if *why == Gone::Dead {
                    self.given_up.insert(*client);
                }
            }
            Line::Closing => self.at_close = Some(self.members.clone()),
            _ => {}
        }
    }

    fn client_line(&mut self, w: &World<Node>, x: NodeId, line: &Line, out: &mut Vec<Violation>) {
        match line {
            Line::Shown { from, seq, .. } => {
                self.delivered[x].push(format!("{from}:{seq}"));
                self.owed[x].remove(&(*from, *seq));
                if *from == x {
                    out.push(
                        w.violation(NO_SELF_DELIVERY.name, format!("client {x} was shown its own post {from}:{seq}")),
                    );
                }
                let last = self.last_seen[x].entry(*from).or_insert(0);
                if *seq <= *last {
                    let what = if *seq == *last { "a second time" } else { "out of order" };
                    out.push(w.violation(
                        FIFO_PER_SENDER.name,
                        format!("client {x} showed {from}:{seq} {what}, after {from}:{last}"),
                    ));
                } else {
                    *last = *seq;
                }
            }
            Line::ServerClosed if w.summaries[x].conn != Conn::Off => out.push(w.violation(
                SHUTDOWN_DISCONNECTS.name,
                format!("client {x} showed \"server closed the room\" but stays connected"),
            )),
            _ => {}
        }
    }

    /// Clients the server gave up on that still believe they are connected.
    fn half_open(&self, w: &World<Node>) -> Vec<NodeId> {
        self.given_up.iter().copied().filter(|&x| w.alive[x] && w.summaries[x].conn == Conn::Connected).collect()
    }
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        false
    }

    /// What each client was shown and is owed, and the server's list; the
    /// transcripts are left out.
    fn fingerprint(&self, _w: &World<Node>, mut h: &mut dyn Hasher) {
        (&self.delivered, &self.last_seen, &self.members, &self.owed, &self.at_close, &self.given_up, self.posts)
            .hash(&mut h);
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let mut out = Vec::new();
        match change {
            Change::Summary(x) => {
                let s = &w.summaries[x];
                if old.is_none_or(|o| s.lines > o.lines)
                    && let Some(line) = &s.last
                {
                    self.push_line(x, line.text());
                    if x == SERVER {
                        self.server_line(line);
                    } else {
                        self.client_line(w, x, line, &mut out);
                    }
                }
            }
            Change::Crash(x) => {
                self.push_line(x, "✗ crashed".into());
                if x == SERVER {
                    // The room died with the server: nothing is owed any more.
                    self.members.clear();
                    for o in &mut self.owed {
                        o.clear();
                    }
                    self.at_close = None;
                    // Clients still connected to the dead server are half-open.
                    self.given_up =
                        (1..self.n).filter(|&y| w.alive[y] && w.summaries[y].conn == Conn::Connected).collect();
                }
            }
            Change::Recover(x) => self.push_line(x, "restarted: not connected".into()),
            Change::Links => {}
        }
        out
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        let mut out = Vec::new();
        if !w.alive[SERVER] {
            return out;
        }
        for &x in &self.members {
            if let Some(&(from, seq)) = self.owed[x].iter().next() {
                out.push(
                    w.violation(
                        EVERY_POST_DELIVERED.name,
                        format!(
                            "client {x} is in the room but never showed {from}:{seq} ({} missing)",
                            self.owed[x].len()
                        ),
                    )
                    .about(&[x]),
                );
            }
        }
        if let Some(at_close) = &self.at_close {
            for &x in at_close {
                if w.alive[x] && w.summaries[x].conn != Conn::Off && !self.given_up.contains(&x) {
                    out.push(
                        w.violation(
                            SHUTDOWN_DISCONNECTS.name,
                            format!("the server closed the room but client {x} is still connected"),
                        )
                        .about(&[x]),
                    );
                }
            }
        }
        out
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        let per_node = |f: &dyn Fn(NodeId) -> serde_json::Value| -> serde_json::Map<String, serde_json::Value> {
            (0..self.n).map(|i| (i.to_string(), f(i))).collect()
        };
        let connected: Vec<NodeId> =
            (1..self.n).filter(|&x| w.alive[x] && w.summaries[x].conn == Conn::Connected).collect();
        serde_json::json!({
            "delivered": per_node(&|i| self.delivered[i].clone().into()),
            "transcripts": per_node(&|i| self.transcripts[i].iter().cloned().collect::<Vec<_>>().into()),
            "clients": self.members,
            "connected": connected,
            "room": if !w.alive[SERVER] { "down" } else if w.summaries[SERVER].closed { "closed" } else { "open" },
            "posts": self.posts,
        })
    }

    fn status(&self, w: &World<Node>) -> Option<String> {
        if !w.alive[SERVER] {
            return Some(format!("server {SERVER} crashed: the room is down"));
        }
        let half = self.half_open(w);
        if !half.is_empty() {
            return Some(format!(
                "half-open: {} still think they are connected; the server does not know them",
                listing(half.iter().map(|x| x.to_string()), 6)
            ));
        }
        w.summaries[SERVER].closed.then(|| "the room is closed".to_string())
    }

    fn transcript(&self, _w: &World<Node>, focus: NodeId, limit: usize, tail: usize) -> Option<Transcript> {
        let screen = |i: NodeId| {
            let t = &self.transcripts[i];
            Screen {
                node: i,
                title: if i == SERVER { format!("server {i}") } else { format!("client {i}") },
                lines: t.iter().skip(t.len().saturating_sub(tail)).cloned().collect(),
                total: t.len(),
            }
        };
        // The focused node first, then the clients in id order, the server last.
        let order = std::iter::once(focus.min(self.n - 1))
            .chain((1..self.n).chain(std::iter::once(SERVER)).filter(|&i| i != focus));
        Some(Transcript { screens: order.take(limit).map(screen).collect(), total: self.n })
    }
}
