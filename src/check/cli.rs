//! `distlab check`'s command line and its run: setup, search with a
//! progress line on standard error, summary, counterexample trace.

use super::report::{progress, summary};
use super::search::{Options, Search, Strategy};
use super::{Budgets, start};
use crate::files;
use crate::headless::{EXIT_USAGE, Report, usage_error};
use crate::lectures::{self, Overrides};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
#[command(after_help = "Explores every order in which the pending messages and timers can be delivered \
    (only each link's head with --fifo), from the state the script leaves, and reports the shortest \
    execution that breaks a property. Exit 0: no violation within the bounds (`exhausted` says whether \
    the whole space was seen); 1: a violation; 2: bad usage.")]
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
    /// Choices on a path at most (default: no bound but --max-states).
    #[arg(long, value_name = "D")]
    pub depth: Option<u32>,
    /// Distinct states at most.
    #[arg(long, value_name = "S", default_value_t = 1_000_000)]
    pub max_states: u64,
    /// bfs (shortest counterexample), dfs, or random (dfs in a seeded order).
    #[arg(long, default_value = "bfs")]
    pub strategy: String,
    /// Crashes the search may add on a path.
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub crashes: u32,
    /// Recoveries the search may add on a path.
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub recoveries: u32,
    /// Messages the search may drop on a path.
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub drops: u32,
    /// Messages the search may duplicate on a path.
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub dups: u32,
    /// Write the counterexample as a trace (`distlab replay FILE` steps it).
    #[arg(long)]
    pub trace: Option<String>,
}

impl CheckArgs {
    fn options(&self) -> Result<Options, String> {
        if self.max_states == 0 {
            return Err("--max-states must be at least 1".into());
        }
        Ok(Options {
            depth: self.depth,
            max_states: self.max_states,
            strategy: Strategy::parse(&self.strategy)?,
            budgets: Budgets { crashes: self.crashes, recoveries: self.recoveries, drops: self.drops, dups: self.dups },
        })
    }
}

/// Run `distlab check`: the summary and exit code. Progress goes to
/// `progress_to` (standard error) once the search has run a second.
pub fn run(a: &CheckArgs, mut progress_to: impl FnMut(&str)) -> Report {
    let setup = || -> Result<_, String> {
        let opts = a.options()?;
        let script = a.script.as_ref().map(|p| files::read_script(p).map(|t| (p.clone(), t))).transpose()?;
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
