//! The contract between the engine and an algorithm: a pure, synchronous
//! state machine that reacts to events and writes commands into a [`Cx`].

use super::rng::Draw;
use serde::{Serialize, de::DeserializeOwned};
use std::fmt::Debug;
use std::hash::Hash;

/// Node ids are 0-based everywhere.
pub type NodeId = usize;
/// Virtual time in microseconds.
pub type Time = u64;

/// Microseconds in one virtual millisecond.
pub const MS: Time = 1_000;

/// The largest duration anyone may type, in ms (about 11.6 days of virtual
/// time): every parameter, verb argument, `latency` and `delay`. Far beyond
/// any lecture, far below where microseconds overflow; sums of such
/// durations saturate at `Time::MAX` rather than wrap.
pub const MAX_MS: u64 = 1_000_000_000;

/// What a node shows about itself; drives the colour and symbol of the
/// node in the topology pane. `Crashed` is decided by the engine alone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Role {
    #[default]
    Idle,
    Wanting,
    InCs,
    Candidate,
    Leader,
    Crashed,
}

impl Role {
    pub const ALL: [Role; 6] = [Role::Idle, Role::Wanting, Role::InCs, Role::Candidate, Role::Leader, Role::Crashed];

    /// The generic word: what a scenario that names none of its own shows.
    pub fn name(self) -> &'static str {
        match self {
            Role::Idle => "idle",
            Role::Wanting => "wanting",
            Role::InCs => "in-cs",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
            Role::Crashed => "crashed",
        }
    }

    /// The scenario's word for this role (a chat client is "connected",
    /// not "in-cs"); the generic word for a role the scenario does not name.
    pub fn word(self, words: RoleWords) -> &'static str {
        words.iter().find(|(r, _)| *r == self).map_or(self.name(), |(_, w)| w)
    }

    /// The roles a scenario shows, `crashed` last (always possible).
    pub fn shown(words: RoleWords) -> impl Iterator<Item = Role> {
        Role::ALL.into_iter().filter(move |r| *r == Role::Crashed || words.iter().any(|(x, _)| x == r))
    }

    /// Read a scenario's word (`expect role 1 connected`). A generic word the
    /// scenario calls otherwise is refused with a hint naming its word.
    pub fn parse(words: RoleWords, s: &str) -> Result<Role, String> {
        if let Some(r) = Role::shown(words).find(|r| r.word(words) == s) {
            return Ok(r);
        }
        let known: Vec<&str> = Role::shown(words).map(|r| r.word(words)).collect();
        match Role::ALL.into_iter().find(|r| r.name() == s && Role::shown(words).any(|x| x == *r)) {
            Some(r) => Err(format!("{s:?} is called {:?} here (roles: {})", r.word(words), known.join("|"))),
            None => Err(format!("unknown role {s:?} (roles: {})", known.join("|"))),
        }
    }
}

/// A scenario's words for the engine's roles: the roles its nodes show,
/// each with the algorithm's own word (its card's `role_words`). The
/// colour and glyph of a role stay shared; the word is the scenario's.
pub type RoleWords = &'static [(Role, &'static str)];

/// Every role with its generic word, for a run that names none.
pub const GENERIC_WORDS: RoleWords = &[
    (Role::Idle, "idle"),
    (Role::Wanting, "wanting"),
    (Role::InCs, "in-cs"),
    (Role::Candidate, "candidate"),
    (Role::Leader, "leader"),
    (Role::Crashed, "crashed"),
];

/// A message or timer knows its kind (for counts, colours, the log) and a
/// short human summary of its payload.
pub trait Describe {
    fn kind(&self) -> &'static str;
    fn summary(&self) -> String {
        self.kind().to_string()
    }
}

/// The cheap, per-event summary of a node that the engine keeps for every
/// node (invariants, topology colours). Full state is fetched on demand
/// through [`Protocol::inspect`].
pub trait Summary: Clone + Debug + PartialEq + Send + 'static {
    fn role(&self) -> Role;
    /// A few characters drawn next to the node (e.g. `L=4`, `ts=3`).
    fn badge(&self) -> String {
        String::new()
    }
}

/// One labelled row of the inspector.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    pub label: String,
    pub value: String,
}

impl Row {
    pub fn new(label: impl Into<String>, value: impl ToString) -> Row {
        Row { label: label.into(), value: value.to_string() }
    }

    /// A row of a table: its cells joined by tabs. A front end aligns a run
    /// of such rows as a table whose first row is the header (the TUI's
    /// inspector does).
    pub fn table<S: AsRef<str>>(label: impl Into<String>, cells: &[S]) -> Row {
        let cells: Vec<&str> = cells.iter().map(AsRef::as_ref).collect();
        Row { label: label.into(), value: cells.join("\t") }
    }
}

/// A command written by a handler; the engine carries it out.
#[derive(Clone, Debug)]
pub enum Cmd<P: Protocol> {
    Send { to: NodeId, msg: P::Msg },
    SetTimer { after: Time, timer: P::Timer },
    CancelTimer { timer: P::Timer },
    Note(String),
}

/// What the engine derives a node's draws from: the run's seed and the
/// step of the event the node handles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DrawKey {
    pub seed: u64,
    pub step: u64,
}

/// The context a handler writes into. It knows who the node is, how many
/// nodes there are and the virtual time, and nothing else of the world;
/// the engine's random draw for the event is there when a node asks.
pub struct Cx<'a, P: Protocol> {
    pub id: NodeId,
    pub n: usize,
    pub now: Time,
    pub(crate) out: &'a mut Vec<Cmd<P>>,
    key: DrawKey,
    /// Made on first use, and boxed: most events never draw, and a `Cx` is
    /// made for every event.
    draw: Option<Box<Draw>>,
}

impl<'a, P: Protocol> Cx<'a, P> {
    pub fn new(id: NodeId, n: usize, now: Time, out: &'a mut Vec<Cmd<P>>) -> Self {
        Cx::keyed(id, n, now, DrawKey::default(), out)
    }
    pub fn keyed(id: NodeId, n: usize, now: Time, key: DrawKey, out: &'a mut Vec<Cmd<P>>) -> Self {
        Cx { id, n, now, out, key, draw: None }
    }
    /// The engine's random draw for this event, derived from the run's
    /// seed, the step and the node ([`Draw::for_node`]), like every other
    /// random choice of a run. A node's random choices (a workload's) are
    /// an input, as `now` is, never a generator in its state: a run stays
    /// its configuration plus its inputs. Several uses in one event continue
    /// one stream.
    pub fn draw(&mut self) -> &mut Draw {
        let (key, id) = (self.key, self.id);
        self.draw.get_or_insert_with(|| Box::new(Draw::for_node(key.seed, key.step, id)))
    }
    pub fn send(&mut self, to: NodeId, msg: P::Msg) {
        self.out.push(Cmd::Send { to, msg });
    }
    /// Send `msg` to every other node, in id order.
    pub fn broadcast(&mut self, msg: P::Msg) {
        for to in (0..self.n).filter(|&to| to != self.id) {
            self.out.push(Cmd::Send { to, msg: msg.clone() });
        }
    }
    pub fn set_timer(&mut self, after: Time, timer: P::Timer) {
        self.out.push(Cmd::SetTimer { after, timer });
    }
    pub fn cancel_timer(&mut self, timer: P::Timer) {
        self.out.push(Cmd::CancelTimer { timer });
    }
    /// A line for the event log, attributed to this node.
    pub fn note(&mut self, text: impl Into<String>) {
        self.out.push(Cmd::Note(text.into()));
    }
}

/// An algorithm: a pure, synchronous state machine. It never touches a
/// socket, a clock, a thread or a random source.
///
/// A node's state, its messages and its timers are `Hash`: the model
/// checker (`distlab check`) tells states apart by a fingerprint of them.
/// Hash every field that decides what the node does next; a field that
/// holds an `f64` hashes its bits.
pub trait Protocol: Clone + Hash + Send + Sync + 'static {
    type Msg: Clone + Debug + Describe + Hash + Send + Serialize + DeserializeOwned + 'static;
    type Timer: Clone + Debug + Describe + Hash + PartialEq + Send + Serialize + DeserializeOwned + 'static;
    type Request: Clone + Debug + Send + 'static;
    type Summary: Summary;

    fn on_start(&mut self, _cx: &mut Cx<Self>) {}
    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Self::Msg);
    fn on_timer(&mut self, _cx: &mut Cx<Self>, _timer: Self::Timer) {}
    fn on_request(&mut self, cx: &mut Cx<Self>, req: Self::Request);
    /// Called when a crashed node comes back, on the state [`Protocol::recovered`] gave.
    fn on_recover(&mut self, _cx: &mut Cx<Self>) {}
    /// The node as it is after a crash: only what it persisted survives.
    fn recovered(&self) -> Self;
    fn summary(&self) -> Self::Summary;
    /// The inspector rows: the algorithm's own data structures.
    fn inspect(&self) -> Vec<Row>;
}

/// What a node is asked to do.
#[derive(Clone, Debug)]
pub enum NodeEvent<P: Protocol> {
    Start,
    Message { from: NodeId, msg: P::Msg },
    Timer(P::Timer),
    Request(P::Request),
    Recover,
}

/// Run one event through a protocol state: the single place handlers are
/// invoked, used by both the inline and the actor driver.
pub fn dispatch<P: Protocol>(
    state: &mut P,
    id: NodeId,
    n: usize,
    now: Time,
    key: DrawKey,
    ev: NodeEvent<P>,
    out: &mut Vec<Cmd<P>>,
) -> P::Summary {
    let mut cx = Cx::keyed(id, n, now, key, out);
    match ev {
        NodeEvent::Start => state.on_start(&mut cx),
        NodeEvent::Message { from, msg } => state.on_message(&mut cx, from, msg),
        NodeEvent::Timer(t) => state.on_timer(&mut cx, t),
        NodeEvent::Request(r) => state.on_request(&mut cx, r),
        NodeEvent::Recover => state.on_recover(&mut cx),
    }
    state.summary()
}
