//! The chart pane: what a scenario's monitor wants plotted over virtual
//! time (Berkeley: every node's clock offset from true time), one braille
//! line per series in the node's colour, with a legend of the node ids in
//! the title when few nodes are charted. The y unit (s, ms or µs) follows
//! the range on screen, so a millisecond residual skew stays readable.

use super::theme;
use crate::engine::invariant::Chart as ChartData;
use crate::scenario::Scenario;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType};

/// The colour of node `i`'s line.
pub fn node_color(i: usize) -> Color {
    let series = &theme::get().series;
    series[i % series.len()]
}

/// How node `i`'s line is drawn: braille in colour; without colour
/// (`NO_COLOR`) each series gets its own marker, and the legend shows it.
pub fn node_marker(i: usize) -> (Marker, &'static str) {
    const MARKS: [(Marker, &str); 4] =
        [(Marker::Braille, "━"), (Marker::Dot, "•"), (Marker::Block, "█"), (Marker::Bar, "▄")];
    if theme::get().is_mono() { MARKS[i % MARKS.len()] } else { MARKS[0] }
}

/// The title when the full one leaves no room for the legend.
pub const SHORT_TITLE: &str = "clock offsets";

/// The legend fits in the title up to this many series.
pub const LEGEND_MAX: usize = 12;

/// The node id a series is named after (`"3"`, `"3★"`), if any.
fn node_of(name: &str) -> Option<usize> {
    let digits: String = name.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// A y unit for values spanning `span` seconds: (name, factor from seconds).
fn unit(span: f64) -> (&'static str, f64) {
    if span >= 0.5 {
        ("s", 1.0)
    } else if span >= 0.5e-3 {
        ("ms", 1e3)
    } else {
        ("µs", 1e6)
    }
}

/// A label for `v` with precision to suit a range of `span` (same unit).
fn label(v: f64, span: f64) -> String {
    let decimals = if span >= 100.0 {
        0
    } else if span >= 10.0 {
        1
    } else if span >= 1.0 {
        2
    } else {
        3
    };
    let s = format!("{v:.decimals$}");
    // No "-0.00".
    if s.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

/// The (lowest, highest) of some values, widened when they coincide.
fn bounds(values: impl Iterator<Item = f64>, min_span: f64) -> [f64; 2] {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() || !hi.is_finite() {
        return [0.0, 1.0];
    }
    if hi - lo < min_span {
        let mid = (lo + hi) / 2.0;
        return [mid - min_span / 2.0, mid + min_span / 2.0];
    }
    [lo, hi]
}

pub fn render(data: &ChartData, sc: &dyn Scenario, frame: &mut Frame, area: Rect) {
    if area.is_empty() {
        return;
    }
    let all = || data.series.iter().flat_map(|(_, pts)| pts.iter());
    let [x0, x1] = bounds(all().map(|p| p.0), 1.0);
    let [lo, hi] = bounds(all().map(|p| p.1), 1e-6);
    let (unit_name, k) = unit(hi - lo);
    let pad = (hi - lo) * 0.06;
    let [y0, y1] = [(lo - pad) * k, (hi + pad) * k];
    let scaled: Vec<Vec<(f64, f64)>> =
        data.series.iter().map(|(_, pts)| pts.iter().map(|&(x, y)| (x, y * k)).collect()).collect();

    // The legend of node ids goes in the title, which gives way to it.
    let mut legend = None;
    if (1..=LEGEND_MAX).contains(&data.series.len()) {
        let mut spans = vec![Span::raw(" ")];
        for (j, (name, _)) in data.series.iter().enumerate() {
            let node = node_of(name).unwrap_or(j);
            let mut style = Style::new().fg(node_color(node)).add_modifier(Modifier::BOLD);
            if node < sc.n() && !sc.alive(node) {
                style = style.add_modifier(Modifier::CROSSED_OUT);
            }
            spans.push(Span::styled(format!("{}{name}", node_marker(node).1), style));
            spans.push(Span::raw(" "));
        }
        legend = Some(Line::from(spans).right_aligned());
    }
    let room = area.width as usize;
    let legend_w = legend.as_ref().map_or(0, |l| l.width());
    let title = if theme::width(&data.title) + legend_w + 4 <= room { data.title.as_str() } else { SHORT_TITLE };
    let mut block = theme::block(title);
    if let Some(legend) = legend.filter(|_| theme::width(title) + legend_w + 4 <= room) {
        block = block.title(legend);
    }

    let datasets: Vec<Dataset> = data
        .series
        .iter()
        .zip(&scaled)
        .enumerate()
        .map(|(j, ((name, _), pts))| {
            let node = node_of(name).unwrap_or(j);
            Dataset::default()
                .marker(node_marker(node).0)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(node_color(node)))
                .data(pts)
        })
        .collect();
    let axis_style = Style::new().fg(theme::get().dim);
    let xspan = x1 - x0;
    let yspan = y1 - y0;
    // Units on the labels: the axis titles would sit on top of the lines.
    let x_axis = Axis::default().style(axis_style).bounds([x0, x1]).labels([
        label(x0, xspan),
        label((x0 + x1) / 2.0, xspan),
        format!("{} ms", label(x1, xspan)),
    ]);
    let y = |v: f64| format!("{} {unit_name}", label(v, yspan));
    let y_axis = Axis::default().style(axis_style).bounds([y0, y1]).labels([y(y0), y((y0 + y1) / 2.0), y(y1)]);
    let chart = Chart::new(datasets)
        .style(theme::get().base())
        .block(block)
        .x_axis(x_axis)
        .y_axis(y_axis)
        .legend_position(None);
    frame.render_widget(chart, area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_follow_the_range() {
        assert_eq!(unit(2.0).0, "s");
        assert_eq!(unit(0.004).0, "ms");
        assert_eq!(unit(2e-5).0, "µs");
        assert_eq!(label(-0.0001, 0.5), "0.000");
        assert_eq!(label(-0.25, 0.5), "-0.250");
        assert_eq!(label(12.5, 40.0), "12.5");
        assert_eq!(node_of("3★"), Some(3));
        assert_eq!(node_of("x"), None);
        assert_eq!(bounds([1.0, 1.0].into_iter(), 2.0), [0.0, 2.0]);
    }
}
