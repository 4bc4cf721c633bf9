//! Node actors: every node is a tokio task with an mpsc inbox. The engine
//! hands one event to one node and awaits its reply, so exactly one actor
//! runs at a time and tokio's scheduling can never change a run.
//!
//! The [`Driver`] also has an inline mode that calls the same handlers
//! directly; the two must agree (a test checks it) and the inline one is
//! what rewinds and property tests use when no runtime is wanted.

use super::protocol::{Cmd, NodeEvent, NodeId, Protocol, Row, Time, dispatch};
use tokio::sync::mpsc;

enum ToNode<P: Protocol> {
    Handle { now: Time, ev: NodeEvent<P>, buf: Vec<Cmd<P>> },
    Inspect,
    Crash,
}

enum FromNode<P: Protocol> {
    Handled { buf: Vec<Cmd<P>>, summary: P::Summary },
    Inspected(Vec<Row>),
    Crashed(P::Summary),
}

/// How node handlers are run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum DriverKind {
    /// Every node a tokio task (needs a tokio runtime; use a current-thread one).
    #[default]
    Actors,
    /// Handlers called in place, no runtime needed.
    Inline,
}

pub struct ActorPool<P: Protocol> {
    inboxes: Vec<mpsc::UnboundedSender<ToNode<P>>>,
    replies: mpsc::UnboundedReceiver<FromNode<P>>,
}

async fn node_task<P: Protocol>(
    mut state: P,
    id: NodeId,
    n: usize,
    mut inbox: mpsc::UnboundedReceiver<ToNode<P>>,
    reply: mpsc::UnboundedSender<FromNode<P>>,
) {
    while let Some(m) = inbox.recv().await {
        let out = match m {
            ToNode::Handle { now, ev, mut buf } => {
                let summary = dispatch(&mut state, id, n, now, ev, &mut buf);
                FromNode::Handled { buf, summary }
            }
            ToNode::Inspect => FromNode::Inspected(state.inspect()),
            ToNode::Crash => {
                state = state.recovered();
                FromNode::Crashed(state.summary())
            }
        };
        if reply.send(out).is_err() {
            break;
        }
    }
}

impl<P: Protocol> ActorPool<P> {
    /// Spawn one task per node. Must be called inside a tokio runtime.
    pub fn spawn(states: Vec<P>) -> Self {
        let n = states.len();
        let (reply_tx, replies) = mpsc::unbounded_channel();
        let inboxes = states
            .into_iter()
            .enumerate()
            .map(|(id, st)| {
                let (tx, rx) = mpsc::unbounded_channel();
                tokio::spawn(node_task(st, id, n, rx, reply_tx.clone()));
                tx
            })
            .collect();
        ActorPool { inboxes, replies }
    }

    async fn ask(&mut self, id: NodeId, m: ToNode<P>) -> FromNode<P> {
        // A node task only ends when its inbox is dropped, which happens
        // with the pool itself; a failure here is a bug, not bad input.
        self.inboxes[id].send(m).unwrap_or_else(|_| panic!("node {id} actor is gone"));
        self.replies.recv().await.expect("node actors are gone")
    }
}

pub enum Driver<P: Protocol> {
    Inline(Vec<P>),
    Actors(ActorPool<P>),
}

impl<P: Protocol> Driver<P> {
    pub fn new(kind: DriverKind, states: Vec<P>) -> Self {
        match kind {
            DriverKind::Inline => Driver::Inline(states),
            DriverKind::Actors => Driver::Actors(ActorPool::spawn(states)),
        }
    }

    /// Run one event on one node; returns the commands and the new summary.
    pub async fn handle(
        &mut self,
        id: NodeId,
        n: usize,
        now: Time,
        ev: NodeEvent<P>,
        mut buf: Vec<Cmd<P>>,
    ) -> (Vec<Cmd<P>>, P::Summary) {
        match self {
            Driver::Inline(states) => {
                let s = dispatch(&mut states[id], id, n, now, ev, &mut buf);
                (buf, s)
            }
            Driver::Actors(pool) => match pool.ask(id, ToNode::Handle { now, ev, buf }).await {
                FromNode::Handled { buf, summary } => (buf, summary),
                _ => unreachable!("node answered a handle with something else"),
            },
        }
    }

    pub async fn inspect(&mut self, id: NodeId) -> Vec<Row> {
        match self {
            Driver::Inline(states) => states[id].inspect(),
            Driver::Actors(pool) => match pool.ask(id, ToNode::Inspect).await {
                FromNode::Inspected(rows) => rows,
                _ => unreachable!("node answered an inspect with something else"),
            },
        }
    }

    /// The node loses its volatile state; returns its summary afterwards.
    pub async fn crash(&mut self, id: NodeId) -> P::Summary {
        match self {
            Driver::Inline(states) => {
                states[id] = states[id].recovered();
                states[id].summary()
            }
            Driver::Actors(pool) => match pool.ask(id, ToNode::Crash).await {
                FromNode::Crashed(s) => s,
                _ => unreachable!("node answered a crash with something else"),
            },
        }
    }
}
