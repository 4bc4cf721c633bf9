//! Scrolling the log (`[` `]`) and the inspector (`{` `}`), by key and by
//! the mouse wheel over them. A key moves a page less one row (a row stays
//! in view); the wheel moves a few rows. At either end the status line
//! says so and nothing changes.

use super::app::App;
use super::keymap::Action;
use super::layout::Panes;
use super::view::Status;
use super::{inspector, log};
use crossterm::event::MouseEventKind;
use ratatui::layout::{Position, Rect};

/// Rows one turn of the mouse wheel scrolls.
pub const WHEEL_ROWS: usize = 3;

impl App {
    /// After an action: a new step, command or step back makes the log
    /// follow the present again; another node starts the inspector at its top.
    pub(super) fn follow_scrolls(&mut self) {
        if let Some(sc) = self.scenario.as_deref() {
            let at = (sc.step(), sc.inputs().len());
            if at != self.scroll.log_at {
                self.scroll.log = 0;
                self.scroll.log_at = at;
            }
        }
        if self.inspect_node != self.selected {
            self.scroll.inspector = 0;
        }
    }

    /// `[` `]` `{` `}`: a page less one row.
    pub(super) fn scroll_key(&mut self, action: Action) {
        let Some(p) = self.panes() else { return };
        let page = |area: Rect| (super::theme::block("").inner(area).height as usize).saturating_sub(1).max(1);
        match action {
            Action::LogOlder => self.scroll_log(page(p.log) as i64, &p),
            Action::LogNewer => self.scroll_log(-(page(p.log) as i64), &p),
            Action::InspectorUp => self.scroll_inspector(-(page(p.inspector) as i64), &p),
            Action::InspectorDown => self.scroll_inspector(page(p.inspector) as i64, &p),
            _ => {}
        }
    }

    /// The mouse wheel over the log or the inspector; false elsewhere.
    pub(super) fn scroll_wheel(&mut self, p: &Panes, kind: MouseEventKind, pos: Position) -> bool {
        let rows = if kind == MouseEventKind::ScrollUp { -(WHEEL_ROWS as i64) } else { WHEEL_ROWS as i64 };
        if p.log.contains(pos) {
            // The wheel up shows older lines, as in any text view.
            self.scroll_log(-rows, p);
        } else if p.inspector.contains(pos) {
            self.scroll_inspector(rows, p);
        } else {
            return false;
        }
        true
    }

    /// Move the log `rows` further back (negative: towards the present).
    fn scroll_log(&mut self, rows: i64, p: &Panes) {
        let Some(sc) = self.scenario.as_deref() else { return };
        let inner = log::inner(p.log);
        let (cols, height) = (inner.width as usize, inner.height as usize);
        let from = self.scroll.log;
        let want = if rows < 0 { from.saturating_sub(rows.unsigned_abs() as usize) } else { from + rows as usize };
        let w = log::window(sc.log(), cols, height, want);
        self.scroll.log_at = (sc.step(), sc.inputs().len());
        self.scroll.log = w.back;
        self.status = Some(if w.back == from {
            match rows < 0 {
                true => Status::info("log: already following the present ([ scrolls back)"),
                false if sc.log().len() >= crate::engine::sim::LOG_KEEP => Status::info(format!(
                    "log: this is its oldest line (the last {} are kept)",
                    crate::engine::sim::LOG_KEEP
                )),
                false => Status::info("log: this is its first line"),
            }
        } else if w.back == 0 {
            Status::info("log: following the present")
        } else {
            Status::info(format!("log: {} rows back · ] newer · a new step follows the present", w.back))
        });
    }

    /// Move the inspector `rows` down (negative: up).
    fn scroll_inspector(&mut self, rows: i64, p: &Panes) {
        let Some(sc) = self.scenario.as_deref() else { return };
        let inner = super::theme::block("").inner(p.inspector);
        let role = sc.role(self.inspect_node.min(sc.n().saturating_sub(1)));
        let total = inspector::lines(&self.inspect, role, inner.width as usize).len();
        let max = total.saturating_sub(inner.height as usize);
        let from = self.scroll.inspector.min(max);
        let to =
            if rows < 0 { from.saturating_sub(rows.unsigned_abs() as usize) } else { (from + rows as usize).min(max) };
        self.scroll.inspector = to;
        if to == from {
            self.status = Some(Status::info(match (max, rows < 0) {
                (0, _) => "inspector: every row is shown",
                (_, true) => "inspector: at its top (} scrolls down)",
                (_, false) => "inspector: at its end ({ scrolls up)",
            }));
        }
    }
}
