//! The `?` overlay, generated from the same keymap table as the key bar,
//! plus the scenario's own verbs and the command language.

use super::app::{App, Overlay, OverlayKind};
use super::keymap::{self, ACTION_WORD, Mode};
use super::theme::{self, width};
use crate::script;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

pub(super) fn heading(text: String) -> Line<'static> {
    Line::from(Span::styled(text, Style::new().fg(theme::ACCENT).add_modifier(Modifier::BOLD)))
}

/// Narrowest text column kept beside a prefix (on a tiny screen the text
/// runs past the border rather than become one letter a line).
const MIN_TEXT: usize = 12;

/// A row of the overlay: `prefix` (keys, command), then `text` wrapped to
/// the overlay's `cols` and indented under itself on later lines.
pub(super) fn wrapped(prefix: Vec<Span<'static>>, text: &str, cols: usize) -> Vec<Line<'static>> {
    let indent: usize = prefix.iter().map(|s| s.width()).sum();
    let max = cols.saturating_sub(indent).max(MIN_TEXT);
    super::inspector::wrap(text, max)
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let head = if i == 0 { prefix.clone() } else { vec![Span::raw(" ".repeat(indent))] };
            Line::from([head, vec![Span::raw(chunk)]].concat())
        })
        .collect()
}

pub(super) fn key_style() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

pub(super) fn row(a: &str, a_w: usize, b: &str, w: usize) -> Vec<Line<'static>> {
    wrapped(vec![Span::styled(format!("  {} ", pad(a, a_w)), key_style())], b, w)
}

/// A key row: keys, the command it runs, what it does.
fn key_row(keys: &str, k_w: usize, command: &str, c_w: usize, help: &str, w: usize) -> Vec<Line<'static>> {
    let prefix = vec![
        Span::styled(format!("  {} ", pad(keys, k_w)), key_style()),
        Span::styled(format!("{}  ", pad(command, c_w)), Style::new().fg(theme::ACCENT)),
    ];
    wrapped(prefix, help, w)
}

/// Every line of the help text, wrapped to `w` cells.
pub fn lines(app: &App, w: usize) -> Vec<Line<'static>> {
    let sc = app.scenario.as_deref();
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

    out.extend(key_row("mouse", kw, "", cw, "click a node to select it; click or scroll the in-flight list", w));

    out.push(Line::default());
    out.push(heading("Symbols".into()));
    // The roles, as many to a line as fit.
    let indent = "  nodes      ";
    let mut line = vec![Span::raw(indent)];
    for &r in theme::ALL_ROLES.iter() {
        let role = Span::styled(format!("{} {}", theme::role_symbol(r), r.name()), theme::role_style(r));
        let used: usize = line.iter().map(|s| s.width()).sum();
        if line.len() > 1 && used + role.width() > w {
            out.push(Line::from(std::mem::replace(&mut line, vec![Span::raw(" ".repeat(indent.len()))])));
        }
        line.extend([role, Span::raw("   ")]);
    }
    out.push(Line::from(line));
    let symbols = [
        ("space-time", "◦ start  ● receive (arrow from its send)  ◷ timer  ◆ request  ↻ recover  ✗ lost / crash"),
        ("topology", "• a message on its way (colour = kind); red links are cut or partitioned"),
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
    let uw = keymap::PROMPT_COMMANDS.iter().map(|(u, _)| width(u)).max().unwrap_or(0);
    for (usage, help) in keymap::PROMPT_COMMANDS {
        out.extend(row(usage, uw, help, w));
    }
    for mode in [Mode::Prompt, Mode::Overlay, Mode::Picker] {
        out.push(Line::default());
        out.push(heading(mode.title().to_string()));
        let table: Vec<&keymap::Binding> = keymap::bindings(mode).collect();
        let kw = table.iter().map(|b| width(b.label)).max().unwrap_or(0);
        for b in table {
            out.extend(row(b.label, kw, b.help, w));
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

/// The overlay's lines at width `w`, and its title.
fn content(app: &App, kind: OverlayKind, w: usize) -> (Vec<Line<'static>>, String) {
    match kind {
        OverlayKind::Help => (lines(app, w), " help ".into()),
        OverlayKind::Guide(card) => (super::guide::lines(card, w), format!(" guide: {} ", card.name)),
    }
}

/// The largest useful scroll offset at the app's current size.
pub fn max_scroll(app: &App) -> u16 {
    let Some(overlay) = app.overlay else { return 0 };
    let inner = Block::bordered().inner(rect(Rect::new(0, 0, app.size.0, app.size.1)));
    let count = content(app, overlay.kind, inner.width as usize).0.len();
    (count.min(u16::MAX as usize) as u16).saturating_sub(inner.height)
}

/// Draw the help or guide overlay.
pub fn render(app: &App, frame: &mut Frame, area: Rect, overlay: Overlay) {
    let r = rect(area);
    frame.render_widget(Clear, r);
    let inner = Block::bordered().inner(r);
    let (lines, title) = content(app, overlay.kind, inner.width as usize);
    let block = Block::bordered()
        .border_style(Style::new().fg(theme::ACCENT))
        .title(theme::title(&title))
        .title_bottom(Line::from(" Esc close · ↑↓ PgUp PgDn scroll · q quit ").right_aligned());
    let max = (lines.len().min(u16::MAX as usize) as u16).saturating_sub(inner.height);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((overlay.scroll.min(max), 0)), r);
}
