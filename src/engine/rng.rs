//! The engine's only source of randomness: a seeded ChaCha8 stream derived
//! from `(seed, step, purpose)`, so a draw never depends on how many draws
//! came before it in other parts of the run.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

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

pub struct Draw(ChaCha8Rng);

impl Draw {
    pub fn new(seed: u64, step: u64, purpose: Purpose) -> Draw {
        let key = splitmix(splitmix(seed) ^ splitmix(step.wrapping_mul(4) + purpose as u64));
        Draw(ChaCha8Rng::seed_from_u64(key))
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
            Some(span) => lo + self.0.next_u64() % span,
            None => self.0.next_u64(),
        }
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && ((self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    /// Uniform index below `n` (n > 0).
    pub fn index(&mut self, n: usize) -> usize {
        (self.0.next_u64() % n as u64) as usize
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
}
