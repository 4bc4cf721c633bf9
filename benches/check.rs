//! `distlab check` side by side with Stateright 0.31 on the same model.
//! Run with `cargo bench --bench check` (about 10 s on 2 cores once built).
//!
//! The model: Ricart–Agrawala mutual exclusion where every node requests
//! the critical section once at the start and releases it when its
//! `release` timer fires, over an unordered, non-duplicating, lossless
//! network; 3 nodes (334 states: the distinct-state counts are compared)
//! and 4 nodes (124,444 states: the rates are compared).
//!
//! - distlab explores the scenario itself (`ricart-agrawala`, default
//!   parameters: `cs=20`, `retry=0`, `think=0`) from `request 0` ..
//!   `request N-1` with the library API (`check::start`, `Search`, BFS).
//! - Stateright explores [`RaActor`], a transcription of
//!   `src/algos/mutex/ricart_agrawala.rs` into a Stateright `Actor`: the
//!   same node fields (the entry count too), the request broadcast in
//!   `on_start`, the release as an actor timer (any pending message or
//!   timer may come next in both checkers), the network
//!   `Network::new_unordered_nonduplicating` (a multiset of envelopes, as
//!   distlab's fingerprint takes the pending messages), and mutual
//!   exclusion as an `always` property. BFS on one thread, then on two.
//!
//! Every measurement runs in a child process (this binary again, with
//! `--child CHECKER NODES`), so that each one's peak RSS (`VmHWM`) is its
//! own: memory per distinct state is (peak RSS after the search − peak RSS
//! before it) / distinct states. Timings cover the search alone (for
//! distlab from `Search::new` to the outcome, as `distlab check` times it;
//! for Stateright from `spawn_bfs` to `join`). The runs of the checkers
//! are interleaved and the figures are medians over the repetitions.
//!
//! "explored" is distlab's count of transitions taken (states generated,
//! repeats included); Stateright's `state_count()` is the same count plus
//! its initial state, which is what the "generated" column shows.
//! Rates are explored (generated) states per second. The goal of issue 17
//! item 10 (distlab's rate at least Stateright's on one thread) is
//! reported, not asserted.

use distlab::check::report::peak_memory_mb;
use distlab::check::{self, Budgets, Options, Search, Strategy};
use distlab::engine::actor::DriverKind;
use distlab::engine::sim::SimConfig;
use distlab::engine::trace::RunConfig;
use serde_json::{Value, json};
use stateright::actor::{Actor, ActorModel, ActorModelState, Id, Network, Out, model_timeout};
use stateright::{Checker, Expectation, Model};
use std::borrow::Cow;
use std::process::Command;
use std::time::Instant;

#[path = "common/mod.rs"]
mod common;
use common::{busy_note, cores, load_average};

// ----- the Stateright model --------------------------------------------------

/// distlab's `Msg` of `ricart_agrawala.rs`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Msg {
    Request {
        ts: u64,
    },
    /// Answers the request stamped `ts`.
    Reply {
        ts: u64,
    },
}

/// distlab's `Timer::Release` (the only timer this workload sets: `retry=0`
/// sets no `Retry`, `think=0` no `Want`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Timer {
    Release,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Phase {
    Idle,
    Wanting,
    InCs,
}

/// distlab's `Node` without the fields every node of a run shares (id, n,
/// the `cs`/`retry`/`think`/`no_defer` knobs): those are constant and
/// decide no state apart.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct RaState {
    clock: u64,
    phase: Phase,
    ts: u64,
    replied: Vec<bool>,
    replies: usize,
    /// Deferred replies: (node, timestamp of its request), in arrival order.
    deferred: Vec<(usize, u64)>,
    is_deferred: Vec<Option<u64>>,
    entries: u64,
}

struct RaActor {
    n: usize,
}

impl RaActor {
    fn broadcast(&self, me: Id, o: &mut Out<Self>, msg: Msg) {
        // distlab's `cx.broadcast`: every other node.
        for to in (0..self.n).filter(|&to| to != usize::from(me)) {
            o.send(Id::from(to), msg.clone());
        }
    }

    fn enter(&self, s: &mut RaState, o: &mut Out<Self>) {
        s.phase = Phase::InCs;
        s.entries += 1;
        // `cs=20` > 0: the release timer (its duration is no part of a state).
        o.set_timer(Timer::Release, model_timeout());
    }

    fn leave(&self, s: &mut RaState, o: &mut Out<Self>) {
        s.phase = Phase::Idle;
        for (to, ts) in std::mem::take(&mut s.deferred) {
            s.is_deferred[to] = None;
            o.send(Id::from(to), Msg::Reply { ts });
        }
    }
}

impl Actor for RaActor {
    type Msg = Msg;
    type Timer = Timer;
    type State = RaState;
    type Storage = ();
    type Random = ();

    /// `request i` for every node: the start state of both checkers has
    /// every node wanting with ts=1 and its requests in flight.
    fn on_start(&self, id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> RaState {
        let mut s = RaState {
            clock: 1,
            phase: Phase::Wanting,
            ts: 1,
            replied: vec![false; self.n],
            replies: 0,
            deferred: Vec::new(),
            is_deferred: vec![None; self.n],
            entries: 0,
        };
        self.broadcast(id, o, Msg::Request { ts: s.ts });
        if self.n == 1 {
            self.enter(&mut s, o);
        }
        s
    }

    fn on_msg(&self, id: Id, state: &mut Cow<RaState>, src: Id, msg: Msg, o: &mut Out<Self>) {
        let (me, from) = (usize::from(id), usize::from(src));
        match msg {
            Msg::Request { ts } => {
                let s = state.to_mut();
                s.clock = s.clock.max(ts) + 1;
                let defer = match s.phase {
                    Phase::InCs => true,
                    Phase::Wanting => (s.ts, me) < (ts, from),
                    Phase::Idle => false,
                };
                if defer {
                    if s.is_deferred[from] != Some(ts) {
                        s.is_deferred[from] = Some(ts);
                        s.deferred.push((from, ts));
                    }
                } else {
                    o.send(src, Msg::Reply { ts });
                }
            }
            Msg::Reply { ts } => {
                if state.phase == Phase::Wanting && ts == state.ts && !state.replied[from] {
                    let s = state.to_mut();
                    s.replied[from] = true;
                    s.replies += 1;
                    if s.replies == self.n - 1 {
                        self.enter(s, o);
                    }
                }
            }
        }
    }

    fn on_timeout(&self, _id: Id, state: &mut Cow<RaState>, timer: &Timer, o: &mut Out<Self>) {
        match timer {
            Timer::Release if state.phase == Phase::InCs => self.leave(state.to_mut(), o),
            Timer::Release => {}
        }
    }
}

fn mutual_exclusion(_: &ActorModel<RaActor>, s: &ActorModelState<RaActor>) -> bool {
    s.actor_states.iter().filter(|a| a.phase == Phase::InCs).count() <= 1
}

fn stateright_model(n: usize) -> ActorModel<RaActor> {
    ActorModel::new((), ())
        .actors((0..n).map(|_| RaActor { n }))
        .init_network(Network::new_unordered_nonduplicating([]))
        .property(Expectation::Always, "mutual exclusion", mutual_exclusion)
}

// ----- one measurement (in a child process) ----------------------------------

fn distlab_config(n: usize) -> RunConfig {
    let mut sim = SimConfig::new(n, 1);
    sim.driver = DriverKind::Inline;
    RunConfig { scenario: "ricart-agrawala".into(), params: Vec::new(), sim }
}

fn run_distlab(n: usize) -> Value {
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("a current-thread runtime starts");
    let script: String = (0..n).map(|i| format!("request {i}\n")).collect();
    let sc = rt.block_on(check::start(distlab_config(n), &script)).expect("the setup applies");
    let before = peak_memory_mb().unwrap_or(f64::NAN);
    let t = Instant::now();
    let opts = Options { depth: None, max_states: 10_000_000, strategy: Strategy::Bfs, budgets: Budgets::default() };
    let out = Search::new(sc, opts).expect("the search starts").run_to_end();
    let secs = t.elapsed().as_secs_f64();
    let after = peak_memory_mb().unwrap_or(f64::NAN);
    json!({
        "distinct": out.stats.distinct,
        "generated": out.stats.explored,
        "max_depth": out.stats.max_depth,
        "exhausted": out.exhausted,
        "violation": out.found.map(|f| f.property),
        "secs": secs,
        "rss_delta_mb": after - before,
    })
}

fn run_stateright(n: usize, threads: usize) -> Value {
    let model = stateright_model(n);
    let before = peak_memory_mb().unwrap_or(f64::NAN);
    let t = Instant::now();
    let c = model.checker().threads(threads).spawn_bfs().join();
    let secs = t.elapsed().as_secs_f64();
    let after = peak_memory_mb().unwrap_or(f64::NAN);
    let violation = c.discoveries().keys().next().map(|k| k.to_string());
    json!({
        "distinct": c.unique_state_count(),
        "generated": c.state_count(),
        "max_depth": c.max_depth(),
        "exhausted": c.is_done() && violation.is_none(),
        "violation": violation,
        "secs": secs,
        "rss_delta_mb": after - before,
    })
}

fn child(args: &[String]) {
    let n: usize = args[1].parse().expect("NODES is a number");
    let v = match args[0].as_str() {
        "distlab" => run_distlab(n),
        "stateright1" => run_stateright(n, 1),
        "stateright2" => run_stateright(n, 2),
        other => panic!("unknown checker {other}"),
    };
    println!("{v}");
}

// ----- the parent: repetitions, medians, the table ----------------------------

const CHECKERS: [(&str, &str); 3] = [
    ("distlab", "distlab check, BFS, 1 thread"),
    ("stateright1", "Stateright 0.31 BFS, threads(1)"),
    ("stateright2", "Stateright 0.31 BFS, threads(2)"),
];

fn measure(checker: &str, n: usize) -> Value {
    let exe = std::env::current_exe().expect("the bench knows its path");
    let out = Command::new(exe).args(["--child", checker, &n.to_string()]).output().expect("the child process runs");
    assert!(out.status.success(), "child {checker} {n} failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().last().unwrap_or_default()).expect("the child prints one JSON line")
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

/// The medians of one checker at one size, and the counts (the same in
/// every repetition, or the bench says so).
struct Row {
    distinct: u64,
    generated: u64,
    max_depth: u64,
    exhausted: bool,
    violation: Option<String>,
    secs: f64,
    rate: f64,
    rates: Vec<f64>,
    rss_delta_mb: f64,
}

impl Row {
    fn of(runs: &[Value]) -> Row {
        let first = &runs[0];
        let count = |v: &Value, k: &str| v[k].as_u64().unwrap_or(0);
        for r in runs {
            for k in ["distinct", "generated"] {
                if count(r, k) != count(first, k) {
                    println!("  note: {k} differs between repetitions: {} vs {}", count(r, k), count(first, k));
                }
            }
        }
        let f = |k: &str| runs.iter().map(|r| r[k].as_f64().unwrap_or(f64::NAN)).collect::<Vec<_>>();
        let rates: Vec<f64> = runs.iter().map(|r| count(r, "generated") as f64 / r["secs"].as_f64().unwrap()).collect();
        Row {
            distinct: count(first, "distinct"),
            generated: count(first, "generated"),
            max_depth: count(first, "max_depth"),
            exhausted: first["exhausted"].as_bool().unwrap_or(false),
            violation: first["violation"].as_str().map(String::from),
            secs: median(f("secs")),
            rate: median(rates.clone()),
            rates,
            rss_delta_mb: median(f("rss_delta_mb")),
        }
    }

    fn bytes_per_state(&self) -> f64 {
        self.rss_delta_mb * 1024.0 * 1024.0 / self.distinct as f64
    }

    fn json(&self) -> Value {
        json!({
            "distinct": self.distinct,
            "generated": self.generated,
            "max_depth": self.max_depth,
            "exhausted": self.exhausted,
            "violation": self.violation,
            "secs": (self.secs * 10_000.0).round() / 10_000.0,
            "states_per_sec": self.rate.round(),
            "peak_rss_delta_mb": (self.rss_delta_mb * 10.0).round() / 10.0,
            "bytes_per_distinct_state": self.bytes_per_state().round(),
        })
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1..]);
        return;
    }
    let started = Instant::now();
    println!("distlab check vs Stateright 0.31: Ricart–Agrawala, every node requests once, cs released by a timer");
    println!("unordered non-duplicating lossless network; BFS; each run in its own process; medians over the runs");
    let load = load_average();
    println!("load average at start: {load:.2} on {} cores{}\n", cores(), busy_note(load));

    let mut summary = serde_json::Map::new();
    summary.insert("bench".into(), "check".into());
    let mut verdicts = Vec::new();
    for (n, reps) in [(3usize, 9usize), (4, 3)] {
        let mut runs: Vec<Vec<Value>> = vec![Vec::new(); CHECKERS.len()];
        for _ in 0..reps {
            for (k, (name, _)) in CHECKERS.iter().enumerate() {
                runs[k].push(measure(name, n));
            }
        }
        println!("{n} nodes, {reps} runs each");
        println!(
            "  {:<34} {:>9} {:>10} {:>6} {:>10} {:>12} {:>9} {:>10}   states/s range",
            "checker", "distinct", "generated", "depth", "elapsed", "states/s", "RSS +MB", "B/state"
        );
        let mut rows = Vec::new();
        for (k, (name, label)) in CHECKERS.iter().enumerate() {
            let r = Row::of(&runs[k]);
            let lo = r.rates.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = r.rates.iter().copied().fold(0.0, f64::max);
            println!(
                "  {:<34} {:>9} {:>10} {:>6} {:>8.1}ms {:>12} {:>9.1} {:>10} {}  {} .. {}",
                label,
                common::thousands(r.distinct as f64),
                common::thousands(r.generated as f64),
                r.max_depth,
                r.secs * 1000.0,
                common::thousands(r.rate),
                r.rss_delta_mb,
                common::thousands(r.bytes_per_state()),
                match (&r.violation, r.exhausted) {
                    (Some(p), _) => format!("VIOLATION {p}"),
                    (None, true) => "exhausted".to_string(),
                    (None, false) => "NOT exhausted".to_string(),
                },
                common::thousands(lo),
                common::thousands(hi),
            );
            summary.insert(format!("ra{n}_{name}"), r.json());
            rows.push(r);
        }
        let (d, s1, s2) = (&rows[0], &rows[1], &rows[2]);
        // Stateright's state_count() counts its initial state; distlab's explored does not.
        let transitions = s1.generated.saturating_sub(1);
        println!(
            "  distinct states: distlab {} vs Stateright {} ({}); transitions: distlab {} vs Stateright {} (state_count − 1)",
            d.distinct,
            s1.distinct,
            if d.distinct == s1.distinct { "equal" } else { "DIFFERENT: see benches/README.md" },
            d.generated,
            transitions
        );
        let ratio1 = d.rate / s1.rate;
        let ratio2 = d.rate / s2.rate;
        println!(
            "  distlab states/s ÷ Stateright's: {ratio1:.2} (1 thread), {ratio2:.2} (2 threads); goal ≥ 1 on one thread: {}",
            if ratio1 >= 1.0 { "met" } else { "missed" }
        );
        println!();
        summary
            .insert(format!("ra{n}_distinct_equal"), (d.distinct == s1.distinct && s1.distinct == s2.distinct).into());
        summary.insert(format!("ra{n}_rate_ratio_1_thread"), ((ratio1 * 1000.0).round() / 1000.0).into());
        summary.insert(format!("ra{n}_rate_ratio_2_threads"), ((ratio2 * 1000.0).round() / 1000.0).into());
        verdicts.push((n, ratio1));
    }
    let goal = verdicts.iter().find(|(n, _)| *n == 4).is_some_and(|(_, r)| *r >= 1.0);
    println!(
        "goal (issue 17 item 10), 4 nodes: distlab's states/s ≥ Stateright's on one thread: {}",
        if goal { "met" } else { "MISSED" }
    );
    println!("total benchmark time {:.1} s", started.elapsed().as_secs_f64());
    summary.insert("goals".into(), json!({ "ra4_rate_ge_stateright_1_thread": goal }));
    summary.insert("load_average_at_start".into(), load.into());
    summary.insert("total_secs".into(), ((started.elapsed().as_secs_f64() * 10.0).round() / 10.0).into());
    println!("{}", Value::Object(summary));
}
