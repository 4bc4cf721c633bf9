//! Node actors: every node is a tokio task with an mpsc inbox. The engine
//! hands one event to one node and awaits its reply, so exactly one actor
//! runs at a time and tokio's scheduling can never change a run.
//!
//! The [`Driver`] also has an inline mode that calls the same handlers
//! directly; the two must agree (a test checks it) and the inline one is
//! what rewinds and property tests use when no runtime is wanted.

use super::protocol::{Cmd, DrawKey, NodeEvent, NodeId, Protocol, Row, Time, dispatch};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use tokio::sync::mpsc;

enum ToNode<P: Protocol> {
    Handle { now: Time, key: DrawKey, ev: NodeEvent<P>, buf: Vec<Cmd<P>> },
    Inspect,
    Crash,
}

enum FromNode<P: Protocol> {
    Handled {
        buf: Vec<Cmd<P>>,
        summary: P::Summary,
    },
    Inspected(Vec<Row>),
    Crashed(P::Summary),
    /// A handler panicked (a bug in an algorithm). The engine re-raises it
    /// in its own context instead of waiting for an answer that never comes.
    Panicked(String),
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
    /// The node whose answer is awaited (at most one: the lockstep rule).
    asked: Option<NodeId>,
}

async fn node_task<P: Protocol>(
    mut state: P,
    id: NodeId,
    n: usize,
    mut inbox: mpsc::UnboundedReceiver<ToNode<P>>,
    reply: mpsc::UnboundedSender<FromNode<P>>,
) {
    while let Some(m) = inbox.recv().await {
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match m {
            ToNode::Handle { now, key, ev, mut buf } => {
                let summary = dispatch(&mut state, id, n, now, key, ev, &mut buf);
                FromNode::Handled { buf, summary }
            }
            ToNode::Inspect => FromNode::Inspected(state.inspect()),
            ToNode::Crash => {
                state = state.recovered();
                FromNode::Crashed(state.summary())
            }
        }));
        let (out, stop) = match answer {
            Ok(out) => (out, false),
            Err(e) => {
                let why = e
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| e.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                (FromNode::Panicked(why), true)
            }
        };
        if reply.send(out).is_err() || stop {
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
                // Not `unconstrained`: a node polls its inbox twice per event
                // (the event, then nothing), so tokio's budget, fresh at every
                // poll, never runs out; the wrapper only added instructions.
                tokio::spawn(node_task(st, id, n, rx, reply_tx.clone()));
                tx
            })
            .collect();
        ActorPool { inboxes, replies, asked: None }
    }

    /// Hand `m` to node `id`; its answer comes from [`Self::poll_answer`].
    fn post(&mut self, id: NodeId, m: ToNode<P>) {
        assert!(self.asked.is_none(), "one node at a time: an answer is still awaited");
        // A node task only ends when its inbox is dropped, which happens
        // with the pool itself; a failure here is a bug, not bad input.
        self.inboxes[id].send(m).unwrap_or_else(|_| panic!("node {id} actor is gone"));
        self.asked = Some(id);
    }

    fn poll_answer(&mut self, cx: &mut Context<'_>) -> Poll<FromNode<P>> {
        let answer = ready!(self.replies.poll_recv(cx)).expect("node actors are gone");
        let id = self.asked.take().expect("an answer comes only when asked");
        match answer {
            FromNode::Panicked(why) => panic!("node {id}'s handler panicked: {why}"),
            answer => Poll::Ready(answer),
        }
    }

    async fn ask(&mut self, id: NodeId, m: ToNode<P>) -> FromNode<P> {
        self.post(id, m);
        std::future::poll_fn(|cx| self.poll_answer(cx)).await
    }
}

/// A node's state in a state of the model checker's search, with its hash
/// for the fingerprints once asked (kept until the node handles an event,
/// and shared by every copy of the run that shares the state).
pub struct Held<P> {
    pub state: P,
    /// The hash, or `UNKNOWN`. (A plain atomic, not a `OnceLock`: two
    /// threads that both compute it store the same number, and the lock's
    /// slow path cost 4% of a search.)
    hash: AtomicU64,
}

/// `Held::hash` before it is computed (a state whose hash is this is
/// hashed again each time it is asked: correct, and one in 2^64).
const UNKNOWN: u64 = 0;

impl<P: Clone> Clone for Held<P> {
    fn clone(&self) -> Self {
        Held { state: self.state.clone(), hash: AtomicU64::new(self.hash.load(Ordering::Relaxed)) }
    }
}

impl<P> Held<P> {
    pub fn new(state: P) -> Arc<Self> {
        Arc::new(Held { state, hash: AtomicU64::new(UNKNOWN) })
    }
    /// The state's hash by `f`, computed once.
    pub fn hash_by(&self, f: impl FnOnce(&P) -> u64) -> u64 {
        match self.hash.load(Ordering::Relaxed) {
            UNKNOWN => {
                let h = f(&self.state);
                self.hash.store(h, Ordering::Relaxed);
                h
            }
            h => h,
        }
    }
    /// The state, to change: its hash is forgotten. A state shared with
    /// other copies of the run is copied first, into one of `spare` if
    /// there is one (no allocation for the `Arc`).
    fn state_mut<'a>(this: &'a mut Arc<Self>, spare: &mut Vec<Arc<Self>>) -> &'a mut P
    where
        P: Clone,
    {
        if Arc::get_mut(this).is_none()
            && let Some(mut own) = spare.pop()
            && let Some(held) = Arc::get_mut(&mut own)
        {
            held.state.clone_from(&this.state);
            *this = own;
        }
        let held = Arc::make_mut(this);
        *held.hash.get_mut() = UNKNOWN;
        &mut held.state
    }

    /// Put `old`, a state this run no longer uses, in `spare` for the next
    /// copy on write, if nobody else holds it and `spare` has fewer than
    /// `keep`; else let it go.
    pub fn retire(mut old: Arc<Self>, spare: &mut Vec<Arc<Self>>, keep: usize) {
        if spare.len() < keep && Arc::get_mut(&mut old).is_some() {
            spare.push(old);
        }
    }
}

pub enum Driver<P: Protocol> {
    Inline(Vec<P>),
    /// Inline, in a state of the model checker's search: each node's state
    /// shared between the copies of the run the search makes, and copied
    /// on its first write (most steps change one node). The second list
    /// holds copies this run let go of and nobody else holds
    /// ([`Held::retire`]): the next copy on write reuses one.
    Shared(Vec<Arc<Held<P>>>, Vec<Arc<Held<P>>>),
    Actors(ActorPool<P>),
}

impl<P: Protocol> Driver<P> {
    pub fn new(kind: DriverKind, states: Vec<P>) -> Self {
        match kind {
            DriverKind::Inline => Driver::Inline(states),
            DriverKind::Actors => Driver::Actors(ActorPool::spawn(states)),
        }
    }

    /// Hand one event to one node. The inline driver runs it at once and
    /// returns the commands and the new summary; the actor driver posts it
    /// to the node's task and returns `None`: the answer then comes from
    /// [`Self::poll_handled`], before anything else is asked of any node.
    ///
    /// (Split in two so that the engine's stepping loop is one flat future:
    /// each delivery crosses one poll instead of a stack of nested ones.)
    pub fn start(
        &mut self,
        id: NodeId,
        n: usize,
        now: Time,
        key: DrawKey,
        ev: NodeEvent<P>,
        mut buf: Vec<Cmd<P>>,
    ) -> Option<(Vec<Cmd<P>>, P::Summary)> {
        match self {
            Driver::Inline(states) => {
                let s = dispatch(&mut states[id], id, n, now, key, ev, &mut buf);
                Some((buf, s))
            }
            Driver::Shared(states, spare) => {
                let s = dispatch(Held::state_mut(&mut states[id], spare), id, n, now, key, ev, &mut buf);
                Some((buf, s))
            }
            Driver::Actors(pool) => {
                pool.post(id, ToNode::Handle { now, key, ev, buf });
                None
            }
        }
    }

    /// The answer to the event [`Self::start`] posted.
    pub fn poll_handled(&mut self, cx: &mut Context<'_>) -> Poll<(Vec<Cmd<P>>, P::Summary)> {
        let Driver::Actors(pool) = self else { unreachable!("the inline driver answers at once") };
        match ready!(pool.poll_answer(cx)) {
            FromNode::Handled { buf, summary } => Poll::Ready((buf, summary)),
            _ => unreachable!("node answered a handle with something else"),
        }
    }

    pub async fn inspect(&mut self, id: NodeId) -> Vec<Row> {
        match self {
            Driver::Inline(states) => states[id].inspect(),
            Driver::Shared(states, _) => states[id].state.inspect(),
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
            Driver::Shared(states, _) => {
                states[id] = Held::new(states[id].state.recovered());
                states[id].state.summary()
            }
            Driver::Actors(pool) => match pool.ask(id, ToNode::Crash).await {
                FromNode::Crashed(s) => s,
                _ => unreachable!("node answered a crash with something else"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::protocol::{Cx, Describe, Summary};
    use crate::engine::protocol::{NodeId, Role};

    #[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq, Hash)]
    struct Boom;
    impl Describe for Boom {
        fn kind(&self) -> &'static str {
            "BOOM"
        }
    }
    #[derive(Clone, Debug, PartialEq)]
    struct S;
    impl Summary for S {
        fn role(&self) -> Role {
            Role::Idle
        }
    }
    #[derive(Clone, Hash)]
    struct Faulty;
    impl Protocol for Faulty {
        type Msg = Boom;
        type Timer = Boom;
        type Request = ();
        type Summary = S;
        fn on_message(&mut self, _cx: &mut Cx<Self>, _from: NodeId, _msg: Boom) {}
        fn on_request(&mut self, _cx: &mut Cx<Self>, _req: ()) {
            panic!("a bug in the algorithm");
        }
        fn recovered(&self) -> Self {
            Faulty
        }
        fn summary(&self) -> S {
            S
        }
        fn inspect(&self) -> Vec<Row> {
            Vec::new()
        }
    }

    #[test]
    #[should_panic(expected = "node 1's handler panicked: a bug in the algorithm")]
    fn a_panicking_handler_is_reraised_not_awaited_for_ever() {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let mut d = Driver::new(DriverKind::Actors, vec![Faulty, Faulty]);
            assert!(d.start(1, 2, 0, DrawKey::default(), NodeEvent::Request(()), Vec::new()).is_none());
            std::future::poll_fn(|cx| d.poll_handled(cx)).await;
        });
    }
}
