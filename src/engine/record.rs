//! What a run records and reports: the history of events (the
//! space-time diagram's points), in-flight messages and timers, log lines,
//! counters, and what one input did.

use super::input::EvId;
use super::protocol::{Describe, NodeId, Protocol, Time};

/// Why a message never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LossWhy {
    /// Random loss (`loss P`).
    Loss,
    /// The link was down (partition or cut).
    Link,
    /// The receiver was crashed.
    Crash,
    /// The user dropped it (`drop ID`).
    User,
}

/// One event of the history (the space-time diagram's points).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EvKind {
    Start,
    /// A message received; `send` is the history index of its send event.
    Recv {
        from: u32,
        send: u32,
        kind: u16,
    },
    Timer {
        kind: u16,
    },
    Request,
    Recover,
    /// Not a node event: the node stopped.
    Crash,
    /// Not a node event: a message that never arrived at `node`.
    Lost {
        from: u32,
        send: u32,
        kind: u16,
        why: LossWhy,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EventRec {
    pub step: u64,
    pub time: Time,
    pub node: u32,
    pub lamport: u64,
    pub kind: EvKind,
    /// Messages this event sent (each later ends as one `Recv` or `Lost`
    /// record, unless still in flight).
    pub sends: u32,
}

impl EventRec {
    /// Does this record tick the node's clocks (a real event at the node)?
    pub fn is_node_event(&self) -> bool {
        !matches!(self.kind, EvKind::Crash | EvKind::Lost { .. })
    }
}

#[derive(Clone)]
pub enum PendingKind<P: Protocol> {
    /// `k` is the index of the message's kind (counts are kept by it).
    /// Node ids are `u32` here: a million of these can be in flight, and
    /// the narrower ids keep one in a 64-byte cache line.
    Msg {
        from: u32,
        to: u32,
        msg: P::Msg,
        sent_at: Time,
        send_event: u32,
        lamport: u64,
        k: u16,
    },
    Timer {
        node: u32,
        timer: P::Timer,
        set_at: Time,
    },
}

#[derive(Clone)]
pub struct Pending<P: Protocol> {
    pub id: EvId,
    pub due: Time,
    pub kind: PendingKind<P>,
}

impl<P: Protocol> Pending<P> {
    pub fn target(&self) -> NodeId {
        match &self.kind {
            PendingKind::Msg { to, .. } => *to as NodeId,
            PendingKind::Timer { node, .. } => *node as NodeId,
        }
    }
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            PendingKind::Msg { msg, .. } => msg.kind(),
            PendingKind::Timer { timer, .. } => timer.kind(),
        }
    }
    pub fn summary(&self) -> String {
        match &self.kind {
            PendingKind::Msg { msg, .. } => msg.summary(),
            PendingKind::Timer { timer, .. } => timer.summary(),
        }
    }
    pub(crate) fn link(&self) -> Option<(NodeId, NodeId)> {
        match &self.kind {
            PendingKind::Msg { from, to, .. } => Some((*from as NodeId, *to as NodeId)),
            PendingKind::Timer { .. } => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub step: u64,
    pub time: Time,
    /// True for lines that record a user's input (the command itself).
    pub input: bool,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ExpectFailure {
    /// Index of the input in the run's input log.
    pub input: usize,
    pub expect: String,
    pub actual: String,
}

/// What one input did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// Node events it delivered.
    pub steps: u64,
    /// Nothing is left to deliver.
    pub quiescent: bool,
    /// A `pause` line: wait for the user.
    pub pause: bool,
    pub expect_failed: Option<String>,
    /// The answer of a query (`hb`).
    pub answer: Option<String>,
}

/// Message counters by kind.
#[derive(Debug, Default)]
pub struct Counts {
    pub sent: Vec<u64>,
    pub delivered: Vec<u64>,
    pub lost: Vec<u64>,
}

clone_by_fields!([] Counts { sent, delivered, lost });
