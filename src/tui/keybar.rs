//! The key bar (generated from the keymap table) and the status line.

use super::app::{App, StatusKind};
use super::keymap::{self, ACTION_WORD};
use super::theme::{self, width};
use crate::scenario::Scenario;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

/// The (key, word) pairs the bar shows in the current mode.
pub fn items(app: &App, sc: Option<&dyn Scenario>) -> Vec<(String, String)> {
    let fixed = |t: &[(&str, &str)]| t.iter().map(|(k, w)| (k.to_string(), w.to_string())).collect();
    if app.prompt.is_some() {
        return fixed(keymap::PROMPT_KEYS);
    }
    if app.overlay.is_some() {
        return fixed(keymap::HELP_KEYS);
    }
    let Some(sc) = sc else { return fixed(keymap::PICKER_KEYS) };
    let mut out: Vec<(String, String)> = keymap::KEYMAP
        .iter()
        .filter_map(|b| b.bar)
        .map(|(k, w)| (k.to_string(), if w == ACTION_WORD { sc.card().action.to_string() } else { w.to_string() }))
        .collect();
    if app.lecture.as_ref().is_some_and(|l| l.waiting) {
        out.insert(0, ("n".to_string(), "next".to_string()));
    }
    out
}

pub fn render(app: &App, sc: Option<&dyn Scenario>, frame: &mut Frame, area: Rect) {
    let items = items(app, sc);
    frame.buffer_mut().set_style(area, Style::new().bg(Color::Indexed(236)));
    let key = Style::new().fg(Color::Black).bg(theme::ACCENT).add_modifier(Modifier::BOLD);
    let word = Style::new().fg(Color::White).bg(Color::Indexed(236));
    let mut spans = Vec::new();
    let mut used = 0;
    // `? help` and `q quit` are the last items; keep them visible by
    // dropping items from the middle when the bar is too narrow.
    let tail = items.len().saturating_sub(2);
    let tail_w: usize = items[tail..].iter().map(|(k, w)| width(k) + width(w) + 4).sum();
    for (i, (k, w)) in items.iter().enumerate() {
        let item_w = width(k) + width(w) + 4;
        let room = area.width as usize;
        let reserve = if i < tail { tail_w } else { 0 };
        if used + item_w + reserve > room {
            if i < tail {
                continue;
            }
            break;
        }
        used += item_w;
        spans.push(Span::styled(format!(" {k} "), key));
        spans.push(Span::styled(format!(" {w} "), word));
    }
    frame.render_widget(Line::from(spans), area);
}

/// The status line: the last command, or what went wrong.
pub fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let Some(s) = &app.status else { return };

    let (mark, style) = match s.kind {
        StatusKind::Command => ("» ", Style::new().fg(theme::INPUT).add_modifier(Modifier::BOLD)),
        StatusKind::Info => ("· ", Style::new().fg(Color::Gray)),
        StatusKind::Error => ("✗ ", Style::new().fg(theme::BAD).add_modifier(Modifier::BOLD)),
    };
    let text = theme::clip(&format!(" {mark}{}", s.text), area.width as usize);
    frame.render_widget(Span::styled(text, style), area);
}
