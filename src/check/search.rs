//! The explicit-state search: breadth-first (the default: the first
//! violation found has a shortest counterexample), depth-first, or
//! depth-first in a seeded random order. States are forks of the run
//! itself (the engine's inline driver and the scenario's own monitors),
//! told apart by their fingerprints; nothing of an algorithm is modelled
//! twice.
//!
//! The search works in slices ([`Search::run_for`]) so a caller can show
//! progress or stay responsive between them.

use super::choices::Budgets;
use super::expand::{Expanded, Frame, Seen, Spare, Step, expand, key, settle, take};
use crate::engine::actor::DriverKind;
use crate::engine::input::Input;
use crate::engine::rng::{Draw, Purpose};
use crate::scenario::Scenario;
use std::collections::VecDeque;

/// The most nodes a run the checker explores may have: a state is a copy
/// of the whole run, and the space grows exponentially with the nodes long
/// before this.
pub const MAX_NODES: usize = 64;

/// How the state space is walked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    #[default]
    Bfs,
    Dfs,
    Random,
}

impl Strategy {
    pub const ALL: [Strategy; 3] = [Strategy::Bfs, Strategy::Dfs, Strategy::Random];
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Bfs => "bfs",
            Strategy::Dfs => "dfs",
            Strategy::Random => "random",
        }
    }
    pub fn parse(s: &str) -> Result<Strategy, String> {
        Strategy::ALL
            .into_iter()
            .find(|x| x.name() == s)
            .ok_or_else(|| format!("--strategy {s:?}: expected bfs, dfs or random"))
    }
}

/// The bounds and the faults of a search.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Choices on a path at most (`None`: no bound but `max_states`).
    pub depth: Option<u32>,
    /// Distinct states at most.
    pub max_states: u64,
    pub strategy: Strategy,
    pub budgets: Budgets,
}

/// A broken property and the shortest path to it the search found.
pub struct Found {
    pub property: String,
    pub detail: String,
    /// The step at which it broke (the last of the path, or within the
    /// setup for a run broken before the search began).
    pub step: u64,
    /// Choices from the start state.
    pub length: u32,
    /// The run at the violation: its inputs are the setup's and the path's,
    /// so its trace replays to the violation.
    pub run: Box<dyn Scenario>,
}

/// Counts so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Transitions taken (states generated, repeats included).
    pub explored: u64,
    pub distinct: u64,
    pub max_depth: u32,
}

/// How a search ended.
pub struct Outcome {
    pub stats: Stats,
    pub found: Option<Found>,
    /// Every reachable state within the depth bound was seen (no state
    /// bound hit). With a violation found, false: the search stopped there.
    pub exhausted: bool,
}

pub struct Search {
    opts: Options,
    seed: u64,
    /// The start state, in full: a counterexample is its path replayed on
    /// a copy of it, so that its trace holds the setup's inputs and the
    /// path's.
    start: Box<dyn Scenario>,
    /// The tree of paths: for every state put in the frontier, its parent's
    /// index and the choice that led to it (index 0 is the start).
    tree: Vec<(u32, Input)>,
    frontier: VecDeque<Frame>,
    /// Runs the search has finished with, to copy states into.
    spare: Spare,
    seen: Seen,
    stats: Stats,
    /// A state was not expanded because of the depth or state bound.
    cut_off: bool,
    done: Option<Outcome>,
}

impl Search {
    /// A search from `start` (a run with the inline driver, its setup
    /// applied). A run that is already broken is its own counterexample.
    pub fn new(start: Box<dyn Scenario>, opts: Options) -> Result<Search, String> {
        if start.n() > MAX_NODES {
            return Err(format!(
                "check explores small runs: at most {MAX_NODES} nodes (this one has {}); every state is a copy of the run",
                start.n()
            ));
        }
        if start.sim_config().driver != DriverKind::Inline {
            return Err("the checker needs the inline driver".into());
        }
        let seed = start.config().sim.seed;
        let mut start = start;
        if start.violation_count() == 0 {
            settle(start.as_mut());
        }
        let root = start.fork(true).expect("a fork of an inline run forks");
        let broken = start.violations().first().cloned();
        let mut s = Search {
            opts,
            seed,
            start,
            tree: vec![(0, Input::Run(None))],
            frontier: VecDeque::new(),
            spare: Spare::default(),
            seen: Seen::default(),
            stats: Stats::default(),
            cut_off: false,
            done: None,
        };
        s.seen.insert(key(root.as_ref(), opts.budgets));
        s.stats.distinct = 1;
        if let Some(v) = broken {
            let run = s.start.fork(false).expect("a fork of an inline run forks");
            let found = Found { property: v.property, detail: v.detail, step: v.step, length: 0, run };
            s.done = Some(Outcome { stats: s.stats, found: Some(found), exhausted: false });
        } else {
            s.frontier.push_back(Frame { sc: root, at: 0, depth: 0, left: opts.budgets });
        }
        Ok(s)
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Expand up to `expansions` states; the outcome once the search is over.
    pub fn run_for(&mut self, expansions: usize) -> Option<&Outcome> {
        for _ in 0..expansions {
            if self.done.is_some() {
                break;
            }
            let Some(frame) = self.next_frame() else {
                self.exhausted();
                break;
            };
            // The frontier's next states are cold: ask for the one after
            // next, and for what the next one points to.
            self.peek_frame(1).inspect(|f| f.sc.prefetch(false));
            self.peek_frame(0).inspect(|f| f.sc.prefetch(true));
            // A seeded shuffle: the same command walks the same way.
            let shuffle = (self.opts.strategy == Strategy::Random)
                .then(|| Draw::new(self.seed, self.stats.explored, Purpose::Schedule));
            let e = expand(frame, self.opts.depth, shuffle, &self.seen, &mut self.spare);
            self.merge(e);
        }
        self.done.as_ref()
    }

    fn exhausted(&mut self) {
        self.done = Some(Outcome { stats: self.stats, found: None, exhausted: !self.cut_off });
    }

    /// Take in one state's expansion, in its choices' order: count, keep
    /// the new states, stop at a violation or the state bound.
    fn merge(&mut self, e: Expanded) {
        if e.cut {
            self.cut_off = true;
        }
        let depth = e.depth + 1;
        let mut children = Vec::new();
        for step in e.steps {
            self.stats.explored += 1;
            match step {
                Step::Seen => {}
                Step::Broken(input) => {
                    self.stats.max_depth = self.stats.max_depth.max(depth);
                    let found = self.counterexample(e.at, input, depth);
                    self.done = Some(Outcome { stats: self.stats, found: Some(found), exhausted: false });
                    return;
                }
                Step::New { sc, key, left, input } => {
                    if !self.seen.insert(key) {
                        self.spare.recycle(sc);
                        continue;
                    }
                    self.stats.distinct += 1;
                    self.stats.max_depth = self.stats.max_depth.max(depth);
                    if self.stats.distinct >= self.opts.max_states {
                        self.cut_off = true;
                        self.done = Some(Outcome { stats: self.stats, found: None, exhausted: false });
                        return;
                    }
                    let at = u32::try_from(self.tree.len()).expect("fewer states than MAX_STATES");
                    self.tree.push((e.at, input));
                    children.push(Frame { sc, at, depth, left });
                }
            }
        }
        // Depth-first takes the first choice first.
        if self.opts.strategy != Strategy::Bfs {
            children.reverse();
        }
        self.frontier.extend(children);
    }

    /// Is the search over?
    pub fn is_done(&self) -> bool {
        self.done.is_some()
    }

    /// Take the outcome (after [`Search::run_for`] returned it).
    pub fn finish(self) -> Option<Outcome> {
        self.done
    }

    /// Search to the end, without a break: the outcome.
    pub fn run_to_end(mut self) -> Outcome {
        while self.run_for(1_000).is_none() {}
        self.done.expect("the search is over")
    }

    /// The frame `next_frame` gives after `k` more.
    fn peek_frame(&self, k: usize) -> Option<&Frame> {
        match self.opts.strategy {
            Strategy::Bfs => self.frontier.get(k),
            Strategy::Dfs | Strategy::Random => {
                self.frontier.len().checked_sub(k + 1).and_then(|i| self.frontier.get(i))
            }
        }
    }

    fn next_frame(&mut self) -> Option<Frame> {
        match self.opts.strategy {
            Strategy::Bfs => self.frontier.pop_front(),
            Strategy::Dfs | Strategy::Random => self.frontier.pop_back(),
        }
    }

    /// The violation reached by `last` from the state at `at` in the tree:
    /// the path replayed on a full copy of the start (the search's states
    /// keep no record of their inputs), as the search applied it.
    fn counterexample(&self, at: u32, last: Input, length: u32) -> Found {
        let mut path = vec![last];
        let mut i = at as usize;
        while i != 0 {
            let (parent, input) = &self.tree[i];
            path.push(input.clone());
            i = *parent as usize;
        }
        let mut run = self.start.fork(false).expect("a fork of an inline run forks");
        let mut before = 0;
        for input in path.into_iter().rev() {
            before = run.violation_count();
            take(run.as_mut(), input).expect("a path the search took replays");
        }
        // The first property the last step broke.
        let v = run.violations().get(before as usize).or(run.violations().last()).cloned();
        let v = v.expect("the replayed path breaks what the search saw broken");
        Found { property: v.property, detail: v.detail, step: v.step, length, run }
    }
}
