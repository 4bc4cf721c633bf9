//! The app's side of a lecture script: starting one, `n` (next), `b` and
//! `B` (back, back to the previous pause) with the script's position, the
//! node a script `select`s, and the narration's scroll.

use super::app::{App, Lecture, Status};
use super::narration;
use crate::scenario::Scenario;
use crate::script;

impl App {
    /// Run `text` as a lecture script on the open run, up to its first
    /// `pause` (the run keeps its inputs so far).
    pub async fn start_script(&mut self, text: String) {
        self.pending_script = Some(text);
        self.load_script().await;
        self.refresh().await;
    }

    pub(super) async fn load_script(&mut self) {
        let Some(sc) = self.scenario.as_deref() else { return };
        let Some(text) = self.pending_script.take() else { return };
        self.lecture = Some(match script::parse_lecture(&text, sc) {
            Ok(lines) => Lecture::new(lines).animated(self.animate_scripts),
            Err(e) => Lecture::failed(format!("script {e}")),
        });
        self.advance_lecture().await;
    }

    /// Run script lines until a `pause`, an error or the end.
    pub(super) async fn advance_lecture(&mut self) {
        if let (Some(sc), Some(lec)) = (self.scenario.as_mut(), self.lecture.as_mut()) {
            lec.advance(sc.as_mut()).await;
        }
        self.follow_script();
    }

    /// Select the node the script's last `select` line points at (after the
    /// script moved on or back), so the inspector shows what it talks about.
    pub(super) fn follow_script(&mut self) {
        let n = self.scenario.as_deref().map_or(0, |sc| sc.n());
        if let Some(node) = self.lecture.as_ref().and_then(Lecture::selected).filter(|&node| node < n) {
            self.selected = node;
        }
        self.follow_script_panes();
    }

    /// What the narration pane shows of the script, if one runs.
    pub fn script_view<'a>(&'a self, sc: &dyn Scenario) -> Option<super::view::ScriptView<'a>> {
        self.lecture.as_ref().map(|l| l.view(sc.inputs().len()))
    }

    /// Scroll the narration by `delta` rows (clamped to its text).
    pub(super) fn scroll_narration(&mut self, delta: i32) {
        let (Some(sc), Some(lec)) = (self.scenario.as_deref(), self.lecture.as_ref()) else {
            self.status = Some(Status::info("no script is running: there is no narration to scroll"));
            return;
        };
        let (w, h) = self.size;
        let view = lec.view(sc.inputs().len());
        let max = narration::max_scroll(Some(&view), sc, w, h);
        if max == 0 {
            self.status = Some(Status::info("the narration fits: nothing to scroll"));
            return;
        }
        let to = (view.scroll as i32 + delta).clamp(0, max as i32) as u16;
        let len = sc.inputs().len();
        if let Some(lec) = self.lecture.as_mut() {
            lec.set_scroll(to, len);
        }
    }

    pub(super) async fn back(&mut self) -> Result<(), String> {
        let Some(sc) = self.scenario.as_mut() else { return Err("no scenario is open".into()) };
        self.playing = false;
        let (count, last) = (sc.inputs().len(), sc.inputs().last().map(|i| i.to_string()));
        let step = sc.step();
        if let Some(lec) = self.lecture.as_mut() {
            lec.step_back(sc.as_mut()).await?;
        } else {
            sc.step_back().await?;
        }
        let text = match last {
            Some(last) if sc.inputs().len() < count && sc.step() == step => format!("back (undid `{last}`)"),
            _ => format!("back (now at step {})", sc.step()),
        };
        self.status = Some(Status::command(text));
        self.follow_script();
        Ok(())
    }

    /// Back to the previous `pause` of the script: show a section again.
    pub(super) async fn back_to_pause(&mut self) -> Result<(), String> {
        let (Some(sc), Some(lec)) = (self.scenario.as_mut(), self.lecture.as_mut()) else {
            return Err("no script is running (start one with --script FILE)".into());
        };
        let to = lec.previous_pause(sc.as_ref()).ok_or("the script has no earlier pause")?;
        self.playing = false;
        sc.rewind_to(to).await;
        lec.rewound(sc.as_ref());
        let line = lec.next_line().map_or(String::new(), |l| format!(", before line {l}"));
        self.status = Some(Status::command(format!("back pause (step {}{line})", sc.step())));
        self.follow_script();
        Ok(())
    }

    pub(super) async fn next(&mut self) -> Result<(), String> {
        match &self.lecture {
            None => Err("no script is running (start one with --script FILE)".into()),
            Some(l) if l.error.is_some() => Err("the script stopped on an error".into()),
            Some(l) if !l.waiting && !l.animating() => Err("the script is not waiting at a pause".into()),
            Some(_) => {
                self.advance_lecture().await;
                let text = match &self.lecture {
                    Some(l) if l.animating() => "next (the script's run plays: n finishes it)".to_string(),
                    Some(l) if l.waiting => format!("next (paused before line {})", l.next_line().unwrap_or(0)),
                    Some(l) if l.error.is_some() => "next (the script stopped on an error)".to_string(),
                    _ => "next (script finished)".to_string(),
                };
                self.status = Some(Status::command(text));
                Ok(())
            }
        }
    }
}
