//! The engine's only source of randomness: a seeded ChaCha8 stream derived
//! from `(seed, step, purpose)`, so a draw never depends on how many draws
//! came before it in other parts of the run.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::cell::RefCell;

/// What a draw is for; part of the derivation key.
#[derive(Clone, Copy, Debug)]
pub enum Purpose {
    /// Latency, loss and duplication of the messages sent at one step.
    Net = 1,
    /// The random scheduler's choice at one step.
    Schedule = 2,
    /// A node's own random choices (a workload's) in the event it handles
    /// at one step; see [`Draw::for_node`].
    Node = 3,
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How many of a stream's first numbers are remembered, and for how many
/// streams (the latest ones, per thread).
const AHEAD: usize = 4;
const MEMO: usize = 64;

/// A remembered stream: its key and its first numbers.
type Head = Option<(u64, [u64; AHEAD])>;

thread_local! {
    /// The first numbers of recent streams, by key. The model checker
    /// draws the same streams over and over (a stream depends on the step,
    /// and every state at a depth has the same step): seeding ChaCha and
    /// filling its block for one number was 5% of a search. Draws are the
    /// same with or without it.
    static RECENT: RefCell<[Head; MEMO]> = const { RefCell::new([None; MEMO]) };
}

pub struct Draw {
    key: u64,
    head: [u64; AHEAD],
    /// Numbers of `head` used so far.
    used: usize,
    /// The stream past `head`, made when it is needed.
    rest: Option<ChaCha8Rng>,
}

impl Draw {
    pub fn new(seed: u64, step: u64, purpose: Purpose) -> Draw {
        let key = splitmix(splitmix(seed) ^ splitmix(step.wrapping_mul(4) + purpose as u64));
        let slot = (key % MEMO as u64) as usize;
        let known = RECENT.with_borrow(|recent| recent[slot].filter(|(k, _)| *k == key).map(|(_, head)| head));
        if let Some(head) = known {
            return Draw { key, head, used: 0, rest: None };
        }
        let mut rng = ChaCha8Rng::seed_from_u64(key);
        let head = std::array::from_fn(|_| rng.next_u64());
        RECENT.with_borrow_mut(|recent| recent[slot] = Some((key, head)));
        Draw { key, head, used: 0, rest: Some(rng) }
    }
    /// The stream's next number: ChaCha8 seeded with the key, as ever.
    fn next_u64(&mut self) -> u64 {
        if let Some(&n) = self.head.get(self.used) {
            self.used += 1;
            return n;
        }
        let key = self.key;
        let rest = self.rest.get_or_insert_with(|| {
            let mut rng = ChaCha8Rng::seed_from_u64(key);
            (0..AHEAD).for_each(|_| {
                rng.next_u64();
            });
            rng
        });
        rest.next_u64()
    }
    /// The draw of node `node`'s event at `step`. The node is part of the
    /// key: every node's start is at step 0.
    pub fn for_node(seed: u64, step: u64, node: usize) -> Draw {
        Draw::new(seed ^ splitmix(node as u64), step, Purpose::Node)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        // Fix: `hi - lo + 1` overflowed (a panic in debug builds) for the
        // full range 0..=u64::MAX, which a crafted trace's `latency` asks for.
        // Every other range draws exactly as before.
        match (hi - lo).checked_add(1) {
            Some(span) => lo + self.next_u64() % span,
            None => self.next_u64(),
        }
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    /// Uniform index below `n` (n > 0).
    pub fn index(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_depend_on_seed_step_and_purpose_only() {
        let a = Draw::new(7, 3, Purpose::Net).range(0, 1_000_000);
        let b = Draw::new(7, 3, Purpose::Net).range(0, 1_000_000);
        let c = Draw::new(7, 4, Purpose::Net).range(0, 1_000_000);
        let d = Draw::new(7, 3, Purpose::Schedule).range(0, 1_000_000);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn remembered_streams_draw_exactly_what_chacha_draws() {
        for step in 0..300u64 {
            let key = splitmix(splitmix(9) ^ splitmix(step.wrapping_mul(4) + Purpose::Net as u64));
            let mut chacha = ChaCha8Rng::seed_from_u64(key);
            let want: Vec<u64> = (0..10).map(|_| chacha.next_u64()).collect();
            // The first draw of a stream fills the memo, the second reads it;
            // both go past what is remembered.
            for _ in 0..2 {
                let mut d = Draw::new(9, step, Purpose::Net);
                let got: Vec<u64> = (0..10).map(|_| d.next_u64()).collect();
                assert_eq!(got, want, "step {step}");
            }
        }
    }
}
