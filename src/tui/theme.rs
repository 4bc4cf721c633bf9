//! Colours and symbols, in one place so every pane agrees.

use crate::engine::protocol::{MS, Role, Time};
use ratatui::style::{Color, Modifier, Style};

pub const ACCENT: Color = Color::Cyan;
pub const DIM: Color = Color::DarkGray;
pub const BORDER: Color = Color::Gray;
pub const OK: Color = Color::Green;
pub const BAD: Color = Color::Red;
pub const INPUT: Color = Color::Yellow;
/// A link that is down (cut, or between partition groups).
pub const LINK_DOWN: Color = Color::Indexed(124);
/// A faint line (ring edges, message paths).
pub const FAINT: Color = Color::Indexed(238);

/// The symbol of a node in this role.
pub fn role_symbol(role: Role) -> &'static str {
    match role {
        Role::Idle => "○",
        Role::Wanting => "◐",
        Role::InCs => "●",
        Role::Candidate => "◇",
        Role::Leader => "★",
        Role::Crashed => "✗",
    }
}

pub fn role_color(role: Role) -> Color {
    match role {
        Role::Idle => Color::White,
        Role::Wanting => Color::Yellow,
        Role::InCs => Color::Green,
        Role::Candidate => Color::Magenta,
        Role::Leader => Color::LightYellow,
        Role::Crashed => Color::Red,
    }
}

pub fn role_style(role: Role) -> Style {
    let s = Style::new().fg(role_color(role));
    match role {
        Role::InCs | Role::Leader | Role::Crashed => s.add_modifier(Modifier::BOLD),
        _ => s,
    }
}

pub const ALL_ROLES: [Role; 6] = [Role::Idle, Role::Wanting, Role::InCs, Role::Candidate, Role::Leader, Role::Crashed];

const PALETTE: [Color; 8] = [
    Color::LightBlue,
    Color::LightMagenta,
    Color::LightCyan,
    Color::LightGreen,
    Color::LightRed,
    Color::Blue,
    Color::Magenta,
    Color::Cyan,
];

/// The colour of a message or timer kind: well-known kinds get fixed
/// colours, others a stable colour from their name.
pub fn kind_color(kind: &str) -> Color {
    let lower = kind.to_ascii_lowercase();
    if lower.contains("timer") || lower.contains("timeout") {
        return Color::Gray;
    }
    match lower.as_str() {
        "request" => Color::Yellow,
        "reply" => Color::Green,
        "election" => Color::Magenta,
        "coordinator" => Color::Cyan,
        "ack" => Color::Blue,
        _ => {
            // FNV-1a: stable across runs and platforms.
            let h = lower.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
            PALETTE[(h % PALETTE.len() as u64) as usize]
        }
    }
}

/// Virtual time as milliseconds, without trailing zeros (`12`, `12.5`, `12.345`).
pub fn fmt_ms(t: Time) -> String {
    let whole = t / MS;
    let frac = t % MS;
    if frac == 0 {
        return whole.to_string();
    }
    let s = format!("{whole}.{frac:03}");
    s.trim_end_matches('0').to_string()
}

/// Display width of a string in terminal cells.
pub fn width(s: &str) -> usize {
    ratatui::text::Span::raw(s).width()
}

/// `s` cut to at most `max` cells, with `…` when cut.
pub fn clip(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = width(c.encode_utf8(&mut [0; 4]));
        if w + cw > max - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

pub fn title(text: &str) -> ratatui::text::Span<'_> {
    ratatui::text::Span::styled(text, Style::new().fg(ACCENT).add_modifier(Modifier::BOLD))
}

pub fn block(title_text: &str) -> ratatui::widgets::Block<'_> {
    ratatui::widgets::Block::bordered().border_style(Style::new().fg(DIM)).title(title(title_text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms_format() {
        assert_eq!(fmt_ms(0), "0");
        assert_eq!(fmt_ms(12_000), "12");
        assert_eq!(fmt_ms(12_500), "12.5");
        assert_eq!(fmt_ms(12_345), "12.345");
        assert_eq!(fmt_ms(5), "0.005");
    }
}
