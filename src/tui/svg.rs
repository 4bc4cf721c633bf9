//! A ratatui buffer (a whole TUI screen) as SVG: background rectangles,
//! one `<text>` per run of same-style cells with an x per cell so every
//! glyph sits on its cell, and box drawing, block elements and braille
//! drawn as vector shapes so lines join and the canvas dots stay crisp.
//! `distlab export --screen`, the `P` key and the README screenshots
//! (examples/screenshots.rs rasterises this with resvg) all use it.

use super::theme::{Theme, width};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::fmt::Write as _;

/// The cell size of every screen SVG: 14×28 pixels (a 120×40 screen is
/// 1736×1176 with its margin).
pub const CELL: (u32, u32) = (14, 28);

/// The SVG of a whole buffer drawn with `theme`.
pub fn buffer_to_svg(buf: &Buffer, theme: &Theme) -> String {
    buffer_to_svg_with(buf, &Geometry::new(CELL.0, CELL.1), theme)
}

/// What an unstyled (`Reset`) cell is drawn with.
struct Base {
    bg: Rgb,
    fg: Rgb,
}

/// Cell and font geometry in pixels. Integer cell sizes keep the
/// background rectangles and line art on pixel boundaries.
pub struct Geometry {
    /// Cell width and height.
    pub cw: u32,
    pub ch: u32,
    /// Margin around the screen.
    pub pad: u32,
    pub font_size: f32,
    /// Baseline offset from the top of a cell.
    pub baseline: f32,
    /// Light and heavy line widths of box drawing.
    pub line: u32,
    pub heavy: u32,
}

/// DejaVu Sans Mono metrics (units per em 2048): advance 1233, ascender
/// 1901, descender 483.
const ADVANCE: f32 = 1233.0 / 2048.0;
const ASCENT: f32 = 1901.0 / 2048.0;
const DESCENT: f32 = 483.0 / 2048.0;

impl Geometry {
    pub fn new(cw: u32, ch: u32) -> Geometry {
        let font_size = cw as f32 / ADVANCE;
        let glyph_h = (ASCENT + DESCENT) * font_size;
        let baseline = (ch as f32 - glyph_h) / 2.0 + ASCENT * font_size;
        let line = (cw as f32 / 7.0).round().max(1.0) as u32;
        Geometry { cw, ch, pad: cw * 2, font_size, baseline, line, heavy: line * 2 }
    }
}

/// The colours and attributes a cell is drawn with, after REVERSED, DIM
/// and HIDDEN are resolved.
#[derive(Clone, Copy, PartialEq, Debug)]
struct Look {
    fg: Rgb,
    bg: Rgb,
    bold: bool,
    italic: bool,
    underline: bool,
    crossed: bool,
    hidden: bool,
}

fn look(buf: &Buffer, x: u16, y: u16, p: &Base) -> Look {
    let cell = &buf[(x, y)];
    let m = cell.modifier;
    let mut fg = rgb(cell.fg, p.fg);
    let mut bg = rgb(cell.bg, p.bg);
    if m.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    if m.contains(Modifier::DIM) {
        fg = fg.mix(bg, 0.45);
    }
    Look {
        fg,
        bg,
        bold: m.contains(Modifier::BOLD),
        italic: m.contains(Modifier::ITALIC),
        underline: m.contains(Modifier::UNDERLINED),
        crossed: m.contains(Modifier::CROSSED_OUT),
        hidden: m.contains(Modifier::HIDDEN),
    }
}

/// Line weight of one arm of a box-drawing character.
#[derive(Clone, Copy, PartialEq)]
enum W {
    No,
    Light,
    Heavy,
    Double,
}

/// Arms (up, right, down, left) of the box-drawing characters drawn as
/// shapes; `true` in the second field: a rounded corner.
fn box_arms(c: char) -> Option<([W; 4], bool)> {
    use W::*;
    let (l, h, d) = (Light, Heavy, Double);
    let arms = match c {
        '─' => [No, l, No, l],
        '│' => [l, No, l, No],
        '┌' => [No, l, l, No],
        '┐' => [No, No, l, l],
        '└' => [l, l, No, No],
        '┘' => [l, No, No, l],
        '├' => [l, l, l, No],
        '┤' => [l, No, l, l],
        '┬' => [No, l, l, l],
        '┴' => [l, l, No, l],
        '┼' => [l, l, l, l],
        '╴' => [No, No, No, l],
        '╵' => [l, No, No, No],
        '╶' => [No, l, No, No],
        '╷' => [No, No, l, No],
        '━' => [No, h, No, h],
        '┃' => [h, No, h, No],
        '┏' => [No, h, h, No],
        '┓' => [No, No, h, h],
        '┗' => [h, h, No, No],
        '┛' => [h, No, No, h],
        '┣' => [h, h, h, No],
        '┫' => [h, No, h, h],
        '┳' => [No, h, h, h],
        '┻' => [h, h, No, h],
        '╋' => [h, h, h, h],
        '═' => [No, d, No, d],
        '║' => [d, No, d, No],
        '╔' => [No, d, d, No],
        '╗' => [No, No, d, d],
        '╚' => [d, d, No, No],
        '╝' => [d, No, No, d],
        '╠' => [d, d, d, No],
        '╣' => [d, No, d, d],
        '╦' => [No, d, d, d],
        '╩' => [d, d, No, d],
        '╬' => [d, d, d, d],
        '╭' => return Some(([No, l, l, No], true)),
        '╮' => return Some(([No, No, l, l], true)),
        '╰' => return Some(([l, l, No, No], true)),
        '╯' => return Some(([l, No, No, l], true)),
        _ => return None,
    };
    Some((arms, false))
}

/// Filled rectangles (x, y, w, h) of a block element, in eighths of a cell.
fn block_rects(c: char) -> Option<Vec<(u32, u32, u32, u32)>> {
    let r = match c {
        '█' => vec![(0, 0, 8, 8)],
        '▀' => vec![(0, 0, 8, 4)],
        '▄' => vec![(0, 4, 8, 4)],
        '▌' => vec![(0, 0, 4, 8)],
        '▐' => vec![(4, 0, 4, 8)],
        '▁'..='▇' => {
            let k = c as u32 - '▁' as u32 + 1;
            vec![(0, 8 - k, 8, k)]
        }
        '▉'..='▏' => {
            let k = 7 - (c as u32 - '▉' as u32);
            vec![(0, 0, k, 8)]
        }
        '▖' => vec![(0, 4, 4, 4)],
        '▗' => vec![(4, 4, 4, 4)],
        '▘' => vec![(0, 0, 4, 4)],
        '▝' => vec![(4, 0, 4, 4)],
        '▚' => vec![(0, 0, 4, 4), (4, 4, 4, 4)],
        '▞' => vec![(4, 0, 4, 4), (0, 4, 4, 4)],
        _ => return None,
    };
    Some(r)
}

/// Is `c` drawn as a shape (box drawing, blocks, braille) rather than as
/// a glyph of the font?
pub fn drawn_as_shape(c: char) -> bool {
    box_arms(c).is_some() || block_rects(c).is_some() || ('\u{2800}'..='\u{28ff}').contains(&c)
}

/// SVG path data for box-drawing arms in the cell at (x, y) pixels.
fn box_path(out: &mut String, round: &mut String, g: &Geometry, x: u32, y: u32, arms: [W; 4], rounded: bool) {
    let (cw, ch) = (g.cw as f32, g.ch as f32);
    let (x, y) = (x as f32, y as f32);
    // The centre lines sit on the pixel grid for even widths.
    let cx = x + (g.cw / 2) as f32;
    let cy = y + (g.ch / 2) as f32;
    let rect = |out: &mut String, x0: f32, y0: f32, x1: f32, y1: f32| {
        let _ = write!(out, "M{x0} {y0}H{x1}V{y1}H{x0}Z");
    };
    if rounded {
        // A quarter circle joining the vertical arm to the horizontal one,
        // stroked (into `round`, not the filled path).
        let r = (cw / 2.0).min(ch / 2.0);
        let sv = if arms[2] != W::No { 1.0 } else { -1.0 };
        let sh = if arms[1] != W::No { 1.0 } else { -1.0 };
        let vy = if sv > 0.0 { y + ch } else { y };
        let hx = if sh > 0.0 { x + cw } else { x };
        let sweep = if sv == sh { 1 } else { 0 };
        let _ = write!(round, "M{cx} {vy}V{}A{r} {r} 0 0 {sweep} {} {cy}H{hx}", cy + sv * r, cx + sh * r);
        return;
    }
    let width = |a: W| match a {
        W::Heavy => g.heavy as f32,
        _ => g.line as f32,
    };
    let any_double = arms.contains(&W::Double);
    if any_double {
        // Two thin lines a gap apart; joints are approximate but tidy.
        let w = g.line as f32;
        let gap = (cw / 4.0).round().max(w + 1.0);
        for (i, a) in arms.iter().enumerate() {
            if *a == W::No {
                continue;
            }
            for off in [-gap / 2.0, gap / 2.0] {
                match i {
                    0 => rect(out, cx + off - w / 2.0, y, cx + off + w / 2.0, cy + gap / 2.0 + w / 2.0),
                    2 => rect(out, cx + off - w / 2.0, cy - gap / 2.0 - w / 2.0, cx + off + w / 2.0, y + ch),
                    1 => rect(out, cx - gap / 2.0 - w / 2.0, cy + off - w / 2.0, x + cw, cy + off + w / 2.0),
                    _ => rect(out, x, cy + off - w / 2.0, cx + gap / 2.0 + w / 2.0, cy + off + w / 2.0),
                }
            }
        }
        return;
    }
    // Horizontal arms reach past the centre by half the vertical line's
    // width (and vice versa) so joints are square.
    let vw = width(if arms[0] != W::No { arms[0] } else { arms[2] });
    let hw = width(if arms[1] != W::No { arms[1] } else { arms[3] });
    let has_v = arms[0] != W::No || arms[2] != W::No;
    let has_h = arms[1] != W::No || arms[3] != W::No;
    let reach_h = if has_v { vw / 2.0 } else { 0.0 };
    let reach_v = if has_h { hw / 2.0 } else { 0.0 };
    if arms[0] != W::No {
        let w = width(arms[0]);
        rect(out, cx - w / 2.0, y, cx + w / 2.0, cy + reach_v.max(w / 2.0));
    }
    if arms[2] != W::No {
        let w = width(arms[2]);
        rect(out, cx - w / 2.0, cy - reach_v.max(w / 2.0), cx + w / 2.0, y + ch);
    }
    if arms[1] != W::No {
        let w = width(arms[1]);
        rect(out, cx - reach_h.max(w / 2.0), cy - w / 2.0, x + cw, cy + w / 2.0);
    }
    if arms[3] != W::No {
        let w = width(arms[3]);
        rect(out, x, cy - w / 2.0, cx + reach_h.max(w / 2.0), cy + w / 2.0);
    }
}

/// Braille dots of `c` as small circles.
fn braille_path(out: &mut String, g: &Geometry, x: u32, y: u32, c: char) {
    let bits = c as u32 - 0x2800;
    // Dot n is bit n-1; dots 1-3 and 7 are the left column, 4-6 and 8 the right.
    const DOTS: [(u32, u32); 8] = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)];
    let (sx, sy) = (g.cw as f32 / 2.0, g.ch as f32 / 4.0);
    let r = (sx.min(sy) * 0.36).max(1.0);
    for (bit, (col, row)) in DOTS.iter().enumerate() {
        if bits & (1 << bit) != 0 {
            let dx = x as f32 + sx * (*col as f32 + 0.5);
            let dy = y as f32 + sy * (*row as f32 + 0.5);
            let _ = write!(out, "M{} {dy}a{r} {r} 0 1 0 {} 0a{r} {r} 0 1 0 {} 0Z", dx - r, 2.0 * r, -2.0 * r);
        }
    }
}

/// The SVG of a whole buffer drawn with `theme`, in cells of `g`.
pub fn buffer_to_svg_with(buf: &Buffer, g: &Geometry, theme: &Theme) -> String {
    let (bg, fg) = base(theme);
    let p = &Base { bg, fg };
    let area = buf.area;
    let (w, h) = (area.width as u32 * g.cw + 2 * g.pad, area.height as u32 * g.ch + 2 * g.pad);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT}" font-size="{:.3}">"#,
        g.font_size
    );
    let _ = writeln!(svg, r#"<rect width="{w}" height="{h}" rx="{}" fill="{}"/>"#, g.pad / 2, p.bg.hex());
    let ox = |x: u16| g.pad + (x - area.x) as u32 * g.cw;
    let oy = |y: u16| g.pad + (y - area.y) as u32 * g.ch;

    // Backgrounds: one rectangle per run of equal colour that is not the
    // default background.
    let _ = writeln!(svg, r#"<g shape-rendering="crispEdges">"#);
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let bg = look(buf, x, y, p).bg;
            let start = x;
            while x < area.right() && look(buf, x, y, p).bg == bg {
                x += 1;
            }
            if bg != p.bg {
                let _ = writeln!(
                    svg,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
                    ox(start),
                    oy(y),
                    (x - start) as u32 * g.cw,
                    g.ch,
                    bg.hex()
                );
            }
        }
    }
    let _ = writeln!(svg, "</g>");

    // Foreground: shapes per colour and text runs per style.
    let mut text = String::new();
    // Per colour: filled path data and stroked path data (rounded corners).
    let mut shapes: Vec<(Rgb, (String, String))> = Vec::new();
    let mut lines = String::new();
    let shape = |shapes: &mut Vec<(Rgb, (String, String))>, fg: Rgb| -> usize {
        match shapes.iter().position(|(c, _)| *c == fg) {
            Some(i) => i,
            None => {
                shapes.push((fg, (String::new(), String::new())));
                shapes.len() - 1
            }
        }
    };
    for y in area.top()..area.bottom() {
        // The current text run: its look and (x, char) pairs.
        let mut run: Option<(Look, Vec<(u32, String)>)> = None;
        let flush = |text: &mut String, run: &mut Option<(Look, Vec<(u32, String)>)>| {
            let Some((l, cells)) = run.take() else { return };
            if cells.is_empty() {
                return;
            }
            let base = oy(y) as f32 + g.baseline;
            let mut attrs = format!(r#" fill="{}""#, l.fg.hex());
            if l.bold {
                attrs.push_str(r#" font-weight="bold""#);
            }
            if l.italic {
                attrs.push_str(r#" font-style="italic""#);
            }
            // One x per character keeps every glyph on its cell; a cell
            // holding a grapheme of several chars gets its own element.
            let simple = cells.iter().all(|(_, s)| s.chars().count() == 1);
            if simple {
                let xs: Vec<String> = cells.iter().map(|(x, _)| x.to_string()).collect();
                let s: String = cells.iter().map(|(_, s)| s.as_str()).collect();
                let _ = writeln!(text, r#"<text x="{}" y="{base:.2}"{attrs}>{}</text>"#, xs.join(" "), escape(&s));
            } else {
                for (x, s) in cells {
                    let _ = writeln!(text, r#"<text x="{x}" y="{base:.2}"{attrs}>{}</text>"#, escape(&s));
                }
            }
        };
        let mut skip = 0usize;
        for x in area.left()..area.right() {
            let cell = &buf[(x, y)];
            let l = look(buf, x, y, p);
            let (px, py) = (ox(x), oy(y));
            if l.underline || l.crossed {
                let t = g.line.max(1);
                let yy = if l.underline { py + g.ch - 2 * t } else { py + g.ch / 2 };
                let _ =
                    writeln!(lines, r#"<rect x="{px}" y="{yy}" width="{}" height="{t}" fill="{}"/>"#, g.cw, l.fg.hex());
            }
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = cell.symbol();
            skip = width(sym).saturating_sub(1);
            if l.hidden || sym.trim().is_empty() {
                continue;
            }
            let mut chars = sym.chars();
            let (first, single) = (chars.next().unwrap_or(' '), chars.next().is_none());
            if single {
                if let Some((arms, rounded)) = box_arms(first) {
                    let i = shape(&mut shapes, l.fg);
                    let (fill, stroke) = &mut shapes[i].1;
                    box_path(fill, stroke, g, px, py, arms, rounded);
                    continue;
                }
                if let Some(rects) = block_rects(first) {
                    let i = shape(&mut shapes, l.fg);
                    let (ex, ey) = (g.cw as f32 / 8.0, g.ch as f32 / 8.0);
                    for (bx, by, bw, bh) in rects {
                        let (x0, y0) = (px as f32 + bx as f32 * ex, py as f32 + by as f32 * ey);
                        let (x1, y1) = (x0 + bw as f32 * ex, y0 + bh as f32 * ey);
                        let _ = write!(shapes[i].1.0, "M{x0} {y0}H{x1}V{y1}H{x0}Z");
                    }
                    continue;
                }
                if ('\u{2800}'..='\u{28ff}').contains(&first) {
                    let i = shape(&mut shapes, l.fg);
                    braille_path(&mut shapes[i].1.0, g, px, py, first);
                    continue;
                }
            }
            let same = matches!(&run, Some((rl, _)) if rl.fg == l.fg && rl.bold == l.bold && rl.italic == l.italic);
            if !same {
                flush(&mut text, &mut run);
                run = Some((l, Vec::new()));
            }
            if let Some((_, cells)) = run.as_mut() {
                cells.push((px, sym.to_string()));
            }
        }
        flush(&mut text, &mut run);
    }
    for (c, (fill, stroke)) in &shapes {
        if !fill.is_empty() {
            let _ = writeln!(svg, r#"<path fill="{}" d="{fill}"/>"#, c.hex());
        }
        if !stroke.is_empty() {
            let _ = writeln!(svg, r#"<path fill="none" stroke="{}" stroke-width="{}" d="{stroke}"/>"#, c.hex(), g.line);
        }
    }
    svg.push_str(&lines);
    svg.push_str(&text);
    svg.push_str("</svg>\n");
    svg
}

// ----- colours and text ------------------------------------------------------

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
