//! The app's side of the panes a lecture shows: `f` cycles one pane full
//! screen (for the back row), `hide PANE...` / `show PANE...|all` take
//! panes out and back, from the prompt or a script. A script's lines set
//! the panes as they stand at its position, so stepping back (`b`, `B`)
//! restores what the class saw there, as it does the selected node.

use super::app::{App, Status};
use super::layout::{FULL_CYCLE, Pane};

impl App {
    /// `f`: the next pane of the cycle full screen, then the normal layout.
    pub(super) fn cycle_full(&mut self) {
        let at = self.shown.full.and_then(|f| FULL_CYCLE.iter().position(|&p| p == f));
        self.shown.full = match at {
            None => Some(FULL_CYCLE[0]),
            Some(i) => FULL_CYCLE.get(i + 1).copied(),
        };
        self.status = Some(Status::info(match self.shown.full {
            Some(p) => {
                let next = FULL_CYCLE.iter().skip_while(|&&q| q != p).nth(1).map_or("normal layout", |q| q.name());
                format!("full screen: {} · f: {next}", p.name())
            }
            None => "normal layout · f: diagram full screen".to_string(),
        }));
    }

    /// `hide PANE...` (`show` false) or `show PANE...|all` from the prompt.
    pub(super) fn set_panes(&mut self, show: bool, panes: &[usize]) {
        for &i in panes {
            self.shown.set(Pane::ALL[i], show);
        }
        let all = show && panes.len() == Pane::ALL.len();
        if all {
            self.shown.full = None;
        }
        let names: Vec<&str> = panes.iter().map(|&i| Pane::ALL[i].name()).collect();
        let verb = if show { "show" } else { "hide" };
        let what = if all { "all".to_string() } else { names.join(" ") };
        let hidden = self.shown.hidden_names();
        self.status = Some(if hidden.len() >= Pane::ALL.len() - 1 && !hidden.contains(&"narration") {
            Status::info(format!("{verb} {what}: every pane but the narration is hidden (show all brings them back)"))
        } else {
            Status::command(format!("{verb} {what}"))
        });
    }

    /// Set the hidden panes to what the script's `hide` / `show` lines so
    /// far leave hidden, when that changed (after the script moved on or
    /// back); the lecturer's own `hide` / `show` stand until it does.
    pub(super) fn follow_script_panes(&mut self) {
        let want = self.lecture.as_ref().and_then(|l| l.hidden());
        if want != self.script_hidden {
            if let Some(hidden) = want {
                self.shown.hidden = hidden;
            }
            self.script_hidden = want;
        }
    }
}
