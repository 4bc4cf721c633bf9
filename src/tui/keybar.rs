//! The key bar (its items come from the keymap table) and the status line.

use super::theme::{self, width};
use super::view::{Status, StatusKind};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// One item of the key bar: key, word, and whether it can run now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub key: String,
    pub word: String,
    pub available: bool,
}

pub fn render(items: &[Item], frame: &mut Frame, area: Rect) {
    frame.buffer_mut().set_style(area, Style::new().bg(theme::get().panel));
    let key = theme::get().accent_chip();
    let word = Style::new().fg(theme::get().fg).bg(theme::get().panel);
    let mut spans = Vec::new();
    let mut used = 0;
    // `? help` and `q quit` are the last items; keep them visible by
    // dropping items from the middle when the bar is too narrow.
    let tail = items.len().saturating_sub(2);
    let tail_w: usize = items[tail..].iter().map(|it| width(&it.key) + width(&it.word) + 4).sum();
    let greyed_key = theme::get().greyed_chip();
    let greyed_word = Style::new().fg(theme::get().greyed_word).bg(theme::get().panel);
    for (i, it) in items.iter().enumerate() {
        let (k, w) = (&it.key, &it.word);
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
        let (ks, ws) = if it.available { (key, word) } else { (greyed_key, greyed_word) };
        spans.push(Span::styled(format!(" {k} "), ks));
        spans.push(Span::styled(format!(" {w} "), ws));
    }
    frame.render_widget(Line::from(spans), area);
}

/// The status line: the last command, or what went wrong.
pub fn render_status(status: Option<&Status>, frame: &mut Frame, area: Rect) {
    let Some(s) = status else { return };

    let (mark, style) = match s.kind {
        StatusKind::Command => ("» ", Style::new().fg(theme::get().input).add_modifier(Modifier::BOLD)),
        StatusKind::Info => ("· ", Style::new().fg(theme::get().dim)),
        StatusKind::Error => ("✗ ", Style::new().fg(theme::get().bad).add_modifier(Modifier::BOLD)),
        StatusKind::Ask => ("? ", Style::new().fg(theme::get().accent).add_modifier(Modifier::BOLD)),
    };
    let text = theme::clip(&format!(" {mark}{}", s.text), area.width as usize);
    frame.render_widget(Span::styled(text, style), area);
}
