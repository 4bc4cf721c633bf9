//! The in-flight list: pending messages and timers (id, from→to, kind,
//! payload, due time), with the cursor `d` delivers and `D` drops. Under
//! the timed scheduler the list is in delivery order and `▶ next` marks
//! what `space` delivers; the random and manual schedulers have no order
//! to show, and the title says so. Only the visible rows are fetched.

use super::theme::{self, width};
use super::view::View;
use crate::engine::input::SchedMode;
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

/// The pane's title: the count and the order the rows are in.
fn title(sched: SchedMode, total: usize) -> String {
    match sched {
        _ if total == 0 => "in flight 0".to_string(),
        SchedMode::Timed => format!("in flight {total} · by due time, ▶ next"),
        SchedMode::Random => format!("in flight {total} · order: random — space picks one"),
        SchedMode::Manual => format!("in flight {total} · manual: pick one, d delivers"),
    }
}

pub fn render(v: &View, frame: &mut Frame, area: Rect) {
    let sc = v.sc;
    let probe = theme::block("").inner(area);
    let rows = probe.height as usize;
    let off = offset(v.cursor, rows);
    let list = sc.queued(off + rows);
    let total = sc.in_flight(0).1;
    let sched = sc.sim_config().sched;
    let title = title(sched, total);
    let mut block = theme::block(&title);
    let shown = list.len().saturating_sub(off).min(rows);
    let below = total.saturating_sub(off + shown);
    let mut notes = Vec::new();
    if off > 0 {
        notes.push(format!("{off} above"));
    }
    if below > 0 {
        notes.push(format!("+{below} more"));
    }
    if !notes.is_empty() {
        block = block.title_bottom(Line::from(format!(" {} ", notes.join(" · "))).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    if total == 0 {
        frame.render_widget(Span::styled("nothing in flight", Style::new().fg(theme::get().dim)), inner);
        return;
    }
    // The first row is what `space` delivers (unless a ceiling stops it).
    let marks_next = sched == SchedMode::Timed && sc.stopped().is_none();
    let w = inner.width as usize;
    for (i, m) in list.iter().enumerate().skip(off) {
        let y = inner.y + (i - off) as u16;
        if y >= inner.bottom() {
            break;
        }
        let picked = i == v.cursor;
        let next = marks_next && i == 0;
        let route = match m.from {
            Some(f) => format!("{f}→{}", m.to),
            None => format!("@{}", m.to),
        };
        let due = format!(" {}{}ms", if next { "next " } else { "" }, theme::fmt_ms(m.due));
        let head =
            format!("{}{}#{:<3} {:<5} ", if picked { "▸" } else { " " }, if next { "▶" } else { " " }, m.id, route);
        let room = w.saturating_sub(width(&head) + width(&due));
        let summary = theme::clip(&m.summary, room);
        let pad = room.saturating_sub(width(&summary));
        let kind = if m.from.is_some() { theme::kind_color(m.kind) } else { theme::get().dim };
        let due_style = if next {
            Style::new().fg(theme::get().accent).add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(theme::get().dim)
        };
        let mut line = Line::from(vec![
            Span::raw(head),
            Span::styled(summary, Style::new().fg(kind)),
            Span::raw(" ".repeat(pad)),
            Span::styled(due, due_style),
        ]);
        if picked {
            line = line.style(Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD));
        }
        frame.render_widget(line, Rect::new(inner.x, y, inner.width, 1));
    }
}
