//! The chat-rooms monitor: delivery order checked against causality as the
//! deliveries define it (never from the stamps the algorithm computes), the
//! screens for the pane and the headless result.

use super::{CONTROLLER, MsgId, Node, RoomId, SCREEN_MAX, Sum, show_vector};
use crate::algos::group::bss::{CAUSAL_DELIVERY, NO_DUPLICATE_DELIVERY};
use crate::algos::kit::listing;
use crate::algos::kit::screens::Screens;
use crate::card::Property;
use crate::engine::invariant::{Change, Monitor, Transcript, Violation, World};
use crate::engine::protocol::NodeId;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

/// At quiescence every member delivered what its room relayed.
pub const ALL_DELIVERED: Property = Property::liveness(
    "all-delivered",
    "when nothing is left to deliver, every live member of a room has delivered everything the room relayed \
        (its last relayed vector, kept across a controller crash), and its own posts were relayed",
);

/// Checks delivery order against causality as the deliveries define it: a
/// post follows everything its author had delivered (or posted) before it;
/// a notice follows everything the server had relayed before it.
#[derive(Clone)]
pub struct Check {
    /// Per node, the causal past of its next broadcast: broadcasts counted
    /// per author (every room together).
    past: Vec<Vec<u32>>,
    /// Broadcasts per author so far (the index of the next one).
    count: Vec<u32>,
    /// Every broadcast's causal past, with its own entry set.
    stamps: BTreeMap<MsgId, Vec<u32>>,
    /// Per node, the maximum causal past of what it delivered.
    seen: Vec<Vec<u32>>,
    delivered: Vec<BTreeSet<MsgId>>,
    order: Vec<Vec<MsgId>>,
    /// Per room, what its server has relayed (the controller's summary,
    /// kept when a crash loses the room: its members are judged against it).
    relayed: Vec<Vec<u32>>,
    /// Every node's screen, for the pane.
    screens: Screens,
}

impl Check {
    pub fn new(n: usize) -> Self {
        Check {
            past: vec![vec![0; n]; n],
            count: vec![0; n],
            stamps: BTreeMap::new(),
            seen: vec![vec![0; n]; n],
            delivered: vec![BTreeSet::new(); n],
            order: vec![Vec::new(); n],
            relayed: Vec::new(),
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

    /// Remember the controller's relayed vectors (a room lost in a crash
    /// shows as empty: the last known vector stays).
    fn keep_relayed(&mut self, rooms: &[Vec<u32>]) {
        if self.relayed.len() < rooms.len() {
            self.relayed.resize(rooms.len(), Vec::new());
        }
        for (kept, now) in self.relayed.iter_mut().zip(rooms) {
            if kept.len() < now.len() {
                kept.resize(now.len(), 0);
            }
            for (k, &v) in kept.iter_mut().zip(now) {
                *k = (*k).max(v);
            }
        }
    }
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        false
    }

    /// The causal pasts, stamps and deliveries; the screens are left out.
    fn fingerprint(&self, _w: &World<Node>, mut h: &mut dyn Hasher) {
        (&self.past, &self.count, &self.stamps, &self.seen, &self.delivered, &self.order, &self.relayed).hash(&mut h);
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let mut out = Vec::new();
        let Change::Summary(x) = change else { return out };
        let s = &w.summaries[x];
        self.screens.print(x, &s.said);
        if x == CONTROLLER {
            self.keep_relayed(&s.rooms);
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
        out
    }

    /// Every live member in a room is judged, whatever the faults: the
    /// engine turns a loss after a fault the card does not claim (anything
    /// but a delay) into a status naming it (`.about(&[x])`: the stuck node).
    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        let mut out = Vec::new();
        for x in w.live().filter(|&x| x != CONTROLLER) {
            let s = &w.summaries[x];
            let Some(room) = s.room else { continue };
            let Some(relayed) = self.relayed.get(room as usize) else { continue };
            if relayed.len() != s.v.len() || (s.held == 0 && s.v == *relayed) {
                continue;
            }
            let behind: Vec<String> = (0..relayed.len())
                .filter(|&a| a != x && s.v[a] < relayed[a])
                .map(|a| format!("{room}:{a}:{}", s.v[a] + 1))
                .collect();
            let what = if !behind.is_empty() {
                format!("has not delivered {}", listing(behind.into_iter(), 3))
            } else if s.v[x] > relayed[x] {
                format!("posted {room}:{x}:{}, which was never relayed", relayed[x] + 1)
            } else {
                "holds messages back".to_string()
            };
            out.push(
                w.violation(
                    ALL_DELIVERED.name,
                    format!(
                        "node {x} in room {room} {what}: V={} of the relayed {} ({} held back)",
                        show_vector(&s.v),
                        show_vector(relayed),
                        s.held
                    ),
                )
                .about(&[x]),
            );
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
