//! distlab: classic distributed algorithms as live, steppable simulations.

use clap::{CommandFactory, Parser, Subcommand};
use distlab::algos;
use distlab::engine::actor::DriverKind;
use distlab::engine::input::SchedMode;
use distlab::engine::sim::SimConfig;
use distlab::engine::trace::{RunConfig, Trace};
use distlab::headless::{self, EXIT_USAGE};
use std::io::Read;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "distlab", version, about = "Classic distributed algorithms as live, steppable terminal simulations")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
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
    /// Replay a trace file exactly (TUI, or --headless).
    Replay {
        file: String,
        #[arg(long)]
        headless: bool,
    },
    /// Export a trace file for another tool.
    Export {
        file: String,
        /// Write a ShiViz log (vector-clock space-time visualiser).
        #[arg(long, required = true)]
        shiviz: bool,
        /// Output file (default: standard output).
        #[arg(long, short)]
        out: Option<String>,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// Scenario name (see `distlab list`).
    scenario: String,
    /// Number of nodes (default: the scenario's own).
    #[arg(long, short)]
    nodes: Option<usize>,
    /// Seed of every random choice in the run.
    #[arg(long, short, default_value_t = 1)]
    seed: u64,
    /// Script of commands to run (`-` for standard input).
    #[arg(long)]
    script: Option<String>,
    /// Run without a terminal and print one JSON summary.
    #[arg(long)]
    headless: bool,
    /// Write the run's trace to this file.
    #[arg(long)]
    trace: Option<String>,
    /// Algorithm parameter KEY=VALUE (repeatable; see `distlab list`).
    #[arg(long = "param", short = 'p', value_name = "KEY=VALUE")]
    params: Vec<String>,
    /// Scheduler: timed, random or manual.
    #[arg(long, default_value = "timed")]
    sched: String,
    /// Per-link FIFO delivery.
    #[arg(long)]
    fifo: bool,
    /// Call handlers inline instead of running every node as a tokio task.
    #[arg(long)]
    inline: bool,
}

fn fail(message: &str) -> ExitCode {
    eprintln!("distlab: {message}");
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

fn read_source(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
    }
}

fn read_trace(path: &str) -> Result<Trace, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    Trace::decode(&bytes).map_err(|e| format!("{path}: {e}"))
}

fn run_config(a: &RunArgs) -> Result<RunConfig, String> {
    let card = algos::find(&a.scenario)?.card;
    let n = a.nodes.unwrap_or(card.nodes.default);
    card.check_nodes(n)?;
    let mut sim = SimConfig::new(n, a.seed);
    sim.sched =
        SchedMode::parse(&a.sched).ok_or_else(|| format!("--sched {}: expected timed, random or manual", a.sched))?;
    sim.net.fifo = a.fifo;
    sim.driver = if a.inline { DriverKind::Inline } else { DriverKind::Actors };
    let params = a
        .params
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| format!("--param {p:?}: expected KEY=VALUE"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Checked here too, before a terminal is taken over, as the run will.
    let params = distlab::scenario::Params(params);
    params.check(card, n)?;
    Ok(RunConfig { scenario: a.scenario.clone(), params: params.0, sim })
}

fn print_json(v: &serde_json::Value) {
    use std::io::Write;
    // A closed pipe (`| head`) is the reader's choice, not an error.
    let _ = writeln!(std::io::stdout().lock(), "{v}");
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

fn list() -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let entries = algos::all();
    let mut family = None;
    for e in &entries {
        if family != Some(e.card.family) {
            family = Some(e.card.family);
            writeln!(out, "{}:", e.card.family.title())?;
        }
        writeln!(out, "  {:<17} {}", e.card.name, e.card.about)?;
    }
    writeln!(out, "\n`distlab info NAME` prints one scenario's verbs, parameters, variants and properties.")
}

fn info(name: &str) -> ExitCode {
    use std::io::Write;
    match algos::find(name) {
        Ok(e) => {
            let _ = std::io::stdout()
                .lock()
                .write_all(distlab::card::info_text(e.card, distlab::tui::keymap::action_key()).as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn headless_run(a: &RunArgs) -> ExitCode {
    let mut config = match run_config(a) {
        Ok(c) => c,
        Err(e) => {
            print_json(&serde_json::json!({ "error": e }));
            return fail(&e);
        }
    };
    config.sim.logging = false;
    let script = match a.script.as_deref().map(read_source).transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => {
            print_json(&serde_json::json!({ "error": e }));
            return fail(&e);
        }
    };
    let report = runtime(false).block_on(headless::run(config, &script));
    print_json(&report.json);
    if let Some(e) = report.json.get("error").and_then(|e| e.as_str()) {
        eprintln!("distlab: {e}");
    }
    if let (Some(path), Some(sc)) = (&a.trace, &report.scenario)
        && let Err(e) = std::fs::write(path, sc.trace().encode())
    {
        return fail(&format!("cannot write trace {path}: {e}"));
    }
    ExitCode::from(report.code as u8)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::List) => {
            // A closed pipe (`| head`) is the reader's choice, not an error.
            let _ = list();
            ExitCode::SUCCESS
        }
        Some(Command::Info { scenario }) => info(&scenario),
        Some(Command::Run(a)) if a.headless => headless_run(&a),
        Some(Command::Run(a)) => {
            let config = match run_config(&a) {
                Ok(c) => c,
                // As clap reports a bad flag: the message (from the card),
                // the usage line, exit 2.
                Err(e) => usage_error(&e),
            };
            let script = match a.script.as_deref().map(read_source).transpose() {
                Ok(s) => s,
                Err(e) => return fail(&e),
            };
            tui_main(distlab::tui::Start { config: Some(config), script, replay: None })
        }
        Some(Command::Replay { file, headless }) => {
            let trace = match read_trace(&file) {
                Ok(t) => t,
                Err(e) => return fail(&e),
            };
            if headless {
                let report = runtime(false).block_on(headless::replay(&trace));
                print_json(&report.json);
                return ExitCode::from(report.code as u8);
            }
            tui_main(distlab::tui::Start { config: Some(trace.config.clone()), script: None, replay: Some(trace) })
        }
        Some(Command::Export { file, out, .. }) => {
            let trace = match read_trace(&file) {
                Ok(t) => t,
                Err(e) => return fail(&e),
            };
            let text = distlab::engine::export::shiviz::export_trace(&trace);
            match out {
                Some(path) => {
                    if let Err(e) = std::fs::write(&path, text) {
                        return fail(&format!("cannot write {path}: {e}"));
                    }
                }
                None => {
                    use std::io::Write;
                    let _ = std::io::stdout().lock().write_all(text.as_bytes());
                }
            }
            ExitCode::SUCCESS
        }
        None => tui_main(distlab::tui::Start { config: None, script: None, replay: None }),
    }
}

fn tui_main(start: distlab::tui::Start) -> ExitCode {
    if let Err(e) = color_eyre::install() {
        return fail(&format!("cannot install the error hook: {e}"));
    }
    match runtime(true).block_on(distlab::tui::run(start)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("distlab: {e:?}");
            ExitCode::FAILURE
        }
    }
}
