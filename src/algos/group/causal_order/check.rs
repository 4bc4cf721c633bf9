//! The causal-order monitor: the causal order of posts rebuilt from the
//! engine's record of events (the history event of every post and the
//! deliveries each event reports), never from the stamps the algorithm
//! computes. `all-delivered` judges every live member whatever the faults
//! (the engine makes a loss after a fault the card does not claim a status
//! naming that fault).

use super::{Node, Sum};
use crate::algos::group::bss::{CAUSAL_DELIVERY, NO_DUPLICATE_DELIVERY};
use crate::card::Property;
use crate::engine::invariant::{Change, Monitor, Violation, World};
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

/// At quiescence every live member delivered what any live member did.
pub const ALL_DELIVERED: Property = Property::liveness(
    "all-delivered",
    "when nothing is left to deliver, every live member has delivered every message some live member has \
        delivered (a live member's own posts included)",
);

/// A posted message as the monitor knows it.
#[derive(Clone, Hash)]
struct Posted {
    event: u32,
    /// Its causal past: how many posts of each member precede it (itself
    /// included), rebuilt from the deliveries.
    deps: Vec<u32>,
}

/// The monitor: the causal order of posts rebuilt from the engine's events.
#[derive(Clone)]
pub struct Check {
    n: usize,
    posts: BTreeMap<(u32, u32), Posted>,
    order: Vec<(u32, u32)>,
    posted: Vec<u32>,
    /// Per member: what it has delivered, as a causal vector (own posts
    /// included), the delivered prefix per sender, and beyond the prefix.
    past: Vec<Vec<u32>>,
    prefix: Vec<Vec<u32>>,
    beyond: BTreeSet<(u32, u32, u32)>,
    delivered: Vec<Vec<(u32, u32)>>,
}

impl Check {
    pub fn new(n: usize) -> Self {
        Check {
            n,
            posts: BTreeMap::new(),
            order: Vec::new(),
            posted: vec![0; n],
            past: vec![Vec::new(); n],
            prefix: vec![Vec::new(); n],
            beyond: BTreeSet::new(),
            delivered: vec![Vec::new(); n],
        }
    }

    fn row(v: &mut Vec<u32>, n: usize) -> &mut Vec<u32> {
        if v.is_empty() {
            v.resize(n, 0);
        }
        v
    }

    fn has(&self, x: usize, j: usize, s: u32) -> bool {
        self.prefix[x].get(j).is_some_and(|&p| s <= p) || self.beyond.contains(&(x as u32, j as u32, s))
    }

    fn mark(&mut self, x: usize, j: usize, s: u32) {
        let n = self.n;
        let p = Self::row(&mut self.prefix[x], n);
        if s == p[j] + 1 {
            p[j] += 1;
            while self.beyond.remove(&(x as u32, j as u32, p[j] + 1)) {
                p[j] += 1;
            }
        } else {
            self.beyond.insert((x as u32, j as u32, s));
        }
    }

    /// What the live members have delivered, per author: the longest
    /// delivered prefix, and what lies beyond it (deliveries out of order,
    /// `ordering=none`).
    fn known(&self, w: &World<Node>) -> (Vec<u32>, BTreeSet<(u32, u32)>) {
        let mut best = vec![0u32; self.n];
        for y in w.live() {
            for (b, &p) in best.iter_mut().zip(&self.prefix[y]) {
                *b = (*b).max(p);
            }
        }
        let extra = self
            .beyond
            .iter()
            .filter(|&&(y, j, s)| w.alive[y as usize] && s > best[j as usize])
            .map(|&(_, j, s)| (j, s))
            .collect();
        (best, extra)
    }

    fn missing(&self, x: usize) -> u64 {
        let others = self.order.len() as u64 - self.posted[x] as u64;
        others - self.delivered[x].len() as u64
    }
}

impl Monitor<Node> for Check {
    fn reads_history(&self) -> bool {
        false
    }

    fn fingerprint(&self, _w: &World<Node>, mut h: &mut dyn Hasher) {
        (&self.posts, &self.order, &self.posted, &self.past, &self.prefix, &self.beyond, &self.delivered).hash(&mut h);
    }

    fn on_change(&mut self, w: &World<Node>, change: Change, _old: Option<&Sum>) -> Vec<Violation> {
        let Change::Summary(x) = change else { return Vec::new() };
        let s = &w.summaries[x];
        let n = self.n;
        let mut out = Vec::new();
        let e = w.event.unwrap_or_default();
        while self.posted[x] < s.posted {
            self.posted[x] += 1;
            let seq = self.posted[x];
            let past = Self::row(&mut self.past[x], n);
            past[x] = seq;
            let deps = past.clone();
            self.mark(x, x, seq);
            self.posts.insert((x as u32, seq), Posted { event: e, deps });
            self.order.push((x as u32, seq));
        }
        for &(j, q) in &s.batch {
            let (ju, id) = (j as usize, format!("{j}:{q}"));
            if self.has(x, ju, q) {
                out.push(w.violation(NO_DUPLICATE_DELIVERY.name, format!("member {x} delivered {id} a second time")));
                continue;
            }
            let Some(m) = self.posts.get(&(j, q)) else {
                out.push(w.violation(CAUSAL_DELIVERY.name, format!("member {x} delivered {id}, which nobody posted")));
                continue;
            };
            let prefix = &self.prefix[x];
            let first = (0..n).find_map(|k| {
                let need = if k == ju { q - 1 } else { m.deps[k] };
                let have = prefix.get(k).copied().unwrap_or(0);
                // The first predecessor of k's not delivered here.
                (have < need).then(|| (k, (have + 1..=need).find(|&t| !self.has(x, k, t)).unwrap_or(have + 1)))
            });
            if let Some((k, t)) = first {
                let before = self.posts.get(&(k as u32, t)).map_or(0, |p| p.event);
                out.push(w.violation(
                    CAUSAL_DELIVERY.name,
                    format!(
                        "member {x} delivered {id} (posted at e{}) before {k}:{t} (posted at e{before}), which it depends on",
                        m.event
                    ),
                ));
            }
            let deps = m.deps.clone();
            let past = Self::row(&mut self.past[x], n);
            for (a, b) in past.iter_mut().zip(&deps) {
                *a = (*a).max(*b);
            }
            self.mark(x, ju, q);
            self.delivered[x].push((j, q));
        }
        out
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        let (best, extra) = self.known(w);
        let mut out = Vec::new();
        for x in w.live() {
            let mut lacks = 0u64;
            let mut first = None;
            for (j, &b) in best.iter().enumerate().filter(|&(j, _)| j != x) {
                let have = self.prefix[x].get(j).copied().unwrap_or(0);
                let beyond = extra.range((j as u32, 0)..=(j as u32, u32::MAX)).map(|&(_, s)| s);
                for q in (have + 1..=b).chain(beyond).filter(|&q| !self.has(x, j, q)) {
                    lacks += 1;
                    first = first.or(Some((j, q)));
                }
            }
            let Some((j, q)) = first else { continue };
            let others = if lacks == 1 { "message" } else { "messages" };
            out.push(
                w.violation(
                    ALL_DELIVERED.name,
                    format!("member {x} never delivered {lacks} {others} the others delivered, e.g. {j}:{q}"),
                )
                .about(&[x]),
            );
        }
        out
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        let delivered: Vec<Vec<String>> =
            self.delivered.iter().map(|d| d.iter().map(|(j, q)| format!("{j}:{q}")).collect()).collect();
        let held: Vec<u32> = w.summaries.iter().map(|s| s.held).collect();
        let missing: Vec<u64> = (0..self.n).map(|x| self.missing(x)).collect();
        let ordering: Vec<&str> = w.summaries.iter().map(|s| s.mode.name()).collect();
        serde_json::json!({
            "posts": self.order.len(),
            "delivered": delivered,
            "held": held,
            "missing": missing,
            "ordering": ordering,
        })
    }

    fn status(&self, w: &World<Node>) -> Option<String> {
        let held: u32 = w.summaries.iter().map(|s| s.held).sum();
        (held > 0).then(|| format!("{held} held back"))
    }
}
