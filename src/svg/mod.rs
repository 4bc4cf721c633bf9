//! Pictures for slides and notes, as standalone SVG: a run's space-time
//! diagram ([`diagram`], drawn from the history records, not from the
//! terminal pane) and a whole TUI screen ([`screen`], a ratatui buffer cell
//! by cell; the README screenshots are rasterised from it). Colours come
//! from a [`Theme`]'s table; under mono (`NO_COLOR`) the picture is black
//! on white and every distinction is a shape or a dash pattern.

pub mod diagram;
pub mod export;
pub mod screen;

use crate::tui::theme::Theme;
use ratatui::style::Color;

/// An RGB colour as SVG writes it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const BLACK: Rgb = Rgb(0, 0, 0);
    pub const WHITE: Rgb = Rgb(255, 255, 255);

    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
    /// `t` of the way from `self` to `other`.
    pub fn mix(self, other: Rgb, t: f32) -> Rgb {
        let m = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * t).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }
}

/// The ANSI 16 in ratatui's order. The themes name every colour in RGB;
/// these only resolve a named colour should one ever reach a buffer.
const ANSI: [Rgb; 16] = [
    Rgb(0x15, 0x16, 0x1e),
    Rgb(0xc0, 0x1c, 0x28),
    Rgb(0x26, 0xa2, 0x69),
    Rgb(0xa2, 0x73, 0x4c),
    Rgb(0x12, 0x48, 0x8b),
    Rgb(0xa3, 0x47, 0xba),
    Rgb(0x2a, 0xa1, 0xb3),
    Rgb(0xb4, 0xbc, 0xd8),
    Rgb(0x77, 0x80, 0xa8),
    Rgb(0xf6, 0x61, 0x51),
    Rgb(0x33, 0xd1, 0x7a),
    Rgb(0xe9, 0xad, 0x0c),
    Rgb(0x2a, 0x7b, 0xde),
    Rgb(0xc0, 0x61, 0xcb),
    Rgb(0x33, 0xc7, 0xde),
    Rgb(0xf4, 0xf6, 0xff),
];

/// A terminal colour in RGB; `Reset` is `default`.
pub fn rgb(c: Color, default: Rgb) -> Rgb {
    let named = |i: usize| ANSI[i];
    match c {
        Color::Reset => default,
        Color::Rgb(r, g, b) => Rgb(r, g, b),
        Color::Black => named(0),
        Color::Red => named(1),
        Color::Green => named(2),
        Color::Yellow => named(3),
        Color::Blue => named(4),
        Color::Magenta => named(5),
        Color::Cyan => named(6),
        Color::Gray => named(7),
        Color::DarkGray => named(8),
        Color::LightRed => named(9),
        Color::LightGreen => named(10),
        Color::LightYellow => named(11),
        Color::LightBlue => named(12),
        Color::LightMagenta => named(13),
        Color::LightCyan => named(14),
        Color::White => named(15),
        Color::Indexed(i) => match i {
            0..=15 => named(i as usize),
            16..=231 => {
                let i = i - 16;
                let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
                Rgb(level(i / 36), level((i / 6) % 6), level(i % 6))
            }
            232..=255 => {
                let v = 8 + 10 * (i - 232);
                Rgb(v, v, v)
            }
        },
    }
}

/// The background and body text of a theme; mono is black on white
/// (paper and slides), whatever the terminal's own colours were.
pub fn base(theme: &Theme) -> (Rgb, Rgb) {
    if theme.is_mono() { (Rgb::WHITE, Rgb::BLACK) } else { (rgb(theme.bg, Rgb::BLACK), rgb(theme.fg, Rgb::WHITE)) }
}

/// A theme colour in RGB (mono's `Reset` is black, the body text).
pub fn paint(theme: &Theme, c: Color) -> Rgb {
    rgb(c, base(theme).1)
}

/// Text escaped for SVG content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 allows no control characters but tab and newline.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The font stack: DejaVu Sans Mono (bundled in assets/fonts for the
/// screenshots), else whatever monospace the viewer has.
pub const FONT: &str = "DejaVu Sans Mono, Menlo, Consolas, monospace";
