//! The colour tables of the themes (`--theme`, `DISTLAB_THEME`, the
//! config file, `NO_COLOR`; `T` cycles them). Every colour is RGB so its
//! contrast is computable; `tests/theme.rs` holds each table to WCAG's
//! 4.5:1 for text against every background it is drawn on.

use super::theme::Theme;
use ratatui::style::Color;

const fn rgb(hex: u32) -> Color {
    Color::Rgb((hex >> 16) as u8, (hex >> 8) as u8, hex as u8)
}

/// Light text on near-black: the default.
pub const DARK: Theme = Theme {
    name: "dark",
    bg: rgb(0x121212),
    panel: rgb(0x262626),
    narration_bg: rgb(0x1e1e1e),
    fg: rgb(0xe4e4e4),
    dim: rgb(0x9e9e9e),
    border: rgb(0x9e9e9e),
    faint: rgb(0x949494),
    accent: rgb(0x5fd7ff),
    on_accent: rgb(0x000000),
    ok: rgb(0x5fd75f),
    on_ok: rgb(0x000000),
    bad: rgb(0xff5f5f),
    on_bad: rgb(0x000000),
    warn: rgb(0xffd75f),
    on_warn: rgb(0x000000),
    input: rgb(0xffd75f),
    link_down: rgb(0xff8787),
    greyed_key: rgb(0x8a8a8a),
    greyed_word: rgb(0x9e9e9e),
    // idle, wanting, in CS, candidate, leader, crashed
    roles: [rgb(0xe4e4e4), rgb(0xffd75f), rgb(0x5fd75f), rgb(0xd787ff), rgb(0xffaf00), rgb(0xff5f5f)],
    // request, reply, election, coordinator, ack, timer
    kinds: [rgb(0xffd75f), rgb(0x5fd75f), rgb(0xd787ff), rgb(0x5fd7ff), rgb(0x87afff), rgb(0xb2b2b2)],
    palette: [
        rgb(0x87afff),
        rgb(0xff87ff),
        rgb(0x87ffff),
        rgb(0x87ff87),
        rgb(0xff8787),
        rgb(0x6c8cff),
        rgb(0xd75fd7),
        rgb(0x00d7d7),
    ],
    series: [
        rgb(0x87afff),
        rgb(0xff87ff),
        rgb(0x87ff87),
        rgb(0xff8787),
        rgb(0x87ffff),
        rgb(0xffd75f),
        rgb(0x6c8cff),
        rgb(0xd75fd7),
        rgb(0x5fd75f),
        rgb(0x00d7d7),
    ],
};

/// Dark text on white, for projectors and light terminals.
pub const LIGHT: Theme = Theme {
    name: "light",
    bg: rgb(0xffffff),
    panel: rgb(0xe4e4e4),
    narration_bg: rgb(0xf0f0f0),
    fg: rgb(0x1a1a1a),
    dim: rgb(0x555555),
    border: rgb(0x5c5c5c),
    faint: rgb(0x5c5c5c),
    accent: rgb(0x005f87),
    on_accent: rgb(0xffffff),
    ok: rgb(0x006b00),
    on_ok: rgb(0xffffff),
    bad: rgb(0xb00000),
    on_bad: rgb(0xffffff),
    warn: rgb(0x805000),
    on_warn: rgb(0xffffff),
    input: rgb(0x805000),
    link_down: rgb(0xc00000),
    greyed_key: rgb(0x6c6c6c),
    greyed_word: rgb(0x555555),
    roles: [rgb(0x1a1a1a), rgb(0x805000), rgb(0x006b00), rgb(0x7a00a8), rgb(0xa04000), rgb(0xb00000)],
    kinds: [rgb(0x805000), rgb(0x006b00), rgb(0x7a00a8), rgb(0x005f87), rgb(0x0044aa), rgb(0x555555)],
    palette: [
        rgb(0x0044aa),
        rgb(0xa0005a),
        rgb(0x006666),
        rgb(0x2f5f00),
        rgb(0xa04000),
        rgb(0x8a2be2),
        rgb(0x7a00a8),
        rgb(0x805000),
    ],
    series: [
        rgb(0x0044aa),
        rgb(0xa0005a),
        rgb(0x2f5f00),
        rgb(0xa04000),
        rgb(0x006666),
        rgb(0x805000),
        rgb(0x8a2be2),
        rgb(0x7a00a8),
        rgb(0x006b00),
        rgb(0x005f87),
    ],
};

/// Pure white and saturated colours on black, for washed-out projectors.
pub const HIGH_CONTRAST: Theme = Theme {
    name: "high-contrast",
    bg: rgb(0x000000),
    panel: rgb(0x1c1c1c),
    narration_bg: rgb(0x000000),
    fg: rgb(0xffffff),
    dim: rgb(0xd0d0d0),
    border: rgb(0xffffff),
    faint: rgb(0xc0c0c0),
    accent: rgb(0x00ffff),
    on_accent: rgb(0x000000),
    ok: rgb(0x00ff00),
    on_ok: rgb(0x000000),
    bad: rgb(0xff5050),
    on_bad: rgb(0x000000),
    warn: rgb(0xffff00),
    on_warn: rgb(0x000000),
    input: rgb(0xffff00),
    link_down: rgb(0xff8080),
    greyed_key: rgb(0xa8a8a8),
    greyed_word: rgb(0xc0c0c0),
    roles: [rgb(0xffffff), rgb(0xffff00), rgb(0x00ff00), rgb(0xff80ff), rgb(0xffaf00), rgb(0xff5050)],
    kinds: [rgb(0xffff00), rgb(0x00ff00), rgb(0xff80ff), rgb(0x00ffff), rgb(0x80b0ff), rgb(0xd0d0d0)],
    palette: [
        rgb(0x80b0ff),
        rgb(0xff80ff),
        rgb(0x80ffff),
        rgb(0x80ff80),
        rgb(0xff8080),
        rgb(0xffc080),
        rgb(0xc0a0ff),
        rgb(0x00e0e0),
    ],
    series: [
        rgb(0x80b0ff),
        rgb(0xff80ff),
        rgb(0x80ff80),
        rgb(0xff8080),
        rgb(0x80ffff),
        rgb(0xffff00),
        rgb(0xffc080),
        rgb(0xc0a0ff),
        rgb(0x00ff00),
        rgb(0x00e0e0),
    ],
};

/// The terminal's own colours (`NO_COLOR`): every distinction is kept by
/// glyph, line style, weight or reversal instead.
pub const MONO: Theme = Theme {
    name: "mono",
    bg: Color::Reset,
    panel: Color::Reset,
    narration_bg: Color::Reset,
    fg: Color::Reset,
    dim: Color::Reset,
    border: Color::Reset,
    faint: Color::Reset,
    accent: Color::Reset,
    on_accent: Color::Reset,
    ok: Color::Reset,
    on_ok: Color::Reset,
    bad: Color::Reset,
    on_bad: Color::Reset,
    warn: Color::Reset,
    on_warn: Color::Reset,
    input: Color::Reset,
    link_down: Color::Reset,
    greyed_key: Color::Reset,
    greyed_word: Color::Reset,
    roles: [Color::Reset; 6],
    kinds: [Color::Reset; 6],
    palette: [Color::Reset; 8],
    series: [Color::Reset; 10],
};

pub const ALL_THEMES: [&Theme; 4] = [&DARK, &LIGHT, &HIGH_CONTRAST, &MONO];
