//! The `i` overlay: a scenario's guide, drawn from its card (the same
//! facts `distlab info` prints), so a lecturer can show the class what the
//! algorithm promises and which variant breaks what, without leaving the run.

use super::keymap;
use super::rows::{heading, key_style, row, wrapped};
use super::theme::{self, width};
use crate::card::{Card, Guarantee};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// Every line of the guide of `card`, wrapped to `w` cells.
pub fn lines(card: &Card, w: usize) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(Span::styled(
        format!("{} — {}", card.name, card.title),
        Style::new().fg(theme::ACCENT).add_modifier(Modifier::BOLD),
    ))];
    let facts = format!(
        "{} · {} · {} nodes by default ({} to {})",
        card.family.title(),
        card.origin(),
        card.nodes.default,
        card.nodes.min,
        card.nodes.max
    );
    out.extend(wrapped(Vec::new(), &facts, w));
    out.push(Line::default());
    out.extend(wrapped(Vec::new(), card.description, w));

    let mut table = |title: &str, rows: Vec<(String, String)>| {
        out.push(Line::default());
        out.push(heading(title.to_string()));
        let a_w = rows.iter().map(|(a, _)| width(a)).max().unwrap_or(0).min(w / 3);
        for (a, b) in rows {
            if width(&a) > a_w {
                // A long name gets its own line; its text goes under it.
                out.push(Line::from(Span::styled(format!("  {a}"), key_style())));
                out.extend(wrapped(vec![Span::raw("      ")], &b, w));
            } else {
                out.extend(row(&a, a_w, &b, w));
            }
        }
    };
    table("Roles", card.roles.iter().map(|r| (r.name.to_string(), r.help.to_string())).collect());
    let mut verbs: Vec<(String, String)> = card.verbs.iter().map(|v| (v.usage(), v.help.to_string())).collect();
    // The action key, as the keymap binds it.
    let action_key = keymap::KEYMAP.iter().find(|b| b.action == keymap::Action::NodeAction).map_or("r", |b| b.label);
    verbs.push((format!("key {action_key}"), format!("{} on the selected node", card.action)));
    table("Verbs (type after :, or in a script)", verbs);
    table(
        "Parameters (-p key=value when starting a run)",
        card.params
            .iter()
            .map(|p| (p.key.to_string(), format!("{} ({}; default {})", p.help, p.kind.describe(card), p.default)))
            .collect(),
    );
    table(
        &format!("Variants (-p {}=…)", card.variant_key()),
        card.variants
            .iter()
            .map(|v| {
                let caught =
                    if v.breaks.is_empty() { String::new() } else { format!(" — caught by {}", v.breaks.join(", ")) };
                (v.name.to_string(), format!("{}{caught}", v.help))
            })
            .collect(),
    );
    table(
        "Properties checked after every step",
        card.properties
            .iter()
            .map(|p| {
                let kind = match p.guarantee {
                    Guarantee::Safety => "safety",
                    Guarantee::Liveness => "liveness",
                };
                (p.name.to_string(), format!("{} ({kind})", p.definition))
            })
            .collect(),
    );
    table(
        "Lecture scripts (distlab run --script FILE)",
        card.scripts.iter().map(|s| (format!("assets/{}", s.file), s.about.to_string())).collect(),
    );
    out
}
