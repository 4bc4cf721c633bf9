//! A run's space-time diagram as a standalone SVG for slides, drawn from
//! the history records (not from the terminal pane): one lane per node,
//! time flowing right with one column per step (a crash, a lost message
//! and a fault each get their own column, so no mark hides another);
//! every node event as a mark with its label as the TUI names it
//! (`e12 L5` and the vector clock `[2 1 0]`: history index, the engine's
//! ground-truth Lamport and vector clocks); send→receive arrows in the
//! colour of their kind (mono: a dash pattern per kind), labelled with the
//! kind; lost messages as a dashed arrow ending in a small ×; a crash as a
//! heavy ✕ with the lane dashed until the node recovers; cuts, partitions
//! and heals as vertical markers; each violation as a red line at the step
//! it broke, with the property's name.
//!
//! Every element a reader (or a test) may look for is a `<g>` with an id:
//! `lane-N`, `eI` (node event I), `msg-S-R` (sent by event S, received by
//! event R), `lost-S-L` (lost record L), `crash-I`, `fault-K`,
//! `violation-K`.

use crate::engine::clocks::VcTracker;
use crate::engine::input::Input;
use crate::engine::protocol::NodeId;
use crate::engine::record::{EvKind, EventRec, LossWhy};
use crate::scenario::Scenario;
use crate::tui::svg::{FONT, Rgb, base, escape, paint};
use crate::tui::theme::{self, Theme};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The most columns one picture may have (a slide cannot show more; a
/// longer run is drawn a step range at a time with `--steps`).
pub const MAX_COLUMNS: usize = 2_000;
/// Vector clocks are part of the labels up to this many nodes.
pub const LABEL_VECTOR_NODES: usize = 16;

/// A fault input (cut, partition, heal) and where it came in the run: the
/// history length and the step count just before it was applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pub history: usize,
    pub step: u64,
    pub input: Input,
}

impl Fault {
    /// The faults among a run's inputs, given where each input came
    /// (`(history length, step, input)` before each, in order).
    pub fn from_inputs(applied: &[(usize, u64, Input)]) -> Vec<Fault> {
        applied
            .iter()
            .filter(|(_, _, i)| matches!(i, Input::Cut(..) | Input::Partition(_) | Input::Heal | Input::HealLink(..)))
            .map(|(h, s, i)| Fault { history: *h, step: *s, input: i.clone() })
            .collect()
    }
}

// ----- geometry ----------------------------------------------------------

const FONT_SIZE: f32 = 12.0;
const SMALL: f32 = 10.5;
/// DejaVu Sans Mono's advance, as a share of the font size.
const ADVANCE: f32 = 0.602;
const TITLE_H: f32 = 30.0;
/// The row above the lanes for fault and violation names.
const MARKS_H: f32 = 22.0;
const LANE_H: f32 = 62.0;
/// Room above the first lane for its two label lines.
const LANE_TOP: f32 = 34.0;
const LEFT_PAD: f32 = 16.0;
const RIGHT_PAD: f32 = 24.0;
/// Where a mark sits inside its column (labels run to its right).
const MARK_X: f32 = 10.0;

fn text_w(s: &str, size: f32) -> f32 {
    s.chars().count() as f32 * size * ADVANCE
}

/// Dash patterns for message kinds under mono (kind index modulo).
const DASHES: [&str; 6] = ["", "7 3", "2 3", "9 3 2 3", "4 4", "12 3 2 3 2 3"];

/// One column's content.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Item {
    /// A history record, by index.
    Rec(usize),
    /// A fault, by index into the faults.
    Fault(usize),
}

/// The columns of steps `first..=last`: each item with its column, and
/// each column's step.
fn columns(
    hist: &[EventRec],
    faults: &[Fault],
    lo: usize,
    hi: usize,
    first: u64,
    last: u64,
) -> Vec<(Item, usize, u64)> {
    let mut keyed: Vec<((usize, u8), Item, u64)> = (lo..hi).map(|i| ((i, 1), Item::Rec(i), hist[i].step)).collect();
    keyed.extend(
        faults
            .iter()
            .enumerate()
            .filter(|(_, f)| (first..=last).contains(&f.step))
            .map(|(k, f)| ((f.history, 0), Item::Fault(k), f.step)),
    );
    keyed.sort_by_key(|(key, _, _)| *key);
    let mut out = Vec::with_capacity(keyed.len());
    // The open column: its step, whether it holds one item only, its nodes.
    let mut open: Option<(u64, bool, BTreeSet<u32>)> = None;
    let mut col = 0usize;
    for (_, item, step) in keyed {
        let (alone, node) = match item {
            Item::Fault(_) => (true, None),
            Item::Rec(i) => (!hist[i].is_node_event(), Some(hist[i].node)),
        };
        let joins = match (&open, node) {
            (Some((s, false, nodes)), Some(nd)) => !alone && *s == step && !nodes.contains(&nd),
            _ => false,
        };
        if !joins {
            if open.is_some() {
                col += 1;
            }
            open = Some((step, alone, BTreeSet::new()));
        }
        if let (Some((_, _, nodes)), Some(nd)) = (open.as_mut(), node) {
            nodes.insert(nd);
        }
        out.push((item, col, step));
    }
    out
}

fn fault_text(input: &Input) -> (String, Vec<NodeId>) {
    match input {
        Input::Cut(a, b) => (format!("cut {a}–{b}"), vec![*a, *b]),
        Input::HealLink(a, b) => (format!("heal {a}–{b}"), vec![*a, *b]),
        Input::Heal => ("heal".into(), Vec::new()),
        Input::Partition(groups) => {
            let g: Vec<String> =
                groups.iter().map(|g| g.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(",")).collect();
            (format!("partition {}", g.join(" | ")), groups.iter().flatten().copied().collect())
        }
        other => (other.to_string(), Vec::new()),
    }
}

fn why_text(why: LossWhy) -> &'static str {
    match why {
        LossWhy::Loss => "lost",
        LossWhy::Link => "lost: link down",
        LossWhy::Crash => "lost: receiver down",
        LossWhy::User => "dropped",
    }
}

/// The colours the picture is drawn with.
struct Ink {
    bg: Rgb,
    fg: Rgb,
    dim: Rgb,
    faint: Rgb,
    bad: Rgb,
    ok: Rgb,
    warn: Rgb,
    down: Rgb,
    accent: Rgb,
    timer: Rgb,
    mono: bool,
}

impl Ink {
    fn of(t: &Theme) -> Ink {
        let (bg, fg) = base(t);
        let p = |c| paint(t, c);
        Ink {
            bg,
            fg,
            dim: p(t.dim),
            faint: p(t.faint),
            bad: p(t.bad),
            ok: p(t.ok),
            warn: p(t.warn),
            down: p(t.link_down),
            accent: p(t.accent),
            timer: p(t.kinds[5]),
            mono: t.is_mono(),
        }
    }
}

/// The colour of a message kind in theme `t` (the TUI's own mapping).
fn kind_rgb(t: &'static Theme, name: &str) -> Rgb {
    let prev = theme::get();
    theme::set(t);
    let c = theme::kind_color(name);
    theme::set(prev);
    paint(t, c)
}

/// An arrow from `(x0, y0)` to `(x1, y1)` with a filled head.
fn arrow(out: &mut String, (x0, y0): (f32, f32), (x1, y1): (f32, f32), color: Rgb, dash: &str, head: bool) {
    let (dx, dy) = (x1 - x0, y1 - y0);
    let len = (dx * dx + dy * dy).sqrt().max(0.001);
    let (ux, uy) = (dx / len, dy / len);
    // Stop short of the mark, so the head is seen.
    let back = 6.0f32.min(len / 3.0);
    let (ex, ey) = (x1 - ux * back, y1 - uy * back);
    let dash = if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) };
    let _ = writeln!(
        out,
        r#"<line x1="{x0:.1}" y1="{y0:.1}" x2="{ex:.1}" y2="{ey:.1}" stroke="{}" stroke-width="1.8"{dash}/>"#,
        color.hex()
    );
    if head {
        let (hl, hw) = (9.0, 4.0);
        let (bx, by) = (ex - ux * hl, ey - uy * hl);
        let (px, py) = (-uy * hw, ux * hw);
        let _ = writeln!(
            out,
            r#"<path d="M{ex:.1} {ey:.1}L{:.1} {:.1}L{:.1} {:.1}Z" fill="{}"/>"#,
            bx + px,
            by + py,
            bx - px,
            by - py,
            color.hex()
        );
    }
}

/// Text with a halo of the background, so it reads over lines.
#[allow(clippy::too_many_arguments)]
fn label(out: &mut String, x: f32, y: f32, size: f32, color: Rgb, bg: Rgb, anchor: &str, bold: bool, text: &str) {
    let weight = if bold { r#" font-weight="bold""# } else { "" };
    let _ = writeln!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" fill="{}" stroke="{}" stroke-width="3" paint-order="stroke" stroke-linejoin="round" text-anchor="{anchor}"{weight}>{}</text>"#,
        color.hex(),
        bg.hex(),
        escape(text)
    );
}

/// The SVG of steps `first..=last` of a run (both within the run), in
/// theme `t`. `faults` are the run's cut, partition and heal inputs
/// ([`Fault::from_inputs`]). An error if the range holds more than
/// [`MAX_COLUMNS`] columns.
pub fn render(sc: &dyn Scenario, faults: &[Fault], first: u64, last: u64, t: &'static Theme) -> Result<String, String> {
    let hist = sc.history();
    let n = sc.n();
    let lo = hist.partition_point(|e| e.step < first);
    let hi = hist.partition_point(|e| e.step <= last);
    let items = columns(hist, faults, lo, hi, first, last);
    let ncols = items.last().map_or(0, |(_, c, _)| c + 1);
    if ncols > MAX_COLUMNS {
        return Err(format!(
            "steps {first}..{last} make {ncols} columns, more than a picture can show ({MAX_COLUMNS}); pick fewer with --steps A..B"
        ));
    }
    let ink = Ink::of(t);
    let kind = |k: u16| sc.kind_name(k);

    // Vector clocks of the node events in range.
    let vectors = n <= LABEL_VECTOR_NODES;
    let mut tracker = VcTracker::new(n);
    let mut labels: Vec<(usize, String, Option<String>)> = Vec::new();
    for &(item, _, _) in &items {
        let Item::Rec(i) = item else { continue };
        let e = &hist[i];
        if !e.is_node_event() {
            continue;
        }
        let vc = vectors.then(|| {
            tracker.catch_up(&hist[..=i]);
            let v: Vec<String> = tracker.vector(e.node as usize).iter().map(|c| c.to_string()).collect();
            format!("[{}]", v.join(" "))
        });
        labels.push((i, format!("e{i} L{}", e.lamport), vc));
    }

    // Geometry.
    let roles: BTreeSet<&str> = (0..n).map(|i| sc.node_role(i)).collect();
    let lane_name = |i: usize| if roles.len() > 1 { format!("{} {i}", sc.node_role(i)) } else { format!("node {i}") };
    let name_w = (0..n).map(|i| text_w(&lane_name(i), FONT_SIZE)).fold(0.0, f32::max);
    let left = LEFT_PAD + name_w + 14.0;
    let widest = labels
        .iter()
        .map(|(_, a, b)| text_w(a, SMALL).max(b.as_deref().map_or(0.0, |b| text_w(b, SMALL))))
        .fold(0.0, f32::max);
    let cw = (MARK_X + 6.0 + widest + 8.0).max(44.0);
    let top = TITLE_H + MARKS_H + LANE_TOP;
    let lane_y = |node: usize| top + node as f32 * LANE_H;
    let plot_right = left + ncols as f32 * cw;
    let axis_y = lane_y(n.saturating_sub(1)) + 30.0;
    let col_x = |c: usize| left + c as f32 * cw + MARK_X;

    let cfg = sc.config();
    let mut title = format!("{} · {} nodes · seed {} · steps {first}–{last}", cfg.scenario, n, cfg.sim.seed);
    for (k, v) in &cfg.params {
        let _ = write!(title, " · {k}={v}");
    }

    // Kinds drawn, for the legend: (kind index, name).
    let mut kinds_used: Vec<u16> = Vec::new();
    let mut note_kind = |k: u16| {
        if !kinds_used.contains(&k) {
            kinds_used.push(k);
        }
    };
    let dash = |k: u16| if ink.mono { DASHES[k as usize % DASHES.len()] } else { "" };

    // Record index -> column, for the records in range.
    let mut col_by_rec = vec![None; hi - lo];
    for &(item, c, _) in &items {
        if let Item::Rec(i) = item {
            col_by_rec[i - lo] = Some(c);
        }
    }
    let rec_col = |i: usize| if (lo..hi).contains(&i) { col_by_rec[i - lo] } else { None };

    let mut body = String::new();
    // The rightmost point a label reaches (the picture is made that wide).
    let mut reach = plot_right;

    // Lanes: solid while up, dashed while down (crash to recovery).
    let mut up = vec![true; n];
    for e in &hist[..lo] {
        match e.kind {
            EvKind::Crash => up[e.node as usize] = false,
            EvKind::Recover => up[e.node as usize] = true,
            _ => {}
        }
    }
    let lane_start = left - 6.0;
    let lane_end = plot_right.max(left + 20.0);
    let mut segments: Vec<Vec<(f32, f32, bool)>> = vec![Vec::new(); n];
    let mut since: Vec<f32> = vec![lane_start; n];
    for &(item, c, _) in &items {
        let Item::Rec(i) = item else { continue };
        let e = &hist[i];
        let node = e.node as usize;
        let x = col_x(c);
        match e.kind {
            EvKind::Crash if up[node] => {
                segments[node].push((since[node], x, true));
                since[node] = x;
                up[node] = false;
            }
            EvKind::Recover if !up[node] => {
                segments[node].push((since[node], x, false));
                since[node] = x;
                up[node] = true;
            }
            _ => {}
        }
    }
    for node in 0..n {
        segments[node].push((since[node], lane_end, up[node]));
        let y = lane_y(node);
        let _ = writeln!(body, r#"<g id="lane-{node}">"#);
        label(&mut body, left - 12.0, y + 4.0, FONT_SIZE, ink.fg, ink.bg, "end", true, &lane_name(node));
        for &(x0, x1, is_up) in &segments[node] {
            if x1 <= x0 {
                continue;
            }
            if is_up {
                let _ = writeln!(
                    body,
                    r#"<line x1="{x0:.1}" y1="{y:.1}" x2="{x1:.1}" y2="{y:.1}" stroke="{}" stroke-width="1.5"/>"#,
                    ink.faint.hex()
                );
            } else {
                let _ = writeln!(
                    body,
                    r#"<line class="down" x1="{x0:.1}" y1="{y:.1}" x2="{x1:.1}" y2="{y:.1}" stroke="{}" stroke-width="2" stroke-dasharray="6 5"/>"#,
                    ink.down.hex()
                );
            }
        }
        let _ = writeln!(body, "</g>");
    }

    // Faults: a vertical marker across the lanes they touch (all for heal).
    let mark_y = TITLE_H + MARKS_H - 6.0;
    for &(item, c, _) in &items {
        let Item::Fault(k) = item else { continue };
        let (text, nodes) = fault_text(&faults[k].input);
        let x = col_x(c);
        let (a, b) = match (nodes.iter().min(), nodes.iter().max()) {
            (Some(&a), Some(&b)) if a < n && b < n => (a, b),
            _ => (0, n.saturating_sub(1)),
        };
        let _ = writeln!(body, r#"<g id="fault-{k}">"#);
        let _ = writeln!(
            body,
            "<title>{} (before step {})</title>",
            escape(&faults[k].input.to_string()),
            faults[k].step + 1
        );
        let _ = writeln!(
            body,
            r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{}" stroke-width="2.5" stroke-dasharray="2 3"/>"#,
            lane_y(a) - 14.0,
            lane_y(b) + 14.0,
            ink.down.hex()
        );
        for &nd in nodes.iter().filter(|&&nd| nd < n) {
            let y = lane_y(nd);
            let _ = writeln!(
                body,
                r#"<path d="M{:.1} {:.1}H{:.1}" stroke="{}" stroke-width="2.5"/>"#,
                x - 5.0,
                y,
                x + 5.0,
                ink.down.hex()
            );
        }
        reach = reach.max(x + text_w(&text, SMALL) / 2.0);
        label(&mut body, x, mark_y, SMALL, ink.down, ink.bg, "middle", true, &text);
        let _ = writeln!(body, "</g>");
    }

    // Messages: delivered (send → receive) and lost (send → ×), including
    // those that enter or leave the range at its edges.
    let point = |i: usize, node: usize, after: bool| -> (f32, f32) {
        let x = match rec_col(i) {
            Some(c) => col_x(c),
            None if after => plot_right,
            None => left,
        };
        (x, lane_y(node))
    };
    let mut arrows = String::new();
    let mut arrow_labels = String::new();
    let mut outside: Vec<usize> = Vec::new();
    // Receives after the range of messages sent in it.
    if hi < hist.len() && lo < hi {
        outside.extend((hi..hist.len()).filter(|&i| match hist[i].kind {
            EvKind::Recv { send, .. } | EvKind::Lost { send, .. } => (lo..hi).contains(&(send as usize)),
            _ => false,
        }));
    }
    for i in (lo..hi).chain(outside) {
        let e = &hist[i];
        let (from, send, k, lost) = match e.kind {
            EvKind::Recv { from, send, kind } => (from, send, kind, None),
            EvKind::Lost { from, send, kind, why } => (from, send, kind, Some(why)),
            _ => continue,
        };
        note_kind(k);
        let name = kind(k);
        let color = kind_rgb(t, name);
        let p0 = point(send as usize, from as usize, false);
        let p1 = point(i, e.node as usize, true);
        let id = if lost.is_some() { format!("lost-{send}-{i}") } else { format!("msg-{send}-{i}") };
        let _ = writeln!(arrows, r#"<g id="{id}">"#);
        let what = match lost {
            Some(why) => format!("{name} {from}→{} {} (e{send}, record {i})", e.node, why_text(why)),
            None => format!("{name} {from}→{} (e{send} → e{i})", e.node),
        };
        let _ = writeln!(arrows, "<title>{}</title>", escape(&what));
        match lost {
            None => arrow(&mut arrows, p0, p1, color, dash(k), true),
            Some(_) => {
                let d = if ink.mono { dash(k) } else { "5 4" };
                arrow(&mut arrows, p0, p1, color, if d.is_empty() { "5 4" } else { d }, false);
                // A small ×: lost (a crash is the heavy ✕).
                let (x, y) = p1;
                let _ = writeln!(
                    arrows,
                    r#"<path d="M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}" stroke="{}" stroke-width="2"/>"#,
                    x - 4.0,
                    y - 4.0,
                    x + 4.0,
                    y + 4.0,
                    x - 4.0,
                    y + 4.0,
                    x + 4.0,
                    y - 4.0,
                    color.hex()
                );
            }
        }
        let _ = writeln!(arrows, "</g>");
        // The kind, a third of the way along, so labels of arrows that
        // share an end stay apart.
        let (mx, my) = (p0.0 + (p1.0 - p0.0) * 0.4, p0.1 + (p1.1 - p0.1) * 0.4);
        let text = match lost {
            Some(why) => format!("{name} {}", why_text(why)),
            None => name.to_string(),
        };
        label(&mut arrow_labels, mx + 3.0, my - 3.0, SMALL, color, ink.bg, "start", false, &text);
    }
    body.push_str(&arrows);

    // Events: a mark per record, labels beside the node events.
    let mut li = 0;
    for &(item, c, _) in &items {
        let Item::Rec(i) = item else { continue };
        let e = &hist[i];
        let (x, y) = (col_x(c), lane_y(e.node as usize));
        match e.kind {
            EvKind::Crash => {
                let _ = writeln!(body, r#"<g id="crash-{i}">"#);
                let _ = writeln!(body, "<title>node {} crashes (record {i}, step {})</title>", e.node, e.step);
                let _ = writeln!(
                    body,
                    r#"<path d="M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}" stroke="{}" stroke-width="4" stroke-linecap="round"/>"#,
                    x - 7.0,
                    y - 7.0,
                    x + 7.0,
                    y + 7.0,
                    x - 7.0,
                    y + 7.0,
                    x + 7.0,
                    y - 7.0,
                    ink.bad.hex()
                );
                label(&mut body, x, y + 22.0, SMALL, ink.bad, ink.bg, "middle", true, "crash");
                let _ = writeln!(body, "</g>");
                continue;
            }
            EvKind::Lost { .. } => continue,
            _ => {}
        }
        let (class, shape) = match e.kind {
            EvKind::Start => (
                "start",
                format!(
                    r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="{}" stroke="{}" stroke-width="1.5"/>"#,
                    ink.bg.hex(),
                    ink.dim.hex()
                ),
            ),
            EvKind::Recv { kind: k, .. } => {
                ("recv", format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="5" fill="{}"/>"#, kind_rgb(t, kind(k)).hex()))
            }
            EvKind::Timer { .. } => (
                "timer",
                format!(
                    r#"<rect x="{:.1}" y="{:.1}" width="9" height="9" fill="{}" stroke="{}" stroke-width="1.8"/>"#,
                    x - 4.5,
                    y - 4.5,
                    ink.bg.hex(),
                    ink.timer.hex()
                ),
            ),
            EvKind::Request => (
                "request",
                format!(
                    r#"<path d="M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z" fill="{}"/>"#,
                    y - 6.5,
                    x + 6.5,
                    y + 6.5,
                    x - 6.5,
                    ink.warn.hex()
                ),
            ),
            _ => (
                "recover",
                format!(
                    r#"<path d="M{x:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z" fill="{}"/>"#,
                    y - 7.0,
                    x + 6.5,
                    y + 5.0,
                    x - 6.5,
                    y + 5.0,
                    ink.ok.hex()
                ),
            ),
        };
        let what = match e.kind {
            EvKind::Start => format!("node {} starts", e.node),
            EvKind::Recv { from, kind: k, .. } => format!("node {} receives {} from {from}", e.node, kind(k)),
            EvKind::Timer { kind: k } => format!("node {}: {} fires", e.node, kind(k)),
            EvKind::Request => format!("node {} handles a request", e.node),
            _ => format!("node {} recovers", e.node),
        };
        let _ = writeln!(body, r#"<g id="e{i}" class="{class}">"#);
        let _ = writeln!(body, "<title>e{i}: {} (step {}, Lamport {})</title>", escape(&what), e.step, e.lamport);
        body.push_str(&shape);
        body.push('\n');
        if let Some((_, a, b)) = labels.get(li).filter(|(j, _, _)| *j == i) {
            label(&mut body, x + 7.0, y - 7.0, SMALL, ink.dim, ink.bg, "start", false, a);
            if let Some(b) = b {
                label(&mut body, x + 7.0, y - 7.0 - SMALL - 2.0, SMALL, ink.dim, ink.bg, "start", false, b);
            }
            li += 1;
        }
        if class == "recover" {
            label(&mut body, x, y + 22.0, SMALL, ink.ok, ink.bg, "middle", true, "recover");
        }
        let _ = writeln!(body, "</g>");
    }
    body.push_str(&arrow_labels);

    // Violations: a red line right after the step that broke the property.
    for (k, v) in sc.violations().iter().enumerate() {
        if !(first..=last).contains(&v.step) {
            continue;
        }
        let c = items
            .iter()
            .filter(|(it, _, s)| *s == v.step && matches!(it, Item::Rec(i) if hist[*i].is_node_event()))
            .map(|(_, c, _)| *c)
            .next_back()
            .or_else(|| items.iter().filter(|(_, _, s)| *s <= v.step).map(|(_, c, _)| *c).next_back())
            .unwrap_or(0);
        let x = col_x(c) + cw / 2.0;
        let _ = writeln!(body, r#"<g id="violation-{k}">"#);
        let _ = writeln!(
            body,
            "<title>{}</title>",
            escape(&format!("{} violated at step {}: {}", v.property, v.step, v.detail))
        );
        let _ = writeln!(
            body,
            r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{}" stroke-width="3"/>"#,
            mark_y + 4.0,
            axis_y - 8.0,
            ink.bad.hex()
        );
        for &nd in v.nodes.iter().filter(|&&nd| nd < n) {
            let _ = writeln!(
                body,
                r#"<circle cx="{x:.1}" cy="{:.1}" r="7" fill="{}" stroke="{}" stroke-width="2.5"/>"#,
                lane_y(nd),
                ink.bg.hex(),
                ink.bad.hex()
            );
        }
        let text = format!("✗ {}", v.property);
        reach = reach.max(x + 4.0 + text_w(&text, SMALL));
        label(&mut body, x + 4.0, mark_y, SMALL, ink.bad, ink.bg, "start", true, &text);
        let _ = writeln!(body, "</g>");
    }

    // The step axis: the step of each column where it changes.
    let mut axis = String::new();
    let mut last_step = None;
    label(&mut axis, left - 12.0, axis_y + 4.0, SMALL, ink.dim, ink.bg, "end", false, "step");
    for &(_, c, s) in &items {
        if last_step == Some(s) {
            continue;
        }
        last_step = Some(s);
        let x = col_x(c);
        let _ = writeln!(
            axis,
            r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{}" stroke-width="1"/>"#,
            axis_y - 6.0,
            axis_y - 2.0,
            ink.dim.hex()
        );
        label(&mut axis, x, axis_y + 10.0, SMALL, ink.dim, ink.bg, "middle", false, &s.to_string());
    }

    // The legend: every message kind drawn, as its line.
    let legend_y = axis_y + 34.0;
    let mut legend = String::new();
    let mut lx = left;
    for &k in &kinds_used {
        let name = kind(k);
        let color = kind_rgb(t, name);
        let d = dash(k);
        let d = if d.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{d}""#) };
        let _ = writeln!(
            legend,
            r#"<line x1="{lx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{}" stroke-width="2"{d}/>"#,
            legend_y - 4.0,
            lx + 26.0,
            legend_y - 4.0,
            color.hex()
        );
        label(&mut legend, lx + 32.0, legend_y, SMALL, color, ink.bg, "start", false, name);
        lx += 32.0 + text_w(name, SMALL) + 18.0;
    }

    let width = (reach + RIGHT_PAD).max(lx + RIGHT_PAD).max(LEFT_PAD * 2.0 + text_w(&title, FONT_SIZE + 2.0));
    let height = legend_y + 16.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{FONT}" font-size="{FONT_SIZE}">"#
    );
    let _ = writeln!(svg, "<title>{}</title>", escape(&format!("distlab space-time diagram: {title}")));
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="{}"/>"#, ink.bg.hex());
    label(&mut svg, LEFT_PAD, 20.0, FONT_SIZE + 2.0, ink.accent, ink.bg, "start", true, &title);
    svg.push_str(&body);
    svg.push_str(&axis);
    svg.push_str(&legend);
    svg.push_str("</svg>\n");
    Ok(svg)
}
