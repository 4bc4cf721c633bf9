//! The narration line: the script's `say` text and, when the script waits
//! at a `pause`, "press n to continue".

use super::app::App;
use super::inspector;
use super::theme::{self, clip, width};
use crate::scenario::Scenario;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

/// The right-hand script state and its style.
fn script_state(app: &App) -> Option<(String, Style)> {
    let lec = app.lecture.as_ref()?;
    Some(if lec.error.is_some() {
        ("script stopped".to_string(), Style::new().fg(theme::BAD).add_modifier(Modifier::BOLD))
    } else if lec.waiting {
        let at = lec.next_line().map(|l| format!(" (line {l})")).unwrap_or_default();
        (
            format!("▶ press n to continue{at}"),
            Style::new().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD),
        )
    } else {
        ("script finished".to_string(), Style::new().fg(theme::DIM))
    })
}

/// The text on the left: the script's error, or the narration.
fn text(app: &App, sc: &dyn Scenario) -> Option<(String, Style)> {
    if let Some(e) = app.lecture.as_ref().and_then(|l| l.error.as_deref()) {
        return Some((format!("✗ {e}"), Style::new().fg(theme::BAD)));
    }
    sc.narration().map(|t| (format!("❝ {t} ❞"), Style::new().fg(Color::White).add_modifier(Modifier::ITALIC)))
}

/// Blank cells left of the narration.
const MARGIN: usize = 1;

/// Width of the script state on the first row, with its margins.
fn state_width(app: &App) -> usize {
    script_state(app).map(|(s, _)| width(&s) + 3).unwrap_or(0)
}

/// Cells for the text on the first row (beside the script state) and on
/// the others, each row after the left margin.
fn row_widths(screen_w: usize, state_w: usize) -> (usize, usize) {
    let full = screen_w.saturating_sub(MARGIN);
    (full.saturating_sub(state_w).max(1), full.max(1))
}

/// Rows the narration needs at this width (0: none); the layout caps it.
pub fn rows(app: &App, sc: &dyn Scenario, screen_w: u16) -> u16 {
    match text(app, sc) {
        None if state_width(app) == 0 => 0,
        None => 1,
        Some((t, _)) => {
            let (first, full) = row_widths(screen_w as usize, state_width(app));
            inspector::wrap_from(&t, first, full).len() as u16
        }
    }
}

pub fn render(app: &App, sc: &dyn Scenario, frame: &mut Frame, area: Rect) {
    if area.is_empty() {
        return;
    }
    frame.buffer_mut().set_style(area, Style::new().bg(Color::Indexed(235)));
    let state = script_state(app);
    let state_w = (state_width(app) as u16).min(area.width);
    if let Some((t, style)) = text(app, sc) {
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
