//! Token bookkeeping for the monitors of the token-based mutual-exclusion
//! scenarios (suzuki-kasami, token-ring): who holds a token, how many are
//! in flight, the `one-token` check, and the result fields about the token.

use crate::card::{FieldCard, Property};
use crate::engine::invariant::{Change, Violation, World};
use crate::engine::protocol::{NodeId, Protocol, Summary};
use crate::engine::record::EvKind;
use std::collections::{BTreeMap, BTreeSet};

/// The badge of the node holding the token (the topology pane draws it there).
pub const TOKEN_BADGE: &str = "◆TOKEN";

/// The result's `token`, `holder` and `stale_tokens_discarded` (`token_passes`
/// is each scenario's own: hand-offs or hops).
pub(crate) const TOKEN: FieldCard =
    FieldCard { key: "token", help: "`held`, `in flight` or `lost` (`several` if the checker found more than one)" };
pub(crate) const HOLDER: FieldCard = FieldCard { key: "holder", help: "the node holding the token, or null" };
pub(crate) const DISCARDED: FieldCard =
    FieldCard { key: "stale_tokens_discarded", help: "duplicated token copies discarded by their serial" };

/// `one-token`: never more than one token, counting what is in flight.
pub(crate) const ONE_TOKEN: Property = Property::safety(
    "one-token",
    "tokens held by live nodes plus tokens in flight never exceed one (the network's copies of one TOKEN \
     message count as one)",
);

/// What a node's summary tells the book.
#[derive(Clone, Copy, Debug, Hash)]
pub(crate) struct TokenCounts {
    /// The node holds a token.
    pub holding: bool,
    /// Tokens the node has sent so far.
    pub sent: u64,
    /// Stale token copies the node has discarded so far.
    pub discarded: u64,
}

/// A token scenario's node summary.
pub(crate) trait TokenSummary: Summary {
    fn token_counts(&self) -> TokenCounts;
}

/// How many copies of one TOKEN send have been consumed (delivered or lost).
#[derive(Clone, Copy, Debug, Default, Hash)]
struct Copies {
    consumed: u32,
    delivered: bool,
}

/// Counts the tokens of a run from the engine's view: live nodes that hold
/// one, plus TOKEN messages in flight. Copies the network made of one send
/// (`dup`) are that one token, and a copy whose twin has already been
/// delivered is no token at all (its receiver discards it by its serial).
///
/// A token send is recognised from the sender's summary (`sent` grows); the
/// protocols using this book send nothing else from the handler that sends
/// a token, so every message of that event is a copy of the token.
#[derive(Clone, Default)]
pub struct TokenBook {
    holders: BTreeSet<NodeId>,
    /// TOKEN send events (history indices) that may still have copies in flight.
    open: BTreeMap<u32, Copies>,
    /// History records already accounted for.
    cursor: usize,
    /// TOKEN messages sent so far (the result's `token_passes`).
    passes: u64,
    /// More than one token exists (reported once each time it starts).
    over: bool,
}

impl TokenBook {
    /// Record whether node `x` holds a token now (a crashed node holds none).
    fn set_holder(&mut self, x: NodeId, holding: bool) {
        if holding {
            self.holders.insert(x);
        } else {
            self.holders.remove(&x);
        }
    }

    /// History event `e` sent a token.
    fn sent_at(&mut self, e: Option<u32>) {
        if let Some(e) = e {
            self.open.entry(e).or_default();
        }
    }

    /// What decides the book's verdicts from here on: who holds a token,
    /// the distinct tokens in flight and whether several exist (the open
    /// sends are history positions, left out).
    pub fn fingerprint<P: Protocol>(&self, w: &World<P>, mut h: &mut dyn std::hash::Hasher) {
        use std::hash::Hash;
        (&self.holders, self.in_flight(w), self.over).hash(&mut h);
    }

    /// Keep up with a change: the tokens a node sent and whether it holds one.
    pub(crate) fn on_change<P: Protocol>(&mut self, w: &World<P>, change: Change, old: Option<&P::Summary>)
    where
        P::Summary: TokenSummary,
    {
        match change {
            Change::Summary(x) => {
                let s = w.summaries[x].token_counts();
                let old_sent = old.map_or(0, |o| o.token_counts().sent);
                if s.sent > old_sent {
                    self.passes += s.sent - old_sent;
                    self.sent_at(w.event);
                }
                self.set_holder(x, w.alive[x] && s.holding);
            }
            Change::Crash(x) | Change::Recover(x) => {
                self.set_holder(x, w.alive[x] && w.summaries[x].token_counts().holding)
            }
            Change::Links => {}
        }
    }

    fn token_kind<P: Protocol>(w: &World<P>) -> Option<u16> {
        w.kinds.iter().position(|k| *k == "TOKEN").map(|i| i as u16)
    }

    fn apply(open: &mut BTreeMap<u32, Copies>, kind: u16, rec: &EvKind) {
        let (send, delivered) = match *rec {
            EvKind::Recv { send, kind: k, .. } if k == kind => (send, true),
            EvKind::Lost { send, kind: k, .. } if k == kind => (send, false),
            _ => return,
        };
        let c = open.entry(send).or_default();
        c.consumed += 1;
        c.delivered |= delivered;
    }

    /// Account for the history recorded since the last call.
    pub fn catch_up<P: Protocol>(&mut self, w: &World<P>) {
        if let Some(kind) = Self::token_kind(w) {
            for rec in &w.history[self.cursor.min(w.history.len())..] {
                Self::apply(&mut self.open, kind, &rec.kind);
            }
            self.open.retain(|&e, c| w.history.get(e as usize).is_some_and(|r| r.sends > c.consumed));
        }
        self.cursor = w.history.len();
    }

    /// Distinct tokens in flight now (read-only: also counts what the
    /// history recorded since the last `catch_up`).
    pub fn in_flight<P: Protocol>(&self, w: &World<P>) -> u32 {
        let raw = w.in_flight("TOKEN");
        let Some(kind) = Self::token_kind(w) else { return raw };
        let mut open = self.open.clone();
        for rec in &w.history[self.cursor.min(w.history.len())..] {
            Self::apply(&mut open, kind, &rec.kind);
        }
        let surplus: u32 = open
            .iter()
            .map(|(&e, c)| {
                let left = w.history.get(e as usize).map_or(0, |r| r.sends.saturating_sub(c.consumed));
                if left == 0 || c.delivered { left } else { left - 1 }
            })
            .sum();
        raw.saturating_sub(surplus)
    }

    /// Tokens that exist: held by live nodes plus distinct ones in flight.
    pub fn tokens<P: Protocol>(&self, w: &World<P>) -> (usize, u32) {
        (self.holders.len(), self.in_flight(w))
    }

    /// "token lost" when no live node holds a token and none is in flight.
    pub fn status<P: Protocol>(&self, w: &World<P>) -> Option<String> {
        let (held, flying) = self.tokens(w);
        (held == 0 && flying == 0).then(|| "token lost".to_string())
    }

    /// Where the token is, for the headless result.
    pub fn whereabouts<P: Protocol>(&self, w: &World<P>) -> (&'static str, Option<NodeId>) {
        let (held, flying) = self.tokens(w);
        match (held, flying) {
            (0, 0) => ("lost", None),
            (1, 0) => ("held", self.holders.first().copied()),
            (0, 1) => ("in flight", None),
            _ => ("several", None),
        }
    }

    /// The `one-token` check after a change: at most one token exists.
    /// Reports once each time the count goes above one.
    pub fn check<P: Protocol>(&mut self, w: &World<P>) -> Option<Violation> {
        self.catch_up(w);
        let (held, flying) = self.tokens(w);
        let now_over = held + flying as usize > 1;
        let report = now_over && !self.over;
        self.over = now_over;
        report.then(|| {
            let holders: Vec<String> = self.holders.iter().map(|h| h.to_string()).collect();
            w.violation(
                ONE_TOKEN.name,
                format!("{} tokens exist: held by [{}], {flying} in flight", held + flying as usize, holders.join(" ")),
            )
        })
    }

    /// `result` with the token's fields added: where it is, who holds it,
    /// how often it was sent and how many stale copies were discarded.
    pub(crate) fn result<P: Protocol>(&self, w: &World<P>, mut result: serde_json::Value) -> serde_json::Value
    where
        P::Summary: TokenSummary,
    {
        let (token, holder) = self.whereabouts(w);
        let discarded: u64 = w.summaries.iter().map(|s| s.token_counts().discarded).sum();
        result["token"] = token.into();
        result["holder"] = holder.into();
        result["token_passes"] = self.passes.into();
        result["stale_tokens_discarded"] = discarded.into();
        result
    }
}
