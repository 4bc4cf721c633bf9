//! The `?` overlay, generated from the same keymap table as the key bar,
//! plus the scenario's own verbs and the command language.

use super::keymap::{self, ACTION_WORD, Mode};
use super::rows::{heading, key_row, pad, row, wrapped};
use super::theme::{self, width};
use crate::scenario::Scenario;
use crate::script;
use ratatui::text::{Line, Span};

/// Every line of the help text, wrapped to `w` cells.
pub fn lines(sc: Option<&dyn Scenario>, w: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    out.push(heading("Keys (each runs the command next to it; the log shows it)".into()));
    let run: Vec<&keymap::Binding> = keymap::bindings(Mode::Run).collect();
    let kw = run.iter().map(|b| width(b.label)).max().unwrap_or(0);
    // The action key runs one of the scenario's verbs.
    let verbs = sc.map(|sc| sc.card().usages().join(" | "));
    let command = |b: &keymap::Binding| match (&verbs, b.bar) {
        (Some(v), Some((_, w))) if w == ACTION_WORD => v.clone(),
        _ => b.command.to_string(),
    };
    let cw = run.iter().map(|b| width(&command(b))).max().unwrap_or(0);
    for b in run {
        out.extend(key_row(b.label, kw, &command(b), cw, b.help, w));
    }

    out.extend(key_row(
        "mouse",
        kw,
        "",
        cw,
        "click a node to select it; click or scroll the in-flight list or the narration",
        w,
    ));

    out.push(Line::default());
    out.push(heading("Symbols".into()));
    // The roles, as many to a line as fit.
    let indent = "  nodes      ";
    let mut line = vec![Span::raw(indent)];
    // In a run, the scenario's roles in its own words.
    let roles = sc.map_or(theme::ALL_ROLES.to_vec(), |sc| sc.card().roles_shown());
    for r in roles {
        let word = sc.map_or(r.name(), |sc| sc.card().role_word(r));
        let role = Span::styled(format!("{} {word}", theme::role_symbol(r)), theme::role_style(r));
        let used: usize = line.iter().map(|s| s.width()).sum();
        if line.len() > 1 && used + role.width() > w {
            out.push(Line::from(std::mem::replace(&mut line, vec![Span::raw(" ".repeat(indent.len()))])));
        }
        line.extend([role, Span::raw("   ")]);
    }
    out.push(Line::from(line));
    let symbols = [
        ("space-time", "◦ start  ● receive (arrow from its send)  ◷ timer  ◆ request  ↻ recover  ✗ lost / crash"),
        ("topology", "• a message on its way (colour = kind); a cut link is dashed with ╳, a partition dotted"),
    ];
    for (what, text) in symbols {
        out.extend(wrapped(vec![Span::raw(format!("  {} ", pad(what, 10)))], text, w));
    }
    if let Some(sc) = sc {
        let card = sc.card();
        out.push(Line::default());
        out.push(heading(format!("{} commands", card.name)));
        let usages = card.usages();
        let vw = usages.iter().map(|u| width(u)).max().unwrap_or(0);
        for (v, usage) in card.verbs.iter().zip(&usages) {
            out.extend(row(usage, vw, v.help, w));
        }
    }
    out.push(Line::default());
    out.push(heading("Commands (type after :, or in a --script file, or --headless)".into()));
    let uw = script::GENERIC.iter().map(|(u, _)| width(u)).max().unwrap_or(0);
    for (usage, help) in script::GENERIC {
        out.extend(row(usage, uw, help, w));
    }
    out.push(Line::default());
    out.push(heading("Prompt-only commands".into()));
    // One more column: a usage like `halt on|off` must not run into its help.
    let uw = keymap::PROMPT_COMMANDS.iter().map(|(u, _)| width(u)).max().unwrap_or(0) + 1;
    for (usage, help) in keymap::PROMPT_COMMANDS {
        out.extend(row(usage, uw, help, w));
    }
    for mode in [Mode::Prompt, Mode::Overlay, Mode::Picker, Mode::Confirm] {
        out.push(Line::default());
        out.push(heading(mode.title().to_string()));
        let table = keymap::listed(mode);
        let kw = table.iter().map(|b| width(b.label)).max().unwrap_or(0);
        for b in table {
            out.extend(row(b.label, kw, b.help, w));
        }
    }
    out
}
