//! The berkeley monitor: follows each round from the engine's history (the
//! true round trip of every accepted reply), checks every adjustment as it
//! lands (`skew-bound`) and each round's sum (`adjust-sum`), keeps the
//! clock chart and makes the headless result.

use super::{ADJUST_SUM, Clock, MAX_DRIFT, Node, SKEW_BOUND, Sum};
use crate::engine::invariant::{Change, Chart, Monitor, Violation, World};
use crate::engine::protocol::{MS, NodeId, Time};
use crate::engine::record::EvKind;
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};

/// At most this many series are charted (every k-th node beyond).
pub const CHART_SERIES: usize = 32;
/// Points kept per series; beyond, every other point is dropped.
pub const CHART_POINTS: usize = 2_000;
/// Recent rounds the monitor follows.
const ROUNDS_KEEP: usize = 8;
/// Slack for floating-point rounding of numbers near 1 s (seconds).
const SLOP: f64 = 1e-9;
/// Roundings that pile up between a clock's reading and the check of its
/// adjustment: the readings (base plus elapsed), the round trip, the
/// estimate, the average's share, the adjustment and its application on
/// either side, the check's own difference — about a dozen, each off by at
/// most half an ulp of a value no larger than twice the largest clock, so
/// about 12·ε·magnitude; 16 leaves a margin. (Random runs at the ends of
/// the range raise false alarms with no allowance for magnitude, and none
/// with 1·ε·magnitude.)
const ROUNDINGS: f64 = 16.0;

/// What f64 rounding can explain in a value computed from clocks, estimates
/// and adjustments of at most `magnitude` seconds: negligible (`SLOP`) for
/// the clocks of a lecture, 3.6 µs at 10⁹ s, 3.6 ms at `MAX_SECONDS` (where
/// one ulp is 0.12 ms).
fn rounding(magnitude: f64) -> f64 {
    SLOP + ROUNDINGS * f64::EPSILON * magnitude.max(1.0)
}

/// What the monitor follows of one round.
#[derive(Clone, Debug)]
struct RoundCheck {
    master: NodeId,
    round: u64,
    /// Change sequence number at the round's start.
    start_seq: u64,
    start_time: Time,
    /// Per node: the true round trip of its accepted reply (seconds) and
    /// the virtual time its reading was taken, from the engine's history.
    answers: Vec<Option<(f64, Time)>>,
    /// The master's clock as it adjusted itself at the end of the round.
    reference: Option<Clock>,
    /// The master's clock did not change between the polls and its own adjustment.
    valid: bool,
    used_count: u32,
    used_applied: u32,
    used_sum: f64,
    /// Each node's adjustment in this round.
    adj: Vec<Option<f64>>,
    /// The largest |value| (s) the round computed with, as far as the
    /// monitor sees: every clock at the round's start, every clock changed
    /// since (before and after), every adjustment. A clock read later
    /// has grown by at most the time since the start, at most 10 % fast.
    magnitude: f64,
    /// Deviation from the master's clock of the nodes checked (the master's is 0).
    dev: (f64, f64),
    /// The two largest per-node error bounds of the nodes checked.
    err: (f64, f64),
}

/// Invariants, the clock chart and the result.
#[derive(Clone)]
pub struct Check {
    n: usize,
    seq: u64,
    /// Change sequence number of each node's latest clock change.
    last_change: Vec<u64>,
    rounds: VecDeque<RoundCheck>,
    completed: u64,
    last_done: Option<(NodeId, u64)>,
    stride: usize,
    series: Vec<Vec<(f64, f64)>>,
}

fn ms(now: Time) -> f64 {
    now as f64 / MS as f64
}

fn round9(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

impl Check {
    pub fn new(clocks: &[Clock]) -> Check {
        let n = clocks.len();
        let stride = n.div_ceil(CHART_SERIES).max(1);
        let series = (0..n).step_by(stride).map(|i| vec![(0.0, clocks[i].offset(0))]).collect();
        Check {
            n,
            seq: 0,
            last_change: vec![0; n],
            rounds: VecDeque::new(),
            completed: 0,
            last_done: None,
            stride,
            series,
        }
    }

    fn point(&mut self, node: NodeId, p: (f64, f64)) {
        if !node.is_multiple_of(self.stride) {
            return;
        }
        let s = &mut self.series[node / self.stride];
        s.push(p);
        if s.len() > CHART_POINTS {
            let last = *s.last().expect("not empty");
            let mut i = 0;
            s.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            if s.last() != Some(&last) {
                s.push(last);
            }
        }
    }

    fn round_mut(&mut self, master: NodeId, round: u64) -> Option<&mut RoundCheck> {
        self.rounds.iter_mut().rev().find(|r| r.master == master && r.round == round)
    }

    fn open_round(&mut self, w: &World<Node>, master: NodeId, round: u64) {
        let now = w.now;
        if self.rounds.len() == ROUNDS_KEEP {
            self.rounds.pop_front();
        }
        let magnitude = w.summaries.iter().map(|s| s.clock.read(now).abs()).fold(0.0, f64::max);
        self.rounds.push_back(RoundCheck {
            master,
            round,
            start_seq: self.seq,
            start_time: now,
            answers: vec![None; self.n],
            reference: None,
            valid: true,
            used_count: 0,
            used_applied: 0,
            used_sum: 0.0,
            adj: vec![None; self.n],
            magnitude,
            dev: (0.0, 0.0),
            err: (0.0, 0.0),
        });
    }

    /// The master accepted a reply: take its true round trip and reading
    /// time from the engine's history (POLL send → REPLY send → receipt).
    fn reply(&mut self, w: &World<Node>, master: NodeId, round: u64) {
        let Some(ev) = w.event else { return };
        let h = w.history;
        let Some(EvKind::Recv { from, send, kind }) = h.get(ev as usize).map(|e| e.kind) else { return };
        if w.kinds.get(kind as usize) != Some(&"REPLY") {
            return;
        }
        let now = w.now;
        let Some(rc) = self.round_mut(master, round) else { return };
        // Fallback when the chain is not what we expect: the whole round so
        // far (a larger, safe bound).
        let mut found = (ms_secs(now - rc.start_time), rc.start_time);
        if let Some(r) = h.get(send as usize)
            && let EvKind::Recv { send: poll, kind: k, .. } = r.kind
            && w.kinds.get(k as usize) == Some(&"POLL")
            && let Some(p) = h.get(poll as usize)
        {
            found = ((now - p.time) as f64 * 1e-6, r.time);
        }
        if let Some(slot) = rc.answers.get_mut(from as usize) {
            *slot = Some(found);
        }
    }
}

fn ms_secs(t: Time) -> f64 {
    t as f64 * 1e-6
}

impl RoundCheck {
    /// What rounding can explain in this round's values at `now`.
    fn rounding(&self, now: Time) -> f64 {
        let grown = ms_secs(now.saturating_sub(self.start_time)) * (1.0 + MAX_DRIFT * 1e-6);
        rounding(self.magnitude + grown)
    }
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        true
    }

    /// The rounds followed and each node's last clock change, with change
    /// numbers relative to now; the chart is left out.
    fn fingerprint(&self, _w: &World<Node>, mut h: &mut dyn Hasher) {
        let changed: Vec<u64> = self.last_change.iter().map(|c| self.seq - c).collect();
        let rounds: Vec<String> = self
            .rounds
            .iter()
            .map(|r| format!("{} {:?}", self.seq - r.start_seq, RoundCheck { start_seq: 0, ..r.clone() }))
            .collect();
        (changed, rounds, self.last_done).hash(&mut h);
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        self.seq += 1;
        let (Change::Summary(x), Some(old)) = (change, old) else { return Vec::new() };
        let new = &w.summaries[x];
        let now = w.now;
        let mut out = Vec::new();
        let prev_change = self.last_change[x];
        if old.clock != new.clock {
            self.last_change[x] = self.seq;
            self.point(x, (ms(now), old.clock.offset(now)));
            self.point(x, (ms(now), new.clock.offset(now)));
            let seen = old.clock.read(now).abs().max(new.clock.read(now).abs());
            for rc in &mut self.rounds {
                rc.magnitude = rc.magnitude.max(seen);
            }
        }
        // A reply the master accepted (possibly the last, which also ends the round).
        if let Some(k) = old.polling {
            self.reply(w, x, k);
        }
        if let Some(k) = new.polling
            && old.polling != Some(k)
        {
            self.open_round(w, x, k);
        }
        let Some((m, k)) = new.applied else { return out };
        if old.applied == new.applied {
            return out;
        }
        let (delta, used) = new.adjust.unwrap_or((0.0, false));
        if m == x && self.round_mut(m, k).is_none() {
            // A round with nobody to poll finishes in the event that starts it.
            self.open_round(w, m, k);
        }
        if m == x {
            self.completed += 1;
            self.last_done = Some((m, k));
        }
        let Some(rc) = self.round_mut(m, k) else { return out };
        rc.adj[x] = Some(delta);
        rc.magnitude = rc.magnitude.max(delta.abs());
        if m == x {
            rc.reference = Some(new.clock);
            rc.valid = prev_change < rc.start_seq;
            rc.used_count = new.used;
        } else if let (true, Some(reference), Some((rtt, t_r))) = (rc.valid, rc.reference, rc.answers[x])
            && prev_change < rc.start_seq
        {
            // Node x's clock, just adjusted, against the master's adjusted
            // clock: the estimate was off by at most RTT/2 (measured on the
            // master's drifting clock), plus what the two clocks drifted
            // apart since the reading; and what rounding explains at the
            // size of these clocks.
            let dev = new.clock.read(now) - reference.read(now);
            let (rho_m, rho_x) = (reference.drift * 1e-6, new.clock.drift * 1e-6);
            let b = (1.0 + rho_m.abs()) * rtt / 2.0 + (rho_x - rho_m).abs() * ms_secs(now - t_r);
            let e = b + rc.rounding(now);
            rc.dev = (rc.dev.0.min(dev), rc.dev.1.max(dev));
            rc.err = if b > rc.err.0 { (b, rc.err.0) } else { (rc.err.0, rc.err.1.max(b)) };
            if dev.abs() > e {
                out.push(w.violation(
                    SKEW_BOUND.name,
                    format!(
                        "after round {k} of master {m}, node {x} is {:+.3} ms from the master's clock; \
                         its round trip of {:.3} ms allows at most ±{:.3} ms",
                        dev * 1e3,
                        rtt * 1e3,
                        e * 1e3
                    ),
                ));
            }
        }
        if used {
            rc.used_sum += delta;
            rc.used_applied += 1;
            if rc.reference.is_some() && rc.used_applied == rc.used_count {
                // Every term carries its own rounding.
                let tol = rc.rounding(now) * rc.used_count.max(1) as f64;
                if rc.used_sum.abs() > tol {
                    out.push(w.violation(
                        ADJUST_SUM.name,
                        format!(
                            "the adjustments of the {} clocks averaged in round {k} of master {m} sum to {:+.9} s, not 0 \
                             (rounding explains ±{tol:.1e} s): the round moved their mean",
                            rc.used_count, rc.used_sum
                        ),
                    ));
                }
            }
        }
        out
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        let now = w.now;
        let last = self.last_done.and_then(|(m, k)| self.rounds.iter().rev().find(|r| r.master == m && r.round == k));
        let adjustments: Vec<Option<f64>> = match last {
            Some(rc) => rc.adj.iter().map(|a| a.map(round9)).collect(),
            None => vec![None; self.n],
        };
        let clocks: Vec<f64> = w.summaries.iter().map(|s| round9(s.clock.read(now))).collect();
        let offsets: Vec<f64> = w.summaries.iter().map(|s| round9(s.clock.offset(now))).collect();
        let live: Vec<f64> = w.live().map(|i| w.summaries[i].clock.read(now)).collect();
        let skew_now =
            live.iter().copied().fold(f64::NEG_INFINITY, f64::max) - live.iter().copied().fold(f64::INFINITY, f64::min);
        serde_json::json!({
            "master": self.last_done.map(|(m, _)| m),
            "rounds": self.completed,
            "adjustments": adjustments,
            "clocks": clocks,
            "offsets": offsets,
            "residual_skew": last.map(|rc| round9(rc.dev.1 - rc.dev.0)),
            "skew_bound": last.map(|rc| round9(rc.err.0 + rc.err.1)),
            "skew_now": if live.is_empty() { None } else { Some(round9(skew_now)) },
        })
    }

    fn status(&self, w: &World<Node>) -> Option<String> {
        let dead = w.live().find_map(|i| w.summaries[i].master.filter(|&m| !w.alive[m]))?;
        Some(format!("master {dead} is down"))
    }

    fn chart(&self, w: &World<Node>) -> Option<Chart> {
        let now = w.now;
        let series = self
            .series
            .iter()
            .enumerate()
            .map(|(j, pts)| {
                let i = j * self.stride;
                let s = &w.summaries[i];
                let mut pts = pts.clone();
                pts.push((ms(now), s.clock.offset(now)));
                let name = if s.master == Some(i) { format!("{i}★") } else { i.to_string() };
                (name, pts)
            })
            .collect();
        let title = if self.stride > 1 {
            format!("clock offsets vs true time · every {}th node", self.stride)
        } else {
            "clock offsets vs true time".to_string()
        };
        Some(Chart { title, y_label: "offset (s)".into(), series })
    }
}
