//! Going somewhere else in time or place: the violations overlay and its
//! jump back to a violation's step, and `Esc` back to the picker. Each asks
//! first when it would undo the run's inputs.

use super::app::{App, Pending, Status};
use super::view::{Overlay, OverlayKind};
use super::violations;
use crate::algos;

impl App {
    /// `w` or a click on the badge: every violation and status in full.
    pub fn open_why(&mut self) {
        if self.scenario.is_some() {
            self.overlay = Some(Overlay { kind: OverlayKind::Violations, scroll: 0 });
        }
    }

    /// `Enter` in the violations list: back to the chosen violation's step,
    /// after a confirmation when later steps would be undone.
    pub(super) fn jump(&mut self) {
        let Some(Overlay { kind: OverlayKind::Violations, scroll }) = self.overlay else {
            self.status = Some(Status::info("Enter goes to a violation's step in the violations list (w)"));
            return;
        };
        let Some(sc) = self.scenario.as_deref() else { return };
        let Some(&step) = violations::steps(sc).get(scroll as usize) else {
            self.status = Some(Status::info("no violation to go to"));
            return;
        };
        match sc.step().checked_sub(step) {
            Some(0) | None => {
                self.overlay = None;
                self.status = Some(Status::info(format!("the run is at step {step}, where it broke")));
            }
            Some(later) => {
                // The question is in the status line, which the overlay covers.
                self.overlay = None;
                self.confirm(format!("go back to step {step}? {later} later steps are undone"), Pending::Jump(step));
            }
        }
    }

    /// Rewind to `step` (confirmed): the diagram, the inspector and any
    /// script as they were then.
    pub(super) async fn go_to_step(&mut self, step: u64) {
        let Some(sc) = self.scenario.as_mut() else { return };
        self.playing = false;
        sc.rewind_to_step(step).await;
        if let Some(lec) = self.lecture.as_mut() {
            lec.rewound(sc.as_ref());
        }
        self.overlay = None;
        self.status = Some(Status::command(format!("back to step {} (where it broke)", sc.step())));
    }

    /// `Esc` in a run: back to the picker, after a confirmation if the run
    /// has inputs.
    pub(super) fn request_picker(&mut self) {
        match self.scenario.as_deref().map(|sc| sc.inputs().len()) {
            Some(k) if k > 0 => self.confirm(
                format!("back to the picker? this run's {k} inputs are lost unless saved (S)"),
                Pending::Picker,
            ),
            Some(_) => self.back_to_picker(),
            None => {}
        }
    }

    /// Close the run and show the picker with its scenario highlighted.
    pub(super) fn back_to_picker(&mut self) {
        let Some(sc) = self.scenario.take() else { return };
        let name = sc.card().name;
        if let Some(i) = algos::all().iter().position(|e| e.card.name == name) {
            self.picker = i;
        }
        self.lecture = None;
        self.playing = false;
        self.overlay = None;
        self.selected = 0;
        self.cursor = 0;
        self.status = Some(Status::info(format!("closed {name} — Enter opens it again, ↑↓ another")));
    }
}
