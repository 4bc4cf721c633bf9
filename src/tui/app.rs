//! The app: all TUI state and every action, driven by keys, mouse clicks,
//! resizes and play ticks. It never touches a terminal, so tests drive it
//! against ratatui's `TestBackend` (gitui style).

use super::keymap::{self, Action, Mode};
use super::layout::{self, Panes};
use super::prompt::Prompt;
use super::{header, inflight, keybar, narration, overlay, picker, spacetime, topology, transcript};
use crate::algos;
use crate::engine::input::Input;
use crate::engine::protocol::{NodeId, Row};
use crate::engine::trace::RunConfig;
use crate::scenario::Scenario;
use crate::script;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};
use std::path::PathBuf;
use std::time::Duration;

/// Play speeds in steps per second (`+` / `-` move along this list).
pub const SPEEDS: [u32; 10] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
/// Index into [`SPEEDS`] a run starts at (2 steps per second).
pub const DEFAULT_SPEED: usize = 1;
/// The shortest time between two play ticks.
const MIN_TICK_MS: u64 = 50;
/// The in-flight cursor never goes past this row (the list is fetched up to it).
pub const CURSOR_MAX: usize = 999;
/// What `step` and `play` say instead of recording a step that delivers nothing.
pub const NOTHING_IN_FLIGHT: &str = "nothing in flight: no step to take";

use super::view::Side;
pub use super::view::{Overlay, OverlayKind, Status, StatusKind};

pub use super::lecture::{Lecture, Tick};

pub use super::view::{Confirm, Pending};

/// The whole TUI: what is open, what is selected, the prompt, the help
/// overlay, play state and the cached inspector rows. Drive it with
/// [`App::on_key`], [`App::on_mouse`], [`App::on_resize`], [`App::tick`] and
/// [`App::exec`]; draw it with [`super::frame::draw`] (or
/// [`super::render_to_buffer`]).
pub struct App {
    /// `None`: the scenario picker is showing.
    pub scenario: Option<Box<dyn Scenario>>,
    pub selected: NodeId,
    /// Row of the in-flight list that `d` / `D` act on.
    pub cursor: usize,
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// Play stops at the step where a new violation appears (`halt off`).
    pub halt: bool,
    /// The help or guide overlay and its scroll offset.
    pub overlay: Option<Overlay>,
    pub prompt: Option<Prompt>,
    pub prompt_history: Vec<String>,
    pub status: Option<Status>,
    /// Cursor of the scenario picker.
    pub picker: usize,
    /// What Enter opens for the highlighted scenario.
    pub choice: picker::Choice,
    pub lecture: Option<Lecture>,
    /// A script's `run` plays at the play speed (the class sees the
    /// messages move; `n` finishes it). Tests that want instant runs turn
    /// it off before opening a script.
    pub animate_scripts: bool,
    /// A script given before a scenario was picked.
    pub pending_script: Option<String>,
    /// Where `S` / `save FILE` put relative paths (empty: the working directory).
    pub save_dir: PathBuf,
    pub quit: bool,
    /// A question waiting for `y` (any other key cancels); see [`App::confirm`].
    pub asking: Option<Confirm>,
    /// A `:check` search running between frames.
    pub checking: Option<super::check_job::Checking>,
    /// The inspector rows of `inspect_node`, refreshed after every action.
    pub inspect: Vec<Row>,
    pub inspect_node: NodeId,
    /// The terminal size as last reported (for mouse hit tests).
    pub size: (u16, u16),
    /// The colours every frame is drawn with (`T` cycles them).
    pub theme: &'static super::theme::Theme,
    /// The space-time diagram's pan, zoom and clicked event.
    pub diagram: spacetime::Diagram,
    /// The panes `hide` / `show` took out and the one `f` put full screen.
    pub shown: layout::Shown,
    /// The hidden panes a lecture script's `hide` / `show` lines last set
    /// (see `App::follow_script_panes`).
    pub script_hidden: Option<u8>,
    /// How far the log and the inspector are scrolled (see `scrolling.rs`).
    pub scroll: super::view::Scroll,
}

impl App {
    fn blank() -> App {
        App {
            scenario: None,
            selected: 0,
            cursor: 0,
            playing: false,
            speed: DEFAULT_SPEED,
            halt: true,
            animate_scripts: true,
            overlay: None,
            prompt: None,
            prompt_history: Vec::new(),
            status: None,
            picker: 0,
            choice: picker::Choice::default(),
            lecture: None,
            pending_script: None,
            save_dir: PathBuf::new(),
            quit: false,
            asking: None,
            checking: None,
            inspect: Vec::new(),
            theme: &super::theme::DARK,
            inspect_node: 0,
            size: (layout::FULL_W, layout::FULL_H),
            diagram: spacetime::Diagram::default(),
            shown: layout::Shown::default(),
            script_hidden: None,
            scroll: Default::default(),
        }
    }

    /// Open the app on what `start` asks: the picker, a scenario, a replayed
    /// trace; a script runs up to its first `pause`. An error opening the
    /// scenario or replaying the trace is returned (nothing to show).
    pub async fn new(start: super::Start) -> Result<App, String> {
        let mut app = App::blank();
        app.theme = start.theme;
        if let Some(trace) = start.replay {
            let sc = crate::replay::replay_scenario(&trace).await?;
            app.status = Some(Status::info(format!("replayed {} inputs of the trace", trace.inputs.len())));
            app.scenario = Some(sc);
        } else if let Some(config) = start.config {
            app.scenario = Some(algos::open_run(config).await?);
        }
        if let (None, Some(sc)) = (&app.status, app.scenario.as_deref()) {
            // The header names the scenario, its nodes and seed; the status
            // line says how to start (it fits 80 columns).
            app.status =
                Some(Status::info(format!("space steps · r {} · : command · ? help · i guide", sc.card().action)));
        }
        app.pending_script = start.script;

        app.load_script().await;
        app.refresh().await;
        Ok(app)
    }

    /// Draw with `theme` from the next frame on.
    pub fn set_theme(&mut self, theme: &'static super::theme::Theme) {
        self.theme = theme;
        self.status =
            Some(Status::info(format!("theme {} · T next · --theme or DISTLAB_THEME sets the default", theme.name)));
    }

    /// Open a scenario by configuration (the picker does this).
    pub async fn open(&mut self, config: RunConfig) {
        match algos::open_run(config).await {
            Ok(sc) => {
                self.scenario = Some(sc);
                self.diagram.reset();
                self.selected = 0;
                self.cursor = 0;
                self.playing = false;
                self.status = Some(Status::info(format!(
                    "opened {} — ? help · i its guide",
                    self.scenario.as_ref().map(|s| s.card().name).unwrap_or_default()
                )));
                self.load_script().await;
                self.refresh().await;
            }
            Err(e) => self.status = Some(Status::error(e)),
        }
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Play ticks are wanted: play is on, or a script's `run` is animated.
    pub fn playing(&self) -> bool {
        (self.playing || self.lecture.as_ref().is_some_and(Lecture::animating)) && self.scenario.is_some()
    }

    pub fn steps_per_second(&self) -> u32 {
        SPEEDS[self.speed.min(SPEEDS.len() - 1)]
    }

    /// Time between two play ticks.
    pub fn tick_period(&self) -> Duration {
        Duration::from_millis((1000 / self.steps_per_second() as u64).max(MIN_TICK_MS))
    }

    /// Steps one play tick delivers.
    pub fn steps_per_tick(&self) -> u64 {
        let per_tick = self.steps_per_second() as u64 * self.tick_period().as_millis() as u64 / 1000;
        per_tick.max(1)
    }

    /// Re-read what the panes cache (the inspector) and keep the cursors in range.
    pub async fn refresh(&mut self) {
        let Some(sc) = self.scenario.as_mut() else {
            self.inspect.clear();
            return;
        };
        let n = sc.n();
        if self.selected >= n {
            self.selected = n.saturating_sub(1);
        }
        let total = sc.in_flight(0).1;
        self.cursor = self.cursor.min(total.saturating_sub(1)).min(CURSOR_MAX);
        self.diagram.refresh(sc.as_ref());
        // A clicked event's details, else the selected node's state.
        let (rows, node) = match self.diagram.details(sc.as_ref()) {
            Some(details) => details,
            None => (sc.inspect(self.selected).await, self.selected),
        };
        self.inspect = rows;
        self.follow_scrolls();
        self.inspect_node = node;
    }

    /// Apply one input of the command language; the status line shows its text.
    pub(super) async fn apply(&mut self, input: Input) -> Result<(), String> {
        let Some(sc) = self.scenario.as_mut() else { return Err("no scenario is open".into()) };
        let text = input.to_string();
        let out = sc.apply(input).await.map_err(|e| format!("{text}: {e}"))?;
        self.status = Some(match out.expect_failed {
            Some(f) => Status::error(format!("{text} — FAILED {f}")),
            None => Status::command(text),
        });
        Ok(())
    }

    /// Apply an input from a key: an error goes to the status line.
    pub(super) async fn apply_key(&mut self, input: Input) {
        if let Err(e) = self.apply(input).await {
            self.status = Some(Status::error(e));
        }
    }

    // ----- events -------------------------------------------------------

    /// Handle any terminal event.
    pub async fn on_event(&mut self, ev: Event) {
        match ev {
            Event::Key(k) => self.on_key(k).await,
            Event::Mouse(m) => self.on_mouse(m).await,
            Event::Resize(w, h) => self.on_resize(w, h),
            _ => {}
        }
    }

    pub fn on_resize(&mut self, w: u16, h: u16) {
        self.size = (w, h);
    }

    /// What has the keyboard now.
    pub fn mode(&self) -> Mode {
        if self.asking.is_some() {
            Mode::Confirm
        } else if self.prompt.is_some() {
            Mode::Prompt
        } else if self.overlay.is_some() {
            Mode::Overlay
        } else if self.scenario.is_some() {
            Mode::Run
        } else {
            Mode::Picker
        }
    }

    pub async fn on_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) && matches!(key.code, KeyCode::Char('c' | 'C')) {
            // C-c asks as `q` does; a second C-c answers the quit question.
            if matches!(self.asking, Some(Confirm { action: Pending::Quit, .. })) {
                self.quit = true;
            } else {
                self.asking = None;
                self.request_quit();
            }
            return;
        }
        if self.checking.is_some() {
            // A search holds the keyboard: Esc stops it, nothing else runs.
            if key.code == KeyCode::Esc {
                self.cancel_check();
            }
            return;
        }
        if self.asking.is_some() {
            match keymap::lookup(Mode::Confirm, &key) {
                Some(Action::Confirm) => self.perform(Action::Confirm).await,
                _ => self.cancel_question(),
            }
            return;
        }
        let mode = self.mode();
        match keymap::lookup(mode, &key) {
            Some(action) if action != Action::Edit => self.perform(action).await,
            _ if mode == Mode::Prompt => {
                if let Some(p) = self.prompt.as_mut() {
                    p.key(&key, &self.prompt_history);
                }
            }
            _ => {}
        }
    }

    /// Scroll the open overlay (clamped to its length): `to` gets the
    /// offset, a page and the largest offset.
    fn scroll_overlay(&mut self, to: impl FnOnce(u16, u16, u16) -> u16) {
        let Some(Overlay { kind, scroll }) = self.overlay else { return };
        let max = self.overlay_max_scroll();
        let page = self.size.1.saturating_sub(6).max(1);
        self.overlay = Some(Overlay { kind, scroll: to(scroll, page, max).min(max) });
    }

    /// Open the help overlay.
    pub fn open_help(&mut self) {
        self.overlay = Some(Overlay { kind: OverlayKind::Help, scroll: 0 });
    }

    /// Open the guide of the run's scenario, or of the picker's highlighted one.
    pub fn open_guide(&mut self) {
        let card = match self.scenario.as_deref() {
            Some(sc) => Some(sc.card()),
            None => algos::all().get(self.picker).map(|e| e.card),
        };
        if let Some(card) = card {
            self.overlay = Some(Overlay { kind: OverlayKind::Guide(card), scroll: 0 });
        }
    }

    pub(super) async fn select(&mut self, node: NodeId) {
        self.selected = node;
        self.diagram.event = None;
        self.status = Some(Status::command(format!("select {node}")));
        self.refresh().await;
    }

    pub(super) fn set_playing(&mut self, on: bool) {
        if on && self.scenario.as_deref().is_some_and(|sc| sc.in_flight(0).1 == 0) {
            self.playing = false;
            self.status = Some(Status::info(format!("play: {NOTHING_IN_FLIGHT}")));
            return;
        }
        self.playing = on;
        self.status = Some(Status::command(if on {
            format!("play ({}/s)", self.steps_per_second())
        } else {
            "stop".to_string()
        }));
    }

    pub(super) async fn restart(&mut self) {
        let Some(sc) = self.scenario.as_mut() else { return };
        self.playing = false;
        sc.restart().await;
        self.cursor = 0;
        self.status = Some(Status::command("restart"));
        if let Some(lec) = self.lecture.as_mut()
            && !lec.lines.is_empty()
        {
            *lec = lec.restarted();
            self.advance_lecture().await;
        }
    }

    /// The default trace file name of this run: scenario, seed and step.
    pub fn default_save_name(&self) -> Option<String> {
        let sc = self.scenario.as_deref()?;
        Some(format!("distlab-{}-{}-{}.trace", sc.card().name, sc.config().sim.seed, sc.step()))
    }

    /// `S`: the prompt, prefilled with `save DEFAULT-NAME` to edit or accept.
    fn ask_save_name(&mut self) {
        if let Some(name) = self.default_save_name() {
            self.prompt = Some(Prompt::with_text(format!("save {name}")));
        }
    }

    /// `save [FILE]`: write the trace; an existing file is only replaced
    /// after a confirmation.
    pub(super) fn save(&mut self, file: Option<&str>) -> Result<(), String> {
        if self.scenario.is_none() {
            return Err("no scenario is open".into());
        }
        let name = file.map(str::to_string).or_else(|| self.default_save_name()).unwrap_or_default();
        let path = self.save_dir.join(&name);
        if path.is_dir() {
            return Err(format!("save {}: that is a folder", path.display()));
        }
        if path.exists() {
            let question = format!("overwrite {}? it exists", path.display());
            self.confirm(question, Pending::Save(path));
            return Ok(());
        }
        self.write_trace(&path)
    }

    pub(super) fn write_trace(&mut self, path: &std::path::Path) -> Result<(), String> {
        let Some(sc) = self.scenario.as_deref() else { return Err("no scenario is open".into()) };
        let bytes = sc.trace().encode();
        std::fs::write(path, &bytes).map_err(|e| format!("save {}: {e}", path.display()))?;
        self.status = Some(Status::command(format!("save {} ({} bytes)", path.display(), bytes.len())));
        Ok(())
    }

    /// Id of the in-flight event under the cursor.
    fn picked(&self) -> Option<crate::engine::input::EvId> {
        let sc = self.scenario.as_deref()?;
        sc.queued(self.cursor + 1).get(self.cursor).map(|m| m.id)
    }

    /// Can `action` do anything now? The key bar greys out what cannot.
    pub fn available(&self, action: Action) -> bool {
        let Some(sc) = self.scenario.as_deref() else { return true };
        let n = sc.n();
        let sel = self.selected.min(n.saturating_sub(1));
        let in_flight = || sc.in_flight(0).1 > 0;
        match action {
            Action::Step | Action::PlayPause => in_flight(),
            Action::Deliver | Action::Drop | Action::CursorUp | Action::CursorDown => in_flight(),
            Action::NodeAction => sc.action(sel).is_some(),
            Action::Crash => sc.alive(sel),
            Action::Recover => !sc.alive(sel),
            Action::Cut => n >= 2,
            Action::Heal => !sc.faults().is_clear(),
            Action::Back => sc.step() > 0 || !sc.inputs().is_empty(),
            Action::BackPause => self.lecture.as_ref().is_some_and(|l| l.previous_pause(sc).is_some()),
            Action::Next => self.lecture.as_ref().is_some_and(|l| l.waiting || l.animating()),
            Action::NarrationUp | Action::NarrationDown => self.lecture.is_some(),
            _ => true,
        }
    }

    /// Do what a key of the keymap asks, in whatever mode it was pressed.
    pub async fn perform(&mut self, action: Action) {
        match action {
            Action::PickUp => self.pick(self.picker.saturating_sub(1)),
            Action::PickDown => self.pick(self.picker + 1),
            Action::PickFirst => self.pick(0),
            Action::PickLast => self.pick(usize::MAX),
            Action::PickLecturePrev
            | Action::PickLectureNext
            | Action::PickMoreNodes
            | Action::PickFewerNodes
            | Action::PickVariant => self.choose(action),
            Action::Open => self.open_picked().await,
            Action::ScrollUp => self.scroll_overlay(|s, _, _| s.saturating_sub(1)),
            Action::ScrollDown => self.scroll_overlay(|s, _, _| s.saturating_add(1)),
            Action::PageUp => self.scroll_overlay(|s, page, _| s.saturating_sub(page)),
            Action::PageDown => self.scroll_overlay(|s, page, _| s.saturating_add(page)),
            Action::Top => self.scroll_overlay(|_, _, _| 0),
            Action::Bottom => self.scroll_overlay(|_, _, max| max),
            Action::Close => self.overlay = None,
            Action::Jump => self.jump(),
            Action::Submit => self.submit_prompt().await,
            Action::Cancel if self.asking.is_some() => self.cancel_question(),
            Action::Cancel => self.prompt = None,
            Action::Confirm => {
                if let Some(c) = self.asking.take() {
                    self.confirmed(c.action).await;
                }
            }
            Action::Help => self.open_help(),
            Action::Guide => self.open_guide(),
            Action::Theme => self.set_theme(self.theme.next()),
            Action::Quit => self.request_quit(),
            Action::Edit => {}
            _ => self.perform_in_run(action).await,
        }
    }

    async fn perform_in_run(&mut self, action: Action) {
        let Some(sc) = self.scenario.as_deref() else { return };
        let n = sc.n();
        let sel = self.selected.min(n.saturating_sub(1));
        match action {
            Action::Step if sc.in_flight(0).1 == 0 => self.status = Some(Status::info(NOTHING_IN_FLIGHT)),
            Action::Step => self.apply_key(Input::Step(1)).await,
            Action::PlayPause => self.set_playing(!self.playing),
            Action::Faster | Action::Slower => {
                let was = self.speed;
                self.speed = if action == Action::Faster {
                    (self.speed + 1).min(SPEEDS.len() - 1)
                } else {
                    self.speed.saturating_sub(1)
                };
                let limit = match (self.speed == was, action == Action::Faster) {
                    (false, _) => "",
                    (true, true) => " (already the fastest)",
                    (true, false) => " (already the slowest)",
                };
                self.status = Some(Status::command(format!("speed {}{limit}", self.steps_per_second())));
            }
            Action::PrevNode => self.select((sel + n - 1) % n).await,
            Action::NextNode => self.select((sel + 1) % n).await,
            Action::NodeAction => match sc.action(sel) {
                Some(input) => self.apply_key(input).await,
                None => {
                    let what = sc.card().action;
                    let word = sc.card().role_word(sc.role(sel));
                    let role = if word == sc.node_role(sel) { format!("a {word}") } else { word.to_string() };
                    self.status = Some(Status::info(format!("node {sel} is {role}: no {what} now")));
                }
            },
            Action::Crash => self.apply_key(Input::Crash(sel)).await,
            Action::Recover => self.apply_key(Input::Recover(sel)).await,
            Action::Cut => self.toggle_link(sel).await,
            Action::Heal if sc.faults().is_clear() => {
                self.status = Some(Status::info("heal: no link is cut or partitioned"));
            }
            Action::Heal => self.apply_key(Input::Heal).await,
            Action::CursorUp | Action::CursorDown => self.move_cursor(action == Action::CursorUp),
            Action::Deliver | Action::Drop => match self.picked() {
                Some(id) => {
                    let input = if action == Action::Deliver { Input::Deliver(id) } else { Input::Drop(id) };
                    self.apply_key(input).await;
                }
                None => self.status = Some(Status::info("nothing in flight to pick")),
            },
            Action::Back => {
                if let Err(e) = self.back().await {
                    self.status = Some(Status::error(format!("back: {e}")));
                }
            }
            Action::BackPause => {
                if let Err(e) = self.back_to_pause().await {
                    self.status = Some(Status::info(format!("back pause: {e}")));
                }
            }
            Action::Restart => self.request_restart(),
            Action::Save => self.ask_save_name(),
            Action::Screenshot => self.write_screen_svg(),
            Action::Prompt => self.prompt = Some(Prompt::default()),
            Action::FullScreen => self.cycle_full(),
            Action::Why => self.open_why(),
            Action::ToPicker if self.diagram.event.take().is_some() => {
                self.status = Some(Status::info(format!("inspecting node {sel} again")));
            }
            Action::ToPicker => self.request_picker(),
            Action::Diagram(m) => self.move_diagram(m),
            Action::NarrationUp | Action::NarrationDown => {
                // A page: the text rows less one, so a row stays in view.
                let page = narration::cap(self.size.1).saturating_sub(2).max(1) as i32;
                self.scroll_narration(if action == Action::NarrationUp { -page } else { page });
            }
            Action::LogOlder | Action::LogNewer | Action::InspectorUp | Action::InspectorDown => {
                self.scroll_key(action);
                return;
            }
            Action::Next => {
                if let Err(e) = self.next().await {
                    self.status = Some(Status::info(format!("next: {e}")));
                }
            }
            _ => {}
        }
        if !matches!(action, Action::CursorUp | Action::CursorDown | Action::Prompt | Action::Save) {
            self.refresh().await;
        }
    }

    /// One play tick: deliver the steps of one tick; stop when nothing is left.
    pub async fn tick(&mut self) {
        // A question holds play (and a script's run): the run must not
        // change under it.
        if self.asking.is_some() {
            return;
        }
        let k = self.steps_per_tick();
        if let (Some(sc), Some(lec)) = (self.scenario.as_mut(), self.lecture.as_mut())
            && lec.animating()
        {
            match lec.tick(sc.as_mut(), k, self.halt).await {
                Tick::Halted if lec.error.is_none() => {
                    let what = sc.violations().last().map_or(String::new(), |v| format!(": {}", v.property));
                    self.status = Some(Status::error(format!(
                        "script run stopped at step {}: new violation{what} (n plays on)",
                        sc.step()
                    )));
                }
                Tick::Done if lec.animating() => {
                    self.status = Some(Status::command("run (done); the script's next run plays: n finishes it"))
                }
                Tick::Done => self.status = Some(Status::command("run (done)")),
                _ => {}
            }
            self.follow_script();
            self.refresh().await;
            return;
        }
        if !self.playing {
            return;
        }
        let Some(sc) = self.scenario.as_mut() else {
            self.playing = false;
            return;
        };
        if sc.in_flight(0).1 == 0 {
            self.playing = false;
            self.status = Some(Status::info("stop: nothing left in flight"));
            return;
        }
        let violations = sc.violation_count();
        let stepped = crate::scenario::play_step(sc.as_mut(), k, self.halt).await;
        if let Err(e) = stepped {
            self.playing = false;
            self.status = Some(Status::error(format!("stop: {e}")));
        } else if self.halt && stepped == Ok(true) {
            // Stop where it matters: the badge and the diagram at the step
            // that broke the property.
            self.playing = false;
            let what = sc.violations().get(violations as usize).map_or(String::new(), |v| format!(": {}", v.property));
            self.status =
                Some(Status::error(format!("stop at step {}: new violation{what} (`halt off` plays on)", sc.step())));
        }
        self.refresh().await;
    }

    // ----- mouse ---------------------------------------------------------

    fn screen(&self) -> Rect {
        Rect::new(0, 0, self.size.0, self.size.1)
    }

    /// The panes at the current size (for hit tests), if a run is showing.
    pub fn panes(&self) -> Option<Panes> {
        let sc = self.scenario.as_deref()?;
        self.panes_with(sc, &Side::of(sc))
    }

    fn panes_with(&self, sc: &dyn Scenario, side: &Side) -> Option<Panes> {
        layout::run_panes(self.screen(), sc, self.script_view(sc).as_ref(), side, &self.shown)
    }

    pub async fn on_mouse(&mut self, m: MouseEvent) {
        if self.asking.is_some() {
            return;
        }
        let pos = Position::new(m.column, m.row);
        if let Some(Overlay { kind, scroll }) = self.overlay {
            let max = self.overlay_max_scroll();
            let scroll = match m.kind {
                MouseEventKind::ScrollDown => scroll.saturating_add(2).min(max),
                MouseEventKind::ScrollUp => scroll.saturating_sub(2),
                _ => scroll,
            };
            self.overlay = Some(Overlay { kind, scroll });
            return;
        }
        if self.prompt.is_some() {
            return;
        }
        let Some(sc) = self.scenario.as_deref() else {
            if let MouseEventKind::Down(MouseButton::Left) = m.kind
                && let Some(i) = picker::entry_at(self.screen(), pos, self.picker)
            {
                self.pick(i);
            }
            return;
        };
        let side = Side::of(sc);
        let Some(p) = self.panes_with(sc, &side) else { return };
        match m.kind {
            MouseEventKind::Down(MouseButton::Left) if header::badge_area(sc, p.header).contains(pos) => {
                self.open_why();
            }
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some(e) = spacetime::event_at(sc, &self.diagram, self.selected, p.spacetime, pos) {
                    self.diagram.event = Some(e);
                    self.status = Some(Status::info(format!("inspecting event e{e} · Esc: back to the node")));
                    self.refresh().await;
                } else if let Some(node) = topology::node_at(p.topology, sc, self.selected, pos)
                    .or_else(|| spacetime::lane_at(sc, &self.diagram, self.selected, p.spacetime, pos))
                    .or_else(|| transcript::node_at(sc, self.selected, side.areas(p.side).1, pos))
                {
                    self.select(node).await;
                } else if let Some(row) = inflight::row_at(sc, p.inflight, self.cursor, pos) {
                    let total = sc.in_flight(0).1;
                    if row < total {
                        self.cursor = row.min(CURSOR_MAX);
                    }
                }
            }
            MouseEventKind::ScrollDown if p.narration.contains(pos) => self.scroll_narration(1),
            MouseEventKind::ScrollUp if p.narration.contains(pos) => self.scroll_narration(-1),
            MouseEventKind::ScrollUp if p.spacetime.contains(pos) => self.move_diagram(spacetime::Move::Earlier),
            MouseEventKind::ScrollDown if p.spacetime.contains(pos) => self.move_diagram(spacetime::Move::Later),
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp if self.scroll_wheel(&p, m.kind, pos) => {}
            MouseEventKind::ScrollDown if p.inflight.contains(pos) => self.perform(Action::CursorDown).await,
            MouseEventKind::ScrollUp if p.inflight.contains(pos) => self.perform(Action::CursorUp).await,
            _ => {}
        }
    }

    /// Pan, zoom or follow the space-time diagram; the status line says
    /// where it is (or why it cannot move).
    fn move_diagram(&mut self, m: spacetime::Move) {
        let Some(sc) = self.scenario.as_deref() else { return };
        let Some(p) = self.panes() else { return };
        self.status = Some(match self.diagram.apply(m, sc, self.selected, p.spacetime) {
            Ok(text) => Status::command(text),
            Err(text) => Status::info(text),
        });
    }

    // ----- drawing -------------------------------------------------------

    /// The key bar's items in the current mode, from the keymap table.
    pub fn key_bar(&self) -> Vec<keybar::Item> {
        let mode = self.mode();
        let sc = self.scenario.as_deref();
        let mut out: Vec<keybar::Item> = keymap::listed(mode)
            .into_iter()
            .filter_map(|b| b.bar.map(|bar| (b, bar)))
            .map(|(b, (k, w))| keybar::Item {
                key: k.to_string(),
                word: match sc {
                    Some(sc) if w == keymap::ACTION_WORD => sc.card().action.to_string(),
                    _ => w.to_string(),
                },
                available: self.available(b.action),
                keep: matches!(
                    b.action,
                    Action::Step
                        | Action::NodeAction
                        | Action::Help
                        | Action::Quit
                        | Action::Open
                        | Action::Close
                        | Action::Submit
                        | Action::Cancel
                        | Action::Confirm
                ),
            })
            .collect();
        if mode == Mode::Run && self.lecture.as_ref().is_some_and(|l| l.waiting) {
            out.insert(0, keybar::Item { key: "n".into(), word: "next".into(), available: true, keep: true });
        }
        // `? help` and `q quit` close the bar in every mode (it keeps its
        // last two items when it is too narrow for all).
        let last = |i: &keybar::Item| matches!(i.word.as_str(), "help" | "quit");
        let (mut head, tail): (Vec<_>, Vec<_>) = out.into_iter().partition(|i| !last(i));
        head.extend(tail);
        head
    }

    /// The largest useful scroll offset of the open overlay at the current size.
    pub fn overlay_max_scroll(&self) -> u16 {
        let Some(overlay) = self.overlay else { return 0 };
        overlay::max_scroll(self.scenario.as_deref(), overlay.kind, self.size)
    }

    /// What the prompt shows beside the command being typed: its usage and
    /// help, from the scenario's card, the command language or the prompt's
    /// own commands.
    pub fn prompt_hint(&self, sc: &dyn Scenario) -> Option<String> {
        let verb = self.prompt.as_ref()?.text.split_whitespace().next()?;
        if let Some((usage, help)) = script::verb_help(sc.card(), verb) {
            return Some(format!("{usage} — {help}"));
        }
        keymap::PROMPT_COMMANDS
            .iter()
            .find(|(u, _)| u.split_whitespace().next() == Some(verb))
            .map(|(u, h)| format!("{u} — {h}"))
    }
}
