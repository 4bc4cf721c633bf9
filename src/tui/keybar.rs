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
    /// Shown at every width (step, the scenario's action, help, quit);
    /// the others give way first, from the right.
    pub keep: bool,
}

fn item_w(it: &Item) -> usize {
    width(&it.key) + width(&it.word) + 4
}

pub fn render(items: &[Item], frame: &mut Frame, area: Rect) {
    frame.buffer_mut().set_style(area, Style::new().bg(theme::get().panel));
    let key = theme::get().accent_chip();
    let word = Style::new().fg(theme::get().fg).bg(theme::get().panel);
    let room = area.width as usize;
    // The kept items always show; when even they are too wide, the
    // longest word (a scenario's action, "call add 3 4 / toggle
    // semantics") is cut to fit.
    let mut items = items.to_vec();
    let keep_w: usize = items.iter().filter(|it| it.keep).map(item_w).sum();
    if keep_w > room
        && let Some(long) = items.iter_mut().filter(|it| it.keep).max_by_key(|it| width(&it.word))
    {
        let w = width(&long.word).saturating_sub(keep_w - room).max(4);
        long.word = theme::clip(&long.word, w);
    }
    let mut spans = Vec::new();
    let mut used = 0;
    let greyed_key = theme::get().greyed_chip();
    let greyed_word = Style::new().fg(theme::get().greyed_word).bg(theme::get().panel);
    for (i, it) in items.iter().enumerate() {
        let (k, w) = (&it.key, &it.word);
        let reserve: usize = items[i + 1..].iter().filter(|x| x.keep).map(item_w).sum();
        if used + item_w(it) + reserve > room {
            if !it.keep {
                continue;
            }
            if used + item_w(it) > room {
                break;
            }
        }
        used += item_w(it);
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
