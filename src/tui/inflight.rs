//! The in-flight list: pending messages and timers (id, from→to, kind,
//! payload, due time), with the cursor `d` delivers and `D` drops. Under
//! the timed scheduler the list is in delivery order and `▶ next` marks
//! what `space` delivers; the random and manual schedulers have no order
//! to show, and the title says so. Only the visible rows are fetched. A
//! summary too long for its row ends in `…`; under the cursor it wraps
//! onto the rows below, so every message can be read in full.

use super::inspector::wrap_from;
use super::theme::{self, width};
use super::view::View;
use crate::engine::input::SchedMode;
use crate::scenario::{InFlight, Scenario};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// First entry shown so that the cursor's entry, with the `extra` rows
/// its wrapped summary takes, is visible in `rows` rows.
pub fn offset(cursor: usize, extra: usize, rows: usize) -> usize {
    cursor.saturating_sub(rows.saturating_sub(1 + extra))
}

/// The start of a row: the cursor and next marks, the id and the route.
fn head(m: &InFlight, picked: bool, next: bool) -> String {
    let route = match m.from {
        Some(f) => format!("{f}→{}", m.to),
        None => format!("@{}", m.to),
    };
    format!("{}{}#{:<3} {:<5} ", if picked { "▸" } else { " " }, if next { "▶" } else { " " }, m.id, route)
}

/// The end of a row: the due time.
fn due(m: &InFlight, next: bool) -> String {
    format!(" {}{}ms", if next { "next " } else { "" }, theme::fmt_ms(m.due))
}

/// The summary of the cursor's entry in rows of a pane `w` cells wide and
/// `rows` high: its first row shares the line with the id and due time,
/// the others sit under it (at most the pane's height).
fn picked_rows(sc: &dyn Scenario, cursor: usize, marks_next: bool, w: usize, rows: usize) -> Vec<String> {
    let Some(m) = sc.queued(cursor + 1).into_iter().nth(cursor) else { return Vec::new() };
    let next = marks_next && cursor == 0;
    let head_w = width(&head(&m, true, next));
    let first = w.saturating_sub(head_w + width(&due(&m, next)));
    if width(&m.summary) <= first || w <= head_w + 4 || rows < 2 {
        return vec![theme::clip(&m.summary, first)];
    }
    let mut lines = wrap_from(&m.summary, first, w - head_w);
    if lines.len() > rows {
        lines.truncate(rows);
        let last = lines.pop().unwrap_or_default();
        lines.push(theme::clip(&format!("{last} …"), w - head_w));
    }
    lines
}

/// Does `space` deliver the first entry (the `▶ next` mark)?
fn marks_next(sc: &dyn Scenario) -> bool {
    sc.sim_config().sched == SchedMode::Timed && sc.stopped().is_none()
}

/// The list entry under a click (`area` is the whole pane).
pub fn row_at(sc: &dyn Scenario, area: Rect, cursor: usize, pos: Position) -> Option<usize> {
    let inner = theme::block("").inner(area);
    if !inner.contains(pos) {
        return None;
    }
    let rows = inner.height as usize;
    let extra = picked_rows(sc, cursor, marks_next(sc), inner.width as usize, rows).len().saturating_sub(1);
    let off = offset(cursor, extra, rows);
    let y = (pos.y - inner.y) as usize;
    Some(match off + y {
        i if i <= cursor => i,
        i if i <= cursor + extra => cursor,
        i => i - extra,
    })
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
    // The first row is what `space` delivers (unless a ceiling stops it).
    let marks_next = marks_next(sc);
    let picked = picked_rows(sc, v.cursor, marks_next, probe.width as usize, rows);
    let extra = picked.len().saturating_sub(1);
    let off = offset(v.cursor, extra, rows);
    let list = sc.queued(off + rows);
    let total = sc.in_flight(0).1;
    let sched = sc.sim_config().sched;
    let title = title(sched, total);
    let mut block = theme::block(&title);
    let taken = if (off..off + rows).contains(&v.cursor) { extra } else { 0 };
    let shown = list.len().saturating_sub(off).min(rows.saturating_sub(taken));
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
    let w = inner.width as usize;
    let mut y = inner.y;
    for (i, m) in list.iter().enumerate().skip(off) {
        if y >= inner.bottom() {
            break;
        }
        let is_picked = i == v.cursor;
        let next = marks_next && i == 0;
        let head = head(m, is_picked, next);
        let due = due(m, next);
        let room = w.saturating_sub(width(&head) + width(&due));
        let summary = if is_picked { picked[0].clone() } else { theme::clip(&m.summary, room) };
        let pad = room.saturating_sub(width(&summary));
        let kind = Style::new().fg(if m.from.is_some() { theme::kind_color(m.kind) } else { theme::get().dim });
        let due_style = if next {
            Style::new().fg(theme::get().accent).add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(theme::get().dim)
        };
        let indent = " ".repeat(width(&head));
        let mut lines = vec![Line::from(vec![
            Span::raw(head),
            Span::styled(summary, kind),
            Span::raw(" ".repeat(pad)),
            Span::styled(due, due_style),
        ])];
        if is_picked {
            for more in &picked[1..] {
                let pad = w.saturating_sub(width(&indent) + width(more));
                lines.push(Line::from(vec![
                    Span::raw(indent.clone()),
                    Span::styled(more.clone(), kind),
                    Span::raw(" ".repeat(pad)),
                ]));
            }
        }
        for mut line in lines {
            if y >= inner.bottom() {
                break;
            }
            if is_picked {
                line = line.style(Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD));
            }
            frame.render_widget(line, Rect::new(inner.x, y, inner.width, 1));
            y += 1;
        }
    }
}
