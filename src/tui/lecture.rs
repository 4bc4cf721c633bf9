//! A lecture script being run line by line, stopping at each `pause`. Its
//! position is part of the run's state: stepping back restores the line,
//! the narration (the run's own, rebuilt with it) and the pause the class
//! saw, so `n` carries on exactly as it did the first time.
//!
//! In the TUI a script's `run` is animated: it plays at the play speed, a
//! few steps per tick, so the class sees the messages move; `n` finishes it
//! at once. Each line therefore owns a span of the run's input log (one
//! input, none, or the steps of an animated `run`).

use super::view::ScriptView;
use crate::engine::input::Input;
use crate::engine::protocol::NodeId;
use crate::engine::sim::RUN_LIMIT;
use crate::scenario::Scenario;
use crate::script::Line;

/// The inputs one script line put in the run's input log: `start..end`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

#[derive(Clone, Debug, Default)]
pub struct Lecture {
    /// The parsed lines with their 1-based line numbers.
    pub lines: Vec<(usize, Line)>,
    /// Index of the next line to run.
    pub pos: usize,
    /// Stopped at a `pause` (or rewound into the script): `n` runs on.
    pub waiting: bool,
    /// A parse error (nothing runs) or the error of a line that failed.
    pub error: Option<String>,
    /// Play a `run` line step by step ([`Lecture::tick`]) instead of at once.
    pub animate: bool,
    /// The span of each line run so far (`lines[k]` made `spans[k]`): what
    /// a rewind keeps of the script.
    spans: Vec<Span>,
    /// The rest of a `step K` or `run` that a step back (or a violation)
    /// cut short: `n` finishes it before the next line.
    resume: Option<Input>,
    /// Steps left of the `run` line being animated (its span is the last).
    animating: Option<u64>,
    /// The narration's scroll: rows off the top, and the length of the
    /// input log it was set at (a new input shows the text from its start).
    scroll: (u16, usize),
}

/// A script line that never makes a step.
fn is_silent(line: &Line) -> bool {
    !matches!(
        line,
        Line::Input(
            Input::Step(_)
                | Input::Run(_)
                | Input::Deliver(_)
                | Input::Verb { .. }
                | Input::Crash(_)
                | Input::Recover(_)
        )
    )
}

/// What one animation tick did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tick {
    /// Nothing is being animated.
    Idle,
    /// The run goes on.
    Running,
    /// The run is over; the script went on to its next pause (or end).
    Done,
    /// The run stopped at a new violation; `n` plays on.
    Halted,
}

impl Lecture {
    pub fn new(lines: Vec<(usize, Line)>) -> Self {
        Lecture { lines, ..Lecture::default() }
    }
    /// Play its `run` lines step by step (the TUI) or not (tests).
    pub fn animated(self, on: bool) -> Self {
        Lecture { animate: on, ..self }
    }
    pub fn failed(error: String) -> Self {
        Lecture { error: Some(error), ..Lecture::default() }
    }
    /// The same script from its first line.
    pub fn restarted(&mut self) -> Self {
        Lecture { animate: self.animate, ..Lecture::new(std::mem::take(&mut self.lines)) }
    }
    pub fn finished(&self) -> bool {
        self.error.is_none() && !self.waiting && self.animating.is_none() && self.pos >= self.lines.len()
    }
    /// A `run` line is being played step by step.
    pub fn animating(&self) -> bool {
        self.animating.is_some()
    }
    /// Line number of the line after the pause (for "line 12").
    pub fn next_line(&self) -> Option<usize> {
        let at = if self.resume.is_some() || self.animating.is_some() { self.pos.checked_sub(1)? } else { self.pos };
        self.lines.get(at).map(|(l, _)| *l)
    }
    /// What the narration pane shows of it, with `inputs` in the run's log.
    pub fn view(&self, inputs: usize) -> ScriptView<'_> {
        ScriptView {
            error: self.error.as_deref(),
            waiting: self.waiting,
            next_line: self.next_line(),
            animating: self.animating.is_some(),
            scroll: if self.scroll.1 == inputs { self.scroll.0 } else { 0 },
        }
    }
    /// Scroll the narration to `rows` off the top (the caller clamps it).
    pub fn set_scroll(&mut self, rows: u16, inputs: usize) {
        self.scroll = (rows, inputs);
    }

    /// The rest of the animated `run` line, `left` steps of it at most: a
    /// `run` with no bound stays one (the log reads `run`, not `run 999997`).
    fn rest(&self, left: u64) -> Input {
        match self.pos.checked_sub(1).and_then(|k| self.lines.get(k)) {
            Some((_, Line::Input(Input::Run(None)))) => Input::Run(None),
            _ => Input::Run(Some(left)),
        }
    }

    /// Apply `input` as part of line `self.pos - 1`'s span.
    async fn apply_in_line(
        &mut self,
        sc: &mut dyn Scenario,
        input: Input,
    ) -> Result<crate::engine::record::Outcome, String> {
        let out = sc.apply(input).await;
        if let Some(span) = self.spans.last_mut() {
            span.end = sc.inputs().len();
        }
        out
    }

    /// Run lines until a `pause`, an error, the end, or (animated) a `run`.
    pub async fn advance(&mut self, sc: &mut dyn Scenario) {
        if self.error.is_some() {
            return;
        }
        self.waiting = false;
        // `n` during an animated `run`: the rest of it at once.
        if let Some(left) = self.animating.take()
            && left > 0
            && sc.in_flight(0).1 > 0
            && let Err(e) = self.apply_in_line(sc, self.rest(left)).await
        {
            self.error = Some(format!("script (run): {e}"));
            return;
        }
        if let Some(rest) = self.resume.take() {
            match rest {
                Input::Run(max) if self.animate => {
                    self.animating = Some(max.unwrap_or(RUN_LIMIT));
                    return;
                }
                _ => {
                    if let Err(e) = self.apply_in_line(sc, rest.clone()).await {
                        self.error = Some(format!("script ({rest}): {e}"));
                        return;
                    }
                }
            }
        }
        while let Some((line, input)) = self.lines.get(self.pos).cloned() {
            let at = sc.inputs().len();
            self.pos += 1;
            self.spans.push(Span { start: at, end: at });
            let input = match input {
                // Not an input of the run: the app selects the node.
                Line::Select(_) | Line::Panes { .. } => continue,
                // The search runs here, between two frames (a lecture's
                // setups are small: at most `LINE_MAX_STATES` states).
                Line::Check(depth) => match crate::check::line_input(sc, depth).await {
                    Ok(input) => input,
                    Err(e) => {
                        self.error = Some(format!("script line {line} (check): {e}"));
                        return;
                    }
                },
                Line::Input(Input::Run(max)) if self.animate => {
                    self.animating = Some(max.unwrap_or(RUN_LIMIT));
                    return;
                }
                Line::Input(input) => input,
            };
            match self.apply_in_line(sc, input.clone()).await {
                Ok(out) if out.pause => {
                    self.waiting = true;
                    return;
                }
                Ok(_) => {}
                Err(e) => {
                    self.error = Some(format!("script line {line} ({input}): {e}"));
                    return;
                }
            }
        }
    }

    /// One play tick of an animated `run`: at most `k` steps, stopping at a
    /// new violation when `halt`. When the run is over the script goes on
    /// to its next pause, as it would have without the animation.
    pub async fn tick(&mut self, sc: &mut dyn Scenario, k: u64, halt: bool) -> Tick {
        let Some(left) = self.animating else { return Tick::Idle };
        if left == 0 || sc.in_flight(0).1 == 0 {
            // Over. A `run` that emptied the network ends as the instant
            // one does: with the quiescence checks (liveness) of a `run`.
            self.animating = None;
            if left > 0
                && let Err(e) = self.apply_in_line(sc, self.rest(left)).await
            {
                self.error = Some(format!("script (run): {e}"));
                return Tick::Halted;
            }
            self.advance(sc).await;
            return Tick::Done;
        }
        let step = sc.step();
        let broke = crate::scenario::play_step(sc, k.min(left), halt).await;
        if let Some(span) = self.spans.last_mut() {
            span.end = sc.inputs().len();
        }
        let broke = match broke {
            Ok(broke) => broke,
            Err(e) => {
                self.animating = None;
                self.error = Some(format!("script (run): {e}"));
                return Tick::Halted;
            }
        };
        let left = left.saturating_sub(sc.step() - step);
        if halt && broke {
            self.animating = None;
            if left > 0 && sc.in_flight(0).1 > 0 {
                self.resume = Some(self.rest(left));
            }
            self.waiting = true;
            return Tick::Halted;
        }
        self.animating = Some(left);
        Tick::Running
    }

    /// The node the script's last `select` line so far points at.
    pub fn selected(&self) -> Option<NodeId> {
        self.lines[..self.pos.min(self.lines.len())].iter().rev().find_map(|(_, l)| match l {
            Line::Select(n) => Some(*n),
            _ => None,
        })
    }

    /// The panes the script's `hide` / `show` lines so far leave hidden (a
    /// set of indices into `script::PANES`), or `None` if the script has no
    /// such line at all (then the panes are the lecturer's alone).
    pub fn hidden(&self) -> Option<u8> {
        let mut any = false;
        let mut hidden = 0u8;
        for (k, (_, l)) in self.lines.iter().enumerate() {
            let Line::Panes { show, panes } = l else { continue };
            any = true;
            if k >= self.pos {
                continue;
            }
            for &p in panes {
                if *show { hidden &= !(1 << p) } else { hidden |= 1 << p }
            }
        }
        any.then_some(hidden)
    }

    /// The script line whose span ends the run's input log, if any.
    pub fn last_line(&self, sc: &dyn Scenario) -> Option<&Line> {
        let len = sc.inputs().len();
        let k = self.spans.len().checked_sub(1)?;
        let span = self.spans[k];
        (span.end == len && span.start < span.end).then(|| &self.lines[k].1)
    }

    /// Step `sc` back as the class expects of `b` in a lecture: to the step
    /// before, with the script's position, its narration and its pause as
    /// they were on screen at that step. The script's lines that make no
    /// step (`say`, `pause`, `expect`, a setting, a `run` with nothing to
    /// do) go with it; one of the lecturer's own inputs is undone alone.
    pub async fn step_back(&mut self, sc: &mut dyn Scenario) -> Result<(), String> {
        self.animating = None;
        let step = sc.step();
        loop {
            let scripted = self.last_line(sc).is_some();
            sc.step_back().await?;
            self.rewound(sc);
            if sc.step() < step || !scripted || sc.inputs().is_empty() {
                break;
            }
        }
        // Lines said after that step, up to the pause that showed it.
        while self.last_line(sc).is_some_and(|l| is_silent(l) && !matches!(l, Line::Input(Input::Pause))) {
            sc.step_back().await?;
            self.rewound(sc);
        }
        Ok(())
    }

    /// Where the run's input log ends just after the last `pause` line
    /// before the present (the start of the section on screen, or of the
    /// one before when the script waits at a pause), if any.
    pub fn previous_pause(&self, sc: &dyn Scenario) -> Option<usize> {
        let len = sc.inputs().len();
        self.spans
            .iter()
            .enumerate()
            .filter(|&(k, s)| matches!(self.lines[k].1, Line::Input(Input::Pause)) && s.start < s.end && s.end < len)
            .map(|(_, s)| s.end)
            .next_back()
    }

    /// The run was rewound: keep the script lines still in its input log,
    /// finish a `step`/`run` the rewind cut short, and wait for `n`.
    pub fn rewound(&mut self, sc: &dyn Scenario) {
        let inputs = sc.inputs();
        let len = inputs.len();
        let kept = self.spans.partition_point(|s| s.start < len);
        self.spans.truncate(kept);
        self.pos = kept;
        self.resume = None;
        self.error = None;
        self.animating = None;
        if let Some(span) = self.spans.last_mut() {
            span.end = span.end.min(len);
            let made = &inputs[span.start..span.end];
            // Steps the line's inputs made; a whole `run` is over.
            let did: Option<u64> = made.iter().try_fold(0u64, |acc, i| match i {
                Input::Step(d) => Some(acc + d),
                _ => None,
            });
            self.resume = match (&self.lines[kept - 1].1, did) {
                (Line::Input(Input::Step(k)), Some(did)) if did < *k && !made.is_empty() => Some(Input::Step(k - did)),
                (Line::Input(Input::Run(None)), Some(_)) if sc.in_flight(0).1 > 0 => Some(Input::Run(None)),
                (Line::Input(Input::Run(Some(max))), Some(did)) if sc.in_flight(0).1 > 0 => {
                    let left = max.saturating_sub(did);
                    (left > 0).then_some(Input::Run(Some(left)))
                }
                _ => None,
            };
        }
        self.waiting = self.resume.is_some() || self.pos < self.lines.len();
    }
}
