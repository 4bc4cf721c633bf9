//! A lecture script being run line by line, stopping at each `pause`. Its
//! position is part of the run's state: stepping back restores the line,
//! the narration (the run's own, rebuilt with it) and the pause the class
//! saw, so `n` carries on exactly as it did the first time.

use super::view::ScriptView;
use crate::engine::input::Input;
use crate::engine::sim::RUN_LIMIT;
use crate::scenario::Scenario;

#[derive(Clone, Debug, Default)]
pub struct Lecture {
    /// The parsed lines with their 1-based line numbers.
    pub lines: Vec<(usize, Input)>,
    /// Index of the next line to run.
    pub pos: usize,
    /// Stopped at a `pause` (or rewound into the script): `n` runs on.
    pub waiting: bool,
    /// A parse error (nothing runs) or the error of a line that failed.
    pub error: Option<String>,
    /// Where each line run so far sits in the run's input log (`lines[k]`
    /// is input `applied[k]`): what a rewind keeps of the script.
    applied: Vec<usize>,
    /// The rest of a `step K` or `run` that a step back cut short: `n`
    /// finishes it before the next line.
    resume: Option<Input>,
}

/// A script line that never makes a step.
fn is_silent(input: &Input) -> bool {
    !matches!(
        input,
        Input::Step(_) | Input::Run(_) | Input::Deliver(_) | Input::Verb { .. } | Input::Crash(_) | Input::Recover(_)
    )
}

impl Lecture {
    pub fn new(lines: Vec<(usize, Input)>) -> Self {
        Lecture { lines, ..Lecture::default() }
    }
    pub fn failed(error: String) -> Self {
        Lecture { error: Some(error), ..Lecture::default() }
    }
    /// The same script from its first line.
    pub fn restarted(&mut self) -> Self {
        Lecture::new(std::mem::take(&mut self.lines))
    }
    pub fn finished(&self) -> bool {
        self.error.is_none() && !self.waiting && self.pos >= self.lines.len()
    }
    /// Line number of the line after the pause (for "line 12").
    pub fn next_line(&self) -> Option<usize> {
        let at = if self.resume.is_some() { self.pos.checked_sub(1)? } else { self.pos };
        self.lines.get(at).map(|(l, _)| *l)
    }
    /// What the narration line shows of it.
    pub fn view(&self) -> ScriptView<'_> {
        ScriptView { error: self.error.as_deref(), waiting: self.waiting, next_line: self.next_line() }
    }

    /// Run lines until a `pause`, an error or the end.
    pub async fn advance(&mut self, sc: &mut dyn Scenario) {
        if self.error.is_some() {
            return;
        }
        self.waiting = false;
        if let Some(rest) = self.resume.take()
            && let Err(e) = sc.apply(rest.clone()).await
        {
            self.error = Some(format!("script ({rest}): {e}"));
            return;
        }
        while let Some((line, input)) = self.lines.get(self.pos).cloned() {
            let at = sc.inputs().len();
            self.pos += 1;
            match sc.apply(input.clone()).await {
                Ok(out) => {
                    self.applied.push(at);
                    if out.pause {
                        self.waiting = true;
                        return;
                    }
                }
                Err(e) => {
                    self.error = Some(format!("script line {line} ({input}): {e}"));
                    return;
                }
            }
        }
    }

    /// The script line that is the run's last input, if it is one.
    pub fn last_line(&self, sc: &dyn Scenario) -> Option<&Input> {
        let len = sc.inputs().len();
        self.applied.last().filter(|&&i| i + 1 == len).map(|_| &self.lines[self.applied.len() - 1].1)
    }

    /// Step `sc` back as the class expects of `b` in a lecture: to the step
    /// before, with the script's position, its narration and its pause as
    /// they were on screen at that step. The script's lines that make no
    /// step (`say`, `pause`, `expect`, a setting, a `run` with nothing to
    /// do) go with it; one of the lecturer's own inputs is undone alone.
    pub async fn step_back(&mut self, sc: &mut dyn Scenario) -> Result<(), String> {
        let step = sc.step();
        loop {
            let scripted = self.last_line(sc).is_some();
            sc.step_back().await?;
            self.rewound(sc.inputs());
            if sc.step() < step || !scripted || sc.inputs().is_empty() {
                break;
            }
        }
        // Lines said after that step, up to the pause that showed it.
        while self.last_line(sc).is_some_and(|l| is_silent(l) && !matches!(l, Input::Pause)) {
            sc.step_back().await?;
            self.rewound(sc.inputs());
        }
        Ok(())
    }

    /// Where the run's input log ends just after the last `pause` line
    /// before the present (the start of the section on screen, or of the
    /// one before when the script waits at a pause), if any.
    pub fn previous_pause(&self, sc: &dyn Scenario) -> Option<usize> {
        let len = sc.inputs().len();
        self.applied
            .iter()
            .enumerate()
            .filter(|&(k, &i)| matches!(self.lines[k].1, Input::Pause) && i + 1 < len)
            .map(|(_, &i)| i + 1)
            .next_back()
    }

    /// The run was rewound: keep the script lines still in its input log,
    /// finish a `step`/`run` the rewind cut short, and wait for `n`.
    pub fn rewound(&mut self, inputs: &[Input]) {
        let len = inputs.len();
        let kept = self.applied.partition_point(|&i| i < len);
        self.applied.truncate(kept);
        self.pos = kept;
        self.resume = None;
        self.error = None;
        if let Some(&i) = self.applied.last()
            && i + 1 == len
        {
            self.resume = match (&self.lines[kept - 1].1, &inputs[i]) {
                (Input::Step(k), Input::Step(did)) if did < k => Some(Input::Step(k - did)),
                (Input::Run(max), Input::Step(did)) => {
                    Some(Input::Run(Some(max.unwrap_or(RUN_LIMIT).saturating_sub(*did))))
                }
                _ => None,
            };
        }
        self.waiting = self.resume.is_some() || self.pos < self.lines.len();
    }
}
