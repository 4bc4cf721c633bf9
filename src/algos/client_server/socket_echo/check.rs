//! socket-echo: the monitor (`decode-roundtrip`, `reply-matches`,
//! `server-keeps-serving`), every program's console and the result.

use super::{DECODE_ROUNDTRIP, Node, REPLY_MATCHES, SCREEN_MAX, SERVER, SERVER_KEEPS_SERVING, Sum};
use crate::algos::kit::screens::Screens;
use crate::engine::invariant::{Change, Monitor, Transcript, Violation, World};
use crate::engine::protocol::NodeId;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// Checks what clients sent against what the server decoded and what the
/// clients printed; keeps every node's screen for the pane.
#[derive(Clone)]
pub struct Check {
    reply: Option<String>,
    /// (client, conn) → the plain text the client sent (and whether raw).
    sent: BTreeMap<(NodeId, u32), (String, bool)>,
    /// Per client: (conn, text sent, answer printed or null).
    exchanges: Vec<Vec<(u32, String, Option<String>)>>,
    screens: Screens,
}

impl Check {
    pub fn new(n: usize, reply: Option<String>) -> Self {
        Check { reply, sent: BTreeMap::new(), exchanges: vec![Vec::new(); n], screens: Screens::new(n, SCREEN_MAX) }
    }
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        false
    }

    /// What each client sent and got back; the screens are left out.
    fn fingerprint(&self, _w: &World<Node>, mut h: &mut dyn Hasher) {
        (&self.sent, &self.exchanges).hash(&mut h);
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let Change::Summary(x) = change else { return Vec::new() };
        let s = &w.summaries[x];
        self.screens.print(x, &s.said);
        let mut out = Vec::new();
        if let Some((conn, text, raw)) = &s.sent {
            self.sent.insert((x, *conn), (text.clone(), *raw));
            self.exchanges[x].push((*conn, text.clone(), None));
        }
        if let Some((c, conn, text)) = &s.decoded
            && let Some((plain, raw)) = self.sent.get(&(*c, *conn))
            && !raw
            && plain != text
        {
            out.push(
                w.violation(DECODE_ROUNDTRIP.name, format!("client {c} sent {plain:?} but the server read {text:?}")),
            );
        }
        if let Some((conn, text)) = &s.printed {
            let want = self.sent.get(&(x, *conn)).map(|(plain, _)| self.reply.clone().unwrap_or(plain.clone()));
            if want.as_deref() != Some(text.as_str()) {
                out.push(w.violation(
                    REPLY_MATCHES.name,
                    format!("client {x} printed {text:?} for conn {conn}, expected {:?}", want.unwrap_or_default()),
                ));
            }
            if let Some(e) = self.exchanges[x].iter_mut().rev().find(|e| e.0 == *conn) {
                e.2 = Some(text.clone());
            }
        }
        if s.server && s.halted && !old.is_some_and(|o| o.halted) {
            out.push(w.violation(SERVER_KEEPS_SERVING.name, "the server's accept loop died on an unhandled error"));
        }
        out
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        let replies: serde_json::Map<String, serde_json::Value> = (0..w.n())
            .filter(|&x| x != SERVER)
            .map(|x| {
                let list: Vec<serde_json::Value> = self.exchanges[x]
                    .iter()
                    .map(|(conn, sent, got)| serde_json::json!({"conn": conn, "sent": sent, "reply": got}))
                    .collect();
                (x.to_string(), list.into())
            })
            .collect();
        let server = &w.summaries[SERVER];
        serde_json::json!({"replies": replies, "server_up": !server.halted && w.alive[SERVER], "open": server.open})
    }

    fn transcript(&self, w: &World<Node>, focus: NodeId, limit: usize, tail: usize) -> Option<Transcript> {
        let title = |i: NodeId| if i == SERVER { "server.py".to_string() } else { format!("client.py · {i}") };
        let order = (1..w.n()).chain(std::iter::once(SERVER));
        Some(self.screens.transcript(focus, order, limit, tail, title))
    }
}
