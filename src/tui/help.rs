//! The `?` overlay, generated from the same keymap table as the key bar,
//! plus the scenario's own verbs and the command language.

use super::app::App;
use super::keymap::{self, ACTION_WORD};
use super::theme::{self, width};
use crate::script;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

fn heading(text: String) -> Line<'static> {
    Line::from(Span::styled(text, Style::new().fg(theme::ACCENT).add_modifier(Modifier::BOLD)))
}

fn row(a: &str, a_w: usize, b: &str) -> Line<'static> {
    let pad = a_w.saturating_sub(width(a));
    Line::from(vec![
        Span::styled(format!("  {a}{} ", " ".repeat(pad)), Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)),
        Span::raw(b.to_string()),
    ])
}

/// A key row: keys, the command it runs, what it does.
fn key_row(keys: &str, k_w: usize, command: &str, c_w: usize, help: String) -> Line<'static> {
    let kpad = k_w.saturating_sub(width(keys));
    let cpad = c_w.saturating_sub(width(command));
    Line::from(vec![
        Span::styled(
            format!("  {keys}{} ", " ".repeat(kpad)),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!("{command}{}  ", " ".repeat(cpad)), Style::new().fg(theme::ACCENT)),
        Span::raw(help),
    ])
}

/// Every line of the help text.
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let sc = app.scenario.as_deref();
    let mut out = Vec::new();
    out.push(heading("Keys (each runs the command next to it; the log shows it)".into()));
    let kw = keymap::KEYMAP.iter().map(|b| width(b.label)).max().unwrap_or(0);
    // The action key runs one of the scenario's verbs.
    let verbs = sc.map(|sc| sc.info().verbs.iter().map(|v| v.usage).collect::<Vec<_>>().join(" | "));
    let command = |b: &keymap::Binding| match (&verbs, b.bar) {
        (Some(v), Some((_, w))) if w == ACTION_WORD => v.clone(),
        _ => b.command.to_string(),
    };
    let cw = keymap::KEYMAP.iter().map(|b| width(&command(b))).max().unwrap_or(0);
    for b in keymap::KEYMAP {
        out.push(key_row(b.label, kw, &command(b), cw, b.help.to_string()));
    }

    out.push(key_row("mouse", kw, "", cw, "click a node to select it; click or scroll the in-flight list".into()));

    out.push(Line::default());
    out.push(heading("Symbols".into()));
    let roles: Vec<Span> = theme::ALL_ROLES
        .iter()
        .flat_map(|&r| {
            [Span::styled(format!("{} {}", theme::role_symbol(r), r.name()), theme::role_style(r)), Span::raw("   ")]
        })
        .collect();
    out.push(Line::from([vec![Span::raw("  nodes      ")], roles].concat()));
    out.push(Line::from(
        "  space-time ◦ start  ● receive (arrow from its send)  ◷ timer  ◆ request  ↻ recover  ✗ lost / crash",
    ));
    out.push(Line::from("  topology   • a message on its way (colour = kind); red links are cut or partitioned"));
    if let Some(sc) = sc {
        let info = sc.info();
        out.push(Line::default());
        out.push(heading(format!("{} commands", info.name)));
        let w = info.verbs.iter().map(|v| width(v.usage)).max().unwrap_or(0);
        for v in info.verbs {
            out.push(row(v.usage, w, v.help));
        }
    }
    out.push(Line::default());
    out.push(heading("Commands (type after :, or in a --script file, or --headless)".into()));
    let w = script::GENERIC.iter().map(|(u, _)| width(u)).max().unwrap_or(0);
    for (usage, help) in script::GENERIC {
        out.push(row(usage, w, help));
    }
    out.push(Line::default());
    out.push(heading("Prompt-only commands".into()));
    let w = keymap::PROMPT_COMMANDS.iter().map(|(u, _)| width(u)).max().unwrap_or(0);
    for (usage, help) in keymap::PROMPT_COMMANDS {
        out.push(row(usage, w, help));
    }
    for (name, table) in [
        ("In the prompt", keymap::PROMPT_KEYS),
        ("In this help", keymap::HELP_KEYS),
        ("In the picker", keymap::PICKER_KEYS),
    ] {
        out.push(Line::default());
        out.push(heading(name.to_string()));
        let w = table.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
        for (k, what) in table {
            out.push(row(k, w, what));
        }
    }
    out
}

/// The overlay's box on a screen of this size.
fn rect(area: Rect) -> Rect {
    area.centered(
        Constraint::Length(area.width.saturating_sub(4).min(110)),
        Constraint::Length(area.height.saturating_sub(2)),
    )
}

/// The largest useful scroll offset at the app's current size.
pub fn max_scroll(app: &App) -> u16 {
    let inner = Block::bordered().inner(rect(Rect::new(0, 0, app.size.0, app.size.1)));
    (lines(app).len() as u16).saturating_sub(inner.height)
}

pub fn render(app: &App, frame: &mut Frame, area: Rect, scroll: u16) {
    let r = rect(area);
    frame.render_widget(Clear, r);
    let block = Block::bordered()
        .border_style(Style::new().fg(theme::ACCENT))
        .title(theme::title(" help "))
        .title_bottom(Line::from(" Esc close · ↑↓ PgUp PgDn scroll · q quit ").right_aligned());
    let inner = block.inner(r);
    let lines = lines(app);
    let max = (lines.len() as u16).saturating_sub(inner.height);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll.min(max), 0)), r);
}
