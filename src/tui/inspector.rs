//! The inspector: what the selected node believes (the algorithm's own
//! state) plus its Lamport and vector clock. The rows are fetched after
//! every action (inspection is async) and only drawn here.

use super::grid;
use super::theme::{self, width};
use super::view::View;
use crate::engine::protocol::{Role, Row};
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

/// The inspector's rows, all of them, in a pane `cols` wide: a label
/// column as wide as the widest label (up to half the pane;
/// longer labels wrap in it), the values wrapped beside it, and runs of
/// table rows (cells split by tabs, see [`crate::engine::protocol::Row::table`])
/// aligned as a table.
pub fn lines(rows: &[Row], role: Role, cols: usize) -> Vec<Line<'static>> {
    let cap = (cols / 2).max(6);
    let label_w = rows.iter().filter(|r| !r.value.contains('\t')).map(|r| width(&r.label)).max().unwrap_or(0).min(cap);
    let value_w = cols.saturating_sub(label_w + 1).max(8);
    let dim = Style::new().fg(theme::get().dim);
    let mut lines: Vec<Line> = Vec::new();
    if role == Role::Crashed {
        // The rows are what survives the crash (what the node recovers
        // with), not a live node's state.
        let text = format!("{} crashed; recovers with:", theme::role_symbol(role));
        for part in wrap(&text, cols) {
            lines.push(Line::from(Span::styled(part, theme::role_style(role))));
        }
    }
    let mut i = 0;
    while i < rows.len() {
        if rows[i].value.contains('\t') {
            let end = rows[i..].iter().position(|r| !r.value.contains('\t')).map_or(rows.len(), |k| i + k);
            lines.extend(grid::lines(&rows[i..end], cols));
            i = end;
            continue;
        }
        let r = &rows[i];
        let labels = wrap(&r.label, label_w.max(1));
        let values = wrap(&r.value, value_w);
        for k in 0..labels.len().max(values.len()) {
            let label = labels.get(k).map_or(String::new(), |l| theme::clip(l, label_w));
            let pad = label_w.saturating_sub(width(&label));
            lines.push(Line::from(vec![
                Span::styled(format!("{label}{} ", " ".repeat(pad)), dim),
                Span::raw(values.get(k).cloned().unwrap_or_default()),
            ]));
        }
        i += 1;
    }
    lines
}

/// Where the inspector's rows are scrolled to: the first row shown
/// (clamped so the pane is full), and the rows hidden above and below.
pub fn visible(total: usize, height: usize, scroll: usize) -> (usize, usize, usize) {
    let start = scroll.min(total.saturating_sub(height));
    let end = (start + height).min(total);
    (start, start, total - end)
}

/// The mark on the bottom border when rows are hidden (`▼ 5 more · }`).
pub fn mark(above: usize, below: usize) -> Option<String> {
    match (above, below) {
        (0, 0) => None,
        (0, b) => Some(format!(" ▼ {b} more · }} ")),
        (a, 0) => Some(format!(" ▲ {a} above · {{ ")),
        (a, b) => Some(format!(" ▲ {a} · ▼ {b} more · {{ }} ")),
    }
}

pub fn render(v: &View, frame: &mut Frame, area: Rect) {
    let sc = v.sc;
    let node = v.inspect_node.min(sc.n().saturating_sub(1));
    let role = sc.role(node);
    let accent = Style::new().fg(theme::get().accent).add_modifier(Modifier::BOLD);
    let title = match v.event {
        // A clicked event's details (the diagram highlights it).
        Some(e) => {
            let mut rest = format!(" at node {node} · Esc: the node ");
            if theme::width(&rest) + 9 + e.to_string().len() > area.width.saturating_sub(2) as usize {
                rest = format!(" at node {node} ");
            }
            Line::from(vec![
                theme::title(" event "),
                Span::styled(format!("e{e}"), accent),
                Span::styled(rest, Style::new().fg(theme::get().dim)),
            ])
        }
        None => Line::from(vec![
            theme::title(" node "),
            Span::styled(node.to_string(), accent),
            Span::raw(" "),
            Span::styled(
                format!("{} {} ", theme::role_symbol(role), sc.card().role_word(role)),
                theme::role_style(role),
            ),
        ]),
    };
    let mut block = theme::block("").title(title);
    let inner = block.inner(area);
    if inner.is_empty() {
        frame.render_widget(block, area);
        return;
    }
    let all = lines(v.inspect, role, inner.width as usize);
    let (start, above, below) = visible(all.len(), inner.height as usize, v.scroll.inspector);
    if let Some(m) = mark(above, below) {
        let style = Style::new().fg(theme::get().accent).add_modifier(Modifier::BOLD);
        block = block.title_bottom(Line::from(Span::styled(m, style)).right_aligned());
    }
    frame.render_widget(block, area);
    let shown: Vec<Line> = all.into_iter().skip(start).take(inner.height as usize).collect();
    frame.render_widget(Paragraph::new(shown), inner);
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
