//! The scenario picker: every registered scenario, grouped as the registry
//! lists them, scrolled so the highlighted one is always visible, with the
//! highlighted scenario's card (title, paragraph, variants, scripts) beside
//! the list on a wide screen and below it on a narrow one. Above the card,
//! what Enter opens: a run with a node count and a variant (`+`/`-`, `v`),
//! or one of the scenario's lecture scripts with its own arguments (`←→`).

use super::theme;
use crate::algos;
use crate::card::Card;
use crate::engine::trace::RunConfig;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// From this width on, the detail sits beside the list.
const SIDE_BY_SIDE: u16 = 100;
/// Below this height the picker is compact: a one-line title, one row per
/// entry (name and one-line description), and more room for the card, so
/// its paragraph shows at 80×24 and 60×20 too.
const ROOMY_H: u16 = 30;

fn compact(area: Rect) -> bool {
    area.height < ROOMY_H
}

/// Rows each entry takes (name line, one-line description; one row when compact).
fn entry_rows(area: Rect) -> u16 {
    if compact(area) { 1 } else { 2 }
}

/// The title and the body (list and detail) of the picker's area.
fn areas(area: Rect) -> [Rect; 2] {
    Layout::vertical([Constraint::Length(if compact(area) { 1 } else { 3 }), Constraint::Fill(1)]).areas(area)
}

/// The list's and the detail's boxes.
fn boxes(area: Rect) -> (Rect, Rect) {
    let body = areas(area)[1];
    if body.width >= SIDE_BY_SIDE {
        let [list, detail] = Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)]).areas(body);
        (list, detail)
    } else {
        let detail_h = if compact(area) {
            let list_h = (body.height * 2 / 5).max(5).min(algos::all().len() as u16 + 2);
            body.height.saturating_sub(list_h)
        } else {
            (body.height * 2 / 5).clamp(3.min(body.height), 12)
        };
        let [list, detail] = Layout::vertical([Constraint::Fill(1), Constraint::Length(detail_h)]).areas(body);
        (list, detail)
    }
}

fn list_inner(area: Rect) -> Rect {
    theme::block("").inner(boxes(area).0)
}

/// How many entries fit, and the first one shown (the highlighted entry is
/// always on screen).
fn window(inner: Rect, rows: u16, picked: usize) -> (usize, usize) {
    let fit = ((inner.height / rows) as usize).max(1);
    (fit, picked.saturating_sub(fit - 1))
}

/// The entry under a click.
pub fn entry_at(area: Rect, pos: Position, picked: usize) -> Option<usize> {
    let inner = list_inner(area);
    if !inner.contains(pos) {
        return None;
    }
    let rows = entry_rows(area);
    let (_, first) = window(inner, rows, picked);
    let i = first + ((pos.y - inner.y) / rows) as usize;
    (i < algos::all().len()).then_some(i)
}

/// What Enter opens for the highlighted scenario: a run with `nodes`
/// (`None`: the card's default) and variant `variant` (an index into the
/// card's variants, the correct one first), or lecture script `lecture`
/// (an index into the card's scripts), which sets its own arguments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Choice {
    pub nodes: Option<usize>,
    pub variant: usize,
    pub lecture: Option<usize>,
}

impl Choice {
    /// The node count a run would have.
    pub fn nodes(&self, card: &Card) -> usize {
        self.nodes.unwrap_or(card.nodes.default)
    }

    /// `+`/`-`: one node more or fewer, within the card's range; the
    /// status line's text, or why not.
    pub fn add_nodes(&mut self, card: &Card, delta: i64) -> Result<String, String> {
        if let Some(k) = self.lecture {
            return Err(format!("{} sets its own nodes (← → back to a plain run)", card.scripts[k].file));
        }
        let n = self.nodes(card);
        let to = (n as i64 + delta).clamp(card.nodes.min as i64, card.nodes.max as i64) as usize;
        if to == n {
            let end = if delta > 0 { "at most" } else { "at least" };
            let bound = if delta > 0 { card.nodes.max } else { card.nodes.min };
            return Err(format!("{} runs with {end} {bound} nodes", card.name));
        }
        self.nodes = Some(to);
        Ok(format!("{to} nodes"))
    }

    /// `v`: the next variant (the correct one after the last broken one).
    pub fn next_variant(&mut self, card: &Card) -> Result<String, String> {
        if let Some(k) = self.lecture {
            return Err(format!("{} sets its own variant (← → back to a plain run)", card.scripts[k].file));
        }
        if card.variants.len() < 2 {
            return Err(format!("{} has no broken variant", card.name));
        }
        self.variant = (self.variant + 1) % card.variants.len();
        let v = &card.variants[self.variant];
        Ok(format!("variant {}: {}", v.name, v.help))
    }

    /// `←`/`→`: a plain run, then each lecture script in turn.
    pub fn cycle(&mut self, card: &Card, forward: bool) {
        let options = card.scripts.len() + 1;
        let at = self.lecture.map_or(0, |k| k + 1);
        let to = if forward { (at + 1) % options } else { (at + options - 1) % options };
        self.lecture = to.checked_sub(1);
    }

    /// The run Enter opens, and the script to run on it.
    pub fn open(&self, card: &Card) -> Result<(RunConfig, Option<String>), String> {
        if let Some(k) = self.lecture {
            let file = card.scripts[k].file;
            let lecture = crate::lectures::find(file).ok_or_else(|| format!("{file} is not built in"))?;
            return Ok((lecture.config()?, Some(lecture.text.to_string())));
        }
        // The command line's path: `run NAME --nodes N -p variant=V`.
        let over = crate::lectures::Overrides {
            scenario: Some(card.name.to_string()),
            nodes: Some(self.nodes(card)),
            params: (self.variant > 0)
                .then(|| format!("variant={}", card.variants[self.variant].name))
                .into_iter()
                .collect(),
            ..Default::default()
        };
        Ok((over.config()?, None))
    }
}

/// The "Enter opens" menu: the plain run with its settings, then each
/// lecture script, the chosen one marked.
fn open_lines(card: &Card, choice: &Choice, w: usize) -> Vec<Line<'static>> {
    let dim = Style::new().fg(theme::get().dim);
    let mark = |on: bool| {
        if on { Span::styled(" ▸ ", theme::get().accent_chip()) } else { Span::raw("   ") }
    };
    let chosen = Style::new().fg(theme::get().accent).add_modifier(Modifier::BOLD);
    let pick = |on: bool| if on { chosen } else { Style::new().fg(theme::get().fg) };
    let variant = card.variants.get(choice.variant).map_or("correct", |v| v.name);
    let run = format!("a run: {} nodes (+ -), variant {variant} (v)", choice.nodes(card));
    let mut out = vec![
        Line::from(Span::styled("Enter opens (← → to choose):", dim)),
        Line::from(vec![
            mark(choice.lecture.is_none()),
            Span::styled(theme::clip(&run, w.saturating_sub(3)), pick(choice.lecture.is_none())),
        ]),
    ];
    for (k, s) in card.scripts.iter().enumerate() {
        let on = choice.lecture == Some(k);
        let text = format!("lecture {}: {}", s.file, s.about);
        out.push(Line::from(vec![mark(on), Span::styled(theme::clip(&text, w.saturating_sub(3)), pick(on))]));
    }
    out
}

fn detail_lines(card: &Card, choice: &Choice, w: usize) -> Vec<Line<'static>> {
    let dim = Style::new().fg(theme::get().dim);
    let mut out = vec![Line::from(Span::styled(
        card.title.to_string(),
        Style::new().fg(theme::get().accent).add_modifier(Modifier::BOLD),
    ))];
    out.extend(open_lines(card, choice, w));
    out.push(Line::default());
    out.extend(super::inspector::wrap(card.description, w).into_iter().map(Line::from));
    out.push(Line::default());
    let facts = crate::card::facts(card);
    out.extend(super::inspector::wrap(&facts, w).into_iter().map(|l| Line::from(Span::styled(l, dim))));
    out.push(Line::default());
    let broken: Vec<&str> = card.variants.iter().skip(1).map(|v| v.name).collect();
    for text in [
        format!("verbs: {}", card.usages().join(", ")),
        format!("broken variants: {}", broken.join(", ")),
        "i shows its whole guide".to_string(),
    ] {
        out.extend(super::inspector::wrap(&text, w).into_iter().map(|l| Line::from(Span::styled(l, dim))));
    }
    out
}

/// Draw the picker with scenario `picked` highlighted (the status line
/// and key bar below it are the composer's).
pub fn render(picked: usize, choice: &Choice, frame: &mut Frame, area: Rect) {
    let [top, _] = areas(area);
    let (list, detail) = boxes(area);
    let entries = algos::all();
    let tw = top.width.saturating_sub(9) as usize;
    // Compact: one line, what to do rather than what distlab is.
    let tagline = if compact(area) {
        "  Pick a scenario, then a run or one of its lectures"
    } else {
        "  classic distributed algorithms, one message at a time"
    };
    let mut title = vec![Line::from(vec![
        Span::styled(" distlab ", theme::get().accent_chip()),
        Span::styled(theme::clip(tagline, tw), Style::new().fg(theme::get().fg)),
    ])];
    if !compact(area) {
        title.push(Line::default());
        title.push(Line::from(Span::styled(
            theme::clip(
                " Pick a scenario, then a run (nodes, variant; seed 1) or one of its lectures",
                top.width as usize,
            ),
            Style::new().fg(theme::get().dim),
        )));
    }
    frame.render_widget(Paragraph::new(title), top);
    let rows = entry_rows(area);
    let picked = picked.min(entries.len().saturating_sub(1));
    let block = theme::block("scenarios");
    let inner = block.inner(list);
    let (fit, first) = window(inner, rows, picked);
    let more = entries.len().saturating_sub(first + fit);
    let block = if first > 0 || more > 0 {
        block.title_bottom(Line::from(format!(" {}/{} ", picked + 1, entries.len())).right_aligned())
    } else {
        block
    };
    frame.render_widget(block, list);
    let name_w = entries.iter().map(|e| e.card.name.len()).max().unwrap_or(0);
    for (row, (i, e)) in entries.iter().enumerate().skip(first).take(fit).enumerate() {
        let y = inner.y + row as u16 * rows;
        if y >= inner.bottom() {
            break;
        }
        let is_picked = i == picked;
        let name_style = if is_picked {
            theme::get().accent_chip()
        } else {
            Style::new().fg(theme::get().accent).add_modifier(Modifier::BOLD)
        };
        // Compact: the one-line description beside the name, not the family.
        let beside = if rows == 1 { e.card.about } else { e.card.family.title() };
        let room = (inner.width as usize).saturating_sub(name_w + 6);
        let head = Line::from(vec![
            Span::styled(if is_picked { " ▸ " } else { "   " }, name_style),
            Span::styled(format!("{} ", e.card.name), name_style),
            Span::raw(" ".repeat(name_w - e.card.name.len())),
            Span::styled(format!("  {}", theme::clip(beside, room)), Style::new().fg(theme::get().dim)),
        ]);
        frame.render_widget(head, Rect::new(inner.x, y, inner.width, 1));
        if rows == 1 {
            continue;
        }
        let indent = 5u16;
        if y + 1 < inner.bottom() && inner.width > indent + 1 {
            let text = theme::clip(e.card.about, (inner.width - indent - 1) as usize);
            frame.render_widget(
                Span::styled(text, Style::new().fg(theme::get().dim)),
                Rect::new(inner.x + indent, y + 1, inner.width - indent, 1),
            );
        }
    }
    if let Some(e) = entries.get(picked) {
        let block = theme::block(e.card.name);
        let inner = block.inner(detail);
        let lines = detail_lines(e.card, choice, inner.width.saturating_sub(1) as usize);
        let cut = lines.len() > inner.height as usize;
        let block = if cut { block.title_bottom(Line::from(" i: whole guide ").right_aligned()) } else { block };
        frame.render_widget(Paragraph::new(lines).block(block), detail);
    }
}
