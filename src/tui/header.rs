//! The header: scenario, seed, virtual time, step, play state, scheduler
//! and the invariant badge.

use super::theme::{self, width};
use super::view::View;
use crate::scenario::Scenario;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// The badge text and whether it is good news.
pub fn badge(sc: &dyn Scenario) -> (String, bool) {
    let failed = sc.failed_expectations();
    match sc.violations().first() {
        Some(v) => {
            let more = sc.violation_count().saturating_sub(1);
            let mut s = format!("✗ {} @ step {}", v.property, v.step);
            if more > 0 {
                s.push_str(&format!(" (+{more})"));
            }
            if !failed.is_empty() {
                s.push_str(&format!(" · {} expect failed", failed.len()));
            }
            (s, false)
        }
        None => match failed.first() {
            Some(f) => {
                let more = if failed.len() > 1 { format!(" (+{})", failed.len() - 1) } else { String::new() };
                (format!("✗ {}: got {}{more}", f.expect, f.actual), false)
            }
            None => ("✓ OK".to_string(), true),
        },
    }
}

/// The yellow statuses as the badge shows them: the first, and how many
/// more there are.
pub fn statuses_text(statuses: &[String]) -> Option<String> {
    let first = statuses.first()?;
    Some(match statuses.len() - 1 {
        0 => first.clone(),
        more => format!("{first} (+{more})"),
    })
}

/// The run details, roomy or compact.
fn details(v: &View, compact: bool) -> Vec<Span<'static>> {
    let sc = v.sc;
    let key = Style::new().fg(theme::get().dim);
    let val = Style::new().fg(theme::get().fg).add_modifier(Modifier::BOLD);
    let sep = if compact { " " } else { "  " };
    let sim = sc.sim_config();
    let mut sched = sim.sched.name().to_string();
    if sim.net.fifo {
        sched.push_str("+fifo");
    }
    let speed = v.steps_per_second;
    let play = match (v.playing, compact) {
        (true, false) => Span::styled(format!("▶ playing {speed}/s"), Style::new().fg(theme::get().ok).bold()),
        (true, true) => Span::styled(format!("▶ {speed}/s"), Style::new().fg(theme::get().ok).bold()),
        (false, false) => Span::styled(format!("■ paused {speed}/s"), Style::new().fg(theme::get().dim)),
        (false, true) => Span::styled(format!("■ {speed}/s"), Style::new().fg(theme::get().dim)),
    };
    let mut spans = Vec::new();
    if !compact {
        spans.push(Span::styled(" distlab ", theme::get().accent_chip()));
    }
    let name = [
        Span::raw(" "),
        Span::styled(sc.card().name, val.fg(theme::get().accent)),
        Span::styled(format!(" n={}", sc.n()), key),
    ];
    let seed = [Span::styled(format!("{sep}seed "), key), Span::styled(sc.config().sim.seed.to_string(), val)];
    let time = [Span::styled(format!("{sep}t "), key), Span::styled(format!("{}ms", theme::fmt_ms(sc.now())), val)];
    let step =
        [Span::styled(format!("{sep}step "), key), Span::styled(sc.step().to_string(), val), Span::raw(sep), play];
    let sched = [Span::styled(format!("{sep}{}", if compact { "" } else { "sched " }), key), Span::styled(sched, val)];
    spans.extend(name);
    // Compact (a narrow header, or a long badge): what the class follows
    // (the step, play) first; what gives way from the right, last.
    if compact {
        spans.extend(step.into_iter().chain(time).chain(seed).chain(sched));
    } else {
        spans.extend(seed.into_iter().chain(time).chain(step).chain(sched));
    }
    spans
}

/// The badge's text as drawn in a header `width` wide, and whether it is
/// all good news (green).
fn badge_text(sc: &dyn Scenario, width: u16) -> (String, bool) {
    let (mut text, ok) = badge(sc);
    if let Some(status) = statuses_text(&sc.statuses()) {
        // A red badge leads with what broke; a yellow one with the status.
        text = if ok { format!("⚠ {status} · {text}") } else { format!("{text} · ⚠ {status}") };
    }
    // At most half the header (the run's name, step and play state keep
    // the other half); `w` or a click shows a cut badge in full.
    let room = (width / 2).max(BADGE_MIN.min(width)) as usize;
    let full = format!(" {text} ");
    if theme::width(&full) <= room {
        return (full, ok);
    }
    (theme::clip(&format!(" {text}"), room.saturating_sub(4)) + " w ", ok)
}

/// The badge keeps at least this many cells when the header is narrow.
const BADGE_MIN: u16 = 30;

/// Where the badge is in the header `area` (a click there explains it).
pub fn badge_area(sc: &dyn Scenario, area: Rect) -> Rect {
    let w = width(&badge_text(sc, area.width).0) as u16;
    Rect { x: area.right().saturating_sub(w), width: w, ..area }
}

pub fn render(v: &View, frame: &mut Frame, area: Rect) {
    let sc = v.sc;
    frame.buffer_mut().set_style(area, Style::new().bg(theme::get().panel).fg(theme::get().fg));
    let (badge_text, ok) = badge_text(sc, area.width);
    let statuses = sc.statuses();
    let badge_style = if ok && !statuses.is_empty() {
        theme::get().warn_chip()
    } else if ok {
        theme::get().ok_chip()
    } else {
        theme::get().bad_chip()
    };
    // The badge always shows (clipped only if it alone is too wide); the
    // run details go compact, then give way from the right.
    let badge_w = width(&badge_text) as u16;
    let left_w = area.width.saturating_sub(badge_w + 1) as usize;
    let mut spans = details(v, false);
    if Line::from(spans.clone()).width() > left_w {
        spans = details(v, true);
    }
    let mut used = 0usize;
    let mut kept: Vec<Span> = spans
        .into_iter()
        .take_while(|s| {
            used += s.width();
            used <= left_w
        })
        .collect();
    // A label ("t ", "seed ") whose value did not fit goes with it.
    while kept.last().is_some_and(|s| s.content.ends_with(' ')) {
        kept.pop();
    }
    frame.render_widget(Line::from(kept), Rect { width: left_w as u16, ..area });
    let x = area.right().saturating_sub(badge_w);
    frame.buffer_mut().set_stringn(x, area.y, &badge_text, badge_w as usize, badge_style);
}
