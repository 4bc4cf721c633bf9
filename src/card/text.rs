//! Texts made from the cards: `distlab info`, and the README's scenario
//! and lecture-script tables.

use super::{Card, Guarantee};
use std::fmt::Write as _;

/// One titled table of a card's reference: (name, text) rows.
pub struct Section {
    pub title: String,
    pub rows: Vec<(String, String)>,
}

/// The line under the title: family, origin and node range.
pub fn facts(card: &Card) -> String {
    let r = card.nodes;
    format!("{} · {} · {} nodes by default ({} to {})", card.family.title(), card.origin(), r.default, r.min, r.max)
}

/// The severity rule as it applies to one card: what the algorithm claims
/// to survive, and what a liveness loss under anything else is.
pub fn claims(card: &Card) -> String {
    format!(
        "claims to survive: {}. A broken safety property, or liveness lost under these, is a red violation; \
         liveness lost to any other fault is a yellow status naming it",
        card.claims_text()
    )
}

/// A card's reference as titled tables, for `distlab info` and the TUI's
/// guide alike; `action_key` is the TUI key of the scenario's action.
pub fn sections(card: &Card, action_key: &str) -> Vec<Section> {
    let section = |title: &str, rows: Vec<(String, String)>| Section { title: title.to_string(), rows };
    let mut verbs: Vec<(String, String)> = card.verbs.iter().map(|v| (v.usage(), v.help.to_string())).collect();
    verbs.push((format!("key {action_key}"), format!("{} on the selected node (TUI)", card.action)));
    vec![
        section("Roles", card.roles.iter().map(|r| (r.name.to_string(), r.help.to_string())).collect()),
        section(
            "Node states (the topology's legend)",
            vec![(
                "expect role N STATE".to_string(),
                card.roles_shown().iter().map(|&r| card.role_word(r)).collect::<Vec<_>>().join(" | "),
            )],
        ),
        section("Verbs (type after :, or in a script)", verbs),
        section(
            "Parameters (-p key=value when starting a run)",
            card.params
                .iter()
                .map(|p| (p.key.to_string(), format!("{} ({}; default {})", p.help, p.kind.describe(card), p.default)))
                .collect(),
        ),
        section(
            &format!("Variants (-p {}=…)", card.variant_key()),
            card.variants
                .iter()
                .map(|v| {
                    let caught = if v.breaks.is_empty() {
                        String::new()
                    } else {
                        format!(" — caught by {}", v.breaks.join(", "))
                    };
                    (v.name.to_string(), format!("{}{caught}", v.help))
                })
                .collect(),
        ),
        section(
            "Properties the monitor checks as the run goes",
            card.properties
                .iter()
                .map(|p| {
                    let kind = match p.guarantee {
                        Guarantee::Safety => "safety",
                        Guarantee::Liveness => "liveness",
                    };
                    (p.name.to_string(), format!("{} ({kind})", p.definition))
                })
                .chain(std::iter::once(("faults".to_string(), claims(card))))
                .collect(),
        ),
        section(
            "Headless result fields",
            card.results.iter().map(|f| (f.key.to_string(), f.help.to_string())).collect(),
        ),
        section(
            "Lecture scripts (distlab run --script FILE)",
            card.scripts.iter().map(|s| (format!("assets/{}", s.file), s.about.to_string())).collect(),
        ),
    ]
}

/// `distlab info NAME`: the full reference of one scenario, as plain text.
pub fn info_text(card: &Card, action_key: &str) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{} — {}", card.name, card.title);
    let _ = writeln!(o, "{}", facts(card));
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", card.description);
    for s in sections(card, action_key) {
        let _ = writeln!(o);
        let _ = writeln!(o, "{}", s.title);
        let w = s.rows.iter().map(|(a, _)| a.chars().count()).max().unwrap_or(0);
        for (a, b) in &s.rows {
            let _ = writeln!(o, "  {a:<w$}  {b}");
        }
    }
    o
}

/// The README's scenario table (a test keeps the README equal to it).
pub fn markdown_table<'a>(cards: impl IntoIterator<Item = &'a Card>) -> String {
    let mut out = String::from("| scenario | family | what it shows | verbs |\n|---|---|---|---|\n");
    for c in cards {
        let verbs: Vec<String> = c.verbs.iter().map(|v| format!("`{}`", v.usage().replace('|', "\\|"))).collect();
        let origin = if c.seeds.is_empty() { String::new() } else { format!(" (seed {})", c.seeds) };
        let _ = writeln!(
            out,
            "| `{}` | {} | {}{origin} | {} |",
            c.name,
            c.family.title(),
            c.about.replace('|', "\\|"),
            verbs.join(", ")
        );
    }
    out
}

/// A lecture script's header: `SCENARIO FLAGS…` of its line 1, `# distlab:
/// run SCENARIO FLAGS…` (the convention of `assets/*.dl`). It is the
/// script's configuration (`lectures::config` applies it to every run of
/// the script); `None` when line 1 is not a header.
pub fn script_run_line(text: &str) -> Option<&str> {
    text.lines().next()?.strip_prefix("# distlab: run ")
}

/// The README's lecture-script table: every card's scripts by the name
/// `distlab run --lecture NAME` takes, with the card's words for what it
/// shows (`distlab lectures` prints each one's arguments).
pub fn scripts_markdown<'a>(cards: impl IntoIterator<Item = &'a Card>) -> String {
    let mut out = String::from("| lecture | what the class sees |\n|---|---|\n");
    for c in cards {
        for s in c.scripts {
            let _ = writeln!(
                out,
                "| `{}` | {} |",
                s.file.strip_suffix(".dl").unwrap_or(s.file),
                s.about.replace('|', "\\|")
            );
        }
    }
    out
}
