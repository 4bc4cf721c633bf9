//! The event log: the engine's log lines, newest at the bottom; the lines
//! that record user input are the commands themselves and stand out.
//!
//! - Long lines wrap; the continuation rows are indented under the text,
//!   not under the step number, so nothing is cut (a `say` echo is the
//!   exception: the narration shows it in full, so it keeps one row and
//!   ends in `…`).
//! - A run of identical lines shows once with its count (`» crash 1 ×3`).
//! - The echo of a `step` is left out when the lines it caused follow: they
//!   carry the step number already, and during play the echoes would push
//!   every other line off the pane (one row of two would be `» step`).
//! - `[` / `]` (and the mouse wheel) scroll back through the kept log; the
//!   title says how far back, and a new step follows the present again.
//!
//! Only the visible window is built: [`window`] walks the log from its
//! newest line and stops when the rows asked for are filled, so the cost
//! depends on the pane and how far back it is scrolled, not on the run.

use super::inspector::wrap;
use super::theme::{self, width};
use crate::engine::record::LogLine;
use crate::scenario::Scenario;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::collections::VecDeque;

/// How a log line is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A command (user input): `» text`, bold.
    Input,
    /// A violation or a failed expectation.
    Bad,
    /// A message lost or dropped.
    Lost,
    Plain,
}

/// One drawn row of the log: the step number on an entry's first row
/// (`None` on its continuation rows) and a piece of its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub step: Option<u64>,
    pub kind: Kind,
    pub text: String,
}

/// The rows of the log a pane shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// Oldest first.
    pub rows: Vec<Row>,
    /// Rows below the window (0: following the present), clamped to the log.
    pub back: usize,
    /// Rows older than the window exist.
    pub older: bool,
    /// Width of the step column (without its space).
    pub step_w: usize,
}

fn is_step_echo(l: &LogLine) -> bool {
    l.input && (l.text == "step" || l.text.strip_prefix("step ").is_some_and(|k| k.parse::<u64>().is_ok()))
}

fn kind(l: &LogLine) -> Kind {
    if l.input {
        Kind::Input
    } else if l.text.starts_with("VIOLATION") || l.text.starts_with("FAILED") {
        Kind::Bad
    } else if l.text.contains(" lost") || l.text.ends_with("dropped") {
        Kind::Lost
    } else {
        Kind::Plain
    }
}

/// The log's entries newest first: echoes of `step` followed by what they
/// caused are left out, and runs of identical lines (same text, both input
/// or both not) fold into one with their count (each keeps its newest
/// line's step). Lazy: only what is taken is looked at.
pub fn entries<'a>(log: &'a VecDeque<LogLine>) -> impl Iterator<Item = (&'a LogLine, usize)> + 'a {
    let mut kept = log
        .iter()
        .rev()
        .scan(None::<&LogLine>, |newer, l| {
            let skip = is_step_echo(l) && newer.is_some_and(|n: &LogLine| !n.input);
            *newer = Some(l);
            Some((!skip).then_some(l))
        })
        .flatten()
        .peekable();
    std::iter::from_fn(move || {
        let first = kept.next()?;
        let mut count = 1;
        while kept.next_if(|l| l.input == first.input && l.text == first.text).is_some() {
            count += 1;
        }
        Some((first, count))
    })
}

/// The rows of one entry in a pane `cols` wide with a step column
/// `step_w` wide.
pub fn entry_rows(l: &LogLine, count: usize, cols: usize, step_w: usize) -> Vec<Row> {
    let kind = kind(l);
    let prefix = step_w + 1 + if kind == Kind::Input { 2 } else { 0 };
    let text_w = cols.saturating_sub(prefix).max(8);
    let times = if count > 1 { format!(" ×{count}") } else { String::new() };
    let text = format!("{}{times}", l.text);
    let pieces =
        if l.input && l.text.starts_with("say ") { vec![theme::clip(&text, text_w)] } else { wrap(&text, text_w) };
    pieces.into_iter().enumerate().map(|(i, text)| Row { step: (i == 0).then_some(l.step), kind, text }).collect()
}

/// The `height` rows of the log that end `back` rows before its newest
/// row, in a pane `cols` wide (`back` is clamped so the window is full
/// when the log has the rows).
pub fn window(log: &VecDeque<LogLine>, cols: usize, height: usize, back: usize) -> Window {
    let step_w = log.back().map(|l| l.step.max(1).ilog10() as usize + 1).unwrap_or(1);
    let want = back.saturating_add(height).saturating_add(1);
    // Newest row first.
    let mut rev: Vec<Row> = Vec::with_capacity(want.min(4096));
    for (l, count) in entries(log) {
        if rev.len() >= want {
            break;
        }
        rev.extend(entry_rows(l, count, cols, step_w).into_iter().rev());
    }
    let back = back.min(rev.len().saturating_sub(height));
    let older = rev.len() > back + height;
    let end = (back + height).min(rev.len());
    let mut rows: Vec<Row> = rev.drain(back..end).collect();
    rows.reverse();
    Window { rows, back, older, step_w }
}

/// The pane's title: `log`, or how far back it is and how to come back.
pub fn title(w: &Window, cols: usize) -> String {
    if w.back == 0 {
        return "log".into();
    }
    let long = format!("log · {} rows back · ] newer", w.back);
    if width(&long) + 2 <= cols { long } else { format!("log ↑{} ]", w.back) }
}

/// One row; `top` is the pane's first, where a line whose start is
/// scrolled off shows `…` in the step column (it is not cut silently).
fn draw_row(r: &Row, step_w: usize, top: bool) -> Line<'static> {
    let t = theme::get();
    let step = match r.step {
        Some(s) => format!("{s:>step_w$} "),
        None if top => format!("{:>step_w$} ", "…"),
        None => " ".repeat(step_w + 1),
    };
    let mut spans = vec![Span::styled(step, Style::new().fg(t.dim))];
    match r.kind {
        Kind::Input => {
            let mark = if r.step.is_some() { "» " } else { "  " };
            spans.push(Span::styled(mark, Style::new().fg(t.input)));
            spans.push(Span::styled(r.text.clone(), Style::new().fg(t.input).add_modifier(Modifier::BOLD)));
        }
        Kind::Bad => spans.push(Span::styled(r.text.clone(), Style::new().fg(t.bad).bold())),
        Kind::Lost => spans.push(Span::styled(r.text.clone(), Style::new().fg(t.bad))),
        Kind::Plain => spans.push(Span::raw(r.text.clone())),
    }
    Line::from(spans)
}

/// The inner area of the log pane `area` (for the app's page size).
pub fn inner(area: Rect) -> Rect {
    theme::block("").inner(area)
}

pub fn render(sc: &dyn Scenario, back: usize, frame: &mut Frame, area: Rect) {
    let inner = inner(area);
    let w = window(sc.log(), inner.width as usize, inner.height as usize, back);
    let title = title(&w, area.width as usize);
    frame.render_widget(theme::block(&title), area);
    let lines: Vec<Line> = w.rows.iter().enumerate().map(|(i, r)| draw_row(r, w.step_w, i == 0)).collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(step: u64, input: bool, text: &str) -> LogLine {
        LogLine { step, time: 0, input, text: text.into() }
    }

    fn got(log: &VecDeque<LogLine>) -> Vec<(u64, &str, usize)> {
        entries(log).map(|(l, k)| (l.step, l.text.as_str(), k)).collect()
    }

    #[test]
    fn runs_of_identical_lines_fold_with_their_count() {
        let log: VecDeque<LogLine> = [
            line(1, true, "request 0"),
            line(2, true, "crash 1"),
            line(2, true, "crash 1"),
            line(2, true, "crash 1"),
            line(2, false, "crash 1"),
            line(3, true, "recover 1"),
            line(3, true, "recover 1"),
        ]
        .into();
        assert_eq!(got(&log), vec![(3, "recover 1", 2), (2, "crash 1", 1), (2, "crash 1", 3), (1, "request 0", 1)]);
        assert_eq!(entries(&log).take(2).count(), 2);
        assert_eq!(entries(&VecDeque::new()).count(), 0);
    }

    #[test]
    fn step_echoes_give_way_to_what_the_step_did() {
        // Play: an echo per tick, each followed by its delivery.
        let mut log = VecDeque::new();
        for s in 0..12 {
            log.push_back(line(s, true, "step"));
            log.push_back(line(s + 1, false, &format!("#{s} 0→1 PING delivered")));
        }
        let all = got(&log);
        assert_eq!(all.len(), 12, "{all:?}");
        assert!(all.iter().all(|(_, t, _)| t.contains("PING")));
        // A step that logged nothing keeps its echo (runs of them fold), and
        // so does the newest echo (what it does is not logged yet).
        let log: VecDeque<LogLine> = [
            line(1, true, "step 3"),
            line(4, true, "step"),
            line(5, true, "step"),
            line(6, true, "crash 0"),
            line(6, true, "step"),
        ]
        .into();
        assert_eq!(got(&log), vec![(6, "step", 1), (6, "crash 0", 1), (5, "step", 2), (1, "step 3", 1)]);
    }

    #[test]
    fn long_lines_wrap_under_their_text() {
        let l = line(12, false, "node 3: adjusts its clock by -0.997837 s to 100.001");
        let rows = entry_rows(&l, 1, 24, 2);
        let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, vec!["node 3: adjusts its", "clock by -0.997837 s", "to 100.001"]);
        assert_eq!(rows.iter().map(|r| r.step).collect::<Vec<_>>(), vec![Some(12), None, None]);
        // Commands wrap under the text after `» `; a `say` keeps one row.
        let rows = entry_rows(&line(1, true, "expect result.a == [1,2,3]"), 1, 16, 1);
        assert_eq!(rows.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(), vec!["expect", "result.a ==", "[1,2,3]"]);
        let rows = entry_rows(&line(1, true, "say \"a long narration line\""), 1, 16, 1);
        assert_eq!(rows.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(), vec!["say \"a long…"]);
    }

    #[test]
    fn the_window_scrolls_back_and_clamps() {
        let log: VecDeque<LogLine> = (0..50).map(|s| line(s, false, &format!("event {s}"))).collect();
        let w = window(&log, 40, 5, 0);
        assert_eq!(w.rows.first().unwrap().text, "event 45");
        assert_eq!(w.rows.last().unwrap().text, "event 49");
        assert!(w.older && w.back == 0);
        let w = window(&log, 40, 5, 10);
        assert_eq!((w.rows[0].text.as_str(), w.rows[4].text.as_str()), ("event 35", "event 39"));
        assert_eq!(title(&w, 40), "log · 10 rows back · ] newer");
        // Past the oldest line: the oldest rows, full.
        let w = window(&log, 40, 5, 1000);
        assert_eq!((w.back, w.older), (45, false));
        assert_eq!(w.rows[0].text, "event 0");
        // A log shorter than the pane.
        let short: VecDeque<LogLine> = log.iter().take(3).cloned().collect();
        let w = window(&short, 40, 5, 7);
        assert_eq!((w.rows.len(), w.back, w.older), (3, 0, false));
        assert_eq!(window(&short, 40, 0, 0).rows.len(), 0);
    }
}
