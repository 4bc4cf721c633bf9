//! Keys that act on a link or the cursor, and say why when they cannot.

use super::app::{App, CURSOR_MAX, Status};
use crate::engine::input::Input;
use crate::engine::protocol::NodeId;

impl App {
    /// `x`: cut the link from `node` to the next, or heal it if it is cut.
    pub(super) async fn toggle_link(&mut self, node: NodeId) {
        let Some(sc) = self.scenario.as_deref() else { return };
        let n = sc.n();
        if n < 2 {
            self.status = Some(Status::error("cut needs two nodes"));
            return;
        }
        let (a, b) = (node, (node + 1) % n);
        let faults = sc.faults();
        if faults.cut.contains(&(a.min(b), a.max(b))) {
            self.status = Some(match self.apply(Input::HealLink(a, b)).await {
                Ok(()) => Status::command(format!("heal {a} {b} (the link was cut; x cuts it again)")),
                Err(e) => Status::error(e),
            });
        } else if !faults.link_up(a, b) {
            self.status = Some(Status::info(format!("the link {a}–{b} is split by a partition already (H heals it)")));
        } else {
            self.apply_key(Input::Cut(a, b)).await;
        }
    }

    /// `↑` / `↓` in the in-flight list.
    pub(super) fn move_cursor(&mut self, up: bool) {
        let Some(sc) = self.scenario.as_deref() else { return };
        let total = sc.in_flight(0).1;
        let last = total.saturating_sub(1).min(CURSOR_MAX);
        if total == 0 {
            self.status = Some(Status::info("nothing in flight to pick"));
        } else if up && self.cursor == 0 {
            self.status = Some(Status::info("the cursor is on the first in-flight event"));
        } else if !up && self.cursor >= last {
            self.status = Some(Status::info("the cursor is on the last in-flight event shown"));
        } else if up {
            self.cursor -= 1;
        } else {
            self.cursor += 1;
        }
    }
}
