//! Expanding one state: every choice applied to a copy of it, judged and
//! fingerprinted. An expansion reads the seen set and never writes it; the
//! search merges its result, in the choices' order.

use super::choices::{Budgets, choices};
use crate::engine::input::Input;
use crate::engine::rng::Draw;
use crate::engine::sim::fingerprint_hasher;
use crate::scenario::Scenario;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// A state waiting to be expanded: a lean fork of the run (no record of
/// its inputs), where it is in the tree of paths, its depth and what of
/// the fault budgets its path left.
pub(super) struct Frame {
    pub sc: Box<dyn Scenario>,
    pub at: u32,
    pub depth: u32,
    pub left: Budgets,
}

/// What one choice at a state led to.
pub(super) enum Step {
    /// A state the search had seen before this expansion.
    Seen,
    /// A state the search had not seen before this expansion (the merge
    /// tells whether an earlier choice of the same state made it too).
    New { sc: Box<dyn Scenario>, key: u64, left: Budgets, input: Input },
    /// The choice broke a property (nothing is tried after it).
    Broken(Input),
}

/// One state's expansion, in the order of its choices.
pub(super) struct Expanded {
    pub at: u32,
    pub depth: u32,
    /// Not expanded: at the depth bound with choices left.
    pub cut: bool,
    pub steps: Vec<Step>,
}

/// The seen set's hasher: its keys are hashes already.
#[derive(Default)]
pub(super) struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub(super) type Seen = HashSet<u64, BuildHasherDefault<Identity>>;

/// How many finished runs the search keeps to copy states into.
const SPARE: usize = 16;

/// Runs the search has finished with (a repeat, an expanded state), to copy
/// the next states into: a copy then allocates nothing once their buffers
/// have grown.
#[derive(Default)]
pub(super) struct Spare(Vec<Box<dyn Scenario>>);

impl Spare {
    /// A lean copy of `sc`, into a finished run if there is one.
    fn copy_of(&mut self, sc: &dyn Scenario) -> Box<dyn Scenario> {
        if let Some(mut into) = self.0.pop()
            && sc.fork_into(into.as_mut())
        {
            return into;
        }
        sc.fork(true).expect("a fork of an inline run forks")
    }

    pub fn recycle(&mut self, sc: Box<dyn Scenario>) {
        if self.0.len() < SPARE {
            self.0.push(sc);
        }
    }
}

/// At a state with nothing pending, judge the "at quiescence" properties
/// as a `run` does: by applying `run`, so that a counterexample's trace
/// ends with it and its replay judges them too.
pub(super) fn settle(sc: &mut dyn Scenario) {
    if sc.in_flight(0).1 == 0 {
        let _ = apply(sc, Input::Run(None));
    }
}

/// Apply `input` to a run of the inline driver, which never waits.
fn apply(sc: &mut dyn Scenario, input: Input) -> Result<(), String> {
    sc.apply_now(input).expect("the search runs the inline driver").map(|_| ())
}

/// Apply `input` as the search does: then settle, unless it broke a
/// property. Whether it broke one; an error changes nothing.
pub(super) fn take(sc: &mut dyn Scenario, input: Input) -> Result<bool, String> {
    let before = sc.violation_count();
    apply(sc, input)?;
    if sc.violation_count() == before {
        settle(sc);
    }
    Ok(sc.violation_count() > before)
}

/// A state's identity in the search: the run's fingerprint and the faults
/// the path may still add.
pub(super) fn key(sc: &dyn Scenario, left: Budgets) -> u64 {
    let mut h = fingerprint_hasher();
    (sc.fingerprint(), left).hash(&mut h);
    h.finish()
}

/// Expand `frame`: its choices (in a seeded shuffled order with `shuffle`),
/// unless it is at the depth bound `depth`.
pub(super) fn expand(
    frame: Frame,
    depth: Option<u32>,
    shuffle: Option<Draw>,
    seen: &Seen,
    spare: &mut Spare,
) -> Expanded {
    let Frame { sc: state, at, depth: d, left } = frame;
    let mut options = choices(state.as_ref(), left);
    let mut out = Expanded { at, depth: d, cut: false, steps: Vec::with_capacity(options.len()) };
    if depth.is_some_and(|bound| d >= bound) {
        out.cut = !options.is_empty();
        spare.recycle(state);
        return out;
    }
    if let Some(mut draw) = shuffle {
        for i in (1..options.len()).rev() {
            options.swap(i, draw.index(i + 1));
        }
    }
    // The last choice takes the state itself: it is not needed after it.
    let last = options.len().saturating_sub(1);
    let mut state = Some(state);
    for (i, input) in options.into_iter().enumerate() {
        let mut sc = match state.take_if(|_| i == last) {
            Some(own) => own,
            None => spare.copy_of(state.as_deref().expect("kept until its last choice")),
        };
        let Ok(broken) = take(sc.as_mut(), input.clone()) else {
            spare.recycle(sc);
            continue;
        };
        if broken {
            spare.recycle(sc);
            out.steps.push(Step::Broken(input));
            break;
        }
        let left = left.after(&input);
        let key = key(sc.as_ref(), left);
        if seen.contains(&key) {
            spare.recycle(sc);
            out.steps.push(Step::Seen);
        } else {
            out.steps.push(Step::New { sc, key, left, input });
        }
    }
    if let Some(state) = state {
        spare.recycle(state);
    }
    out
}
