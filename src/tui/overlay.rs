//! The help (`?`) and guide (`i`) overlays: a scrollable box over the
//! screen, its lines from `help` or `guide`.

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

/// The overlay's lines at width `w`, and its title.
fn content(sc: Option<&dyn Scenario>, kind: OverlayKind, w: usize) -> (Vec<Line<'static>>, String) {
    match kind {
        OverlayKind::Help => (super::help::lines(sc, w), " help ".into()),
        OverlayKind::Guide(card) => (super::guide::lines(card, w), format!(" guide: {} ", card.name)),
    }
}

/// The largest useful scroll offset of an overlay on a screen of `size`.
pub fn max_scroll(sc: Option<&dyn Scenario>, kind: OverlayKind, size: (u16, u16)) -> u16 {
    let inner = Block::bordered().inner(rect(Rect::new(0, 0, size.0, size.1)));
    let count = content(sc, kind, inner.width as usize).0.len();
    (count.min(u16::MAX as usize) as u16).saturating_sub(inner.height)
}

/// Draw the help or guide overlay.
pub fn render(sc: Option<&dyn Scenario>, frame: &mut Frame, area: Rect, overlay: Overlay) {
    let r = rect(area);
    frame.render_widget(Clear, r);
    let inner = Block::bordered().inner(r);
    let (lines, title) = content(sc, overlay.kind, inner.width as usize);
    let block = Block::bordered()
        .border_style(Style::new().fg(theme::ACCENT))
        .title(theme::title(&title))
        .title_bottom(Line::from(" Esc q close · ↑↓ PgUp PgDn scroll ").right_aligned());
    let max = (lines.len().min(u16::MAX as usize) as u16).saturating_sub(inner.height);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((overlay.scroll.min(max), 0)), r);
}
