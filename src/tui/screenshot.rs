//! The screen as a picture for slides: `P` writes what the terminal shows
//! now as SVG next to where `S` saves traces, and `distlab export TRACE
//! --screen STEP` draws the screen of a recorded run at one of its steps.
//! Both draw with `tui::svg`, the README screenshots' code.

use super::app::{App, Status};
use super::theme::Theme;
use crate::engine::trace::Trace;
use std::io::Write as _;
use std::path::PathBuf;

/// How many numbered names (`-2`, `-3`, …) `P` tries before giving up.
const FREE_NAMES: u32 = 999;

impl App {
    /// `P`: the screen as it is now, as `distlab-SCENARIO-SEED-STEP.svg`
    /// in the save folder; a name already taken gets `-2`, `-3`, … (an
    /// existing file is never replaced). The status line names the file.
    pub(super) fn write_screen_svg(&mut self) {
        let Some(stem) = self.default_save_name().map(|n| n.trim_end_matches(".trace").to_string()) else {
            return;
        };
        let svg = {
            let buf = super::render_to_buffer(self, self.size.0, self.size.1);
            super::svg::buffer_to_svg(&buf, self.theme)
        };
        self.status = Some(match write_new(&self.save_dir, &stem, svg.as_bytes()) {
            Ok(path) => Status::command(format!("screen saved as {} ({} bytes)", path.display(), svg.len())),
            Err(e) => Status::error(e),
        });
    }
}

/// Write `bytes` to the first free name of `STEM.svg`, `STEM-2.svg`, … in
/// `dir`; creating the file and checking it was free are one step, so a
/// file that appears meanwhile is never overwritten.
fn write_new(dir: &std::path::Path, stem: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    for k in 1..=FREE_NAMES {
        let name = if k == 1 { format!("{stem}.svg") } else { format!("{stem}-{k}.svg") };
        let path = dir.join(name);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                return f
                    .write_all(bytes)
                    .map(|()| path.clone())
                    .map_err(|e| format!("screen {}: {e}", path.display()));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("screen {}: {e}", path.display())),
        }
    }
    Err(format!("screen: {stem}.svg to {stem}-{FREE_NAMES}.svg all exist; nothing written"))
}

/// The TUI screen of a trace's run at `step`, `size` cells, as SVG: the
/// trace is replayed (untrusted input), rewound to `step` as the
/// violations list's jump does, and drawn as it would be on a terminal
/// of that size.
pub async fn screen_at_step(
    trace: Trace,
    step: u64,
    size: (u16, u16),
    theme: &'static Theme,
) -> Result<String, String> {
    let start = super::Start { config: Some(trace.config.clone()), replay: Some(trace), theme, ..Default::default() };
    let mut app = App::new(start).await?;
    let Some(sc) = app.scenario.as_mut() else { return Err("the trace opened no run".into()) };
    let end = sc.step();
    if step > end {
        return Err(format!("--screen {step}: the run ends at step {end}"));
    }
    sc.rewind_to_step(step).await;
    app.status = Some(Status::info(format!("step {} of {end}", sc.step())));
    app.on_resize(size.0, size.1);
    app.refresh().await;
    let buf = super::render_to_buffer(&app, size.0, size.1);
    Ok(super::svg::buffer_to_svg(&buf, theme))
}
