//! The `i` overlay: a scenario's guide, drawn from its card (the same
//! facts `distlab info` prints), so a lecturer can show the class what the
//! algorithm promises and which variant breaks what, without leaving the run.

use super::keymap;
use super::rows::{heading, key_style, row, wrapped};
use super::theme::{self, width};
use crate::card::{self, Card};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// Every line of the guide of `card`, wrapped to `w` cells.
pub fn lines(card: &Card, w: usize) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(Span::styled(
        format!("{} — {}", card.name, card.title),
        Style::new().fg(theme::get().accent).add_modifier(Modifier::BOLD),
    ))];
    out.extend(wrapped(Vec::new(), &card::facts(card), w));
    out.push(Line::default());
    out.extend(wrapped(Vec::new(), card.description, w));
    for section in card::sections(card, keymap::action_key()) {
        out.push(Line::default());
        out.push(heading(section.title));
        let a_w = section.rows.iter().map(|(a, _)| width(a)).max().unwrap_or(0).min(w / 3);
        for (a, b) in section.rows {
            if width(&a) > a_w {
                // A long name gets its own line; its text goes under it.
                out.push(Line::from(Span::styled(format!("  {a}"), key_style())));
                out.extend(wrapped(vec![Span::raw("      ")], &b, w));
            } else {
                out.extend(row(&a, a_w, &b, w));
            }
        }
    }
    out
}
