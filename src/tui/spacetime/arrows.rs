//! Message arrows and event marks in text cells (no braille: at 80×24 the
//! lanes sit on adjacent rows and braille lines smudged into dots). An
//! arrow is one diagonal glyph on every row it crosses between its send
//! and its receive; between adjacent lanes, a glyph leaves the send and
//! one arrives at the receive. Each message kind has its own line glyph
//! and its own receive mark, and its theme colour, so two kinds in flight
//! at once differ without colour too (`--theme mono`, NO_COLOR).

use crate::engine::record::{EvKind, EventRec};
use crate::scenario::Scenario;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

/// The receive mark of each message kind (by its index in the run, so
/// the first six kinds of a run all differ).
pub const HEADS: [&str; 6] = ["●", "■", "▲", "◉", "▼", "★"];
/// The line glyphs (down, up) of each message kind.
pub const LINES: [(&str, &str); 3] = [("╲", "╱"), ("↘", "↗"), ("\\", "/")];
/// A message that never arrived, at the end of its arrow.
pub const LOST: &str = "⊘";
/// A crash, on its own column.
pub const CRASH: &str = "✗";

/// The mark of one record and its style.
pub fn mark(e: &EventRec, sc: &dyn Scenario) -> (&'static str, Style) {
    let th = theme::get();
    match e.kind {
        EvKind::Start => ("◦", Style::new().fg(th.dim)),
        EvKind::Recv { kind, .. } => (HEADS[kind as usize % HEADS.len()], kind_style(sc, kind)),
        EvKind::Timer { .. } => ("◷", Style::new().fg(th.dim)),
        EvKind::Request => ("◆", Style::new().fg(th.warn).add_modifier(Modifier::BOLD)),
        EvKind::Recover => ("↻", Style::new().fg(th.ok).add_modifier(Modifier::BOLD)),
        EvKind::Crash => (CRASH, th.bad_chip()),
        EvKind::Lost { .. } => (LOST, Style::new().fg(th.bad).add_modifier(Modifier::BOLD)),
    }
}

/// Drawn later, so on top when a zoomed-out column holds several.
pub fn priority(e: &EventRec) -> u8 {
    match e.kind {
        EvKind::Start | EvKind::Timer { .. } => 0,
        EvKind::Recv { .. } => 1,
        EvKind::Request | EvKind::Recover => 2,
        EvKind::Lost { .. } => 3,
        EvKind::Crash => 4,
    }
}

pub fn kind_style(sc: &dyn Scenario, kind: u16) -> Style {
    Style::new().fg(theme::kind_color(sc.kind_name(kind)))
}

/// The line glyphs of a message kind.
pub fn line_glyphs(kind: u16) -> (&'static str, &'static str) {
    LINES[kind as usize % LINES.len()]
}

/// Is the cell free for an arrow (lane, gap or another arrow, not a mark)?
fn free(buf: &Buffer, x: u16, y: u16) -> bool {
    let s = buf[(x, y)].symbol();
    matches!(s, " " | "─" | "┄") || LINES.iter().any(|(a, b)| s == *a || s == *b) || s == "│"
}

/// Draw one arrow from `(xa, ra)` to `(xb, rb)` (columns from the plot's
/// left, possibly outside it; rows relative to the plot), clipped to it.
pub fn draw(buf: &mut Buffer, plot: Rect, (xa, ra): (i64, u16), (xb, rb): (i64, u16), kind: u16, style: Style) {
    if ra == rb {
        return;
    }
    let (down, up) = line_glyphs(kind);
    let glyph = if xb == xa {
        "│"
    } else if rb > ra {
        down
    } else {
        up
    };
    let mut put = |x: i64, r: u16| {
        if x >= 0 && x < plot.width as i64 && r < plot.height {
            let (x, y) = (plot.x + x as u16, plot.y + r);
            if free(buf, x, y) {
                buf[(x, y)].set_symbol(glyph).set_style(style);
            }
        }
    };
    let dy = rb as i64 - ra as i64;
    if dy.abs() == 1 {
        // Adjacent lanes: leave the send and reach the receive.
        if xb - xa >= 3 {
            put(xa + 1, ra);
            put(xb - 1, rb);
        } else {
            put(xb - 1, rb);
        }
        return;
    }
    let (lo, hi) = (ra.min(rb), ra.max(rb));
    let d = dy.abs();
    for r in lo + 1..hi {
        let t = (r as i64 - ra as i64).abs();
        put(xa + ((xb - xa) * t * 2 + d) / (2 * d), r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plot() -> (Buffer, Rect) {
        let r = Rect::new(0, 0, 12, 5);
        let mut buf = Buffer::empty(r);
        for x in 0..12 {
            buf[(x, 0)].set_symbol("─");
            buf[(x, 4)].set_symbol("─");
        }
        (buf, r)
    }

    fn row(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()
    }

    #[test]
    fn an_arrow_steps_down_one_glyph_a_row() {
        let (mut buf, r) = plot();
        draw(&mut buf, r, (0, 0), (8, 4), 0, Style::new());
        assert_eq!(row(&buf, 1), "  ╲         ");
        assert_eq!(row(&buf, 2), "    ╲       ");
        assert_eq!(row(&buf, 3), "      ╲     ");
        // Another kind, going up, with its own glyph.
        draw(&mut buf, r, (2, 4), (10, 0), 1, Style::new());
        assert_eq!(row(&buf, 2), "    ╲ ↗     ");
        // Clipped at the plot's edges: a send far to the left.
        let (mut buf, r) = plot();
        draw(&mut buf, r, (-9, 0), (3, 4), 2, Style::new());
        assert_eq!(row(&buf, 3), "\\           ");
    }

    #[test]
    fn between_adjacent_lanes_it_leaves_and_arrives() {
        let r = Rect::new(0, 0, 10, 2);
        let mut buf = Buffer::empty(r);
        for y in 0..2 {
            for x in 0..10 {
                buf[(x, y)].set_symbol("─");
            }
        }
        buf[(1, 0)].set_symbol("●");
        draw(&mut buf, r, (1, 0), (7, 1), 0, Style::new());
        assert_eq!(row(&buf, 0), "─●╲───────");
        assert_eq!(row(&buf, 1), "──────╲───");
    }
}
