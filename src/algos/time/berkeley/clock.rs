//! The physical clock model: every node's clock has its own offset and
//! drift; its reading at virtual time t is `base + (t − t0)·(1 + drift·10⁻⁶)`,
//! and an adjustment moves `base` at the moment it is applied. Nothing but
//! the clock's parameters and the virtual time goes into a reading.

use crate::engine::protocol::{NodeId, Time};
use serde::{Deserialize, Serialize};

/// True time (seconds) at virtual time 0: the seed's clocks (100.3, 102.5…)
/// are readings taken then, so 100.3 is 0.3 s ahead of true time.
pub const TRUE0: f64 = 100.0;

/// The largest drift a clock may have, in ppm (10 %).
pub const MAX_DRIFT: f64 = 100_000.0;

/// True time in seconds at virtual time `now`.
pub fn true_time(now: Time) -> f64 {
    TRUE0 + now as f64 * 1e-6
}

/// A physical clock: read at virtual time t it shows
/// `base + (t − t0)·(1 + drift·10⁻⁶)` seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    /// The reading at `t0`, in seconds.
    pub base: f64,
    /// Virtual time of the last change (µs).
    pub t0: Time,
    /// Drift in parts per million (positive: runs fast).
    pub drift: f64,
}

impl Clock {
    pub fn new(reading: f64, drift: f64) -> Clock {
        Clock { base: reading, t0: 0, drift }
    }
    /// The reading at virtual time `now` (not before `t0`).
    pub fn read(&self, now: Time) -> f64 {
        self.base + now.saturating_sub(self.t0) as f64 * 1e-6 * (1.0 + self.drift * 1e-6)
    }
    /// How far the clock is from true time at `now`, in seconds.
    pub fn offset(&self, now: Time) -> f64 {
        self.read(now) - true_time(now)
    }
    /// Set the reading to `value` at `now` (keeps the drift).
    pub(super) fn set(&mut self, now: Time, value: f64) {
        self.base = value;
        self.t0 = now;
    }
    pub(super) fn set_drift(&mut self, now: Time, ppm: f64) {
        self.base = self.read(now);
        self.t0 = now;
        self.drift = ppm;
    }
}

/// The default clock of node i: a deterministic spread of ±1.5 s around true time.
pub fn default_clock(i: NodeId) -> f64 {
    TRUE0 + ((i * 7 + 3) % 13) as f64 * 0.25 - 1.5
}

/// The default drift of node i: a deterministic spread of ±40 ppm.
pub fn default_drift(i: NodeId) -> f64 {
    ((i * 37 + 11) % 81) as f64 - 40.0
}
