//! Renders the README screenshots from the real TUI renderer:
//!
//! ```text
//! cargo run --release --example screenshots [-- --svg DIR]
//! ```
//!
//! Each screen is the real `App` drawn into a ratatui `TestBackend` at
//! 120×40, converted to SVG (background rectangles, one `<text>` per run of
//! same-style cells, box drawing, block elements and braille drawn as
//! vector shapes so lines join and the canvas dots stay crisp) and
//! rasterised with resvg using the DejaVu Sans Mono bundled in
//! `assets/fonts/`, so the PNGs do not depend on the fonts of the machine.
//! Writes `screenshots/<name>.png` (and `DIR/<name>.svg` with `--svg DIR`).
//! Fails if a character has no glyph in the bundled font.

use distlab::engine::sim::SimConfig;
use distlab::engine::trace::RunConfig;
use distlab::tui::{self, App, Start};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use resvg::{tiny_skia, usvg};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const COLS: u16 = 120;
const ROWS: u16 = 40;

// ----- palette -----------------------------------------------------------

/// A dark palette with enough contrast to survive a projector.
struct Palette {
    bg: Rgb,
    fg: Rgb,
    /// Black, Red, Green, Yellow, Blue, Magenta, Cyan, Gray, DarkGray,
    /// LightRed, LightGreen, LightYellow, LightBlue, LightMagenta,
    /// LightCyan, White (the ANSI 16 in ratatui's order).
    ansi: [Rgb; 16],
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Rgb(u8, u8, u8);

impl Rgb {
    fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
    fn mix(self, other: Rgb, t: f32) -> Rgb {
        let m = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * t).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }
}

const fn hex(v: u32) -> Rgb {
    Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

const PALETTE: Palette = Palette {
    bg: hex(0x1a1b26),
    fg: hex(0xd5dbf5),
    ansi: [
        hex(0x15161e), // Black
        hex(0xff6b7d), // Red
        hex(0x9fe06a), // Green
        hex(0xf5c26b), // Yellow
        hex(0x6d9cff), // Blue
        hex(0xc792ea), // Magenta
        hex(0x5fd7ff), // Cyan
        hex(0xb4bcd8), // Gray
        hex(0x7780a8), // DarkGray
        hex(0xff8fa0), // LightRed
        hex(0xbdf58f), // LightGreen
        hex(0xffe17a), // LightYellow
        hex(0x9dbcff), // LightBlue
        hex(0xe0b6ff), // LightMagenta
        hex(0x9eeaff), // LightCyan
        hex(0xf4f6ff), // White
    ],
};

impl Palette {
    fn indexed(&self, i: u8) -> Rgb {
        match i {
            // ratatui's named colours are the ANSI 16 in order.
            0..=15 => self.ansi[i as usize],
            16..=231 => {
                let i = i - 16;
                let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
                Rgb(level(i / 36), level((i / 6) % 6), level(i % 6))
            }
            232..=255 => {
                let v = 8 + 10 * (i - 232);
                Rgb(v, v, v)
            }
        }
    }

    fn color(&self, c: Color, default: Rgb) -> Rgb {
        let a = &self.ansi;
        match c {
            Color::Reset => default,
            Color::Black => a[0],
            Color::Red => a[1],
            Color::Green => a[2],
            Color::Yellow => a[3],
            Color::Blue => a[4],
            Color::Magenta => a[5],
            Color::Cyan => a[6],
            Color::Gray => a[7],
            Color::DarkGray => a[8],
            Color::LightRed => a[9],
            Color::LightGreen => a[10],
            Color::LightYellow => a[11],
            Color::LightBlue => a[12],
            Color::LightMagenta => a[13],
            Color::LightCyan => a[14],
            Color::White => a[15],
            Color::Rgb(r, g, b) => Rgb(r, g, b),
            Color::Indexed(i) => self.indexed(i),
        }
    }
}

// ----- buffer -> SVG ---------------------------------------------------------

/// Cell and font geometry in pixels. Integer cell sizes keep the
/// background rectangles and line art on pixel boundaries.
struct Geometry {
    cw: u32,
    ch: u32,
    pad: u32,
    font_size: f32,
    /// Baseline offset from the top of a cell.
    baseline: f32,
    line: u32,
    heavy: u32,
}

/// DejaVu Sans Mono metrics (units per em 2048): advance 1233, ascender
/// 1901, descender 483.
const ADVANCE: f32 = 1233.0 / 2048.0;
const ASCENT: f32 = 1901.0 / 2048.0;
const DESCENT: f32 = 483.0 / 2048.0;

impl Geometry {
    fn new(cw: u32, ch: u32) -> Geometry {
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

fn look(buf: &Buffer, x: u16, y: u16, p: &Palette) -> Look {
    let cell = &buf[(x, y)];
    let m = cell.modifier;
    let mut fg = p.color(cell.fg, p.fg);
    let mut bg = p.color(cell.bg, p.bg);
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

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
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

/// The SVG of a whole buffer.
fn buffer_to_svg(buf: &Buffer, g: &Geometry, p: &Palette) -> String {
    let area = buf.area;
    let (w, h) = (area.width as u32 * g.cw + 2 * g.pad, area.height as u32 * g.ch + 2 * g.pad);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans Mono" font-size="{:.3}">"#,
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
            skip = tui::theme::width(sym).saturating_sub(1);
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

// ----- SVG -> PNG ----------------------------------------------------------

fn fonts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets").join("fonts")
}

fn options() -> Result<usvg::Options<'static>, String> {
    let mut opt = usvg::Options { font_family: "DejaVu Sans Mono".into(), ..usvg::Options::default() };
    let db = opt.fontdb_mut();
    for file in ["DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"] {
        let path = fonts_dir().join(file);
        db.load_font_file(&path).map_err(|e| format!("cannot load {}: {e}", path.display()))?;
    }
    db.set_monospace_family("DejaVu Sans Mono");
    Ok(opt)
}

/// Characters the font had no glyph for (drawn as the empty .notdef box).
fn missing_glyphs(group: &usvg::Group, out: &mut Vec<String>) {
    for node in group.children() {
        match node {
            usvg::Node::Group(g) => missing_glyphs(g, out),
            usvg::Node::Text(t) => {
                for span in t.layouted() {
                    for glyph in &span.positioned_glyphs {
                        if glyph.id.0 == 0 && !out.contains(&glyph.text) {
                            out.push(glyph.text.clone());
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn rasterise(svg: &str, opt: &usvg::Options) -> Result<tiny_skia::Pixmap, String> {
    let tree = usvg::Tree::from_str(svg, opt).map_err(|e| format!("the generated SVG does not parse: {e}"))?;
    let mut missing = Vec::new();
    missing_glyphs(tree.root(), &mut missing);
    if !missing.is_empty() {
        let list: Vec<String> =
            missing.iter().map(|s| format!("{s:?} (U+{:04X})", s.chars().next().unwrap_or(' ') as u32)).collect();
        return Err(format!("no glyph in the bundled font for {}", list.join(", ")));
    }
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("empty image")?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    Ok(pixmap)
}

// ----- the screens -----------------------------------------------------------

fn config(scenario: &str, n: usize) -> RunConfig {
    RunConfig { scenario: scenario.into(), params: Vec::new(), sim: SimConfig::new(n, 1) }
}

async fn open(scenario: &str, n: usize) -> App {
    let mut app =
        App::new(Start { config: Some(config(scenario, n)), script: None, replay: None, ..Default::default() })
            .await
            .unwrap_or_else(|e| panic!("{scenario} opens: {e}"));
    app.on_resize(COLS, ROWS);
    app
}

async fn exec(app: &mut App, lines: &[&str]) {
    for line in lines {
        app.exec(line).await.unwrap_or_else(|e| panic!("`{line}` runs: {e}"));
    }
}

/// The value of an inspector row of the selected node.
fn inspector(app: &App, label: &str) -> String {
    app.inspect.iter().find(|r| r.label == label).map(|r| r.value.clone()).unwrap_or_default()
}

/// How many single steps after `setup` until `done` holds (at most 500).
async fn steps_until(scenario: &str, n: usize, setup: &[&str], done: impl Fn(&App) -> bool) -> u64 {
    let mut app = open(scenario, n).await;
    exec(&mut app, setup).await;
    for k in 1..=500 {
        exec(&mut app, &["step 1"]).await;
        if done(&app) {
            return k;
        }
    }
    panic!("{scenario}: the screenshot state never came (after {setup:?})");
}

/// The screens: (file name, buffer).
async fn screens() -> Vec<(&'static str, Buffer)> {
    let mut out = Vec::new();

    // Ricart–Agrawala: three requests race; node 0 holds the earliest
    // (timestamp, id) and, once both other requests reached it, defers them.
    // The step count is found first so the log shows one `step K`.
    let requests = ["request 1", "request 3", "request 0"];
    let setup = [&requests[..], &["select 0"]].concat();
    let k = steps_until("ricart-agrawala", 5, &setup, |app| {
        inspector(app, "deferred queue").split_whitespace().count() >= 2
    })
    .await;
    let mut app = open("ricart-agrawala", 5).await;
    exec(&mut app, &requests).await;
    exec(&mut app, &[&format!("step {k}"), "select 0"]).await;
    out.push(("ricart-agrawala", tui::render_to_buffer(&app, COLS, ROWS)));

    // The help overlay, over the same run.
    exec(&mut app, &["help"]).await;
    out.push(("help", tui::render_to_buffer(&app, COLS, ROWS)));

    // Ring election, seed 000: node 3 has failed, node 2 starts an election,
    // notices the missing acknowledgement and skips node 3.
    let mut app = open("ring-election", 5).await;
    exec(&mut app, &["crash 3", "elect 2", "step 6", "select 2"]).await;
    out.push(("ring-election", tui::render_to_buffer(&app, COLS, ROWS)));

    // Suzuki–Kasami, the seed's sequence part-way: node 2 in the CS holds
    // the token (◆TOKEN) with LN and the queue [0 3] in its inspector.
    let mut app = open("suzuki-kasami", 4).await;
    exec(
        &mut app,
        &["request 0", "run", "request 1", "request 2", "run", "release 0", "run", "request 0", "request 3", "run"],
    )
    .await;
    exec(&mut app, &["release 1", "run", "select 2"]).await;
    out.push(("suzuki-kasami", tui::render_to_buffer(&app, COLS, ROWS)));

    // Berkeley, seed 001's clocks drifting apart (a few thousand ppm, to
    // show on screen) and pulled together by a round every 50 ms: the chart
    // shows the lines fanning out and stepping back together.
    let mut app = App::new(Start {
        config: Some(RunConfig {
            scenario: "berkeley".into(),
            params: vec![
                ("clocks".into(), "100.3,102.5,98.4,101.0".into()),
                ("drift".into(), "4000,-6000,3000,-2000".into()),
                ("period".into(), "50".into()),
                ("rounds".into(), "5".into()),
            ],
            sim: SimConfig::new(4, 1),
        }),
        script: None,
        replay: None,
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("berkeley opens: {e}"));
    app.on_resize(COLS, ROWS);
    exec(&mut app, &["sync", "run", "select 0"]).await;
    out.push(("berkeley", tui::render_to_buffer(&app, COLS, ROWS)));

    // Logical clocks: the textbook exchange, then `hb` asked and answered.
    let mut app = open("logical-clocks", 3).await;
    exec(&mut app, &["send 0 1", "local 2", "run", "send 1 2", "run", "hb e3 e7", "select 2"]).await;
    out.push(("logical-clocks", tui::render_to_buffer(&app, COLS, ROWS)));

    // Chat rooms (seed 004): an answer overtook its question on the way to
    // client 3, which holds it back (BSS); the screens pane shows what each
    // client sees. Latency is fixed, so message #14 is the question's copy
    // for client 3.
    let mut app = open("chat-rooms", 4).await;
    exec(
        &mut app,
        &["latency 1 1", "create-room 1", "run", "join 1 0 Q", "join 2 0 A", "join 3 0 C", "run", "post 1 question"],
    )
    .await;
    exec(&mut app, &["step 1", "delay 14 50", "step 1", "post 2 answer", "run 3", "select 3"]).await;
    out.push(("chat-rooms", tui::render_to_buffer(&app, COLS, ROWS)));

    // Load balancer (seed 000): ten jobs round-robin over four servers,
    // then server 3 crashes and its next job is retried elsewhere.
    let mut app = open("load-balancer", 6).await;
    let mut lines: Vec<String> = vec!["fifo on".into()];
    lines.extend((1..=10).map(|i| format!("submit {i}")));
    lines.extend(
        ["run", "crash 3", "submit 11", "submit 12", "submit 13", "submit 14", "run", "select 1"].map(String::from),
    );
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    exec(&mut app, &lines).await;
    out.push(("load-balancer", tui::render_to_buffer(&app, COLS, ROWS)));
    out
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let svg_dir = match args.as_slice() {
        [] => None,
        [flag, dir] if flag == "--svg" => Some(PathBuf::from(dir)),
        _ => {
            eprintln!("usage: cargo run --release --example screenshots [-- --svg DIR]");
            return std::process::ExitCode::from(2);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("a current-thread runtime starts");
    let screens = rt.block_on(screens());
    let opt = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("screenshots: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    let geometry = Geometry::new(14, 28);
    let mut failed = false;
    for (name, buf) in &screens {
        let svg = buffer_to_svg(buf, &geometry, &PALETTE);
        if let Some(dir) = &svg_dir {
            let path = dir.join(format!("{name}.svg"));
            if let Err(e) = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(&path, &svg)) {
                eprintln!("screenshots: cannot write {}: {e}", path.display());
                failed = true;
            }
        }
        let path = out_dir.join(format!("{name}.png"));
        match rasterise(&svg, &opt).and_then(|pm| pm.save_png(&path).map_err(|e| e.to_string())) {
            Ok(()) => println!("wrote {}", path.display()),
            Err(e) => {
                eprintln!("screenshots: {name}: {e}");
                failed = true;
            }
        }
    }
    if failed { std::process::ExitCode::FAILURE } else { std::process::ExitCode::SUCCESS }
}
