//! The narration line: the script's `say` text and, when the script waits
//! at a `pause`, "press n to continue".

use super::inspector;
use super::theme::{self, clip, width};
use super::view::{ScriptView, View};
use crate::scenario::Scenario;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

/// The right-hand script state and its style.
fn script_state(script: Option<&ScriptView>) -> Option<(String, Style)> {
    let lec = script?;
    Some(if lec.error.is_some() {
        ("script stopped".to_string(), Style::new().fg(theme::BAD).add_modifier(Modifier::BOLD))
    } else if lec.waiting {
        let at = lec.next_line.map(|l| format!(" (line {l})")).unwrap_or_default();
        (
            format!("▶ press n to continue{at}"),
            Style::new().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD),
        )
    } else {
        ("script finished".to_string(), Style::new().fg(theme::DIM))
    })
}

/// The text on the left: the script's error, or the narration.
fn text(script: Option<&ScriptView>, narration: Option<&str>) -> Option<(String, Style)> {
    if let Some(e) = script.and_then(|l| l.error) {
        return Some((format!("✗ {e}"), Style::new().fg(theme::BAD)));
    }
    narration.map(|t| (format!("❝ {t} ❞"), Style::new().fg(Color::White).add_modifier(Modifier::ITALIC)))
}

/// Blank cells left of the narration.
const MARGIN: usize = 1;

/// Width of the script state on the first row, with its margins.
fn state_width(script: Option<&ScriptView>) -> usize {
    script_state(script).map(|(s, _)| width(&s) + 3).unwrap_or(0)
}

/// Cells for the text on the first row (beside the script state) and on
/// the others, each row after the left margin.
fn row_widths(screen_w: usize, state_w: usize) -> (usize, usize) {
    let full = screen_w.saturating_sub(MARGIN);
    (full.saturating_sub(state_w).max(1), full.max(1))
}

/// Rows the narration needs at this width (0: none); the layout caps it.
pub fn rows(script: Option<&ScriptView>, sc: &dyn Scenario, screen_w: u16) -> u16 {
    match text(script, sc.narration()) {
        None if state_width(script) == 0 => 0,
        None => 1,
        Some((t, _)) => {
            let (first, full) = row_widths(screen_w as usize, state_width(script));
            inspector::wrap_from(&t, first, full).len() as u16
        }
    }
}

pub fn render(v: &View, frame: &mut Frame, area: Rect) {
    let script = v.script.as_ref();
    if area.is_empty() {
        return;
    }
    frame.buffer_mut().set_style(area, Style::new().bg(Color::Indexed(235)));
    let state = script_state(script);
    let state_w = (state_width(script) as u16).min(area.width);
    if let Some((t, style)) = text(script, v.sc.narration()) {
        let (first, full) = row_widths(area.width as usize, state_w as usize);
        let mut lines = inspector::wrap_from(&t, first, full);
        let shown = area.height as usize;
        if lines.len() > shown {
            // Cut: say so on the last row that fits.
            lines.truncate(shown);
            let last = lines.last_mut().expect("the area has a row");
            *last = clip(&format!("{last} …"), if shown == 1 { first } else { full });
        }
        for (i, line) in lines.iter().enumerate() {
            let room = if i == 0 { first } else { full };
            frame.buffer_mut().set_stringn(area.x + MARGIN as u16, area.y + i as u16, line, room, style);
        }
    }
    if let Some((s, style)) = state {
        let x = area.right() - state_w + 2;
        frame.buffer_mut().set_stringn(x, area.y, s, state_w.saturating_sub(2) as usize, style);
    }
}
