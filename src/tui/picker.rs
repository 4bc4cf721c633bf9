//! The scenario picker: every registered algorithm with its description.

use super::app::App;
use super::keybar;
use super::theme;
use crate::algos;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Rows each entry takes (name line, description line, blank line).
const ENTRY_ROWS: u16 = 4;

fn areas(area: Rect) -> [Rect; 4] {
    Layout::vertical([Constraint::Length(3), Constraint::Fill(1), Constraint::Length(1), Constraint::Length(1)])
        .areas(area)
}

fn list_inner(area: Rect) -> Rect {
    theme::block("").inner(areas(area)[1])
}

/// The entry under a click.
pub fn entry_at(area: Rect, pos: Position) -> Option<usize> {
    let inner = list_inner(area);
    if !inner.contains(pos) {
        return None;
    }
    let i = ((pos.y - inner.y) / ENTRY_ROWS) as usize;
    (i < algos::all().len()).then_some(i)
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let [top, list, status, keys] = areas(area);
    let title = Paragraph::new(vec![
        Line::from(vec![
            Span::styled(" distlab ", Style::new().fg(Color::Black).bg(theme::ACCENT).add_modifier(Modifier::BOLD)),
            Span::styled("  classic distributed algorithms, one message at a time", Style::new().fg(Color::White)),
        ]),
        Line::default(),
        Line::from(Span::styled(
            " Pick a scenario (Enter opens it with its default nodes and seed 1)",
            Style::new().fg(theme::DIM),
        )),
    ]);
    frame.render_widget(title, top);
    let block = theme::block("scenarios");
    let inner = block.inner(list);
    frame.render_widget(block, list);
    for (i, e) in algos::all().iter().enumerate() {
        let y = inner.y + i as u16 * ENTRY_ROWS;
        if y >= inner.bottom() {
            break;
        }
        let picked = i == app.picker;
        let name_style = if picked {
            Style::new().fg(Color::Black).bg(theme::ACCENT).add_modifier(Modifier::BOLD)
        } else {
            Style::new().fg(theme::ACCENT).add_modifier(Modifier::BOLD)
        };
        let head = Line::from(vec![
            Span::styled(if picked { " ▸ " } else { "   " }, name_style),
            Span::styled(format!("{} ", e.card.name), name_style),
            Span::styled(format!("  {} nodes", e.card.nodes.default), Style::new().fg(theme::DIM)),
        ]);
        frame.render_widget(head, Rect::new(inner.x, y, inner.width, 1));
        let indent = 5u16;
        let lines = super::inspector::wrap(e.card.about, inner.width.saturating_sub(indent + 1) as usize);
        for (k, text) in lines.iter().take(ENTRY_ROWS as usize - 2).enumerate() {
            let row = y + 1 + k as u16;
            if row < inner.bottom() && inner.width > indent {
                frame.render_widget(
                    Span::styled(text.as_str(), Style::new().fg(Color::Gray)),
                    Rect::new(inner.x + indent, row, inner.width - indent, 1),
                );
            }
        }
    }
    keybar::render_status(app, frame, status);
    keybar::render(app, None, frame, keys);
}
