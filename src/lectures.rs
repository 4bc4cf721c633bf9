//! Lecture scripts: every `assets/*.dl`, built into the binary (so
//! `distlab lectures` and `distlab run --lecture NAME` work from an
//! installed binary, in any directory), and the run configuration a
//! script's header gives it.
//!
//! A script's line 1, `# distlab: run SCENARIO [FLAGS…]`, is its
//! configuration: the scenario and the `run` flags it was written for
//! (`--nodes`, `--seed`, `-p KEY=VALUE`, `--sched`, `--fifo`, `--inline`).
//! [`config`] merges it with the command line's values (or the picker's):
//! what the command line leaves out comes from the header; a value the
//! command line gives that differs from the header's is refused, in one
//! line naming both, before anything runs; a value the header leaves out
//! is the command line's to choose. main and the TUI's picker both call
//! it, so the rule lives here once.

use crate::algos;
use crate::card::script_run_line;
use crate::engine::actor::DriverKind;
use crate::engine::input::SchedMode;
use crate::engine::sim::SimConfig;
use crate::engine::trace::RunConfig;
use crate::scenario::Params;
use clap::Parser as _;

mod embedded {
    // Written by build.rs: `EMBEDDED`, every `assets/*.dl` as (file, text).
    include!(concat!(env!("OUT_DIR"), "/lectures.rs"));
}

/// One lecture script built into the binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lecture {
    /// File name in `assets/` (`ricart-agrawala.dl`).
    pub file: &'static str,
    /// The script itself.
    pub text: &'static str,
    /// The scenario whose card lists it.
    pub scenario: &'static str,
    /// That card's one-line `about`.
    pub about: &'static str,
}

impl Lecture {
    /// The name `--lecture` takes: the file name without `.dl`.
    pub fn name(&self) -> &'static str {
        self.file.strip_suffix(".dl").unwrap_or(self.file)
    }

    /// The command that runs it, from any directory.
    pub fn command(&self) -> String {
        format!("distlab run --lecture {}", self.name())
    }

    /// Its run configuration (its header alone), as [`config`] gives it.
    pub fn config(&self) -> Result<RunConfig, String> {
        config(self.text, self.file, &Overrides::default())
    }
}

/// Every `assets/*.dl` built into the binary, as (file name, text), sorted
/// by file name (tests check it is exactly the set the cards list).
pub fn embedded() -> &'static [(&'static str, &'static str)] {
    embedded::EMBEDDED
}

/// Every embedded lecture, in card order (the registry's scenarios, each
/// card's `scripts` in order).
pub fn all() -> Vec<Lecture> {
    algos::all()
        .into_iter()
        .flat_map(|e| e.card.scripts.iter().map(move |s| (e.card, s)))
        .filter_map(|(card, s)| {
            let text = embedded().iter().find(|(f, _)| *f == s.file)?.1;
            Some(Lecture { file: s.file, text, scenario: card.name, about: card.about })
        })
        .collect()
}

/// A lecture by file name, with or without `.dl` (`ricart-agrawala` or
/// `ricart-agrawala.dl`).
pub fn find(name: &str) -> Option<Lecture> {
    let stem = name.strip_suffix(".dl").unwrap_or(name);
    all().into_iter().find(|l| l.name() == stem)
}

/// A lecture by name, or an error listing the lectures there are.
pub fn lookup(name: &str) -> Result<Lecture, String> {
    find(name).ok_or_else(|| {
        let names: Vec<&str> = all().iter().map(|l| l.name()).collect();
        format!("unknown lecture {name:?}; `distlab lectures` lists them: {}", names.join(", "))
    })
}

/// `distlab lectures`: every lecture under its scenario, with the command
/// that runs it.
pub fn listing() -> String {
    let mut out = String::new();
    let mut scenario = "";
    let all = all();
    let w = all.iter().map(|l| l.file.len()).max().unwrap_or(0);
    for l in &all {
        if l.scenario != scenario {
            scenario = l.scenario;
            out += &format!("{} — {}\n", l.scenario, l.about);
        }
        out += &format!("  {:<w$}  {}\n", l.file, l.command());
    }
    out + "\nA lecture's line 1 (`# distlab: run SCENARIO FLAGS`) sets its run; add --headless to check\n\
           one without a terminal. `distlab run --script FILE` runs your own.\n"
}

/// The values of a run the command line (or the picker) gives; `None` or
/// `false` leaves it to the script's header, else to the defaults.
#[derive(clap::Args, Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// The scenario (for `distlab run`, its positional argument).
    #[arg(skip)]
    pub scenario: Option<String>,
    /// Number of nodes (default: the script's line 1, else the scenario's own).
    #[arg(long, short)]
    pub nodes: Option<usize>,
    /// Seed of every random choice in the run (default: the script's, else 1).
    #[arg(long, short)]
    pub seed: Option<u64>,
    /// Algorithm parameter KEY=VALUE (repeatable; see `distlab info NAME`).
    #[arg(long = "param", short = 'p', value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Scheduler: timed, random or manual (default: the script's, else timed).
    #[arg(long)]
    pub sched: Option<String>,
    /// Per-link FIFO delivery.
    #[arg(long)]
    pub fifo: bool,
    /// Call handlers inline instead of running every node as a tokio task.
    #[arg(long)]
    pub inline: bool,
}

/// `-p KEY=VALUE` strings as (key, value) pairs.
fn pairs(params: &[String]) -> Result<Vec<(String, String)>, String> {
    params
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| format!("--param {p:?}: expected KEY=VALUE"))
        })
        .collect()
}

impl Overrides {
    /// The run's configuration from these values alone (no script header):
    /// the scenario's defaults for what is not given, every value checked
    /// against the card.
    pub fn config(&self) -> Result<RunConfig, String> {
        let name = self
            .scenario
            .as_deref()
            .ok_or("no scenario: name one (`distlab list` shows them) or give a script whose line 1 names it")?;
        let card = algos::find(name)?.card;
        let n = self.nodes.unwrap_or(card.nodes.default);
        card.check_nodes(n)?;
        let mut sim = SimConfig::new(n, self.seed.unwrap_or(1));
        if let Some(s) = &self.sched {
            sim.sched = SchedMode::parse(s).ok_or_else(|| format!("--sched {s}: expected timed, random or manual"))?;
        }
        sim.net.fifo = self.fifo;
        sim.driver = if self.inline { DriverKind::Inline } else { DriverKind::Actors };
        let params = Params(pairs(&self.params)?);
        // Checked here, before a terminal is taken over, as the run will.
        params.check(card, n)?;
        Ok(RunConfig { scenario: name.to_string(), params: params.0, sim })
    }
}

/// A script's header, parsed as the command line is.
#[derive(clap::Parser, Debug)]
#[command(name = "# distlab: run", no_binary_name = true, disable_help_flag = true, disable_version_flag = true)]
struct Header {
    scenario: String,
    #[command(flatten)]
    over: Overrides,
}

/// clap's message as one line: `error: ` and its usage hints left out
/// (`the following required arguments were not provided: <SCENARIO>`).
pub fn clap_message(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let body = text.split("\n\n").next().unwrap_or_default();
    let body = body.strip_prefix("error: ").unwrap_or(body);
    body.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The configuration a script's line 1 gives (`Ok(None)`: the script has
/// no header). The header alone must be a valid configuration.
pub fn header(text: &str) -> Result<Option<Overrides>, String> {
    let first = text.lines().next().unwrap_or_default();
    if !first.starts_with("# distlab:") {
        return Ok(None);
    }
    let words = script_run_line(first)
        .ok_or_else(|| format!("expected `# distlab: run SCENARIO [FLAGS]`, got {first:?}"))?
        .split_whitespace();
    let h = Header::try_parse_from(words).map_err(|e| clap_message(&e))?;
    let over = Overrides { scenario: Some(h.scenario), ..h.over };
    over.config()?;
    Ok(Some(over))
}

/// The run's configuration: a script's header (`text`'s line 1) merged with
/// the command line's values `over`. `file` names the script in messages
/// (`-` is standard input). What `over` leaves out comes from the header;
/// a value of `over` that differs from the header's is an error naming
/// both; a malformed header is an error naming `file` and line 1. A script
/// without a header takes `over` alone.
pub fn config(text: &str, file: &str, over: &Overrides) -> Result<RunConfig, String> {
    let file = if file == "-" { "standard input" } else { file };
    let Some(h) = header(text).map_err(|e| format!("{file} line 1: {e}"))? else {
        if over.scenario.is_none() {
            return Err(format!(
                "{file} has no `# distlab: run SCENARIO …` line 1: name the scenario (distlab run SCENARIO --script …)"
            ));
        }
        return over.config();
    };
    let clash = |flag: &str, ours: &str, theirs: &str| {
        format!("{flag}{ours} contradicts {file} line 1 ({flag}{theirs}); leave it out to run the script as written")
    };
    let hs = h.scenario.as_deref().unwrap_or_default();
    if let Some(s) = over.scenario.as_deref().filter(|s| *s != hs) {
        return Err(format!(
            "scenario {s} contradicts {file} line 1 (a {hs} script); leave the scenario out or name {hs}"
        ));
    }
    if let (Some(a), Some(b)) = (over.nodes, h.nodes)
        && a != b
    {
        return Err(clash("--nodes ", &a.to_string(), &b.to_string()));
    }
    if let (Some(a), Some(b)) = (over.seed, h.seed)
        && a != b
    {
        return Err(clash("--seed ", &a.to_string(), &b.to_string()));
    }
    if let (Some(a), Some(b)) = (&over.sched, &h.sched)
        && SchedMode::parse(a) != SchedMode::parse(b)
    {
        return Err(clash("--sched ", a, b));
    }
    let ours = pairs(&over.params)?;
    let theirs = pairs(&h.params)?;
    let mut params = h.params.clone();
    for (k, v) in &ours {
        match theirs.iter().rev().find(|(hk, _)| hk == k) {
            Some((_, hv)) if hv != v => return Err(clash("-p ", &format!("{k}={v}"), &format!("{k}={hv}"))),
            Some(_) => {}
            None => params.push(format!("{k}={v}")),
        }
    }
    let merged = Overrides {
        scenario: h.scenario.clone(),
        nodes: over.nodes.or(h.nodes),
        seed: over.seed.or(h.seed),
        params,
        sched: over.sched.clone().or(h.sched.clone()),
        fifo: over.fifo || h.fifo,
        inline: over.inline || h.inline,
    };
    merged.config()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RA: &str = "# distlab: run ricart-agrawala --nodes 5 --seed 1 -p cs=0\nrequest 1\n";

    fn over(nodes: Option<usize>, params: &[&str]) -> Overrides {
        Overrides { nodes, params: params.iter().map(|p| p.to_string()).collect(), ..Overrides::default() }
    }

    #[test]
    fn the_header_is_the_configuration_and_the_command_line_adds_to_it() {
        let c = config(RA, "ra.dl", &Overrides::default()).unwrap();
        assert_eq!((c.scenario.as_str(), c.sim.n, c.sim.seed), ("ricart-agrawala", 5, 1));
        assert_eq!(c.params, vec![("cs".to_string(), "0".to_string())]);
        let c = config(RA, "ra.dl", &over(Some(5), &["cs=0", "retry=7"])).unwrap();
        assert_eq!(c.params, vec![("cs".into(), "0".into()), ("retry".into(), "7".into())]);
        let c =
            config(RA, "ra.dl", &Overrides { fifo: true, sched: Some("random".into()), ..Default::default() }).unwrap();
        assert!(c.sim.net.fifo);
        assert_eq!(c.sim.sched, SchedMode::Random);
    }

    #[test]
    fn a_contradiction_names_both_values() {
        let e = config(RA, "ra.dl", &over(Some(3), &[])).unwrap_err();
        assert_eq!(e, "--nodes 3 contradicts ra.dl line 1 (--nodes 5); leave it out to run the script as written");
        let e = config(RA, "ra.dl", &over(None, &["cs=100"])).unwrap_err();
        assert!(e.starts_with("-p cs=100 contradicts ra.dl line 1 (-p cs=0)"), "{e}");
        let e = config(RA, "ra.dl", &Overrides { seed: Some(2), ..Default::default() }).unwrap_err();
        assert!(e.starts_with("--seed 2 contradicts ra.dl line 1 (--seed 1)"), "{e}");
        let e = config(RA, "ra.dl", &Overrides { scenario: Some("chat".into()), ..Default::default() }).unwrap_err();
        assert!(e.starts_with("scenario chat contradicts ra.dl line 1 (a ricart-agrawala script)"), "{e}");
    }

    #[test]
    fn a_malformed_header_names_the_file_and_line_1() {
        for (head, why) in [
            ("# distlab: run paxos", "unknown scenario \"paxos\""),
            ("# distlab: run ricart-agrawala --bogus", "unexpected argument '--bogus' found"),
            ("# distlab: run ricart-agrawala --nodes 0", "ricart-agrawala runs with 1 to 4096 nodes, not 0"),
            ("# distlab: run ricart-agrawala -p colour=red", "unknown parameter \"colour\""),
            ("# distlab: run", "expected `# distlab: run SCENARIO [FLAGS]`"),
            ("# distlab: go ricart-agrawala", "expected `# distlab: run SCENARIO [FLAGS]`"),
            ("# distlab: run ricart-agrawala --help", "unexpected argument '--help' found"),
        ] {
            let e = config(&format!("{head}\nstep\n"), "x.dl", &Overrides::default()).unwrap_err();
            assert!(e.starts_with(&format!("x.dl line 1: {why}")), "{head}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }

    #[test]
    fn a_script_without_a_header_takes_the_command_line() {
        let o = Overrides { scenario: Some("token-ring".into()), ..Default::default() };
        assert_eq!(config("step\n", "-", &o).unwrap().sim.n, 5);
        let e = config("step\n", "-", &Overrides::default()).unwrap_err();
        assert!(e.starts_with("standard input has no `# distlab: run SCENARIO …` line 1"), "{e}");
    }
}
