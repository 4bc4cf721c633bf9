//! The in-flight list: pending messages and timers (id, from→to, kind,
//! payload, due time), with the cursor `d` delivers and `D` drops.

use super::theme::{self, width};
use super::view::View;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// First row shown so that the cursor is visible.
pub fn offset(cursor: usize, rows: usize) -> usize {
    cursor.saturating_sub(rows.saturating_sub(1))
}

/// The list row under a click (`area` is the whole pane).
pub fn row_at(area: Rect, cursor: usize, pos: Position) -> Option<usize> {
    let inner = theme::block("").inner(area);
    if !inner.contains(pos) {
        return None;
    }
    Some(offset(cursor, inner.height as usize) + (pos.y - inner.y) as usize)
}

pub fn render(v: &View, frame: &mut Frame, area: Rect) {
    let sc = v.sc;
    let probe = theme::block("").inner(area);
    let rows = probe.height as usize;
    let off = offset(v.cursor, rows);
    let (list, total) = sc.in_flight(off + rows);
    let manual = sc.sim_config().sched == crate::engine::input::SchedMode::Manual;
    let mut title = format!("in flight {total}");
    if manual {
        title.push_str(" · manual: pick one, d delivers");
    }
    let block = theme::block(&title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    if total == 0 {
        frame.render_widget(Span::styled("nothing in flight", Style::new().fg(theme::get().dim)), inner);
        return;
    }
    let w = inner.width as usize;
    for (i, m) in list.iter().enumerate().skip(off) {
        let y = inner.y + (i - off) as u16;
        if y >= inner.bottom() {
            break;
        }
        let picked = i == v.cursor;
        let route = match m.from {
            Some(f) => format!("{f}→{}", m.to),
            None => format!("@{}", m.to),
        };
        let due = format!(" {}ms", theme::fmt_ms(m.due));
        let head = format!("{}#{:<3} {:<5} ", if picked { "▸" } else { " " }, m.id, route);
        let room = w.saturating_sub(width(&head) + width(&due));
        let summary = theme::clip(&m.summary, room);
        let pad = room.saturating_sub(width(&summary));
        let kind = if m.from.is_some() { theme::kind_color(m.kind) } else { theme::get().dim };
        let mut line = Line::from(vec![
            Span::raw(head),
            Span::styled(summary, Style::new().fg(kind)),
            Span::raw(" ".repeat(pad)),
            Span::styled(due, Style::new().fg(theme::get().dim)),
        ]);
        if picked {
            line = line.style(Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD));
        }
        frame.render_widget(line, Rect::new(inner.x, y, inner.width, 1));
    }
}
