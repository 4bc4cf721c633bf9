//! The violations overlay (`w`, or a click on the badge): every violation
//! and status of the run in full, so a red or yellow badge explains itself.
//! For each broken property: its name, its kind and one-sentence definition
//! from the card, the step, what happened, the nodes and messages involved.
//! A violation can be selected (↑↓) and `Enter` takes the diagram and the
//! inspector back to its step.

use super::inspector::wrap;
use super::theme;
use crate::card::Guarantee;
use crate::scenario::Scenario;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// The message ids (`#12`) a text names, in order, once each.
fn message_ids(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('#') {
        let digits: String = text[i + 1..].chars().take_while(char::is_ascii_digit).collect();
        let glued = i > 0 && bytes[i - 1].is_ascii_alphanumeric();
        if !digits.is_empty() && !glued {
            let id = format!("#{digits}");
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// The steps of the run's violations, in the order the list shows them
/// (what ↑↓ select and `Enter` goes to).
pub fn steps(sc: &dyn Scenario) -> Vec<u64> {
    sc.violations().iter().map(|v| v.step).collect()
}

/// `text` wrapped at `w` after an indent, in `style`.
fn indented(text: &str, w: usize, style: Style) -> Vec<Line<'static>> {
    wrap(text, w.saturating_sub(4).max(8))
        .into_iter()
        .map(|l| Line::from(Span::styled(format!("    {l}"), style)))
        .collect()
}

/// The overlay's lines at width `w`, violation `selected` marked, and the
/// line each violation starts on (to keep the selected one in view).
pub fn lines(sc: &dyn Scenario, selected: usize, w: usize) -> (Vec<Line<'static>>, Vec<usize>) {
    let card = sc.card();
    let dim = Style::new().fg(theme::get().dim);
    let text = Style::new().fg(theme::get().fg);
    let mut out = Vec::new();
    let mut starts = Vec::new();
    let violations = sc.violations();
    let statuses = sc.statuses();
    let failed = sc.failed_expectations();
    if violations.is_empty() && statuses.is_empty() && failed.is_empty() {
        out.push(Line::from(Span::styled("✓ Nothing is broken: no violation, no status, no failed expect.", text)));
        out.push(Line::default());
        out.extend(indented("The checker watches these properties at every step:", w, dim));
    }
    if !violations.is_empty() {
        let kept = violations.len() as u64;
        let all = sc.violation_count().max(kept);
        let more = if all > kept { format!(" (the first {kept} of {all} are kept)") } else { String::new() };
        out.push(Line::from(Span::styled(
            format!("Violations: a property broken, in red{more}"),
            Style::new().fg(theme::get().bad).add_modifier(Modifier::BOLD),
        )));
    }
    for (k, v) in violations.iter().enumerate() {
        starts.push(out.len());
        let on = k == selected;
        let kind = match card.property(&v.property).map(|p| p.guarantee) {
            Some(Guarantee::Safety) => "safety",
            Some(Guarantee::Liveness) => "liveness",
            None => "property",
        };
        let head = format!("{} {}. {} ({kind}) at step {}", if on { "▸" } else { " " }, k + 1, v.property, v.step);
        let head_style =
            if on { theme::get().bad_chip() } else { Style::new().fg(theme::get().bad).add_modifier(Modifier::BOLD) };
        out.push(Line::from(Span::styled(theme::clip(&head, w), head_style)));
        if let Some(p) = card.property(&v.property) {
            out.extend(indented(&format!("what must hold: {}", p.definition), w, dim));
        }
        out.extend(indented(&format!("what happened: {}", v.detail), w, text));
        let mut involved = Vec::new();
        if !v.nodes.is_empty() {
            let nodes: Vec<String> = v.nodes.iter().map(|n| n.to_string()).collect();
            involved.push(format!("nodes {}", nodes.join(", ")));
        }
        let ids = message_ids(&v.detail);
        if !ids.is_empty() {
            involved.push(format!("messages {}", ids.join(", ")));
        }
        if !involved.is_empty() {
            out.extend(indented(&format!("involved: {}", involved.join(" · ")), w, text));
        }
        if on {
            out.extend(indented(
                &format!("Enter: go back to step {} (diagram and inspector as they were then)", v.step),
                w,
                Style::new().fg(theme::get().accent),
            ));
        }
    }
    if !statuses.is_empty() {
        if !out.is_empty() {
            out.push(Line::default());
        }
        out.push(Line::from(Span::styled(
            "Statuses: not broken, but worth knowing, in yellow",
            Style::new().fg(theme::get().warn).add_modifier(Modifier::BOLD),
        )));
        for s in &statuses {
            let (first, rest) = wrap(&format!("⚠ {s}"), w.saturating_sub(2).max(8))
                .split_first()
                .map_or((String::new(), Vec::new()), |(f, r)| (f.clone(), r.to_vec()));
            out.push(Line::from(Span::styled(format!("  {first}"), Style::new().fg(theme::get().warn))));
            out.extend(rest.into_iter().map(|l| Line::from(Span::styled(format!("    {l}"), text))));
        }
        out.extend(indented(
            "A liveness property lost to a fault the algorithm does not claim to survive is a status, not a \
             violation (the guide lists the faults each algorithm claims).",
            w,
            dim,
        ));
    }
    if !failed.is_empty() {
        if !out.is_empty() {
            out.push(Line::default());
        }
        out.push(Line::from(Span::styled(
            "Failed expectations of the script",
            Style::new().fg(theme::get().bad).add_modifier(Modifier::BOLD),
        )));
        for f in failed {
            out.extend(indented(&format!("✗ {}: got {}", f.expect, f.actual), w, text));
        }
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled(format!("Properties of {}:", card.name), dim)));
    for p in card.properties {
        let kind = if p.guarantee == Guarantee::Safety { "safety" } else { "liveness" };
        out.extend(indented(&format!("{} ({kind}): {}", p.name, p.definition), w, dim));
    }
    (out, starts)
}

#[cfg(test)]
mod tests {
    use super::message_ids;

    #[test]
    fn message_ids_are_the_hash_numbers_a_text_names() {
        assert_eq!(message_ids("REQUEST #9 1→2 was dropped; #9 again, #12."), vec!["#9", "#12"]);
        assert!(message_ids("no ids here, c2#1 is not one, # 3 neither").is_empty());
    }
}
