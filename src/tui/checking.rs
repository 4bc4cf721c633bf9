//! `:check [DEPTH]`: the model checker from the state on screen, run in
//! slices between frames so the UI stays responsive (the status line
//! counts the states, `Esc` cancels). A violation found is offered as a
//! counterexample to play from here: its inputs are appended to the run,
//! so `b` steps back through it. Otherwise the status line says how many
//! states were covered and whether that was all of them.

use super::app::{App, Status};
pub use super::check_job::Checking;
use super::view::Pending;
use crate::check;
use crate::engine::input::Input;
use crate::script::{self, Line};
use std::time::{Duration, Instant};

pub use crate::check::TUI_MAX_STATES as MAX_STATES;
/// The time one slice may take before the UI draws again.
const SLICE: Duration = Duration::from_millis(30);

impl App {
    /// `:check [DEPTH]`: start a search from the run as it is now.
    /// (The line is read by the script parser, as a script's `check` is.)
    pub(super) async fn start_check(&mut self, line: &str) -> Result<(), String> {
        let Some(sc) = self.scenario.as_deref() else { return Err("no scenario is open".into()) };
        let Some(Line::Check(depth)) = script::parse_command(line, sc)? else {
            return Err(format!("usage: check [DEPTH] (1 to {})", script::CHECK_DEPTH_MAX));
        };
        // The search runs on its own inline copy of this run: every input
        // so far replayed.
        let base = sc.inputs().len();
        let search = check::search_from(sc, depth, MAX_STATES).await?;
        self.set_playing(false);
        self.checking = Some(Checking { search, started: Instant::now(), base, depth });
        self.status = Some(Status::info(format!("checking every order to depth {depth}… Esc cancels")));
        Ok(())
    }

    /// Is a search running (the event loop then gives it slices)?
    pub fn checking(&self) -> bool {
        self.checking.is_some()
    }

    /// Run the search for one slice; when it is over, report or offer.
    pub async fn check_slice(&mut self) {
        let Some(c) = self.checking.as_mut() else { return };
        let until = Instant::now() + SLICE;
        while Instant::now() < until {
            if c.search.run_for(64).is_some() {
                break;
            }
        }
        let s = c.search.stats();
        if !c.search.is_done() {
            self.status = Some(Status::info(format!(
                "checking… {} states, {} distinct, depth {} · Esc cancels",
                s.explored, s.distinct, s.max_depth
            )));
            return;
        }
        let c = self.checking.take().expect("a search is running");
        let secs = c.started.elapsed().as_secs_f64();
        let outcome = c.search.finish().expect("the search is over");
        match outcome.found {
            Some(f) => {
                let path: Vec<Input> = f.run.inputs()[c.base..].to_vec();
                // Short enough for a 60-column screen.
                let question = format!("{} broken in {} steps — play it from here?", f.property, f.length);
                self.confirm(question, Pending::Play(path));
            }
            None => {
                let cover = if outcome.exhausted {
                    "every reachable state".to_string()
                } else if outcome.stats.distinct >= MAX_STATES {
                    format!("the first {MAX_STATES} states")
                } else {
                    format!("every order to depth {}", c.depth)
                };
                self.status = Some(Status::info(format!(
                    "check: no violation in {} states ({cover}, {secs:.1} s)",
                    outcome.stats.distinct
                )));
            }
        }
    }

    /// `Esc` during a search: stop it; nothing changed.
    pub(super) fn cancel_check(&mut self) {
        if let Some(c) = self.checking.take() {
            let s = c.search.stats();
            self.status = Some(Status::info(format!("check cancelled after {} states (nothing changed)", s.distinct)));
        }
    }

    /// Play a counterexample: its inputs appended to the run, one by one.
    pub(super) async fn play_counterexample(&mut self, path: Vec<Input>) {
        let steps = path.len();
        for input in path {
            if let Err(e) = self.apply(input).await {
                self.status = Some(Status::error(format!("the counterexample no longer applies: {e}")));
                return;
            }
        }
        let violation = self.scenario.as_deref().and_then(|sc| sc.violations().last().map(|v| v.property.clone()));
        self.status = Some(Status::command(format!(
            "played the counterexample ({steps} inputs){} · b steps back through it",
            violation.map(|p| format!(": {p} is broken")).unwrap_or_default()
        )));
    }
}
