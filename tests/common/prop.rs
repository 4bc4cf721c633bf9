//! Scaffolding shared by the property tests: the case count and proptest
//! configuration, failure messages that carry a reproducing script, random
//! fault schedules (`Op`) and the inputs they stand for, and the checks
//! every algorithm's property test makes once the faults heal.
//!
//! Cases per property: `DISTLAB_PROPTEST_CASES` (default 1000). Cases per
//! fuzz test (tests/fuzz.rs, tests/trace_corruption.rs):
//! `DISTLAB_FUZZ_CASES` (default 24).

use super::{apply, check_clocks, config, cs_order, in_flight, leaders};
use distlab::engine::input::{EvId, Input, SchedMode};
use distlab::engine::protocol::{MS, Role};
use distlab::engine::trace::RunConfig;
use distlab::scenario::Scenario;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{TestCaseError, TestRunner};

/// Cases per property: `DISTLAB_PROPTEST_CASES`, default 1000.
pub fn cases() -> u32 {
    std::env::var("DISTLAB_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

/// Cases per fuzz test (tests/fuzz.rs: scripts per scenario;
/// tests/trace_corruption.rs: damaged traces per kind of damage):
/// `DISTLAB_FUZZ_CASES`, default 24, small enough that every fuzz test takes
/// a few seconds in a debug build.
pub fn fuzz_cases() -> u32 {
    std::env::var("DISTLAB_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24)
}

pub fn proptest_config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        // Failures print their reproduction; nothing is written next to the tests.
        failure_persistence: None,
        max_shrink_iters: 2000,
        ..ProptestConfig::default()
    }
}

/// The run of a random schedule: logging off (it is not looked at), and
/// the seeded random scheduler if `random_sched`.
pub fn schedule_config(scenario: &str, n: usize, seed: u64, params: &[(&str, &str)], random_sched: bool) -> RunConfig {
    let mut cfg = config(scenario, n, seed, params);
    cfg.sim.logging = false;
    if random_sched {
        cfg.sim.sched = SchedMode::Random;
    }
    cfg
}

/// One value of a strategy, drawn by `runner` (no shrinking).
pub fn sample<S: Strategy>(runner: &mut TestRunner, strategy: &S) -> S::Value {
    strategy.new_tree(runner).unwrap().current()
}

/// The script that reproduces a run (for failure messages).
pub fn repro(sc: &dyn Scenario) -> String {
    let c = sc.config();
    let params: Vec<String> = c.params.iter().map(|(k, v)| format!("-p {k}={v}")).collect();
    let inputs: Vec<String> = sc.inputs().iter().map(|i| i.to_string()).collect();
    format!(
        "distlab run {} --nodes {} --seed {} --sched {} {} --headless --script - <<'EOF'\n{}\nEOF",
        c.scenario,
        c.sim.n,
        c.sim.seed,
        c.sim.sched.name(),
        params.join(" "),
        inputs.join("\n")
    )
}

/// A failed case: what went wrong, the violations so far, and the script
/// that reproduces the run.
pub fn fail(sc: &dyn Scenario, what: String) -> TestCaseError {
    TestCaseError::fail(format!("{what}\nviolations: {:?}\nreproduce with:\n{}", sc.violations(), repro(sc)))
}

/// A verb with one node argument (`request 3`, `elect 0`...).
pub fn verb(v: &str, node: usize) -> Input {
    Input::Verb { verb: v.into(), args: vec![node.to_string()] }
}

/// Apply inputs that must be accepted, then require quiescence within
/// `steps` steps.
pub fn settle(sc: &mut dyn Scenario, inputs: Vec<Input>, what: &str, steps: u64) -> Result<(), TestCaseError> {
    for i in inputs {
        let text = i.to_string();
        apply(sc, i).map_err(|e| fail(sc, format!("{what}: `{text}` rejected: {e}")))?;
    }
    apply(sc, Input::Run(Some(steps))).map_err(|e| fail(sc, e))?;
    if sc.in_flight(1).0.is_empty() { Ok(()) } else { Err(fail(sc, format!("{what}: no quiescence in {steps} steps"))) }
}

/// The faults heal: no partition, no loss, timely delivery.
pub fn heal() -> Vec<Input> {
    vec![Input::Heal, Input::Loss(0.0), Input::Sched(SchedMode::Timed)]
}

/// Bring every crashed node back, lowest id first.
pub fn recover_crashed(sc: &dyn Scenario) -> Vec<Input> {
    (0..sc.n()).filter(|&i| !sc.alive(i)).map(Input::Recover).collect()
}

/// No safety property of `safety` was broken during the faults.
pub fn safe_during_faults(sc: &dyn Scenario, safety: &[&str]) -> Result<(), TestCaseError> {
    match sc.violations().iter().find(|v| safety.contains(&v.property.as_str())) {
        Some(v) => Err(fail(sc, format!("{} broken during the faults: {}", v.property, v.detail))),
        None => Ok(()),
    }
}

/// At quiescence every node's role is one of `rest`.
pub fn at_rest(sc: &dyn Scenario, rest: &[Role]) -> Result<(), TestCaseError> {
    match (0..sc.n()).find(|&i| !rest.contains(&sc.role(i))) {
        Some(r) => Err(fail(sc, format!("node {r} is {:?} at quiescence", sc.role(r)))),
        None => Ok(()),
    }
}

/// Everyone asks once more (quiet again within `steps` steps) and everyone
/// gets in, once.
pub fn everyone_enters_once(sc: &mut dyn Scenario, steps: u64) -> Result<(), TestCaseError> {
    let n = sc.n();
    let before = cs_order(sc).len();
    settle(sc, (0..n).map(|i| verb("request", i)).collect(), "last round", steps)?;
    let mut last: Vec<u64> = cs_order(sc)[before..].to_vec();
    last.sort_unstable();
    if last != (0..n as u64).collect::<Vec<_>>() {
        return Err(fail(sc, format!("after healing, entries were {last:?}")));
    }
    Ok(())
}

/// Liveness of a mutual-exclusion algorithm that repairs what it lost: heal
/// every link, bring the crashed nodes back and let everything finish;
/// every node is then at rest (one of `rest`), everyone gets in once more,
/// nothing was ever violated (starvation included) and the clocks follow
/// the rules.
pub fn live_after_healing(sc: &mut dyn Scenario, rest: &[Role]) -> Result<(), TestCaseError> {
    let crashed = recover_crashed(sc);
    settle(sc, [heal(), crashed].concat(), "healing", 200_000)?;
    at_rest(sc, rest)?;
    everyone_enters_once(sc, 200_000)?;
    clean_run(sc)
}

/// How many of `total` schedules drawn from `strategy` end with `property`
/// broken: `run` opens each and plays its faults, then the run goes on for
/// at most 20,000 steps. (How the broken-variant tests count their teeth.)
pub fn count_caught<S: Strategy>(
    runner: &mut TestRunner,
    total: u32,
    strategy: &S,
    property: &str,
    mut run: impl FnMut(&S::Value) -> Box<dyn Scenario>,
) -> u32 {
    let mut caught = 0;
    for _ in 0..total {
        let mut sc = run(&sample(runner, strategy));
        let _ = apply(sc.as_mut(), Input::Run(Some(20_000)));
        if sc.violations().iter().any(|v| v.property == property) {
            caught += 1;
        }
    }
    caught
}

/// No property at all was broken at any point of the run.
pub fn never_violated(sc: &dyn Scenario) -> Result<(), TestCaseError> {
    match sc.violations().first() {
        Some(v) => Err(fail(sc, format!("{} broken: {}", v.property, v.detail))),
        None => Ok(()),
    }
}

/// The usual end of a property test: nothing was ever broken, and the
/// engine's clocks follow the textbook rules.
pub fn clean_run(sc: &dyn Scenario) -> Result<(), TestCaseError> {
    never_violated(sc)?;
    check_clocks(sc).map_err(|e| fail(sc, e))
}

/// After a final election: every node of `live` believes `top` is the
/// coordinator and none is still a candidate; no violation from the
/// `mark`-th on; the clocks follow the rules.
pub fn elected(sc: &dyn Scenario, live: &[usize], top: usize, mark: usize) -> Result<(), TestCaseError> {
    let want = serde_json::json!(top);
    for &i in live {
        let believes = leaders(sc)[i.to_string()].clone();
        if believes != want || sc.role(i) == Role::Candidate {
            return Err(fail(
                sc,
                format!("after the final election node {i} believes {believes} ({:?}); want {top}", sc.role(i)),
            ));
        }
    }
    if let Some(v) = sc.violations().get(mark) {
        return Err(fail(sc, format!("{} broken after the faults healed: {}", v.property, v.detail)));
    }
    check_clocks(sc).map_err(|e| fail(sc, e))
}

// ----- random fault schedules --------------------------------------------------------

/// One random action of a schedule. Node numbers and in-flight indices are
/// taken modulo what exists when the action is applied.
#[derive(Clone, Debug)]
pub enum Op {
    Step(u8),
    /// The algorithm's own action (see `Actions::act`).
    Act(u8),
    Crash(u8),
    Recover(u8),
    /// Nodes whose bit is set form one group, the rest another.
    Partition(u8),
    Cut(u8, u8),
    Heal,
    Delay(u8, u16),
    Drop(u8),
    Dup(u8),
    Loss(u8),
}

/// Which faults a schedule may contain (the election algorithms' and
/// Ricart–Agrawala's schedules).
#[derive(Clone, Copy, Debug)]
pub struct Faults {
    /// Message faults that make a live node look dead to a timeout (drop,
    /// random loss, delays beyond the timeout).
    pub lossy: bool,
    /// Partitions and cut links.
    pub links: bool,
    /// Crashed nodes may come back during the schedule.
    pub recover: bool,
    /// The seeded random scheduler instead of the timed one.
    pub random_sched: bool,
}

impl Faults {
    /// Can a timeout wrongly suspect a live node?
    pub fn false_suspicion(self) -> bool {
        self.lossy || self.links || self.recover || self.random_sched
    }
}

pub const ALL: Faults = Faults { lossy: true, links: true, recover: true, random_sched: false };
/// Crash-stop faults are what a timeout detects correctly: no loss, no cut
/// links, no comebacks, delays that stay well within the timeout.
pub const CRASH_STOP: Faults = Faults { lossy: false, links: false, recover: false, random_sched: false };

/// Random actions under `faults`; `act_weight` weighs `Op::Act` against a
/// step's 10.
pub fn fault_op(faults: Faults, act_weight: u32) -> impl Strategy<Value = Op> {
    let delay_max: u16 = if faults.lossy { 400 } else { 20 };
    let mut choices: Vec<(u32, BoxedStrategy<Op>)> = vec![
        (10, (1u8..=30).prop_map(Op::Step).boxed()),
        (act_weight, any::<u8>().prop_map(Op::Act).boxed()),
        (2, any::<u8>().prop_map(Op::Crash).boxed()),
        (2, (any::<u8>(), 0..=delay_max).prop_map(|(i, ms)| Op::Delay(i, ms)).boxed()),
        (1, any::<u8>().prop_map(Op::Dup).boxed()),
    ];
    if faults.recover {
        choices.push((2, any::<u8>().prop_map(Op::Recover).boxed()));
    }
    if faults.links {
        choices.push((1, any::<u8>().prop_map(Op::Partition).boxed()));
        choices.push((1, (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::Cut(a, b)).boxed()));
        choices.push((2, Just(Op::Heal).boxed()));
    }
    if faults.lossy {
        choices.push((2, any::<u8>().prop_map(Op::Drop).boxed()));
        choices.push((1, (0u8..=3).prop_map(Op::Loss).boxed()));
    }
    proptest::strategy::Union::new_weighted(choices)
}

/// Only steps, the algorithm's own actions, delays and duplicates (tokens
/// included): nothing that can lose a message.
pub fn lossless_op() -> BoxedStrategy<Op> {
    prop_oneof![
        10 => (1u8..=20).prop_map(Op::Step),
        8 => any::<u8>().prop_map(Op::Act),
        3 => (any::<u8>(), 0u16..300).prop_map(|(i, ms)| Op::Delay(i, ms)),
        3 => any::<u8>().prop_map(Op::Dup),
    ]
    .boxed()
}

/// The id of the `i`-th pending event, modulo how many there are (messages
/// only, or timers too); `None` when there is none.
pub fn pick(sc: &dyn Scenario, i: u8, messages_only: bool) -> Option<EvId> {
    let list: Vec<_> = in_flight(sc).into_iter().filter(|m| !messages_only || m.from.is_some()).collect();
    (!list.is_empty()).then(|| list[i as usize % list.len()].id)
}

/// `partition`: the nodes whose bit is set in `mask` against the rest.
pub fn partition(n: usize, mask: u8) -> Input {
    Input::Partition(vec![(0..n).filter(|i| mask & (1 << i) != 0).collect()])
}

/// Apply a schedule: each action becomes an input for the run as it is
/// then (or none); inputs that do not fit the moment (crash a crashed
/// node...) are rejected and change nothing.
pub fn play<T>(sc: &mut dyn Scenario, ops: &[T], input: impl Fn(&dyn Scenario, &T) -> Option<Input>) {
    for op in ops {
        if let Some(i) = input(sc, op) {
            let _ = apply(sc, i);
        }
    }
}

/// Request, or release at a node in its critical section.
pub fn request_or_release(sc: &dyn Scenario, node: usize) -> Input {
    if sc.role(node) == Role::InCs { verb("release", node) } else { verb("request", node) }
}

pub fn elect(_: &dyn Scenario, node: usize) -> Input {
    verb("elect", node)
}

/// How one algorithm's schedule turns `Op`s into inputs.
#[derive(Clone, Copy)]
pub struct Actions {
    /// What `Op::Act` does at a node.
    pub act: fn(&dyn Scenario, usize) -> Input,
    /// `Op::Delay` may pick a pending timer too, not only a message.
    pub delay_timers: bool,
}

/// Request/release; delays hit timers too.
pub const MUTEX: Actions = Actions { act: request_or_release, delay_timers: true };
/// Elections; delays hit timers too.
pub const ELECT: Actions = Actions { act: elect, delay_timers: true };
/// Request/release; only messages are delayed.
pub const TOKEN: Actions = Actions { act: request_or_release, delay_timers: false };

impl Actions {
    /// The input an action stands for now (`None` when it has nothing to act on).
    pub fn input(self, sc: &dyn Scenario, op: &Op) -> Option<Input> {
        let n = sc.n();
        let node = |x: u8| x as usize % n;
        Some(match *op {
            Op::Step(k) => Input::Step(k as u64),
            Op::Act(x) => (self.act)(sc, node(x)),
            Op::Crash(x) => Input::Crash(node(x)),
            Op::Recover(x) => Input::Recover(node(x)),
            Op::Partition(mask) => partition(n, mask),
            Op::Cut(a, b) => Input::Cut(node(a), node(b)),
            Op::Heal => Input::Heal,
            Op::Delay(i, ms) => Input::Delay(pick(sc, i, !self.delay_timers)?, ms as u64 * MS),
            Op::Drop(i) => Input::Drop(pick(sc, i, true)?),
            Op::Dup(i) => Input::Dup(pick(sc, i, true)?),
            Op::Loss(p) => Input::Loss(p as f64 / 10.0),
        })
    }

    /// Apply a whole schedule (see `play`).
    pub fn play(self, sc: &mut dyn Scenario, ops: &[Op]) {
        play(sc, ops, |sc, op| self.input(sc, op));
    }
}
