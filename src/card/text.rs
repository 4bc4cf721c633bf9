//! Texts made from the cards: `distlab info`, and the README's scenario
//! and lecture-script tables.

use super::{Card, Guarantee};
use std::fmt::Write as _;

/// `distlab info NAME`: the full reference of one scenario, as plain text
/// (Markdown-like, readable in a terminal and in the in-app guide).
pub fn info_text(card: &Card) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{} — {}", card.name, card.title);
    let _ = writeln!(o, "{} · {} · {}", card.family.title(), card.origin(), nodes_text(card));
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", card.description);
    section(&mut o, "Roles");
    for r in card.roles {
        let _ = writeln!(o, "  {:<16} {}", r.name, r.help);
    }
    section(&mut o, "Verbs (at the : prompt, in scripts)");
    let usages = card.usages();
    let w = usages.iter().map(|u| u.chars().count()).max().unwrap_or(0).max(16) + 1;
    for (v, usage) in card.verbs.iter().zip(&usages) {
        let _ = writeln!(o, "  {usage:<w$} {}", v.help);
    }
    let _ = writeln!(o, "  in the TUI, the action key on the selected node: {}", card.action);
    section(&mut o, "Parameters (-p key=value)");
    for p in card.params {
        let _ = writeln!(o, "  {:<16} {} ({}; default {})", p.key, p.help, p.kind.describe(card), p.default);
    }
    section(&mut o, &format!("Variants (-p {}=…)", card.variant_key()));
    for v in card.variants {
        let breaks = if v.breaks.is_empty() { String::new() } else { format!(" [caught by {}]", v.breaks.join(", ")) };
        let _ = writeln!(o, "  {:<16} {}{breaks}", v.name, v.help);
    }
    section(&mut o, "Properties checked live");
    for p in card.properties {
        let kind = match p.guarantee {
            Guarantee::Safety => "safety",
            Guarantee::Liveness => "liveness",
        };
        let _ = writeln!(o, "  {:<24} {} ({kind})", p.name, p.definition);
    }
    section(&mut o, "Headless result fields");
    for f in card.results {
        let _ = writeln!(o, "  {:<24} {}", f.key, f.help);
    }
    section(&mut o, "Lecture scripts");
    for s in card.scripts {
        let _ = writeln!(o, "  assets/{:<28} {}", s.file, s.about);
    }
    o
}

fn section(o: &mut String, title: &str) {
    let _ = writeln!(o);
    let _ = writeln!(o, "{title}");
}

fn nodes_text(card: &Card) -> String {
    let r = card.nodes;
    format!("{} nodes by default ({} to {})", r.default, r.min, r.max)
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

/// The README's lecture-script table: every card's scripts, with the
/// arguments `header` reads from each script's first line
/// (`# distlab: run NAME ARGS…`) and the card's words for what it shows.
pub fn scripts_markdown<'a>(cards: impl IntoIterator<Item = &'a Card>, header: impl Fn(&str) -> String) -> String {
    let mut out = String::from("| script | run with | what the class sees |\n|---|---|---|\n");
    for c in cards {
        for s in c.scripts {
            let _ = writeln!(
                out,
                "| `assets/{}` | `{}` | {} |",
                s.file,
                header(s.file).replace('|', "\\|"),
                s.about.replace('|', "\\|")
            );
        }
    }
    out
}
