//! `distlab export TRACE --svg`: the command line's step range and screen
//! size checked (one-line errors), the trace replayed with a note of where
//! each fault came, the diagram drawn.

use super::diagram::{self, Fault};
use crate::engine::trace::Trace;
use crate::tui::theme::Theme;

/// The largest screen `--size` draws.
pub const MAX_SIZE: (u16, u16) = (1000, 400);

/// `--steps A..B` (both included), `A..` (to the end) or `..B`.
pub fn parse_steps(text: &str) -> Result<(Option<u64>, Option<u64>), String> {
    let shape = || format!("--steps {text}: expected A..B (steps A to B, both included), A.. or ..B");
    let (a, b) = text.split_once("..").ok_or_else(shape)?;
    let num = |s: &str| -> Result<Option<u64>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        s.parse::<u64>().map(Some).map_err(|_| format!("--steps {text}: `{s}` is not a step number"))
    };
    let (a, b) = (num(a)?, num(b)?);
    if let (Some(a), Some(b)) = (a, b)
        && a > b
    {
        return Err(format!("--steps {text}: the first step comes after the last"));
    }
    Ok((a, b))
}

/// The steps to draw of a run that ended at step `end`.
pub fn resolve_steps(range: (Option<u64>, Option<u64>), end: u64) -> Result<(u64, u64), String> {
    let (first, last) = (range.0.unwrap_or(0), range.1.unwrap_or(end));
    if first > end || last > end {
        return Err(format!("--steps {first}..{last}: the run ends at step {end}"));
    }
    Ok((first, last))
}

/// `--size WxH`: at least the TUI's smallest screen, at most [`MAX_SIZE`].
pub fn parse_size(text: &str) -> Result<(u16, u16), String> {
    let (min_w, min_h) = (crate::tui::layout::MIN_W, crate::tui::layout::MIN_H);
    let bad = || {
        format!("--size {text}: expected WIDTHxHEIGHT in cells, from {min_w}x{min_h} to {}x{}", MAX_SIZE.0, MAX_SIZE.1)
    };
    let (w, h) = text.split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let (w, h) = (w.trim().parse::<u16>().map_err(|_| bad())?, h.trim().parse::<u16>().map_err(|_| bad())?);
    if !(min_w..=MAX_SIZE.0).contains(&w) || !(min_h..=MAX_SIZE.1).contains(&h) {
        return Err(bad());
    }
    Ok((w, h))
}

/// The space-time diagram of a trace's run, or of its steps `steps`
/// (`A..B`), as SVG. The trace is replayed first (untrusted input).
pub async fn diagram_of_trace(trace: &Trace, steps: Option<&str>, theme: &'static Theme) -> Result<String, String> {
    let range = steps.map(parse_steps).transpose()?.unwrap_or((None, None));
    let mut applied = Vec::new();
    let sc = crate::replay::replay_noting(trace, |sc, input| {
        applied.push((sc.history().len(), sc.step(), input.clone()));
    })
    .await?;
    let (first, last) = resolve_steps(range, sc.step())?;
    diagram::render(sc.as_ref(), &Fault::from_inputs(&applied), first, last, theme)
}
