//! Colours and symbols, in one place so every pane agrees. The colour
//! tables themselves are in `palettes.rs`.

use crate::engine::protocol::{MS, Role, Time};
use ratatui::style::{Color, Modifier, Style};
use std::cell::Cell;

pub use super::palettes::{ALL_THEMES, DARK, HIGH_CONTRAST, LIGHT, MONO};

/// A palette: every colour a pane draws with, named for what it marks.
/// Panes never name a colour themselves; they ask [`get`] for the current
/// theme. Every theme but [`MONO`] paints its own background, so the
/// contrast of each text and mark against it is known (WCAG 2 ratio, at
/// least 4.5:1: `tests/theme.rs` computes it from these tables and from
/// rendered screens). [`MONO`] (`NO_COLOR`) keeps the terminal's own
/// colours and every distinction by glyph, weight or reversal.
#[derive(Debug)]
pub struct Theme {
    pub name: &'static str,
    /// The screen's background.
    pub bg: Color,
    /// The header and key bar's background.
    pub panel: Color,
    /// The narration pane's background.
    pub narration_bg: Color,
    /// Body text.
    pub fg: Color,
    /// Secondary text: step numbers, labels, hints.
    pub dim: Color,
    /// Pane borders.
    pub border: Color,
    /// Lines that carry no alarm: ring edges, message paths, time lanes.
    pub faint: Color,
    /// Titles and the selection; as a background (key chips) under `on_accent`.
    pub accent: Color,
    pub on_accent: Color,
    pub ok: Color,
    pub on_ok: Color,
    /// A violation; as a background under `on_bad`.
    pub bad: Color,
    pub on_bad: Color,
    /// Warnings and waiting marks; as a background under `on_warn`.
    pub warn: Color,
    pub on_warn: Color,
    /// What the lecturer typed (commands, injected requests).
    pub input: Color,
    /// A link that is down (cut, or between partition groups).
    pub link_down: Color,
    /// A key that cannot act now: its chip's background (text `bg`), its word.
    pub greyed_key: Color,
    pub greyed_word: Color,
    /// Node roles, in the order of [`ALL_ROLES`].
    pub roles: [Color; 6],
    /// Well-known message kinds: request, reply, election, coordinator,
    /// ack, timers.
    pub kinds: [Color; 6],
    /// Other message kinds, by a stable hash of their name.
    pub palette: [Color; 8],
    /// Chart series.
    pub series: [Color; 10],
}

thread_local! {
    static CURRENT: Cell<&'static Theme> = const { Cell::new(&DARK) };
}

/// The theme panes draw with. Per thread: the frame composer sets it from
/// the app before each frame, so tests running in parallel never mix.
pub fn get() -> &'static Theme {
    CURRENT.with(Cell::get)
}

pub fn set(theme: &'static Theme) {
    CURRENT.with(|c| c.set(theme));
}

impl Theme {
    pub fn by_name(name: &str) -> Option<&'static Theme> {
        ALL_THEMES.iter().copied().find(|t| t.name == name)
    }
    /// The names, for messages and help: `dark|light|high-contrast|mono`.
    pub fn names() -> String {
        ALL_THEMES.iter().map(|t| t.name).collect::<Vec<_>>().join("|")
    }
    /// The theme after this one (the theme key cycles through them).
    pub fn next(&self) -> &'static Theme {
        let i = ALL_THEMES.iter().position(|t| t.name == self.name).unwrap_or(0);
        ALL_THEMES[(i + 1) % ALL_THEMES.len()]
    }
    /// No colours at all (`NO_COLOR`): chips are reversed instead.
    pub fn is_mono(&self) -> bool {
        self.bg == Color::Reset
    }
    /// The whole screen: body text on the background.
    pub fn base(&self) -> Style {
        Style::new().fg(self.fg).bg(self.bg)
    }
    fn chip(&self, fg: Color, bg: Color) -> Style {
        if self.is_mono() {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::new().fg(fg).bg(bg).add_modifier(Modifier::BOLD)
        }
    }
    /// A key in the key bar, the highlighted row, the `distlab` tag.
    pub fn accent_chip(&self) -> Style {
        self.chip(self.on_accent, self.accent)
    }
    pub fn ok_chip(&self) -> Style {
        self.chip(self.on_ok, self.ok)
    }
    pub fn bad_chip(&self) -> Style {
        self.chip(self.on_bad, self.bad)
    }
    pub fn warn_chip(&self) -> Style {
        self.chip(self.on_warn, self.warn)
    }
    /// A key that cannot act now.
    pub fn greyed_chip(&self) -> Style {
        if self.is_mono() { Style::new() } else { Style::new().fg(self.bg).bg(self.greyed_key) }
    }
    pub fn role(&self, role: Role) -> Color {
        let i = ALL_ROLES.iter().position(|&r| r == role).unwrap_or(0);
        self.roles[i]
    }
    /// Every colour drawn as text or a mark on the screen's backgrounds.
    pub fn foregrounds(&self) -> Vec<(&'static str, Color)> {
        let mut v = vec![
            ("fg", self.fg),
            ("dim", self.dim),
            ("border", self.border),
            ("faint", self.faint),
            ("accent", self.accent),
            ("ok", self.ok),
            ("bad", self.bad),
            ("warn", self.warn),
            ("input", self.input),
            ("link_down", self.link_down),
            ("greyed_word", self.greyed_word),
        ];
        v.extend(self.roles.iter().map(|&c| ("role", c)));
        v.extend(self.kinds.iter().map(|&c| ("kind", c)));
        v.extend(self.palette.iter().map(|&c| ("palette", c)));
        v.extend(self.series.iter().map(|&c| ("series", c)));
        v
    }
    /// The backgrounds text is drawn on.
    pub fn backgrounds(&self) -> [(&'static str, Color); 3] {
        [("bg", self.bg), ("panel", self.panel), ("narration_bg", self.narration_bg)]
    }
    /// Text on a coloured chip: (name, text, background).
    pub fn chips(&self) -> [(&'static str, Color, Color); 5] {
        [
            ("accent", self.on_accent, self.accent),
            ("ok", self.on_ok, self.ok),
            ("bad", self.on_bad, self.bad),
            ("warn", self.on_warn, self.warn),
            ("greyed", self.bg, self.greyed_key),
        ]
    }
}

/// The WCAG 2 contrast ratio of two colours (1.0 to 21.0); `None` when
/// either is not an RGB colour.
pub fn contrast(a: Color, b: Color) -> Option<f64> {
    let (la, lb) = (luminance(a)?, luminance(b)?);
    let (hi, lo) = if la >= lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

fn luminance(c: Color) -> Option<f64> {
    let Color::Rgb(r, g, b) = c else { return None };
    let lin = |v: u8| {
        let s = v as f64 / 255.0;
        if s <= 0.04045 { s / 12.92 } else { ((s + 0.055) / 1.055).powf(2.4) }
    };
    Some(0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b))
}

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
    get().role(role)
}

pub fn role_style(role: Role) -> Style {
    let s = Style::new().fg(role_color(role));
    match role {
        Role::InCs | Role::Leader | Role::Crashed => s.add_modifier(Modifier::BOLD),
        _ => s,
    }
}

pub const ALL_ROLES: [Role; 6] = [Role::Idle, Role::Wanting, Role::InCs, Role::Candidate, Role::Leader, Role::Crashed];

/// The colour of a message or timer kind: well-known kinds get fixed
/// colours, others a stable colour from their name.
pub fn kind_color(kind: &str) -> Color {
    let th = get();
    let lower = kind.to_ascii_lowercase();
    if lower.contains("timer") || lower.contains("timeout") {
        return th.kinds[5];
    }
    match lower.as_str() {
        "request" => th.kinds[0],
        "reply" => th.kinds[1],
        "election" => th.kinds[2],
        "coordinator" => th.kinds[3],
        "ack" => th.kinds[4],
        _ => {
            // FNV-1a: stable across runs and platforms.
            let h = lower.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
            th.palette[(h % th.palette.len() as u64) as usize]
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
    ratatui::text::Span::styled(text, Style::new().fg(get().accent).add_modifier(Modifier::BOLD))
}

pub fn block(title_text: &str) -> ratatui::widgets::Block<'_> {
    ratatui::widgets::Block::bordered().border_style(Style::new().fg(get().border)).title(title(title_text))
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
