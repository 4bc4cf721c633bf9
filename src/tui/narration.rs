//! The narration pane: the script's `say` text, one paragraph per `say`,
//! and, when the script waits at a `pause`, "press n to continue". It grows
//! with the text up to a third of the screen; a longer text scrolls
//! (PgUp/PgDn, the mouse wheel) with a mark saying there is more, so
//! nothing the script says is ever cut.

use super::inspector;
use super::theme::{self, clip, width};
use super::view::{ScriptView, View};
use crate::scenario::Scenario;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

/// The right-hand script state and its style.
fn script_state(script: Option<&ScriptView>) -> Option<(String, Style)> {
    let lec = script?;
    Some(if lec.error.is_some() {
        ("script stopped".to_string(), Style::new().fg(theme::get().bad).add_modifier(Modifier::BOLD))
    } else if lec.animating {
        ("▶ running — n finishes".to_string(), theme::get().accent_chip())
    } else if lec.waiting {
        let at = lec.next_line.map(|l| format!(" (line {l})")).unwrap_or_default();
        (format!("▶ press n to continue{at}"), theme::get().warn_chip())
    } else {
        ("script finished".to_string(), Style::new().fg(theme::get().dim))
    })
}

/// The text on the left, paragraph by paragraph: the script's error, or
/// the narration (one paragraph per `say`).
fn text(script: Option<&ScriptView>, narration: Option<&str>) -> Option<(Vec<String>, Style)> {
    if let Some(e) = script.and_then(|l| l.error) {
        return Some((vec![format!("✗ {e}")], Style::new().fg(theme::get().bad)));
    }
    let narration = narration?;
    let mut paragraphs: Vec<String> = narration.split('\n').map(str::to_string).collect();
    if let Some(first) = paragraphs.first_mut() {
        *first = format!("❝ {first}");
    }
    if let Some(last) = paragraphs.last_mut() {
        last.push_str(" ❞");
    }
    Some((paragraphs, Style::new().fg(theme::get().fg).add_modifier(Modifier::ITALIC)))
}

/// Blank cells left of the narration.
const MARGIN: usize = 1;

/// Width of the script state on the first row, with its margins.
fn state_width(script: Option<&ScriptView>) -> usize {
    script_state(script).map(|(s, _)| width(&s) + 3).unwrap_or(0)
}

/// The most rows the narration takes: a third of the screen, at least 3.
pub fn cap(screen_h: u16) -> u16 {
    (screen_h / 3).max(3)
}

/// The text's rows at this width, paragraph by paragraph, each paragraph
/// starting on a row of its own; the first row is `state_w` narrower (the
/// script state sits beside it).
fn wrap(paragraphs: &[String], screen_w: usize, state_w: usize) -> Vec<String> {
    let full = screen_w.saturating_sub(MARGIN).max(1);
    let first = screen_w.saturating_sub(MARGIN + state_w).max(1);
    let mut rows: Vec<String> = Vec::new();
    for p in paragraphs {
        let room = if rows.is_empty() { first } else { full };
        rows.extend(inspector::wrap_from(p, room, full));
    }
    rows
}

/// The rows of the text as drawn in a pane `screen_w` wide and at most
/// `max_rows` high, and whether they scroll. A text that fits starts beside
/// the script state; one that scrolls gets the full width below a row of
/// its own that holds the state and the "more" mark.
fn layout(
    script: Option<&ScriptView>,
    sc: &dyn Scenario,
    screen_w: u16,
    max_rows: u16,
) -> Option<(Vec<String>, Style, bool)> {
    let (paragraphs, style) = text(script, sc.narration())?;
    let rows = wrap(&paragraphs, screen_w as usize, state_width(script));
    if rows.len() <= max_rows as usize {
        return Some((rows, style, false));
    }
    Some((wrap(&paragraphs, screen_w as usize, 0), style, true))
}

/// Rows the narration wants on a screen of this size (0: none), at most
/// [`cap`]: the layout gives it that many.
pub fn rows(script: Option<&ScriptView>, sc: &dyn Scenario, screen_w: u16, screen_h: u16) -> u16 {
    let cap = cap(screen_h);
    match layout(script, sc, screen_w, cap) {
        None if state_width(script) == 0 => 0,
        None => 1,
        Some((rows, _, _)) => (rows.len() as u16).min(cap),
    }
}

/// The largest scroll offset of the narration on this screen (0: it fits).
pub fn max_scroll(script: Option<&ScriptView>, sc: &dyn Scenario, screen_w: u16, screen_h: u16) -> u16 {
    let cap = cap(screen_h);
    match layout(script, sc, screen_w, cap) {
        Some((rows, _, true)) => (rows.len() as u16).saturating_sub(cap - 1),
        _ => 0,
    }
}

pub fn render(v: &View, frame: &mut Frame, area: Rect) {
    let script = v.script.as_ref();
    if area.is_empty() {
        return;
    }
    frame.buffer_mut().set_style(area, Style::new().bg(theme::get().narration_bg));
    let state = script_state(script);
    let state_w = (state_width(script) as u16).min(area.width);
    let room = (area.width as usize).saturating_sub(MARGIN);
    if let Some((rows, style, scrolls)) = layout(script, v.sc, area.width, area.height) {
        // Scrolling: the first row holds the mark (and the state), the text
        // the rows below it.
        let top = u16::from(scrolls);
        let shown = area.height.saturating_sub(top) as usize;
        let max = rows.len().saturating_sub(shown);
        let from = (script.map_or(0, |s| s.scroll) as usize).min(max);
        for (i, row) in rows.iter().skip(from).take(shown).enumerate() {
            frame.buffer_mut().set_stringn(area.x + MARGIN as u16, area.y + top + i as u16, row, room, style);
        }
        if scrolls {
            let mark = match (from > 0, from < max) {
                (true, true) => format!("▲▼ rows {}–{} of {} · PgUp PgDn", from + 1, from + shown, rows.len()),
                (false, _) => format!("▼ {} more {} · PgDn", max - from, rows_word(max - from)),
                (true, false) => format!("▲ {from} {} above · PgUp", rows_word(from)),
            };
            let mark = clip(&mark, room.saturating_sub(state_w as usize));
            let mark_style = theme::get().warn_chip();
            frame.buffer_mut().set_stringn(area.x + MARGIN as u16, area.y, &mark, room, mark_style);
        }
    }
    if let Some((s, style)) = state {
        let x = area.right() - state_w + 2;
        frame.buffer_mut().set_stringn(x, area.y, s, state_w.saturating_sub(2) as usize, style);
    }
}

/// "row" or "rows" for a count.
fn rows_word(k: usize) -> &'static str {
    if k == 1 { "row" } else { "rows" }
}
