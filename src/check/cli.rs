//! `distlab check`'s command line and its run: setup, search with a
//! progress line on standard error, summary, counterexample trace.

use super::report::{progress, summary};
use super::search::{Options, Search, Strategy};
use super::{Budgets, start};
use crate::exit::{EXIT_USAGE, Report, usage_error};
use crate::files;
use crate::lectures::{self, Overrides};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
#[command(after_help = "Explores every order in which the pending messages and timers can be delivered \
    (only each link's head with --fifo), from the state the script leaves, and reports the shortest \
    execution that breaks a property. Exit 0: no violation within the bounds (`exhausted` says whether \
    the whole space was seen); 1: a violation; 2: bad usage. A script's `# check: FLAGS` line gives \
    the bounds below as defaults; the command line's win.")]
pub struct CheckArgs {
    /// Scenario name (see `distlab list`); optional with a --script whose line 1 names it.
    #[arg(required_unless_present = "script")]
    pub scenario: Option<String>,
    #[command(flatten)]
    pub over: Overrides,
    /// Setup script (`-` for standard input): parameters, requests,
    /// elections, partitions; the search starts after its last line.
    #[arg(long)]
    pub script: Option<String>,
    #[command(flatten)]
    pub bounds: Bounds,
    /// Write the counterexample as a trace (`distlab replay FILE` steps it).
    #[arg(long)]
    pub trace: Option<String>,
}

/// The search's bounds and fault budgets: on the command line, or on a
/// script's `# check:` line.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct Bounds {
    /// Choices on a path at most (default: no bound but --max-states).
    #[arg(long, value_name = "D")]
    pub depth: Option<u32>,
    /// Distinct states at most [default: 1000000].
    #[arg(long, value_name = "S")]
    pub max_states: Option<u64>,
    /// bfs (shortest counterexample), dfs, or random (dfs in a seeded order) [default: bfs].
    #[arg(long)]
    pub strategy: Option<String>,
    /// Crashes the search may add on a path [default: 0].
    #[arg(long, value_name = "K")]
    pub crashes: Option<u32>,
    /// Recoveries the search may add on a path [default: 0].
    #[arg(long, value_name = "K")]
    pub recoveries: Option<u32>,
    /// Messages the search may drop on a path [default: 0].
    #[arg(long, value_name = "K")]
    pub drops: Option<u32>,
    /// Messages the search may duplicate on a path [default: 0].
    #[arg(long, value_name = "K")]
    pub dups: Option<u32>,
}

/// The most distinct states a search keeps by default.
pub const MAX_STATES: u64 = 1_000_000;

/// A script's `# check:` line, parsed as the command line is.
#[derive(clap::Parser, Debug)]
#[command(name = "# check:", no_binary_name = true, disable_help_flag = true, disable_version_flag = true)]
struct Header {
    #[command(flatten)]
    bounds: Bounds,
}

impl Bounds {
    /// The bounds of a script's `# check:` line among its leading comments
    /// (all unset without one).
    pub fn of_script(text: &str) -> Result<Bounds, String> {
        use clap::Parser;
        let line = text.lines().take_while(|l| l.starts_with('#')).find_map(|l| l.strip_prefix("# check:"));
        let Some(line) = line else { return Ok(Bounds::default()) };
        Header::try_parse_from(line.split_whitespace())
            .map(|h| h.bounds)
            .map_err(|e| format!("the script's `# check:` line: {}", lectures::clap_message(&e)))
    }

    /// These bounds, with `header`'s where these leave one unset.
    pub fn or(self, header: Bounds) -> Bounds {
        Bounds {
            depth: self.depth.or(header.depth),
            max_states: self.max_states.or(header.max_states),
            strategy: self.strategy.or(header.strategy),
            crashes: self.crashes.or(header.crashes),
            recoveries: self.recoveries.or(header.recoveries),
            drops: self.drops.or(header.drops),
            dups: self.dups.or(header.dups),
        }
    }

    pub fn options(&self) -> Result<Options, String> {
        let max_states = self.max_states.unwrap_or(MAX_STATES);
        if max_states == 0 {
            return Err("--max-states must be at least 1".into());
        }
        Ok(Options {
            depth: self.depth,
            max_states,
            strategy: self.strategy.as_deref().map_or(Ok(Strategy::Bfs), Strategy::parse)?,
            budgets: Budgets {
                crashes: self.crashes.unwrap_or(0),
                recoveries: self.recoveries.unwrap_or(0),
                drops: self.drops.unwrap_or(0),
                dups: self.dups.unwrap_or(0),
            },
        })
    }
}

/// Run `distlab check`: the summary and exit code. Progress goes to
/// `progress_to` (standard error) once the search has run a second.
pub fn run(a: &CheckArgs, mut progress_to: impl FnMut(&str)) -> Report {
    let setup = || -> Result<_, String> {
        let script = a.script.as_ref().map(|p| files::read_script(p).map(|t| (p.clone(), t))).transpose()?;
        let header = script.as_ref().map_or(Ok(Bounds::default()), |(_, t)| Bounds::of_script(t))?;
        let opts = a.bounds.clone().or(header).options()?;
        let over = Overrides { scenario: a.scenario.clone(), ..a.over.clone() };
        let config = match &script {
            Some((name, text)) => lectures::config(text, name, &over)?,
            None => over.config()?,
        };
        if let Some(path) = &a.trace {
            files::check_writable(path)?;
        }
        Ok((opts, config, script.map(|(_, t)| t).unwrap_or_default()))
    };
    let (opts, config, script) = match setup() {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("a current-thread runtime starts");
    let sc = match rt.block_on(start(config.clone(), &script)) {
        Ok(sc) => sc,
        Err(e) => return usage_error(e),
    };
    // The summary reports the network as the setup left it (`fifo on` in a script).
    let mut config = config;
    config.sim.net.fifo = sc.sim_config().net.fifo;
    let started = Instant::now();
    let mut search = match Search::new(sc, opts) {
        Ok(s) => s,
        Err(e) => return usage_error(e),
    };
    let mut next_line = Duration::from_secs(1);
    while search.run_for(256).is_none() {
        if started.elapsed() >= next_line {
            progress_to(&progress(&search.stats(), started.elapsed().as_secs_f64()));
            next_line += Duration::from_secs(1);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let outcome = search.finish().expect("the search is over");
    let (mut json, mut code) = summary(&config, &opts, &outcome, elapsed);
    if let (Some(path), Some(found)) = (&a.trace, &outcome.found) {
        match files::write_file(path, &found.run.trace().encode()) {
            Ok(()) => json["trace"] = path.clone().into(),
            Err(e) => {
                json["trace_error"] = files::one_line(&e).into();
                code = code.max(EXIT_USAGE);
            }
        }
    }
    Report { json, code, scenario: None }
}
