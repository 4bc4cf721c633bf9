//! distlab: classic distributed algorithms as live, steppable simulations.

use clap::{CommandFactory, Parser, Subcommand};
use distlab::algos;
use distlab::engine::trace::RunConfig;
use distlab::files;
use distlab::headless::{self, EXIT_OK, EXIT_USAGE, Report};
use distlab::lectures::{self, Overrides};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "distlab", version, about = "Classic distributed algorithms as live, steppable terminal simulations")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Colour theme: dark, light (projectors, light terminals),
    /// high-contrast or mono; default from DISTLAB_THEME, NO_COLOR (mono)
    /// or `theme = "NAME"` in ~/.config/distlab/config.toml. `T` cycles.
    #[arg(long, global = true, value_name = "NAME")]
    theme: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// List the scenarios, by family.
    List,
    /// Print the full reference of one scenario: roles, verbs, parameters,
    /// variants, properties, result fields, lecture scripts.
    Info {
        /// Scenario name (see `distlab list`).
        scenario: String,
    },
    /// Open a scenario in the TUI, or run it headless.
    Run(RunArgs),
    /// Search every delivery order (and, within budgets, faults) for an
    /// execution that breaks a property; print one JSON summary.
    Check(distlab::check::cli::CheckArgs),
    /// List the lecture scripts built into distlab, by scenario, with the
    /// command that runs each (`distlab run --lecture NAME`).
    Lectures,
    /// Replay a trace file exactly (TUI, or --headless).
    Replay {
        file: String,
        #[arg(long)]
        headless: bool,
    },
    /// Export a trace file: a ShiViz log for that tool, or pictures for
    /// slides (the space-time diagram, or the TUI screen at a step, as SVG).
    #[command(group(clap::ArgGroup::new("format").required(true).args(["shiviz", "svg", "screen"])))]
    Export {
        file: String,
        /// Write a ShiViz log (vector-clock space-time visualiser).
        #[arg(long)]
        shiviz: bool,
        /// Write the space-time diagram as a standalone SVG: lanes, events
        /// with their clocks, messages by kind, losses, crashes, cuts,
        /// violations. Colours from --theme (mono: black on white).
        #[arg(long)]
        svg: bool,
        /// Write the whole TUI screen at step STEP as SVG.
        #[arg(long, value_name = "STEP")]
        screen: Option<u64>,
        /// With --svg: only steps A to B (both included); A.. or ..B.
        #[arg(long, value_name = "A..B", conflicts_with_all = ["shiviz", "screen"])]
        steps: Option<String>,
        /// With --screen: the screen's size in cells.
        #[arg(long, value_name = "WxH", default_value = "120x40", conflicts_with_all = ["shiviz", "svg"])]
        size: String,
        /// Output file (default: standard output).
        #[arg(long, short)]
        out: Option<String>,
    },
}

#[derive(clap::Args)]
#[command(after_help = "A script's line 1, `# distlab: run SCENARIO FLAGS`, is its configuration: \
    what the command line leaves out comes from it, and a value that contradicts it is refused \
    before the run starts. SCENARIO may then be left out.")]
struct RunArgs {
    /// Scenario name (see `distlab list`); optional with --script or --lecture.
    #[arg(required_unless_present_any = ["script", "lecture"])]
    scenario: Option<String>,
    #[command(flatten)]
    over: Overrides,
    /// Script of commands to run (`-` for standard input).
    #[arg(long, conflicts_with = "lecture")]
    script: Option<String>,
    /// A lecture script built into distlab, by name (see `distlab lectures`),
    /// e.g. `--lecture ricart-agrawala`; works from any directory.
    #[arg(long, value_name = "NAME")]
    lecture: Option<String>,
    /// Run without a terminal and print one JSON summary.
    #[arg(long)]
    headless: bool,
    /// Write the run's trace to this file.
    #[arg(long)]
    trace: Option<String>,
}

impl RunArgs {
    /// The script to run, if any: (its name for messages, its text). A
    /// file that cannot be read or a lecture that does not exist is an
    /// error.
    fn script(&self) -> Result<Option<(String, String)>, String> {
        if let Some(name) = &self.lecture {
            let l = lectures::lookup(name)?;
            return Ok(Some((format!("lecture {}", l.file), l.text.to_string())));
        }
        self.script.as_ref().map(|path| Ok((path.clone(), files::read_script(path)?))).transpose()
    }

    /// The run's configuration: the command line's values over the
    /// script's header (`lectures::config`).
    fn config(&self, script: Option<&(String, String)>) -> Result<RunConfig, String> {
        let over = Overrides { scenario: self.scenario.clone(), ..self.over.clone() };
        match script {
            Some((name, text)) => lectures::config(text, name, &over),
            None => over.config(),
        }
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("distlab: {}", files::one_line(message));
    ExitCode::from(EXIT_USAGE as u8)
}

/// Report a bad `run` argument the way clap reports a bad flag (the card's
/// message, the usage line) and exit 2.
fn usage_error(message: &str) -> ! {
    let mut cli = Cli::command();
    cli.build();
    let run = cli.find_subcommand_mut("run").expect("the run subcommand exists");
    run.error(clap::error::ErrorKind::InvalidValue, message).exit()
}

/// A command line clap refuses. With `--headless` the error is also the one
/// JSON object on standard output, as every other headless error is.
fn clap_error(e: clap::Error, headless: bool) -> ! {
    use clap::error::ErrorKind as K;
    let shows_help =
        matches!(e.kind(), K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand);
    if headless && !shows_help {
        let message = lectures::clap_message(&e);
        // The reader has gone or the disk is full: clap's own message on
        // standard error is still the answer.
        let _ = print_json(&serde_json::json!({ "error": message }));
    }
    e.exit()
}

/// The engine runs on one thread: lockstep actors gain nothing from more.
/// Only the TUI gets the timer driver (for its play ticks): the engine never
/// reads a clock, and a headless run is 10% faster without the driver's
/// clock reads.
fn runtime(timer: bool) -> tokio::runtime::Runtime {
    let mut b = tokio::runtime::Builder::new_current_thread();
    if timer {
        b.enable_time();
    }
    b.build().expect("a current-thread runtime starts")
}

fn list() -> String {
    let mut out = String::new();
    let mut family = None;
    for e in &algos::all() {
        if family != Some(e.card.family) {
            family = Some(e.card.family);
            out += &format!("{}:\n", e.card.family.title());
        }
        out += &format!("  {:<17} {}\n", e.card.name, e.card.about);
    }
    out + "\n`distlab info NAME` prints one scenario's verbs, parameters, variants and properties.\n"
}

/// One JSON object, one line, on standard output.
fn print_json(v: &serde_json::Value) -> Result<(), String> {
    files::print(&format!("{v}\n"))
}

/// Print `text` on standard output: exit 0, or 2 if it cannot be written.
fn print_or_fail(text: Result<String, String>) -> ExitCode {
    match text.and_then(|t| files::print(&t)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Print a headless report: its JSON object on standard output (its error
/// on standard error too) and its exit code; 2 if it cannot be written.
fn emit(report: &Report) -> ExitCode {
    if let Some(e) = report.json.get("error").and_then(|e| e.as_str()) {
        eprintln!("distlab: {}", files::one_line(e));
    }
    match print_json(&report.json) {
        Ok(()) => ExitCode::from(report.code as u8),
        Err(e) => fail(&e),
    }
}

fn emit_error(message: String) -> ExitCode {
    emit(&headless::usage_error(message))
}

fn headless_run(a: &RunArgs) -> ExitCode {
    let setup = || -> Result<(RunConfig, String), String> {
        let script = a.script()?;
        let mut config = a.config(script.as_ref())?;
        config.sim.logging = false;
        // A trace that cannot be written is known before the run, not after.
        if let Some(path) = &a.trace {
            files::check_writable(path)?;
        }
        Ok((config, script.map(|(_, text)| text).unwrap_or_default()))
    };
    let (config, script) = match setup() {
        Ok(s) => s,
        Err(e) => return emit_error(e),
    };
    let mut report = runtime(false).block_on(headless::run(config, &script));
    if let (Some(path), Some(sc)) = (&a.trace, &report.scenario)
        && let Err(e) = files::write_file(path, &sc.trace().encode())
    {
        // Written after all (a full disk): the summary says so, and the
        // run's own failure (1) outranks the unwritten trace (2).
        let e = files::one_line(&e);
        eprintln!("distlab: {e}");
        report.json["trace_error"] = e.into();
        if report.code == EXIT_OK {
            report.code = EXIT_USAGE;
        }
    }
    emit(&report)
}

fn headless_replay(file: &str) -> ExitCode {
    let mut trace = match files::read_trace(file) {
        Ok(t) => t,
        Err(e) => return emit_error(e),
    };
    trace.config.sim.logging = false;
    emit(&runtime(false).block_on(headless::replay(&trace)))
}

/// What `export` writes.
enum Format {
    Shiviz,
    Svg { steps: Option<String> },
    Screen { step: u64, size: String },
}

/// Export a trace. It is untrusted: it is replayed first (its configuration
/// checked as the command line's is, every input validated, the events
/// compared), and what the replay made is exported. Bad arguments are
/// refused before any work, and nothing is written unless all went well.
fn export(
    file: &str,
    out: Option<&str>,
    format: Format,
    theme: Result<&'static distlab::tui::theme::Theme, String>,
) -> Result<String, String> {
    use distlab::svg::export as svg;
    if let Format::Svg { steps: Some(s) } = &format {
        svg::parse_steps(s)?;
    }
    let size = match &format {
        Format::Screen { size, .. } => Some(svg::parse_size(size)?),
        _ => None,
    };
    let theme = match format {
        Format::Shiviz => None,
        _ => Some(theme?),
    };
    let mut trace = files::read_trace(file)?;
    if let Some(path) = out {
        files::check_writable(path)?;
    }
    let rt = runtime(false);
    let text = match (format, theme, size) {
        (Format::Svg { steps }, Some(theme), _) => {
            trace.config.sim.logging = false;
            rt.block_on(svg::diagram_of_trace(&trace, steps.as_deref(), theme))?
        }
        // The screen shows the log: the replay keeps it.
        (Format::Screen { step, .. }, Some(theme), Some(size)) => {
            rt.block_on(distlab::tui::screenshot::screen_at_step(trace, step, size, theme))?
        }
        _ => {
            trace.config.sim.logging = false;
            let sc = rt.block_on(distlab::replay::replay_scenario(&trace))?;
            distlab::engine::export::shiviz::export_trace(&sc.trace())
        }
    };
    match out {
        Some(path) => files::write_file(path, text.as_bytes()).map(|()| String::new()),
        None => Ok(text),
    }
}

/// In headless mode even a bug ends in one JSON object on standard output
/// (then the usual panic message on standard error, exit 101).
fn json_on_panic() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let p = info.payload();
        let what = p.downcast_ref::<&str>().copied().or(p.downcast_ref::<String>().map(String::as_str));
        let error = format!("internal error (a bug in distlab): {}", what.unwrap_or("a panic"));
        let _ = print_json(&serde_json::json!({ "error": error }));
        prev(info);
    }));
}

/// Is the command `check` (which, like a headless run, answers with one
/// JSON object, errors included)? Its name is the first word that is not
/// a flag or the `--theme` flag's value.
fn is_check() -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        i += if args[i] == "--theme" { 2 } else { 1 };
    }
    args.get(i).is_some_and(|a| a == "check")
}

fn main() -> ExitCode {
    let headless = std::env::args_os().take_while(|a| a != "--").any(|a| a == "--headless") || is_check();
    if headless {
        json_on_panic();
    }
    let cli = Cli::try_parse().unwrap_or_else(|e| clap_error(e, headless));
    // Only the commands that draw read the theme, so a bad theme setting
    // never stops `list` or a headless run.
    let theme = distlab::tui::theme_choice::choose(cli.theme.as_deref());
    match cli.command {
        Some(Command::List) => print_or_fail(Ok(list())),
        Some(Command::Info { scenario }) => print_or_fail(
            algos::find(&scenario).map(|e| distlab::card::info_text(e.card, distlab::tui::keymap::action_key())),
        ),
        Some(Command::Lectures) => print_or_fail(Ok(lectures::listing())),
        Some(Command::Run(a)) if a.headless => headless_run(&a),
        Some(Command::Check(a)) => emit(&distlab::check::cli::run(&a, |line| eprintln!("{line}"))),
        Some(Command::Run(a)) => {
            let script = match a.script() {
                Ok(s) => s,
                Err(e) => return fail(&e),
            };
            let config = match a.config(script.as_ref()) {
                Ok(c) => c,
                // As clap reports a bad flag: the message (from the card
                // or the script's header), the usage line, exit 2.
                Err(e) => usage_error(&e),
            };
            tui_main(
                distlab::tui::Start {
                    config: Some(config),
                    script: script.map(|(_, text)| text),
                    replay: None,
                    ..Default::default()
                },
                theme,
            )
        }
        Some(Command::Replay { file, headless: true }) => headless_replay(&file),
        Some(Command::Replay { file, .. }) => match files::read_trace(&file) {
            Ok(trace) => tui_main(
                distlab::tui::Start {
                    config: Some(trace.config.clone()),
                    script: None,
                    replay: Some(trace),
                    ..Default::default()
                },
                theme,
            ),
            Err(e) => fail(&e),
        },
        Some(Command::Export { file, out, svg, screen, steps, size, .. }) => {
            let format = match (screen, svg) {
                (Some(step), _) => Format::Screen { step, size },
                (None, true) => Format::Svg { steps },
                (None, false) => Format::Shiviz,
            };
            print_or_fail(export(&file, out.as_deref(), format, theme))
        }
        None => tui_main(distlab::tui::Start { config: None, script: None, replay: None, ..Default::default() }, theme),
    }
}

fn tui_main(start: distlab::tui::Start, theme: Result<&'static distlab::tui::theme::Theme, String>) -> ExitCode {
    let start = match theme {
        Ok(theme) => distlab::tui::Start { theme, ..start },
        Err(e) => return fail(&e),
    };
    if let Err(e) = color_eyre::install() {
        return fail(&format!("cannot install the error hook: {e}"));
    }
    let rt = runtime(true);
    // A configuration or trace that does not open is bad input (exit 2),
    // reported before the terminal is taken over.
    let app = match rt.block_on(distlab::tui::App::new(start)) {
        Ok(app) => app,
        Err(e) => return fail(&e),
    };
    match rt.block_on(distlab::tui::run(app)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("distlab: {e:?}");
            ExitCode::FAILURE
        }
    }
}
