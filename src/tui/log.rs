//! The event log: the engine's log lines, newest at the bottom; the lines
//! that record user input are the commands themselves and stand out. A run
//! of identical lines shows once with its count (`» step ×12`).

use super::theme;
use crate::engine::record::LogLine;
use crate::scenario::Scenario;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(sc: &dyn Scenario, frame: &mut Frame, area: Rect) {
    let log = sc.log();
    let block = theme::block("log");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = inner.height as usize;
    let step_w = log.back().map(|l| l.step.max(1).ilog10() as usize + 1).unwrap_or(1);
    let lines: Vec<Line> = folded(log.iter().rev(), rows)
        .into_iter()
        .rev()
        .map(|(l, count)| {
            let step = Span::styled(format!("{:>step_w$} ", l.step), Style::new().fg(theme::get().dim));
            let times = if count > 1 { format!(" ×{count}") } else { String::new() };
            let text = format!("{}{times}", l.text);
            if l.input {
                Line::from(vec![
                    step,
                    Span::styled("» ", Style::new().fg(theme::get().input)),
                    Span::styled(text, Style::new().fg(theme::get().input).add_modifier(Modifier::BOLD)),
                ])
            } else if l.text.starts_with("VIOLATION") || l.text.starts_with("FAILED") {
                Line::from(vec![step, Span::styled(text, Style::new().fg(theme::get().bad).bold())])
            } else if l.text.contains(" lost") || l.text.ends_with("dropped") {
                Line::from(vec![step, Span::styled(text, Style::new().fg(theme::get().bad))])
            } else {
                Line::from(vec![step, Span::raw(text)])
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Fold runs of identical lines (same text, both input or both not) into
/// one line and its count, newest first: `lines` runs newest first, and at
/// most `rows` folded lines are made (only what fits is looked at, plus
/// the rest of the oldest run shown). Each keeps its newest line's step.
pub fn folded<'a>(lines: impl Iterator<Item = &'a LogLine>, rows: usize) -> Vec<(&'a LogLine, usize)> {
    let mut out: Vec<(&LogLine, usize)> = Vec::with_capacity(rows);
    for l in lines {
        let full = out.len() == rows;
        match out.last_mut() {
            Some((last, count)) if last.input == l.input && last.text == l.text => *count += 1,
            _ if full => break,
            _ => out.push((l, 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(step: u64, input: bool, text: &str) -> LogLine {
        LogLine { step, time: 0, input, text: text.into() }
    }

    #[test]
    fn runs_of_identical_lines_fold_with_their_count() {
        let log = [
            line(1, true, "request 0"),
            line(2, true, "step"),
            line(2, true, "step"),
            line(2, true, "step"),
            line(2, false, "step"),
            line(3, true, "crash 1"),
            line(3, true, "crash 1"),
        ];
        let got: Vec<(u64, &str, usize)> =
            folded(log.iter().rev(), 10).into_iter().map(|(l, k)| (l.step, l.text.as_str(), k)).collect();
        assert_eq!(got, vec![(3, "crash 1", 2), (2, "step", 1), (2, "step", 3), (1, "request 0", 1)]);
        // Two rows: the newest two runs, the second counted in full.
        assert_eq!(folded(log.iter().rev(), 2).len(), 2);
        assert_eq!(folded(log.iter().rev(), 2)[1].1, 1);
        assert_eq!(folded(log.iter().rev(), 0).len(), 0);
    }
}
