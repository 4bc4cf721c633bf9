//! The causal-order monitor: the causal order of posts rebuilt from the
//! engine's record of events (the history event of every post and the
//! deliveries each event reports), never from the stamps the algorithm
//! computes; a member is judged by `all-delivered` only if no lost message
//! touched it.

use super::{Node, Sum};
use crate::algos::group::bss::{CAUSAL_DELIVERY, NO_DUPLICATE_DELIVERY};
use crate::card::Property;
use crate::engine::invariant::{Change, Monitor, Violation, World};
use crate::engine::record::EvKind;
use std::collections::{BTreeSet, HashMap};

/// At quiescence every member no loss touched delivered everything.
pub const ALL_DELIVERED: Property = Property::liveness(
    "all-delivered",
    "when nothing is left to deliver, every live member no lost message touched has delivered every message of \
        the others",
);

/// A posted message as the monitor knows it.
struct Posted {
    event: u32,
    /// Its causal past: how many posts of each member precede it (itself
    /// included), rebuilt from the deliveries.
    deps: Vec<u32>,
}

/// The monitor: the causal order of posts rebuilt from the engine's events.
pub struct Check {
    n: usize,
    posts: HashMap<(u32, u32), Posted>,
    order: Vec<(u32, u32)>,
    posted: Vec<u32>,
    /// Per member: what it has delivered, as a causal vector (own posts
    /// included), the delivered prefix per sender, and beyond the prefix.
    past: Vec<Vec<u32>>,
    prefix: Vec<Vec<u32>>,
    beyond: BTreeSet<(u32, u32, u32)>,
    delivered: Vec<Vec<(u32, u32)>>,
    /// Members a lost message touched (not judged by all-delivered).
    touched: Vec<bool>,
    scanned: usize,
    reported: Vec<bool>,
}

impl Check {
    pub fn new(n: usize) -> Self {
        Check {
            n,
            posts: HashMap::new(),
            order: Vec::new(),
            posted: vec![0; n],
            past: vec![Vec::new(); n],
            prefix: vec![Vec::new(); n],
            beyond: BTreeSet::new(),
            delivered: vec![Vec::new(); n],
            touched: vec![false; n],
            scanned: 0,
            reported: vec![false; n],
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

    fn scan_losses(&mut self, w: &World<Node>) {
        for e in &w.history[self.scanned.min(w.history.len())..] {
            if let EvKind::Lost { from, .. } = e.kind {
                self.touched[from as usize] = true;
                self.touched[e.node as usize] = true;
            }
        }
        self.scanned = w.history.len();
    }

    fn missing(&self, x: usize) -> u64 {
        let others = self.order.len() as u64 - self.posted[x] as u64;
        others - self.delivered[x].len() as u64
    }
}

impl Monitor<Node> for Check {
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
        self.scan_losses(w);
        let mut out = Vec::new();
        for x in 0..self.n {
            let missing = self.missing(x);
            if missing == 0 {
                self.reported[x] = false;
                continue;
            }
            if !w.alive[x] || self.touched[x] || self.reported[x] {
                continue;
            }
            self.reported[x] = true;
            let first = self.order.iter().find(|&&(j, q)| j as usize != x && !self.has(x, j as usize, q));
            let what = first.map_or(String::new(), |(j, q)| format!(", e.g. {j}:{q}"));
            out.push(
                w.violation(
                    ALL_DELIVERED.name,
                    format!("member {x} never delivered {missing} of the {} messages of others{what}", {
                        self.order.len() as u64 - self.posted[x] as u64
                    }),
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
        let touched: Vec<usize> = (0..self.n).filter(|&x| self.touched[x]).collect();
        serde_json::json!({
            "posts": self.order.len(),
            "delivered": delivered,
            "held": held,
            "missing": missing,
            "ordering": ordering,
            "unchecked": touched,
        })
    }

    fn status(&self, w: &World<Node>) -> Option<String> {
        let held: u32 = w.summaries.iter().map(|s| s.held).sum();
        (held > 0).then(|| format!("{held} held back"))
    }
}
