//! The help (`?`), guide (`i`) and violations (`w`) overlays: a
//! scrollable box over the screen, its lines from `help`, `guide` or
//! `violations`.

use super::theme;
use super::view::{Overlay, OverlayKind};
use crate::scenario::Scenario;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

/// The overlay's box on a screen of this size.
fn rect(area: Rect) -> Rect {
    area.centered(
        Constraint::Length(area.width.saturating_sub(4).min(110)),
        Constraint::Length(area.height.saturating_sub(2)),
    )
}

/// The overlay's lines at width `w`, its title, and for the violations
/// list the line its selected violation `scroll` starts on.
fn content(sc: Option<&dyn Scenario>, o: Overlay, w: usize) -> (Vec<Line<'static>>, String, Option<usize>) {
    match (o.kind, sc) {
        (OverlayKind::Help, _) => (super::help::lines(sc, w), " help ".into(), None),
        (OverlayKind::Guide(card), _) => (super::guide::lines(card, w), format!(" guide: {} ", card.name), None),
        (OverlayKind::Violations, Some(sc)) => {
            let (lines, starts) = super::violations::lines(sc, o.scroll as usize, w);
            (lines, " violations and statuses ".into(), Some(starts.get(o.scroll as usize).copied().unwrap_or(0)))
        }
        (OverlayKind::Violations, None) => (Vec::new(), String::new(), None),
    }
}

/// The largest useful scroll offset of an overlay on a screen of `size`
/// (for the violations list: the last violation's index).
pub fn max_scroll(sc: Option<&dyn Scenario>, kind: OverlayKind, size: (u16, u16)) -> u16 {
    if let OverlayKind::Violations = kind {
        return sc.map_or(0, |sc| super::violations::steps(sc).len().saturating_sub(1).min(u16::MAX as usize) as u16);
    }
    let inner = Block::bordered().inner(rect(Rect::new(0, 0, size.0, size.1)));
    let count = content(sc, Overlay { kind, scroll: 0 }, inner.width as usize).0.len();
    (count.min(u16::MAX as usize) as u16).saturating_sub(inner.height)
}

/// Draw the help or guide overlay.
pub fn render(sc: Option<&dyn Scenario>, frame: &mut Frame, area: Rect, overlay: Overlay) {
    let r = rect(area);
    frame.render_widget(Clear, r);
    frame.buffer_mut().set_style(r, theme::get().base());
    let inner = Block::bordered().inner(r);
    let (lines, title, selected) = content(sc, overlay, inner.width as usize);
    let keys = match selected {
        Some(_) => " Esc q close · ↑↓ choose · Enter go to its step ",
        None => " Esc q close · ↑↓ PgUp PgDn scroll ",
    };
    let block = Block::bordered()
        .border_style(Style::new().fg(theme::get().accent))
        .title(theme::title(&title))
        .title_bottom(Line::from(keys).right_aligned());
    let max = (lines.len().min(u16::MAX as usize) as u16).saturating_sub(inner.height);
    // The violations list keeps its selected violation near the top.
    let scroll = selected.map_or(overlay.scroll, |line| line.saturating_sub(1).min(u16::MAX as usize) as u16);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll.min(max), 0)), r);
}
