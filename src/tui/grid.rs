//! A table inside the inspector: a run of rows whose values are cells
//! split by tabs ([`crate::engine::protocol::Row::table`]; Berkeley's poll
//! table). The first row is the header. Columns are two cells apart, the
//! labels left-aligned and the cells right-aligned (numbers line up); a
//! column that does not fit is left out from the right, and a last row
//! names it (`+1 col hidden: reading`; a wider pane shows it), so nothing is cut without a mark.

use super::theme::{self, width};
use crate::engine::protocol::Row;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// Cells between two columns.
pub const GAP: usize = 2;

fn cells(r: &Row) -> Vec<&str> {
    std::iter::once(r.label.as_str()).chain(r.value.split('\t')).collect()
}

/// The width of each column shown in `cols` cells (the label column
/// first), and how many trailing columns are left out.
pub fn widths(rows: &[Row], cols: usize) -> (Vec<usize>, usize) {
    let mut w: Vec<usize> = Vec::new();
    for r in rows {
        for (i, c) in cells(r).into_iter().enumerate() {
            if i == w.len() {
                w.push(0);
            }
            w[i] = w[i].max(width(c));
        }
    }
    let total = |w: &[usize]| w.iter().sum::<usize>() + GAP * w.len().saturating_sub(1);
    let mut hidden = 0;
    while w.len() > 2 && total(&w) > cols {
        w.pop();
        hidden += 1;
    }
    (w, hidden)
}

/// The table's lines in a pane `cols` wide.
pub fn lines(rows: &[Row], cols: usize) -> Vec<Line<'static>> {
    let (w, hidden) = widths(rows, cols);
    let t = theme::get();
    let mut out = Vec::with_capacity(rows.len() + 1);
    for (k, r) in rows.iter().enumerate() {
        let style = if k == 0 { Style::new().fg(t.dim).add_modifier(Modifier::BOLD) } else { Style::new() };
        let mut spans = Vec::with_capacity(w.len() * 2);
        for (i, (&cw, cell)) in w.iter().zip(cells(r)).enumerate() {
            let cell = theme::clip(cell, cw);
            let pad = " ".repeat(cw.saturating_sub(width(&cell)));
            if i == 0 {
                spans.push(Span::styled(format!("{cell}{pad}"), Style::new().fg(t.dim)));
            } else {
                spans.push(Span::raw(" ".repeat(GAP)));
                spans.push(Span::styled(format!("{pad}{cell}"), style));
            }
        }
        out.push(Line::from(spans));
    }
    if hidden > 0 {
        let names: Vec<&str> = rows.first().map(cells).unwrap_or_default().into_iter().skip(w.len()).collect();
        let s = if hidden == 1 { "" } else { "s" };
        let text = theme::clip(&format!("+{hidden} col{s} hidden: {}", names.join(", ")), cols);
        out.push(Line::from(Span::styled(text, Style::new().fg(t.dim))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll() -> Vec<Row> {
        vec![
            Row::table("poll", &["rtt ms", "est.off", "adjust", "reading"]),
            Row::table("0", &["self", "+0.000", "+0.250", "100.300"]),
            Row::table("3 ✗", &["12.34", "+100.000", "-100.000", "200.000"]),
        ]
    }

    fn text(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn columns_are_two_apart_and_right_aligned() {
        let got: Vec<String> = lines(&poll(), 60).iter().map(text).collect();
        assert_eq!(
            got,
            vec![
                "poll  rtt ms   est.off    adjust  reading",
                "0       self    +0.000    +0.250  100.300",
                "3 ✗    12.34  +100.000  -100.000  200.000",
            ]
        );
    }

    #[test]
    fn columns_that_do_not_fit_are_named() {
        assert_eq!(widths(&poll(), 41), (vec![4, 6, 8, 8, 7], 0));
        assert_eq!(widths(&poll(), 40), (vec![4, 6, 8, 8], 1));
        let got: Vec<String> = lines(&poll(), 30).iter().map(text).collect();
        assert_eq!(got.len(), 4);
        assert_eq!(got[0], "poll  rtt ms   est.off");
        assert_eq!(got[3], "+2 cols hidden: adjust, readi…");
        // Never fewer than the label and one column.
        assert_eq!(widths(&poll(), 3).0.len(), 2);
    }
}
