//! The inspector: what the selected node believes (the algorithm's own
//! state) plus its Lamport and vector clock. The rows are fetched after
//! every action (inspection is async) and only drawn here.

use super::theme::{self, width};
use super::view::View;
use crate::engine::protocol::Role;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Greedy word wrap to `w` cells; words longer than a line are split.
pub fn wrap(text: &str, w: usize) -> Vec<String> {
    wrap_from(text, w, w)
}

/// [`wrap`] with a first line of `first` cells (it shares its row with
/// something else) and the others of `w`.
pub fn wrap_from(text: &str, first: usize, w: usize) -> Vec<String> {
    let room = |lines: &[String]| if lines.len() == 1 { first } else { w }.max(1);
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let max = room(&lines);
        let cur = lines.last_mut().expect("never empty");
        let cur_w = width(cur);
        let word_w = width(word);
        if cur_w > 0 && cur_w + 1 + word_w <= max {
            cur.push(' ');
            cur.push_str(word);
        } else if cur_w == 0 && word_w <= max {
            cur.push_str(word);
        } else {
            let mut piece = String::new();
            if cur_w > 0 {
                lines.push(String::new());
            }
            for c in word.chars() {
                if width(&piece) + width(c.encode_utf8(&mut [0; 4])) > room(&lines) {
                    lines.last_mut().expect("never empty").push_str(&piece);
                    lines.push(String::new());
                    piece.clear();
                }
                piece.push(c);
            }
            lines.last_mut().expect("never empty").push_str(&piece);
        }
    }
    lines
}

pub fn render(v: &View, frame: &mut Frame, area: Rect) {
    let sc = v.sc;
    let node = v.inspect_node.min(sc.n().saturating_sub(1));
    let role = sc.role(node);
    let block = theme::block("").title(Line::from(vec![
        theme::title(" node "),
        Span::styled(node.to_string(), Style::new().fg(theme::get().accent).add_modifier(Modifier::BOLD)),
        Span::raw(" "),
        Span::styled(format!("{} {} ", theme::role_symbol(role), sc.card().role_word(role)), theme::role_style(role)),
    ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let label_w = v.inspect.iter().map(|r| width(&r.label)).max().unwrap_or(0).min(16);
    let value_w = (inner.width as usize).saturating_sub(label_w + 1).max(8);
    let rows = inner.height as usize;
    let mut lines: Vec<Line> = Vec::with_capacity(rows);
    if role == Role::Crashed {
        // The rows are what survives the crash (what the node recovers
        // with), not a live node's state.
        let text = format!("{} crashed; recovers with:", theme::role_symbol(role));
        for part in wrap(&text, inner.width as usize).into_iter().take(rows) {
            lines.push(Line::from(Span::styled(part, theme::role_style(role))));
        }
    }
    for r in v.inspect {
        if lines.len() >= rows {
            break;
        }
        for (i, part) in wrap(&r.value, value_w).into_iter().enumerate() {
            let label = if i == 0 { theme::clip(&r.label, label_w) } else { String::new() };
            let pad = label_w.saturating_sub(width(&label));
            lines.push(Line::from(vec![
                Span::styled(format!("{label}{} ", " ".repeat(pad)), Style::new().fg(theme::get().dim)),
                Span::raw(part),
            ]));
            if lines.len() >= rows {
                break;
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::{wrap, wrap_from};

    #[test]
    fn wraps_words_and_splits_long_ones() {
        assert_eq!(wrap("yes (election running)", 14), vec!["yes (election", "running)"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
        assert_eq!(wrap("a bcdefgh", 4), vec!["a", "bcde", "fgh"]);
    }

    #[test]
    fn only_the_first_line_takes_the_first_width() {
        assert_eq!(wrap_from("abc def", 7, 7), vec!["abc def"]);
        assert_eq!(wrap_from("abc def ghi jkl", 4, 12), vec!["abc", "def ghi jkl"]);
        assert_eq!(wrap_from("abc defgh ij", 5, 5), vec!["abc", "defgh", "ij"]);
        // A double space stays as written.
        assert_eq!(wrap_from("ab.  cd ef", 8, 8), vec!["ab.  cd", "ef"]);
        // A word too long for a line is split at the width of each line.
        assert_eq!(wrap_from("abcdefghij", 3, 5), vec!["abc", "defgh", "ij"]);
    }
}
