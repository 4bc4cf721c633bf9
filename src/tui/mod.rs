//! The terminal UI. [`App`] holds all state and actions and draws into any
//! ratatui backend, so tests and tools render it into a `TestBackend`
//! ([`render_to_buffer`]); [`run`] wires it to a real terminal.
//!
//! One file per pane; `keymap` is the single table behind the key bar,
//! the help overlay and key dispatch.

pub mod app;
pub mod chart;
pub mod check_job;
pub mod checking;
pub mod commands;
pub mod confirm;
pub mod event_details;
pub mod frame;
pub mod grid;
pub mod guide;
pub mod header;
pub mod help;
pub mod inflight;
pub mod inspector;
pub mod jump;
pub mod keybar;
pub mod keymap;
pub mod layout;
pub mod lecture;
pub mod lecturing;
pub mod log;
pub mod narration;
pub mod overlay;
pub mod palettes;
pub mod picker;
pub mod picking;
pub mod prompt;
pub mod refusals;
pub mod rows;
pub mod screenshot;
pub mod scrolling;
pub mod showing;
pub mod spacetime;
pub mod svg;
pub mod table;
pub mod theme;
pub mod theme_choice;
pub mod topology;
pub mod transcript;
pub mod view;
pub mod violations;

pub use app::App;

use crate::engine::trace::RunConfig;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture, EventStream};
use futures::StreamExt;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Paragraph;
use ratatui::{DefaultTerminal, Frame, Terminal};

/// What the TUI opens on.
pub struct Start {
    /// `None`: the scenario picker.
    pub config: Option<RunConfig>,
    /// Text of a lecture script to drive (`--script`).
    pub script: Option<String>,
    /// Inputs to replay first (`distlab replay FILE`).
    pub replay: Option<crate::engine::trace::Trace>,
    /// The colours to draw with (`--theme`, see [`theme_choice::choose`]).
    pub theme: &'static theme::Theme,
}

impl Default for Start {
    fn default() -> Start {
        Start { config: None, script: None, replay: None, theme: &theme::DARK }
    }
}

/// The one-line message shown instead of anything below 60×20 (shorter
/// forms on a very narrow screen, so it never wraps).
pub fn too_small(frame: &mut Frame, area: Rect) {
    let (w, h) = (area.width, area.height);
    let (min_w, min_h) = (layout::MIN_W, layout::MIN_H);
    let text = [
        format!("terminal too small: need {min_w}×{min_h}, have {w}×{h}"),
        format!("too small: {w}×{h} < {min_w}×{min_h}"),
        format!("need {min_w}×{min_h}"),
    ]
    .into_iter()
    .find(|t| theme::width(t) <= w as usize)
    .unwrap_or_default();
    let y = area.y + area.height.saturating_sub(1) / 2;
    let row = Rect::new(area.x, y, area.width, 1.min(area.height));
    let p = Paragraph::new(text)
        .alignment(Alignment::Center)
        .style(Style::new().fg(theme::get().bad).add_modifier(Modifier::BOLD));
    frame.render_widget(p, row);
}

/// Render one frame of `app` at `width`×`height` into a buffer (for
/// snapshots, screenshots and benchmarks).
pub fn render_to_buffer(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test backend never fails");
    draw_frame(&mut terminal, app).clone()
}

/// Render one frame of `app` into an existing test terminal (reuse it in a
/// benchmark loop to measure the drawing alone).
pub fn draw_frame<'a>(terminal: &'a mut Terminal<TestBackend>, app: &App) -> &'a Buffer {
    terminal.draw(|f| frame::draw(app, f)).expect("a test backend never fails").buffer
}

/// The text of a buffer, one line per row (trailing spaces kept).
pub fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::with_capacity((area.width as usize + 1) * area.height as usize);
    for y in area.top()..area.bottom() {
        let mut skip = 0;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            out.push_str(sym);
            skip = theme::width(sym).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

/// Undo everything `run` did to the terminal (also on early return).
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        restore();
    }
}

fn restore() {
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture, crossterm::cursor::Show);
    ratatui::restore();
}

/// Run the TUI on an opened app (see [`App::new`]: a bad configuration or
/// trace is reported before the terminal is taken) until the user quits.
/// The terminal is restored on return, on error and on panic.
pub async fn run(mut app: App) -> color_eyre::Result<()> {
    // try_init installs a panic hook that restores raw mode and the screen;
    // ours runs first and also gives the mouse and the cursor back.
    let mut terminal = ratatui::try_init()?;
    let _restore = Restore;
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture, crossterm::cursor::Show);
        prev(info);
    }));
    crossterm::execute!(std::io::stdout(), EnableMouseCapture)?;
    // The theme already honours NO_COLOR (it starts mono); crossterm must
    // not drop the colours of a theme chosen over it (`--theme`, `T`).
    crossterm::style::force_color_output(true);
    event_loop(&mut terminal, &mut app).await
}

/// Play-mode ticks (the TUI's clock; the engine's time stays virtual). A
/// tick missed while a frame was slow is skipped, not queued.
fn play_ticks(period: std::time::Duration) -> tokio::time::Interval {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    ticks
}

async fn event_loop(terminal: &mut DefaultTerminal, app: &mut App) -> color_eyre::Result<()> {
    let size = terminal.size()?;
    app.on_resize(size.width, size.height);
    let mut events = EventStream::new();
    let mut period = app.tick_period();
    let mut ticks = play_ticks(period);
    loop {
        terminal.draw(|f| frame::draw(app, f))?;
        if app.should_quit() {
            return Ok(());
        }
        let playing = app.playing();
        tokio::select! {
            biased;
            ev = events.next() => match ev {
                Some(Ok(ev)) => {
                    app.on_event(ev).await;
                    // A paste or a burst of keys: take every event already
                    // read before drawing again, one frame for the lot
                    // rather than one per key. (The input itself is read
                    // level-triggered, crossterm's `use-dev-tty`: its
                    // edge-triggered reader left all but 1 KB of a burst
                    // unread until the next key, crossterm PR #1057.)
                    while !app.should_quit() && crossterm::event::poll(std::time::Duration::ZERO)? {
                        app.on_event(crossterm::event::read()?).await;
                    }
                }
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            _ = ticks.tick(), if playing => app.tick().await,
            // A `:check` search: one slice between frames.
            _ = std::future::ready(()), if app.checking() => app.check_slice().await,
        }
        if app.tick_period() != period {
            period = app.tick_period();
            ticks = play_ticks(period);
        }
    }
}
