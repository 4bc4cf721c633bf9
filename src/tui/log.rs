//! The event log: the engine's log lines, newest at the bottom; the lines
//! that record user input are the commands themselves and stand out.

use super::theme;
use crate::scenario::Scenario;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(sc: &dyn Scenario, frame: &mut Frame, area: Rect) {
    let log = sc.log();
    let block = theme::block("log");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = inner.height as usize;
    // Only the lines that fit are looked at.
    let skip = log.len().saturating_sub(rows);
    let step_w = log.back().map(|l| l.step.max(1).ilog10() as usize + 1).unwrap_or(1);
    let lines: Vec<Line> = log
        .range(skip..)
        .map(|l| {
            let step = Span::styled(format!("{:>step_w$} ", l.step), Style::new().fg(theme::DIM));
            if l.input {
                Line::from(vec![
                    step,
                    Span::styled("» ", Style::new().fg(theme::INPUT)),
                    Span::styled(l.text.as_str(), Style::new().fg(theme::INPUT).add_modifier(Modifier::BOLD)),
                ])
            } else if l.text.starts_with("VIOLATION") || l.text.starts_with("FAILED") {
                Line::from(vec![step, Span::styled(l.text.as_str(), Style::new().fg(theme::BAD).bold())])
            } else if l.text.contains(" lost") || l.text.ends_with("dropped") {
                Line::from(vec![step, Span::styled(l.text.as_str(), Style::new().fg(Color::LightRed))])
            } else {
                Line::from(vec![step, Span::raw(l.text.as_str())])
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
