//! The transcript pane: each node's screen as that node would see it
//! (chat: "connected to chat room", "<2>: hello", "<you> hi", "server
//! closed the room"), one small box per node, the selected node's first
//! and highlighted, then as many others as fit. Any scenario whose monitor
//! implements `Monitor::transcript` gets this pane in the side slot the
//! chart uses; the pane asks only for the screens and lines it can show.
//! Lines are plain text; their colour follows the chat conventions
//! (`<you> …` accent, `<N>: …` plain, connects green, closes and failures
//! red, anything else dim), so a scenario with similar screens (chat
//! rooms) needs no pane code of its own.

use super::theme;
use super::view::View;
use crate::engine::invariant::Transcript;
use crate::scenario::Scenario;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

/// A box is at least this wide and this tall (borders included).
pub const BOX_MIN_W: u16 = 20;
pub const BOX_MIN_H: u16 = 7;

/// The grid of boxes for `screens` screens in `area` (columns, rows): as
/// many screens as fit, the fewest empty cells, then boxes shaped most like
/// a screen of text (about four columns to a row, so lines are not cut
/// into narrow columns while rows of room stay empty below).
fn grid(area: Rect, screens: usize) -> (usize, usize) {
    let inner_w = area.width.saturating_sub(2);
    let inner_h = area.height.saturating_sub(2);
    let max_cols = (inner_w / BOX_MIN_W).max(1) as usize;
    let max_rows = (inner_h / BOX_MIN_H).max(1) as usize;
    let shown = screens.max(1).min(max_cols * max_rows);
    let score = |c: usize| {
        let r = shown.div_ceil(c);
        let ratio = (inner_w as f64 / c as f64) / (inner_h.max(1) as f64 / r as f64);
        (c * r - shown, ((ratio / 4.0).ln().abs() * 1000.0) as u64)
    };
    let cols =
        (1..=max_cols.min(shown)).filter(|&c| shown.div_ceil(c) <= max_rows).min_by_key(|&c| score(c)).unwrap_or(1);
    (cols, shown.div_ceil(cols))
}

/// The style of one transcript line.
fn line_style(text: &str) -> Style {
    if text.starts_with("<you>") {
        Style::new().fg(theme::get().accent)
    } else if text.starts_with("connected") || text.ends_with("added to the room") {
        Style::new().fg(theme::get().ok)
    } else if text.starts_with('✗')
        || text.contains("closed")
        || text.contains("lost connection")
        || text.contains("failed")
        || text.starts_with("dead client")
    {
        Style::new().fg(theme::get().bad)
    } else if text.starts_with('<') {
        Style::new()
    } else {
        Style::new().fg(theme::get().dim)
    }
}

pub fn render(v: &View, frame: &mut Frame, area: Rect) {
    let sc = v.sc;
    if area.is_empty() {
        return;
    }
    let n = sc.n();
    let sel = v.selected.min(n.saturating_sub(1));
    let (cols, rows) = grid(area, n);
    let tail = area.height.saturating_sub(4) as usize;
    let Some(t) = sc.transcript(sel, cols * rows, tail) else { return };
    draw(&t, sc, sel, frame, area);
}

/// The boxes of `screens` screens in `area` (inside the outer border), in
/// reading order.
fn cells(area: Rect, screens: usize) -> Vec<Rect> {
    let (cols, rows) = grid(area, screens);
    let inner = Rect::new(area.x + 1, area.y + 1, area.width.saturating_sub(2), area.height.saturating_sub(2));
    if inner.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for row in Layout::vertical(vec![Constraint::Fill(1); rows]).split(inner).iter() {
        out.extend(Layout::horizontal(vec![Constraint::Fill(1); cols]).split(*row).iter().copied());
    }
    out.truncate(screens);
    out
}

/// The node whose box is at `pos` (a mouse click selects it).
pub fn node_at(sc: &dyn Scenario, sel: usize, area: Rect, pos: Position) -> Option<usize> {
    if area.is_empty() || !area.contains(pos) {
        return None;
    }
    let (cols, rows) = grid(area, sc.n());
    let t = sc.transcript(sel.min(sc.n().saturating_sub(1)), cols * rows, 0)?;
    let boxes = cells(area, t.screens.len());
    boxes.iter().zip(&t.screens).find(|(r, _)| r.contains(pos)).map(|(_, s)| s.node)
}

/// Draw `t` into `area`: an outer block, then a grid of boxes.
pub fn draw(t: &Transcript, sc: &dyn Scenario, sel: usize, frame: &mut Frame, area: Rect) {
    let (cols, rows) = grid(area, t.screens.len());
    let shown = t.screens.len().min(cols * rows);
    let title = if shown < t.total { format!("screens ({shown} of {})", t.total) } else { "screens".to_string() };
    let outer = theme::block(&title);
    frame.render_widget(outer, area);
    for (s, cell) in t.screens.iter().zip(cells(area, shown).iter()) {
        let focused = s.node == sel;
        let alive = s.node < sc.n() && sc.alive(s.node);
        let mut name = s.title.clone();
        if !alive {
            name.push_str(" ✗");
        }
        let border = if focused { Style::new().fg(theme::get().accent) } else { Style::new().fg(theme::get().dim) };
        let mut title_style = Style::new().add_modifier(Modifier::BOLD);
        if focused {
            title_style = title_style.fg(theme::get().accent);
        }
        let block = Block::bordered().border_style(border).title(Span::styled(name, title_style));
        let body = block.inner(*cell);
        frame.render_widget(block, *cell);
        let h = body.height as usize;
        let w = body.width as usize;
        let skip = s.lines.len().saturating_sub(h);
        let mut lines: Vec<Line> =
            s.lines[skip..].iter().map(|l| Line::from(Span::styled(theme::clip(l, w), line_style(l)))).collect();
        if lines.is_empty() && h > 0 {
            lines.push(Line::from(Span::styled("(nothing yet)", Style::new().fg(theme::get().dim))));
        }
        frame.render_widget(Paragraph::new(lines), body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_fits_the_area_and_the_screens() {
        assert_eq!(grid(Rect::new(0, 0, 48, 10), 3), (2, 1));
        assert_eq!(grid(Rect::new(0, 0, 48, 20), 3), (2, 2));
        assert_eq!(grid(Rect::new(0, 0, 48, 20), 2), (1, 2));
        assert_eq!(grid(Rect::new(0, 0, 40, 18), 4), (1, 2));
        assert_eq!(grid(Rect::new(0, 0, 10, 3), 1000), (1, 1));
        assert_eq!(grid(Rect::new(0, 0, 200, 60), 1000), (9, 8));
        // 200×60: four chat screens two by two, not three narrow columns
        // with one box alone on a second row.
        assert_eq!(grid(Rect::new(0, 0, 75, 28), 4), (2, 2));
        assert_eq!(grid(Rect::new(0, 0, 75, 28), 3), (1, 3));
        assert_eq!(grid(Rect::new(0, 0, 75, 28), 6), (2, 3));
    }

    #[test]
    fn every_screen_that_fits_gets_a_box_and_no_row_is_empty() {
        for w in [20u16, 44, 75, 120, 200] {
            for h in [7u16, 16, 28, 60] {
                for screens in 1..=12 {
                    let area = Rect::new(0, 0, w, h);
                    let (c, r) = grid(area, screens);
                    let fit = (((w - 2) / BOX_MIN_W).max(1) as usize) * (((h - 2) / BOX_MIN_H).max(1) as usize);
                    assert!(c * r >= screens.min(fit), "{w}x{h} {screens}");
                    assert!((r - 1) * c < screens.min(fit), "{w}x{h} {screens}: an empty row in {c}x{r}");
                    let boxes = cells(area, screens.min(c * r));
                    assert!(boxes.iter().all(|b| b.width >= BOX_MIN_W.min(w - 2)), "{w}x{h} {screens}: {boxes:?}");
                }
            }
        }
    }
}
