//! The app's side of the scenario picker: the highlighted scenario, what
//! Enter opens for it (a run with nodes and a variant, or a lecture), and
//! opening it.

use super::app::{App, Status};
use super::keymap::Action;
use super::picker;
use crate::algos;

impl App {
    /// Highlight picker entry `i` (clamped); a new scenario starts from its
    /// defaults.
    pub(super) fn pick(&mut self, i: usize) {
        let i = i.min(algos::all().len().saturating_sub(1));
        if i != self.picker {
            self.choice = picker::Choice::default();
        }
        self.picker = i;
    }

    /// The picker's settings keys: what Enter opens, nodes, variant.
    pub(super) fn choose(&mut self, action: Action) {
        let Some(card) = algos::all().get(self.picker).map(|e| e.card) else { return };
        let c = &mut self.choice;
        let said = match action {
            Action::PickLecturePrev | Action::PickLectureNext => {
                c.cycle(card, action == Action::PickLectureNext);
                Ok(match c.lecture {
                    Some(k) => format!("Enter opens lecture {}", card.scripts[k].file),
                    None => format!("Enter opens a run of {}", card.name),
                })
            }
            Action::PickMoreNodes => c.add_nodes(card, 1),
            Action::PickFewerNodes => c.add_nodes(card, -1),
            _ => c.next_variant(card),
        };
        self.status = Some(match said {
            Ok(text) => Status::command(text),
            Err(why) => Status::info(why),
        });
    }

    /// Enter in the picker: open what is chosen.
    pub(super) async fn open_picked(&mut self) {
        let Some(card) = algos::all().get(self.picker).map(|e| e.card) else { return };
        match self.choice.open(card) {
            Ok((config, script)) => {
                let lecture = self.choice.lecture.map(|k| card.scripts[k].file);
                self.pending_script = script;
                self.open(config).await;
                if let (Some(file), Some(sc)) = (lecture, self.scenario.as_deref()) {
                    let what = match self.lecture.as_ref() {
                        Some(l) if l.waiting => "n goes on to the next pause",
                        _ => "the script runs",
                    };
                    self.status = Some(Status::info(format!("lecture {file} on {} — {what}", sc.card().name)));
                }
            }
            Err(e) => self.status = Some(Status::error(e)),
        }
    }
}
