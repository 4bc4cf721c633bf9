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

/// Rows the narration needs at this width (0: none), as the word wrap of
/// the paragraph will lay it out (the layout caps it).
pub fn rows(app: &App, sc: &dyn Scenario, screen_w: u16) -> u16 {
    let text = text(app, sc).map(|(t, _)| format!(" {t}"));
    let s = script_state(app).map(|(s, _)| width(&s) + 3).unwrap_or(0);
    match text {
        None if s == 0 => 0,
        None => 1,
        Some(t) => wrapped_rows(&t, (screen_w as usize).saturating_sub(s).max(1)),
    }
}

/// Lines a greedy word wrap at `w` columns makes of `text`.
fn wrapped_rows(text: &str, w: usize) -> u16 {
    let (mut rows, mut col) = (1u16, 0usize);
    for word in text.split_whitespace() {
        let len = width(word);
        if col > 0 && col + 1 + len > w {
            rows = rows.saturating_add(1);
            col = 0;
        }
        col = if col == 0 { len } else { col + 1 + len };
        while col > w {
            rows = rows.saturating_add(1);
            col -= w;
        }
    }
    rows
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

#[cfg(test)]
mod tests {
    use super::wrapped_rows;

    #[test]
    fn wrap_counts_lines_like_a_greedy_word_wrap() {
        assert_eq!(wrapped_rows("abc def", 7), 1);
        assert_eq!(wrapped_rows("abc def", 6), 2);
        assert_eq!(wrapped_rows("abc defgh ij", 5), 3);
        assert_eq!(wrapped_rows("abcdefghij", 4), 3);
    }
}
