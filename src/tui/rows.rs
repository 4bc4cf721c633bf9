//! Text rows shared by the help and guide overlays: a heading, and a
//! `name  text` row whose text wraps under itself.

use super::theme::{self, width};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

pub fn heading(text: String) -> Line<'static> {
    Line::from(Span::styled(text, Style::new().fg(theme::get().accent).add_modifier(Modifier::BOLD)))
}

/// Narrowest text column kept beside a prefix (on a tiny screen the text
/// runs past the border rather than become one letter a line).
pub const MIN_TEXT: usize = 12;

/// A row of the overlay: `prefix` (keys, command), then `text` wrapped to
/// the overlay's `cols` and indented under itself on later lines.
pub fn wrapped(prefix: Vec<Span<'static>>, text: &str, cols: usize) -> Vec<Line<'static>> {
    let indent: usize = prefix.iter().map(|s| s.width()).sum();
    let max = cols.saturating_sub(indent).max(MIN_TEXT);
    super::inspector::wrap(text, max)
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let head = if i == 0 { prefix.clone() } else { vec![Span::raw(" ".repeat(indent))] };
            Line::from([head, vec![Span::raw(chunk)]].concat())
        })
        .collect()
}

pub fn key_style() -> Style {
    Style::new().fg(theme::get().warn).add_modifier(Modifier::BOLD)
}

pub fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

pub fn row(a: &str, a_w: usize, b: &str, w: usize) -> Vec<Line<'static>> {
    wrapped(vec![Span::styled(format!("  {} ", pad(a, a_w)), key_style())], b, w)
}

/// A key row: keys, the command it runs, what it does.
pub fn key_row(keys: &str, k_w: usize, command: &str, c_w: usize, help: &str, w: usize) -> Vec<Line<'static>> {
    let prefix = vec![
        Span::styled(format!("  {} ", pad(keys, k_w)), key_style()),
        Span::styled(format!("{}  ", pad(command, c_w)), Style::new().fg(theme::get().accent)),
    ];
    wrapped(prefix, help, w)
}
