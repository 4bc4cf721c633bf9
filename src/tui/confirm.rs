//! Questions before an action that loses work (quit, restart, overwrite a
//! trace, open another, go back to a violation, leave for the picker): the
//! status line asks, one key answers.

use super::app::{App, Status};
use super::view::{Confirm, Pending};
use crate::scenario::Scenario;

impl App {
    /// Ask before an action that loses work. The status line shows
    /// `QUESTION — y / any other key cancels`, the key bar offers `y`, play
    /// holds and the mouse is ignored; the next key decides: `y` runs
    /// `action` (see [`App::confirmed`]), any other key cancels and says
    /// so. Nothing changes before the answer.
    ///
    /// To reuse it, add a [`Pending`] variant and its arm in `confirmed`,
    /// then call `self.confirm("leave this run? …", Pending::…)` where the
    /// action would have run. A new question replaces an open one.
    pub fn confirm(&mut self, question: impl Into<String>, action: Pending) {
        let question = question.into();
        self.status = Some(Status::ask(format!("{question} — y / any other key cancels")));
        self.asking = Some(Confirm { question, action });
    }

    /// Any key but `y`: drop the question; nothing changed.
    pub(super) fn cancel_question(&mut self) {
        if let Some(c) = self.asking.take() {
            let what = c.question.split('?').next().unwrap_or_default();
            self.status = Some(Status::info(format!("cancelled: {what} (nothing changed)")));
        }
    }

    /// Run an action the user confirmed.
    pub(super) async fn confirmed(&mut self, action: Pending) {
        match action {
            Pending::Quit => self.quit = true,
            Pending::Restart => self.restart().await,
            Pending::Save(path) => {
                if let Err(e) = self.write_trace(&path) {
                    self.status = Some(Status::error(e));
                }
            }
            Pending::Open { file, scenario } => self.replace_run(file, scenario),
            Pending::Jump(step) => self.go_to_step(step).await,
            Pending::Picker => self.back_to_picker(),
            Pending::Play(path) => self.play_counterexample(path).await,
        }
        self.refresh().await;
    }

    /// `q` / `quit`: at once from the picker or a run with no inputs,
    /// else after a confirmation.
    pub(super) fn request_quit(&mut self) {
        match self.scenario.as_deref().map(|sc| sc.inputs().len()) {
            Some(k) if k > 0 => {
                self.confirm(format!("quit? this run's {k} inputs are lost unless saved (S)"), Pending::Quit)
            }
            _ => self.quit = true,
        }
    }

    /// `R` / `restart`: after a confirmation; a run with no inputs is
    /// already at its start.
    pub(super) fn request_restart(&mut self) {
        let Some(sc) = self.scenario.as_deref() else { return };
        match sc.inputs().len() {
            0 => self.status = Some(Status::info("restart: the run is at its start already (no inputs)")),
            k => self.confirm(format!("restart? this run's {k} inputs are undone"), Pending::Restart),
        }
    }

    /// `open FILE`: replay a trace file (as `distlab replay FILE`) and put
    /// it in place of the run, after a confirmation if the run has inputs.
    /// A file that cannot be read, decoded or replayed is an error and
    /// changes nothing.
    pub(super) async fn open_trace(&mut self, file: &str) -> Result<(), String> {
        if file == "-" {
            return Err("open FILE: standard input cannot be read inside the TUI".into());
        }
        let path = self.save_dir.join(file);
        let trace = crate::files::read_trace(&path.to_string_lossy()).map_err(|e| format!("open: {e}"))?;
        let scenario = crate::replay::replay_scenario(&trace).await.map_err(|e| format!("open {file}: {e}"))?;
        let file = file.to_string();
        match self.scenario.as_deref().map(|sc| sc.inputs().len()) {
            Some(k) if k > 0 => {
                let question = format!("open {file}? it replaces this run and its {k} inputs");
                self.confirm(question, Pending::Open { file, scenario });
            }
            _ => self.replace_run(file, scenario),
        }
        Ok(())
    }

    pub(super) fn replace_run(&mut self, file: String, scenario: Box<dyn Scenario>) {
        let inputs = scenario.inputs().len();
        self.status = Some(Status::command(format!(
            "open {file} ({}, replayed {inputs} inputs to step {})",
            scenario.card().name,
            scenario.step()
        )));
        self.scenario = Some(scenario);
        self.lecture = None;
        self.pending_script = None;
        self.selected = 0;
        self.cursor = 0;
        self.playing = false;
    }
}
