//! The table pane: a generic grid a scenario's monitor fills
//! ([`crate::engine::invariant::Table`]; load-balancer: one row per server
//! with its assignments and load). It sits in the side slot beside the
//! space-time diagram (see `layout::panes_with_side`).
//!
//! Fitting, as pure functions so they are tested without a terminal:
//! - columns ([`column_widths`]) take the width of their widest cell (or
//!   header); when they do not fit, the stretch column (a long list) is
//!   clipped with `…` down to its header's width, then trailing columns
//!   are hidden and the title says "+K cols";
//! - rows ([`visible_rows`]) are shown from the top; when more rows exist
//!   than fit, the window slides to keep the highlighted row in view and
//!   the last line says "… +K more" (how many rows are not shown).

use super::theme::{self, width};
use crate::engine::invariant::Table;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Cells between two columns (one ran `w` and `assigned` together).
const GAP: usize = 2;

/// The width of each shown column for a pane `avail` cells wide, and how
/// many trailing columns had to be hidden.
pub fn column_widths(t: &Table, avail: usize) -> (Vec<usize>, usize) {
    let cols = t.header.len();
    let mut w: Vec<usize> = t.header.iter().map(|h| width(h)).collect();
    for row in &t.rows {
        for (i, cell) in row.iter().take(cols).enumerate() {
            w[i] = w[i].max(width(cell));
        }
    }
    let total = |w: &[usize]| w.iter().sum::<usize>() + GAP * w.len().saturating_sub(1);
    let stretch = t.stretch.filter(|&s| s < cols).unwrap_or(cols.saturating_sub(1));
    if total(&w) > avail && cols > 0 {
        let over = total(&w) - avail;
        let floor = width(&t.header[stretch]).max(3);
        w[stretch] = w[stretch].saturating_sub(over).max(floor.min(w[stretch]));
    }
    let mut hidden = 0;
    while w.len() > 1 && total(&w) > avail {
        w.pop();
        hidden += 1;
    }
    if let Some(first) = w.first_mut()
        && *first > avail
    {
        *first = avail;
    }
    (w, hidden)
}

/// Which rows to show in `height` lines (the header excluded): the range
/// `start..end`, and whether a last line "+K more" is needed (it takes one
/// of the `height` lines). The window starts at the top and slides just
/// enough to show `highlight`.
pub fn visible_rows(total: usize, height: usize, highlight: Option<usize>) -> (usize, usize, bool) {
    if total <= height {
        return (0, total, false);
    }
    let fit = height.saturating_sub(1);
    if fit == 0 {
        return (0, 0, true);
    }
    let start = match highlight {
        Some(h) if h < total && h >= fit => (h + 1 - fit).min(total - fit),
        _ => 0,
    };
    (start, start + fit, true)
}

fn cells_line(cells: &[String], widths: &[usize], style: Style) -> Line<'static> {
    let mut spans = Vec::with_capacity(widths.len() * 2);
    for (i, &w) in widths.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" ".repeat(GAP)));
        }
        let cell = theme::clip(cells.get(i).map_or("", String::as_str), w);
        let pad = w.saturating_sub(width(&cell));
        spans.push(Span::styled(format!("{cell}{}", " ".repeat(pad)), style));
    }
    Line::from(spans)
}

pub fn render(t: &Table, frame: &mut Frame, area: Rect) {
    if area.is_empty() {
        return;
    }
    let probe = theme::block("").inner(area);
    let (widths, hidden) = column_widths(t, probe.width as usize);
    let title = if hidden > 0 { format!("{} (+{hidden} cols)", t.title) } else { t.title.clone() };
    let block = theme::block(&title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let mut lines =
        vec![cells_line(&t.header, &widths, Style::new().fg(theme::get().dim).add_modifier(Modifier::BOLD))];
    let (start, end, more) = visible_rows(t.rows.len(), (inner.height as usize).saturating_sub(1), t.highlight);
    for i in start..end {
        let style = if t.flagged.contains(&i) {
            Style::new().fg(theme::get().bad)
        } else if t.highlight == Some(i) {
            Style::new().fg(theme::get().accent).add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        lines.push(cells_line(&t.rows[i], &widths, style));
    }
    if more {
        let rest = t.rows.len() - (end - start);
        lines.push(Line::styled(format!("… +{rest} more"), Style::new().fg(theme::get().dim)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: usize) -> Table {
        let mut t = Table::new("servers", &["id", "state", "jobs"]);
        for i in 0..rows {
            t.row(vec![i.to_string(), "up".into(), format!("{i} {}", i + 4)]);
        }
        t
    }

    #[test]
    fn columns_take_their_widest_cell() {
        let t = table(12);
        assert_eq!(column_widths(&t, 80), (vec![2, 5, 5], 0));
    }

    #[test]
    fn the_stretch_column_is_clipped_first_then_columns_are_hidden() {
        let mut t = table(2);
        t.rows[0][2] = "1 2 3 4 5 6 7 8 9 10 11 12".into();
        // 2 + 2 + 5 + 2 + 26 = 37 wide: clip the jobs column.
        assert_eq!(column_widths(&t, 37), (vec![2, 5, 26], 0));
        assert_eq!(column_widths(&t, 20), (vec![2, 5, 9], 0));
        // Not even the stretch column's floor fits: hide it.
        assert_eq!(column_widths(&t, 10), (vec![2, 5], 1));
        // The first column is never hidden, only cut.
        assert_eq!(column_widths(&t, 1), (vec![1], 2));
        // Another stretch column.
        t.stretch = Some(1);
        t.rows[1][1] = "a very long state".into();
        assert_eq!(column_widths(&t, 40).0, vec![2, 8, 26]);
    }

    #[test]
    fn rows_scroll_to_the_highlight_and_count_the_rest() {
        assert_eq!(visible_rows(4, 10, None), (0, 4, false));
        assert_eq!(visible_rows(4, 4, Some(3)), (0, 4, false));
        // 20 rows in 5 lines: 4 rows and "+16 more".
        assert_eq!(visible_rows(20, 5, None), (0, 4, true));
        assert_eq!(visible_rows(20, 5, Some(2)), (0, 4, true));
        assert_eq!(visible_rows(20, 5, Some(10)), (7, 11, true));
        assert_eq!(visible_rows(20, 5, Some(19)), (16, 20, true));
        assert_eq!(visible_rows(20, 5, Some(99)), (0, 4, true));
        assert_eq!(visible_rows(20, 0, Some(3)), (0, 0, true));
    }

    #[test]
    fn renders_at_any_size_without_panicking() {
        use ratatui::{Terminal, backend::TestBackend};
        let mut t = table(100);
        t.highlight = Some(50);
        t.flagged = vec![50, 51];
        t.rows[3] = vec![];
        for (w, h) in [(1, 1), (3, 3), (10, 4), (40, 10), (80, 24), (200, 5)] {
            let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
            term.draw(|f| render(&t, f, f.area())).unwrap();
            if w >= 40 && h >= 10 {
                let text: String = term.backend().buffer().content().iter().map(|c| c.symbol()).collect();
                assert!(text.contains("+99 more") || text.contains("more"), "{w}x{h}");
                assert!(text.contains("50"), "the highlight stays in view at {w}x{h}");
            }
        }
        let mut term = Terminal::new(TestBackend::new(40, 10)).unwrap();
        term.draw(|f| render(&Table::new("empty", &[]), f, f.area())).unwrap();
    }
}
