//! The Birman–Schiper–Stephenson delivery rule as a pure, reusable data
//! structure: one member's delivered vector `V`, its hold-back queue and
//! duplicate detection. No messages, no timers: the caller hands in what
//! arrived and gets back what may now be delivered, in a deterministic
//! order. (`causal-order` uses it for its members; a chat room can use one
//! per room.)
//!
//! - `V[k]` counts the broadcasts of member `k` delivered here (own ones
//!   included: a member delivers its own broadcast when it sends it, see
//!   [`Bss::broadcast`], and the stamp it sends is `V` after that).
//! - [`Mode::Causal`] (BSS): a message from `j` stamped `W` is deliverable
//!   when `W[j] == V[j] + 1` and `W[k] <= V[k]` for every `k ≠ j`.
//! - [`Mode::Fifo`]: only `W[j] == V[j] + 1` (per-sender order).
//! - [`Mode::None`]: delivered at once (duplicates are still dropped).
//! - A message with `W[j] <= V[j]`, or already delivered out of order, or
//!   already held, is a duplicate: never delivered twice.
//!
//! Among several deliverable messages the one that arrived first goes
//! first (an arrival number orders them), so a run is deterministic and
//! the order is easy to explain: "held messages go, in the order they came,
//! as soon as they can".
//!
//! Efficiency: a held message is registered once for every entry it still
//! waits on, in a waiting list keyed by `(k, value V[k] must reach)`, with
//! a count of the entries it still misses. A delivery raises one entry of
//! `V` by one and wakes exactly the list for the new value: the work per
//! delivery is O(what it unblocks), plus the O(N) comparison of the new
//! message's stamp with `V` when it arrives (inherent to vector stamps). No
//! step rescans the queue, so delivering a burst of K held messages costs
//! O(K·N), not O(K²).
//!
//! In `None` mode deliveries from one sender may be out of order: `V[k]`
//! then stays the delivered *prefix* of `k`'s broadcasts and the ones beyond
//! it are kept in a set until the prefix reaches them.
//!
//! This is the group family's kit: the scenarios built on BSS (`chat-rooms`,
//! `causal-order`) also share here the properties their monitors check. It
//! imports no algorithm.

use crate::card::Property;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};
use std::sync::Arc;

/// A vector stamp, shared by every copy of a message (O(1) clones).
pub type Stamp = Arc<[u32]>;

/// The delivery rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, Hash)]
pub enum Mode {
    #[default]
    Causal,
    Fifo,
    None,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Causal, Mode::Fifo, Mode::None];
    pub fn name(self) -> &'static str {
        match self {
            Mode::Causal => "causal",
            Mode::Fifo => "fifo",
            Mode::None => "none",
        }
    }
    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == s)
    }
}

/// A message that may be delivered now.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Delivered<T> {
    pub from: usize,
    pub seq: u32,
    pub stamp: Stamp,
    pub payload: T,
}

/// A message in the hold-back queue.
#[derive(Clone, Debug, Hash)]
pub struct Held<T> {
    pub from: usize,
    pub seq: u32,
    pub stamp: Stamp,
    pub payload: T,
    /// Entries of `V` it still waits on.
    missing: u32,
}

/// What became of an arriving message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arrival {
    /// Delivered at once (it is the first of [`Receipt::delivered`]).
    Delivered,
    /// Put in the hold-back queue.
    Held,
    /// Already delivered or already held: dropped.
    Duplicate,
    /// A stamp of the wrong length, a zero sequence number, or from this
    /// member itself: dropped.
    Invalid,
}

#[derive(Clone, Debug, Hash)]
pub struct Receipt<T> {
    pub arrival: Arrival,
    /// Everything delivered because of this arrival, in delivery order.
    pub delivered: Vec<Delivered<T>>,
}

/// What a held message (or a stamp) still waits for: broadcasts
/// `first..=last` of member `from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Gap {
    pub from: usize,
    pub first: u32,
    pub last: u32,
}

/// One member's delivery state.
#[derive(Clone, Debug)]
pub struct Bss<T> {
    me: usize,
    mode: Mode,
    v: Vec<u32>,
    /// Delivered out of order beyond the prefix `V[k]` (`None` mode): (k, seq).
    beyond: BTreeSet<(u32, u32)>,
    /// The hold-back queue by arrival number.
    held: BTreeMap<u64, Held<T>>,
    /// (from, seq) of every held message → its arrival number.
    index: HashMap<(u32, u32), u64>,
    /// (k, value `V[k]` must reach) → held messages waiting for it.
    waiting: HashMap<(u32, u32), Vec<u64>>,
    /// Held messages that wait for nothing any more, smallest arrival first.
    ready: BinaryHeap<Reverse<u64>>,
    arrivals: u64,
}

/// The state is `V`, what was delivered beyond it, the hold-back queue
/// and the arrival counter; `index`, `waiting` and `ready` are indexes of
/// the queue, derived from it and `V`, and left out.
impl<T: std::hash::Hash> std::hash::Hash for Bss<T> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (self.me, self.mode, &self.v, &self.beyond, &self.held, self.arrivals).hash(h)
    }
}

impl<T: Clone> Bss<T> {
    pub fn new(n: usize, me: usize, mode: Mode) -> Self {
        Bss {
            me,
            mode,
            v: vec![0; n],
            beyond: BTreeSet::new(),
            held: BTreeMap::new(),
            index: HashMap::new(),
            waiting: HashMap::new(),
            ready: BinaryHeap::new(),
            arrivals: 0,
        }
    }

    /// A member that joins late: the broadcasts counted in `base` count as
    /// delivered, so it waits for nothing older (a chat room's newcomer
    /// starts from what the room has relayed).
    pub fn starting_at(me: usize, mode: Mode, base: Vec<u32>) -> Self {
        let mut b = Bss::new(base.len(), me, mode);
        b.v = base;
        b
    }

    pub fn n(&self) -> usize {
        self.v.len()
    }
    pub fn me(&self) -> usize {
        self.me
    }
    pub fn mode(&self) -> Mode {
        self.mode
    }
    /// The delivered vector `V` (prefixes, see the module doc).
    pub fn vector(&self) -> &[u32] {
        &self.v
    }
    pub fn held_len(&self) -> usize {
        self.held.len()
    }
    /// The hold-back queue in arrival order.
    pub fn held(&self) -> impl Iterator<Item = &Held<T>> {
        self.held.values()
    }
    /// Has broadcast `seq` of `from` been delivered here?
    pub fn is_delivered(&self, from: usize, seq: u32) -> bool {
        seq >= 1 && (seq <= self.v[from] || self.beyond.contains(&(from as u32, seq)))
    }
    pub fn is_held(&self, from: usize, seq: u32) -> bool {
        self.index.contains_key(&(from as u32, seq))
    }

    /// Send a broadcast: deliver it here and return the stamp it carries
    /// (`V` afterwards), and anything that waited for it (nothing, unless
    /// some stamp claimed more of this member's broadcasts than it made).
    pub fn broadcast(&mut self) -> (Stamp, Vec<Delivered<T>>) {
        let me = self.me;
        let seq = self.v[me] + 1;
        let mut out = Vec::new();
        self.mark(me, seq);
        self.drain(&mut out);
        (self.v.clone().into(), out)
    }

    /// A message from `from` arrived: deliver it if the rule allows, else
    /// hold it back; then deliver everything that became deliverable.
    pub fn receive(&mut self, from: usize, stamp: Stamp, payload: T) -> Receipt<T> {
        let n = self.n();
        if from >= n || from == self.me || stamp.len() != n || stamp[from] == 0 {
            return Receipt { arrival: Arrival::Invalid, delivered: Vec::new() };
        }
        let seq = stamp[from];
        if self.is_delivered(from, seq) || self.is_held(from, seq) {
            return Receipt { arrival: Arrival::Duplicate, delivered: Vec::new() };
        }
        let needs = self.needs(from, &stamp);
        let mut out = Vec::new();
        let arrival = if needs.is_empty() {
            self.mark(from, seq);
            out.push(Delivered { from, seq, stamp, payload });
            Arrival::Delivered
        } else {
            let a = self.arrivals;
            self.arrivals += 1;
            for key in &needs {
                self.waiting.entry(*key).or_default().push(a);
            }
            self.index.insert((from as u32, seq), a);
            self.held.insert(a, Held { from, seq, stamp, payload, missing: needs.len() as u32 });
            Arrival::Held
        };
        self.drain(&mut out);
        Receipt { arrival, delivered: out }
    }

    /// Switch the rule; held messages the new rule allows are delivered.
    pub fn set_mode(&mut self, mode: Mode) -> Vec<Delivered<T>> {
        self.mode = mode;
        self.waiting.clear();
        self.ready.clear();
        let arrivals: Vec<u64> = self.held.keys().copied().collect();
        for a in arrivals {
            let (from, stamp) = {
                let h = &self.held[&a];
                (h.from, h.stamp.clone())
            };
            let needs = self.needs(from, &stamp);
            if needs.is_empty() {
                self.ready.push(Reverse(a));
            }
            for key in &needs {
                self.waiting.entry(*key).or_default().push(a);
            }
            if let Some(h) = self.held.get_mut(&a) {
                h.missing = needs.len() as u32;
            }
        }
        let mut out = Vec::new();
        self.drain(&mut out);
        out
    }

    /// Forget the hold-back queue (it is volatile: a crash loses it).
    pub fn clear_held(&mut self) {
        self.held.clear();
        self.index.clear();
        self.waiting.clear();
        self.ready.clear();
    }

    /// What a message from `from` stamped `stamp` still waits for under the
    /// current rule (O(N)); empty when it is deliverable.
    pub fn gaps(&self, from: usize, stamp: &[u32]) -> Vec<Gap> {
        let mut out = Vec::new();
        if self.mode == Mode::None || stamp.len() != self.n() || from >= self.n() || stamp[from] == 0 {
            return out;
        }
        let seq = stamp[from];
        if self.v[from] + 1 < seq {
            out.push(Gap { from, first: self.v[from] + 1, last: seq - 1 });
        }
        if self.mode == Mode::Causal {
            for (k, (&w, &v)) in stamp.iter().zip(&self.v).enumerate() {
                if k != from && w > v {
                    out.push(Gap { from: k, first: v + 1, last: w });
                }
            }
        }
        out.sort_by_key(|g| g.from);
        out
    }

    /// The entries a message still needs, as (k, value `V[k]` must reach).
    fn needs(&self, from: usize, stamp: &[u32]) -> Vec<(u32, u32)> {
        self.gaps(from, stamp)
            .into_iter()
            .map(|g| (g.from as u32, if g.from == from { stamp[from] - 1 } else { g.last }))
            .collect()
    }

    /// Record the delivery of broadcast `seq` of `k`.
    fn mark(&mut self, k: usize, seq: u32) {
        if seq != self.v[k] + 1 {
            self.beyond.insert((k as u32, seq));
            return;
        }
        self.advance(k);
        while self.beyond.remove(&(k as u32, self.v[k] + 1)) {
            self.advance(k);
        }
    }

    /// `V[k] += 1`, waking the messages that waited for that value.
    fn advance(&mut self, k: usize) {
        self.v[k] += 1;
        if let Some(list) = self.waiting.remove(&(k as u32, self.v[k])) {
            for a in list {
                if let Some(h) = self.held.get_mut(&a) {
                    h.missing -= 1;
                    if h.missing == 0 {
                        self.ready.push(Reverse(a));
                    }
                }
            }
        }
    }

    /// Deliver the ready messages, earliest arrival first, until none is left.
    fn drain(&mut self, out: &mut Vec<Delivered<T>>) {
        while let Some(Reverse(a)) = self.ready.pop() {
            let Some(h) = self.held.remove(&a) else { continue };
            self.index.remove(&(h.from as u32, h.seq));
            self.mark(h.from, h.seq);
            out.push(Delivered { from: h.from, seq: h.seq, stamp: h.stamp, payload: h.payload });
        }
    }
}

// ----- what the scenarios built on it check ----------------------------------------

/// No member delivers a message before one it causally depends on.
pub(crate) const CAUSAL_DELIVERY: Property =
    Property::safety("causal-delivery", "no member delivers a message before a message that causally precedes it");

/// No member delivers a message twice.
pub(crate) const NO_DUPLICATE_DELIVERY: Property =
    Property::safety("no-duplicate-delivery", "no member delivers the same message twice");

#[cfg(test)]
mod tests {
    use super::*;

    fn st(v: &[u32]) -> Stamp {
        v.to_vec().into()
    }
    fn ids<T>(d: &[Delivered<T>]) -> Vec<(usize, u32)> {
        d.iter().map(|d| (d.from, d.seq)).collect()
    }

    /// The classic picture: P0 broadcasts m1, P1 delivers it and
    /// broadcasts m2; P2 gets m2 first and holds it until m1 arrives.
    #[test]
    fn a_late_joiner_waits_for_nothing_older_than_its_start() {
        // Member 2 starts where the room is: 3 broadcasts of 0, 1 of 1.
        let mut b: Bss<&str> = Bss::starting_at(2, Mode::Causal, vec![3, 1, 0]);
        assert_eq!(b.receive(0, st(&[2, 0, 0]), "old").arrival, Arrival::Duplicate);
        // 1's second broadcast after 0's fourth: held until that comes.
        assert_eq!(b.receive(1, st(&[4, 2, 0]), "reply").arrival, Arrival::Held);
        let r = b.receive(0, st(&[4, 1, 0]), "new");
        assert_eq!(ids(&r.delivered), [(0, 4), (1, 2)]);
        assert_eq!(b.vector(), &[4, 2, 0]);
        let (stamp, _) = b.broadcast();
        assert_eq!(&stamp[..], &[4, 2, 1]);
    }

    #[test]
    fn holds_back_until_the_predecessor_arrives() {
        let mut p2: Bss<&str> = Bss::new(3, 2, Mode::Causal);
        let r = p2.receive(1, st(&[1, 1, 0]), "m2");
        assert_eq!(r.arrival, Arrival::Held);
        assert!(r.delivered.is_empty());
        assert_eq!(p2.held_len(), 1);
        assert_eq!(p2.gaps(1, &[1, 1, 0]), vec![Gap { from: 0, first: 1, last: 1 }]);
        let r = p2.receive(0, st(&[1, 0, 0]), "m1");
        assert_eq!(r.arrival, Arrival::Delivered);
        assert_eq!(ids(&r.delivered), vec![(0, 1), (1, 1)]);
        assert_eq!(r.delivered[1].payload, "m2");
        assert_eq!(p2.vector(), &[1, 1, 0]);
        assert_eq!(p2.held_len(), 0);
        // Duplicates of either are dropped.
        assert_eq!(p2.receive(0, st(&[1, 0, 0]), "m1").arrival, Arrival::Duplicate);
        assert_eq!(p2.receive(1, st(&[1, 1, 0]), "m2").arrival, Arrival::Duplicate);
        // Own broadcasts count in V and are stamped with it.
        let (s, d) = p2.broadcast();
        assert_eq!(&s[..], &[1, 1, 1]);
        assert!(d.is_empty());
    }

    #[test]
    fn fifo_and_none_ignore_other_entries() {
        let mut f: Bss<u8> = Bss::new(3, 2, Mode::Fifo);
        assert_eq!(f.receive(1, st(&[1, 1, 0]), 0).arrival, Arrival::Delivered);
        // Per-sender order is still kept: seq 3 of 0 waits for 1 and 2.
        assert_eq!(f.receive(0, st(&[3, 0, 0]), 0).arrival, Arrival::Held);
        assert_eq!(f.gaps(0, &[3, 0, 0]), vec![Gap { from: 0, first: 1, last: 2 }]);
        assert!(f.receive(0, st(&[2, 0, 0]), 0).delivered.is_empty());
        assert_eq!(ids(&f.receive(0, st(&[1, 0, 0]), 0).delivered), vec![(0, 1), (0, 2), (0, 3)]);
        let mut x: Bss<u8> = Bss::new(3, 2, Mode::None);
        assert_eq!(x.receive(0, st(&[3, 0, 0]), 0).arrival, Arrival::Delivered);
        assert_eq!(x.vector(), &[0, 0, 0]);
        assert!(x.is_delivered(0, 3) && !x.is_delivered(0, 1));
        assert_eq!(x.receive(0, st(&[3, 0, 0]), 0).arrival, Arrival::Duplicate);
        x.receive(0, st(&[1, 0, 0]), 0);
        assert_eq!(x.vector(), &[1, 0, 0]);
        x.receive(0, st(&[2, 0, 0]), 0);
        assert_eq!(x.vector(), &[3, 0, 0], "the prefix absorbs what was delivered beyond it");
    }

    #[test]
    fn switching_the_mode_releases_what_the_new_rule_allows() {
        let mut b: Bss<u8> = Bss::new(3, 2, Mode::Causal);
        b.receive(1, st(&[1, 1, 0]), 0);
        b.receive(1, st(&[1, 2, 0]), 0);
        assert_eq!(b.held_len(), 2);
        assert!(b.set_mode(Mode::Causal).is_empty());
        assert_eq!(ids(&b.set_mode(Mode::Fifo)), vec![(1, 1), (1, 2)]);
        b.receive(0, st(&[2, 0, 0]), 0);
        assert_eq!(b.held_len(), 1);
        assert_eq!(ids(&b.set_mode(Mode::None)), vec![(0, 2)]);
        assert_eq!(b.receive(0, st(&[1, 0, 0]), 0).arrival, Arrival::Delivered);
        assert_eq!(b.vector(), &[2, 2, 0]);
    }

    #[test]
    fn bad_stamps_are_invalid() {
        let mut b: Bss<u8> = Bss::new(3, 2, Mode::Causal);
        for (from, s) in [(0, st(&[1, 0])), (0, st(&[0, 1, 0])), (2, st(&[0, 0, 1])), (5, st(&[1, 0, 0]))] {
            assert_eq!(b.receive(from, s, 0).arrival, Arrival::Invalid);
        }
        assert_eq!(b.vector(), &[0, 0, 0]);
    }

    #[test]
    fn a_crash_forgets_the_queue_but_not_v() {
        let mut b: Bss<u8> = Bss::new(2, 1, Mode::Causal);
        b.receive(0, st(&[1, 0]), 0);
        b.receive(0, st(&[3, 0]), 0);
        b.clear_held();
        assert_eq!((b.held_len(), b.vector()), (0, &[1, 0][..]));
        assert_eq!(ids(&b.receive(0, st(&[2, 0]), 0).delivered), vec![(0, 2)]);
        assert_eq!(b.receive(0, st(&[3, 0]), 0).arrival, Arrival::Delivered);
    }

    /// The obvious implementation: rescan the whole queue after every
    /// delivery and deliver the earliest-arrived deliverable message.
    struct Naive {
        mode: Mode,
        v: Vec<u32>,
        beyond: BTreeSet<(usize, u32)>,
        held: Vec<(usize, Vec<u32>)>,
    }

    impl Naive {
        fn deliverable(&self, from: usize, w: &[u32]) -> bool {
            let fifo = w[from] == self.v[from] + 1;
            match self.mode {
                Mode::None => true,
                Mode::Fifo => fifo,
                Mode::Causal => fifo && (0..w.len()).all(|k| k == from || w[k] <= self.v[k]),
            }
        }
        fn mark(&mut self, from: usize, seq: u32) {
            if seq == self.v[from] + 1 {
                self.v[from] += 1;
                while self.beyond.remove(&(from, self.v[from] + 1)) {
                    self.v[from] += 1;
                }
            } else {
                self.beyond.insert((from, seq));
            }
        }
        fn drain(&mut self, out: &mut Vec<(usize, u32)>) {
            while let Some(i) = (0..self.held.len()).find(|&i| self.deliverable(self.held[i].0, &self.held[i].1)) {
                let (from, w) = self.held.remove(i);
                self.mark(from, w[from]);
                out.push((from, w[from]));
            }
        }
        fn receive(&mut self, from: usize, w: Vec<u32>) -> Vec<(usize, u32)> {
            let seq = w[from];
            let dup = seq <= self.v[from]
                || self.beyond.contains(&(from, seq))
                || self.held.iter().any(|(f, h)| *f == from && h[from] == seq);
            if dup {
                return Vec::new();
            }
            self.held.push((from, w));
            let mut out = Vec::new();
            self.drain(&mut out);
            out
        }
    }

    /// splitmix64, for a reproducible random test without a dependency.
    fn next(s: &mut u64) -> u64 {
        *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Random causal histories among n senders, delivered to member 0 in a
    /// random order with duplicates and mode switches: the indexed queue
    /// delivers exactly what the naive rescan delivers, in the same order.
    #[test]
    fn agrees_with_a_naive_rescan_on_random_histories() {
        for case in 0..400u64 {
            let mut s = case;
            let n = 2 + (next(&mut s) % 5) as usize;
            // The senders 1..n broadcast with BSS among themselves (all
            // delivered at once), so the stamps are real causal stamps.
            let mut views = vec![vec![0u32; n]; n];
            let mut sent: Vec<(usize, Vec<u32>)> = Vec::new();
            for _ in 0..(5 + next(&mut s) % 40) {
                let j = 1 + (next(&mut s) % (n as u64 - 1)) as usize;
                // j first catches up on a random prefix of what was sent.
                if !sent.is_empty() {
                    let upto = (next(&mut s) % sent.len() as u64) as usize;
                    for (_, w) in &sent[..upto] {
                        for (mine, theirs) in views[j].iter_mut().zip(w) {
                            *mine = (*mine).max(*theirs);
                        }
                    }
                }
                views[j][j] += 1;
                sent.push((j, views[j].clone()));
            }
            let mut order: Vec<usize> = (0..sent.len()).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, (next(&mut s) % (i as u64 + 1)) as usize);
            }
            let mode = Mode::ALL[(next(&mut s) % 3) as usize];
            let mut fast: Bss<usize> = Bss::new(n, 0, mode);
            let mut slow = Naive { mode, v: vec![0; n], beyond: BTreeSet::new(), held: Vec::new() };
            for &i in order.iter().chain(order.iter().take(3)) {
                if next(&mut s).is_multiple_of(10) {
                    let m = Mode::ALL[(next(&mut s) % 3) as usize];
                    let got = ids(&fast.set_mode(m));
                    slow.mode = m;
                    let mut want = Vec::new();
                    slow.drain(&mut want);
                    assert_eq!(got, want, "case {case}: mode switch to {m:?}");
                }
                let (from, w) = &sent[i];
                let got = ids(&fast.receive(*from, st(w), i).delivered);
                let want = slow.receive(*from, w.clone());
                assert_eq!(got, want, "case {case}: receive {from}:{}", w[*from]);
                assert_eq!(fast.vector(), &slow.v[..], "case {case}");
                assert_eq!(fast.held_len(), slow.held.len(), "case {case}");
            }
            if fast.mode() == Mode::Causal {
                // Everything arrived: nothing may stay held.
                let got = ids(&fast.set_mode(Mode::Causal));
                assert!(got.is_empty() && fast.held_len() == 0, "case {case}");
            }
        }
    }
}
