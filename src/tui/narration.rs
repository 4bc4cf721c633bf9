//! The narration line: the script's `say` text and, when the script waits
//! at a `pause`, "press n to continue".

use super::app::App;
use super::theme::{self, width};
use crate::scenario::Scenario;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

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

/// Rows the narration needs at this width (0: none).
pub fn rows(app: &App, sc: &dyn Scenario, screen_w: u16) -> u16 {
    let t = text(app, sc).map(|(t, _)| width(&t)).unwrap_or(0);
    let s = script_state(app).map(|(s, _)| width(&s) + 3).unwrap_or(0);

    if t == 0 && s == 0 {
        0
    } else if t + s < screen_w as usize {
        1
    } else {
        2
    }
}

pub fn render(app: &App, sc: &dyn Scenario, frame: &mut Frame, area: Rect) {
    if area.is_empty() {
        return;
    }
    frame.buffer_mut().set_style(area, Style::new().bg(Color::Indexed(235)));
    let state = script_state(app);
    let state_w = state.as_ref().map(|(s, _)| width(s) as u16 + 3).unwrap_or(0).min(area.width);
    let text_area = Rect { width: area.width - state_w, ..area };
    if let Some((t, style)) = text(app, sc) {
        let p = Paragraph::new(Line::from(Span::styled(format!(" {t}"), style))).wrap(Wrap { trim: true });
        frame.render_widget(p, text_area);
    }
    if let Some((s, style)) = state {
        let x = area.right() - state_w + 2;
        frame.buffer_mut().set_stringn(x, area.y, s, state_w.saturating_sub(2) as usize, style);
    }
}
