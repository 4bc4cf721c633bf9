//! Property tests: random fault schedules never break a safety property,
//! liveness holds once the faults heal, the ground-truth clocks follow the
//! Lamport and vector clock rules, and the deliberately broken variants are
//! caught by the checker (which proves the checker can fail).
//!
//! Cases per property: `DISTLAB_PROPTEST_CASES` (default 1000). A failing
//! case prints its scenario, seed and the exact script that reproduces it.

mod common;

use common::*;
use distlab::engine::input::{Input, SchedMode};
use distlab::engine::protocol::{MS, Role};
use distlab::engine::trace::RunConfig;
use distlab::scenario::Scenario;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestCaseError;

fn cases() -> u32 {
    std::env::var("DISTLAB_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

fn proptest_config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        // Failures print their reproduction; nothing is written next to the tests.
        failure_persistence: None,
        max_shrink_iters: 2000,
        ..ProptestConfig::default()
    }
}

/// One random action of a schedule. Node numbers and in-flight indices are
/// taken modulo what exists when the action is applied.
#[derive(Clone, Debug)]
enum Op {
    Step(u8),
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
    /// The algorithm's own action: request/release, or elect.
    Act(u8),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Algo {
    Ra,
    Ring,
}

/// Which faults a schedule may contain.
#[derive(Clone, Copy, Debug)]
struct Faults {
    /// Message faults that make a live node look dead to a timeout (drop,
    /// random loss, delays beyond the timeout).
    lossy: bool,
    /// Partitions and cut links.
    links: bool,
    /// Crashed nodes may come back during the schedule.
    recover: bool,
    /// The seeded random scheduler instead of the timed one.
    random_sched: bool,
}

impl Faults {
    /// Can a timeout wrongly suspect a live node? Then ring election cannot
    /// promise one coordinator (see `ring_election_recovers_after_partitions_and_losses`).
    fn false_suspicion(self) -> bool {
        self.lossy || self.links || self.recover || self.random_sched
    }
}

fn op(faults: Faults) -> impl Strategy<Value = Op> {
    let delay_max: u16 = if faults.lossy { 400 } else { 20 };
    let mut choices: Vec<(u32, BoxedStrategy<Op>)> = vec![
        (10, (1u8..=30).prop_map(Op::Step).boxed()),
        (6, any::<u8>().prop_map(Op::Act).boxed()),
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

#[derive(Clone, Debug)]
struct Case {
    algo: Algo,
    n: usize,
    seed: u64,
    ops: Vec<Op>,
    /// Who starts the final election (ring), modulo n.
    elector: u8,
    faults: Faults,
}

fn case(algo: Algo, faults: Faults) -> impl Strategy<Value = Case> {
    let nodes = match algo {
        Algo::Ra => 1usize..=6,
        Algo::Ring => 2usize..=6,
    };
    (nodes, any::<u64>(), proptest::collection::vec(op(faults), 1..80), any::<u8>())
        .prop_map(move |(n, seed, ops, elector)| Case { algo, n, seed, ops, elector, faults })
}

fn run_config(c: &Case) -> RunConfig {
    let (scenario, params): (&str, &[(&str, &str)]) = match c.algo {
        // retry > 0: the variant that can recover from lost messages.
        Algo::Ra => (RA, &[("cs", "15"), ("retry", "40")]),
        // Delays of at most 20 ms (several would have to hit one message)
        // keep an ACK round trip well inside the timeout.
        Algo::Ring => (RING, &[("timeout", "200")]),
    };
    let mut cfg = config(scenario, c.n, c.seed, params);
    cfg.sim.logging = false;
    if c.faults.random_sched {
        cfg.sim.sched = SchedMode::Random;
    }
    cfg
}

/// Turn an abstract action into an input for the run as it is now.
fn input(sc: &dyn Scenario, algo: Algo, op: &Op) -> Option<Input> {
    let n = sc.n();
    let node = |x: u8| x as usize % n;
    let pending = || sc.in_flight(usize::MAX).0;
    let pick = |i: u8, messages_only: bool| {
        let list: Vec<_> = pending().into_iter().filter(|m| !messages_only || m.from.is_some()).collect();
        (!list.is_empty()).then(|| list[i as usize % list.len()].id)
    };
    let verb = |v: &str, x: usize| Input::Verb { verb: v.into(), args: vec![x.to_string()] };
    Some(match *op {
        Op::Step(k) => Input::Step(k as u64),
        Op::Crash(x) => Input::Crash(node(x)),
        Op::Recover(x) => Input::Recover(node(x)),
        Op::Partition(mask) => {
            let group: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).collect();
            Input::Partition(vec![group])
        }
        Op::Cut(a, b) => Input::Cut(node(a), node(b)),
        Op::Heal => Input::Heal,
        Op::Delay(i, ms) => Input::Delay(pick(i, false)?, ms as u64 * MS),
        Op::Drop(i) => Input::Drop(pick(i, true)?),
        Op::Dup(i) => Input::Dup(pick(i, true)?),
        Op::Loss(p) => Input::Loss(p as f64 / 10.0),
        Op::Act(x) => match algo {
            Algo::Ra if sc.role(node(x)) == Role::InCs => verb("release", node(x)),
            Algo::Ra => verb("request", node(x)),
            Algo::Ring => verb("elect", node(x)),
        },
    })
}

const SAFETY_RA: &[&str] = &["mutual-exclusion", "timestamp-order"];
const SAFETY_RING: &[&str] = &["one-coordinator"];

/// The script that reproduces a run (for failure messages).
fn repro(sc: &dyn Scenario) -> String {
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

fn fail(sc: &dyn Scenario, what: String) -> TestCaseError {
    TestCaseError::fail(format!("{what}\nviolations: {:?}\nreproduce with:\n{}", sc.violations(), repro(sc)))
}

fn verb(v: &str, node: usize) -> Input {
    Input::Verb { verb: v.into(), args: vec![node.to_string()] }
}

/// Apply inputs that must be accepted, then require quiescence.
fn settle(sc: &mut dyn Scenario, inputs: Vec<Input>, what: &str) -> Result<(), TestCaseError> {
    for i in inputs {
        let text = i.to_string();
        apply(sc, i).map_err(|e| fail(sc, format!("{what}: `{text}` rejected: {e}")))?;
    }
    apply(sc, Input::Run(Some(200_000))).map_err(|e| fail(sc, e))?;
    if sc.in_flight(1).0.is_empty() { Ok(()) } else { Err(fail(sc, format!("{what}: no quiescence in 200000 steps"))) }
}

/// Run a random schedule, then heal everything and check liveness.
fn check_case(c: &Case) -> Result<(), TestCaseError> {
    let mut sc = open(run_config(c));
    for op in &c.ops {
        if let Some(i) = input(sc.as_ref(), c.algo, op) {
            // Inputs that do not fit the moment (crash a crashed node...) are
            // rejected and change nothing; that is tested elsewhere.
            let _ = apply(sc.as_mut(), i);
        }
    }
    let safety = match c.algo {
        Algo::Ra => SAFETY_RA,
        Algo::Ring if c.faults.false_suspicion() => &[],
        Algo::Ring => SAFETY_RING,
    };
    if let Some(v) = sc.violations().iter().find(|v| safety.contains(&v.property.as_str())) {
        return Err(fail(
            sc.as_ref(),
            format!("safety property {} broken during the faults: {}", v.property, v.detail),
        ));
    }

    // The faults heal: no partition, no loss, timely delivery.
    let mut mark = sc.violations().len();
    let heal = vec![Input::Heal, Input::Loss(0.0), Input::Sched(SchedMode::Timed)];
    let crashed: Vec<Input> = (0..c.n).filter(|&i| !sc.alive(i)).map(Input::Recover).collect();
    match c.algo {
        Algo::Ra => {
            // Ricart–Agrawala never relies on timing: nothing may break, ever.
            mark = 0;
            settle(sc.as_mut(), [heal, crashed].concat(), "healing")?;
            if let Some(r) = (0..c.n).find(|&i| sc.role(i) != Role::Idle) {
                return Err(fail(sc.as_ref(), format!("node {r} is {:?} at quiescence", sc.role(r))));
            }
            // Everyone asks once more and everyone gets in, once.
            let before = cs_order(sc.as_ref()).len();
            settle(sc.as_mut(), (0..c.n).map(|i| verb("request", i)).collect(), "last round")?;
            let mut last: Vec<u64> = cs_order(sc.as_ref())[before..].to_vec();
            last.sort_unstable();
            if last != (0..c.n as u64).collect::<Vec<_>>() {
                return Err(fail(sc.as_ref(), format!("after healing, entries were {last:?}")));
            }
        }
        Algo::Ring => {
            // Let what is still in flight finish while the crashed nodes are
            // still down (so no timeout taken while a node was down can skip
            // it once it is back), then bring them back: each starts an
            // election, and one more election starts from the elector.
            settle(sc.as_mut(), heal, "draining")?;
            if c.faults.false_suspicion() {
                // Elections that wrongly skipped a live node may have left
                // two coordinators behind; judge from here on.
                mark = sc.violations().len();
            }
            settle(sc.as_mut(), crashed, "recovering")?;
            settle(sc.as_mut(), vec![verb("elect", c.elector as usize % c.n)], "final election")?;
            let want = serde_json::json!(c.n - 1);
            for i in 0..c.n {
                let believes = leaders(sc.as_ref())[i.to_string()].clone();
                if believes != want || sc.role(i) == Role::Candidate {
                    return Err(fail(
                        sc.as_ref(),
                        format!("after healing, node {i} believes {believes} ({:?}); want {want}", sc.role(i)),
                    ));
                }
            }
        }
    }
    if let Some(v) = sc.violations().get(mark) {
        return Err(fail(sc.as_ref(), format!("{} broken after the faults healed: {}", v.property, v.detail)));
    }
    check_clocks(sc.as_ref()).map_err(|e| fail(sc.as_ref(), e))?;
    Ok(())
}

const ALL: Faults = Faults { lossy: true, links: true, recover: true, random_sched: false };
/// Crash-stop faults are what a timeout detects correctly: no loss, no cut
/// links, no comebacks, delays that stay well within the ACK timeout.
const CRASH_STOP: Faults = Faults { lossy: false, links: false, recover: false, random_sched: false };

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn ricart_agrawala_is_safe_and_live(c in case(Algo::Ra, ALL)) {
        check_case(&c)?;
    }

    #[test]
    fn ricart_agrawala_is_safe_and_live_under_random_scheduling(
        c in case(Algo::Ra, Faults { random_sched: true, ..ALL })
    ) {
        check_case(&c)?;
    }

    #[test]
    fn ring_election_is_safe_and_live_under_crash_stop_faults(c in case(Algo::Ring, CRASH_STOP)) {
        check_case(&c)?;
    }

    /// With partitions, cut links, drops, random loss, long delays or a node
    /// that comes back before a pending timeout fires, a missing ACK no
    /// longer means a dead node: the election may skip a live one, and two
    /// nodes may both claim to coordinate for a while (a timeout is not a
    /// failure detector). What must hold: once the faults heal, everything
    /// settles, and elections set every belief right with no violation.
    #[test]
    fn ring_election_recovers_after_partitions_losses_and_restarts(c in case(Algo::Ring, ALL)) {
        check_case(&c)?;
    }

    #[test]
    fn ring_election_recovers_after_random_scheduling(c in case(Algo::Ring, Faults { random_sched: true, ..ALL })) {
        check_case(&c)?;
    }
}

// ----- the broken variants: the checker must catch them ----------------------

#[test]
fn ricart_agrawala_without_deferral_is_caught() {
    let sc = run_script(config(RA, 3, 1, &[("variant", "no-defer"), ("cs", "0")]), "request 1; request 2; run");
    assert_eq!(roles(sc.as_ref()), vec![Role::Idle, Role::InCs, Role::InCs]);
    assert_eq!(violated(sc.as_ref()), vec!["mutual-exclusion"]);
    assert_eq!(sc.violations()[0].detail, "nodes 1 and 2 are both in the critical section");
    // The correct variant on the same inputs: nothing to report.
    let sc = run_script(config(RA, 3, 1, &[("cs", "0")]), "request 1; request 2; run");
    assert!(sc.violations().is_empty());

    // Whatever the seed (latencies) or the size, concurrent requests of the
    // broken variant are caught, and only safety properties fire.
    for seed in 0..60u64 {
        let n = 2 + seed as usize % 5;
        let cfg = config(RA, n, seed, &[("variant", "no-defer"), ("cs", "20")]);
        let script: Vec<String> = (0..n).rev().map(|i| format!("request {i}")).chain(["run".into()]).collect();
        let sc = run_script(cfg, &script.join(";"));
        let props = violated(sc.as_ref());
        assert!(props.contains(&"mutual-exclusion".to_string()), "seed {seed} n {n}: {props:?}");
        assert!(props.iter().all(|p| SAFETY_RA.contains(&p.as_str())), "seed {seed}: {props:?}");
    }
    // Seed 001's pair, broken: node 1 (ts=5) need not wait for node 2 (ts=4).
    let sc = run_script(
        config(RA, 3, 4, &[("variant", "no-defer"), ("cs", "0")]),
        "request 2; run; release 2; request 2; run; release 2; request 2; run; release 2; \
         request 1; request 2; latency 1 1; run",
    );
    let props = violated(sc.as_ref());
    assert!(props.contains(&"mutual-exclusion".to_string()), "{props:?}");
}

#[test]
fn ring_election_naming_the_initiator_is_caught() {
    let mut sc = run_script(config(RING, 5, 1, &[("variant", "self-elect")]), "crash 3; elect 2; run");
    assert_eq!(leaders(sc.as_ref()), serde_json::json!({"0": 2, "1": 2, "2": 2, "4": 2}));
    assert_eq!(violated(sc.as_ref()), vec!["agreement"; 4]);
    assert_eq!(sc.violations()[3].detail, "node 4 believes 2 is coordinator; the highest live id is 4");
    assert_eq!(inspect(sc.as_mut(), 0)["variant"], "self-elect (BROKEN on purpose)");

    // Two initiators both name themselves: two coordinators at once.
    for seed in 1..=10 {
        let sc = run_script(config(RING, 5, seed, &[("variant", "self-elect")]), "elect 0; elect 2; run");
        let props = violated(sc.as_ref());
        assert!(props.contains(&"one-coordinator".to_string()), "seed {seed}: {props:?}");
        assert!(props.contains(&"agreement".to_string()), "seed {seed}: {props:?}");
    }
    // When the initiator is the highest live id the bug is invisible, and
    // the checker rightly says nothing: it judges behaviour, not code.
    let sc = run_script(config(RING, 5, 1, &[("variant", "self-elect")]), "elect 4; run");
    assert!(sc.violations().is_empty());
}

/// The property tests must have teeth: the same random schedules, run on
/// the broken variants, are caught in a good share of the cases.
#[test]
fn the_random_schedules_catch_the_broken_variants() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut ra_caught, mut ring_caught) = (0, 0);
    let total = 200;
    for _ in 0..total {
        let c = case(Algo::Ra, ALL).new_tree(&mut runner).unwrap().current();
        let mut cfg = run_config(&c);
        cfg.params.push(("variant".into(), "no-defer".into()));
        if let Ok(true) = std::panic::catch_unwind(|| caught(cfg, &c, SAFETY_RA)) {
            ra_caught += 1;
        }
        let c = case(Algo::Ring, CRASH_STOP).new_tree(&mut runner).unwrap().current();
        let mut cfg = run_config(&c);
        cfg.params.push(("variant".into(), "self-elect".into()));
        if let Ok(true) = std::panic::catch_unwind(|| caught(cfg, &c, &["one-coordinator", "agreement"])) {
            ring_caught += 1;
        }
    }
    println!("caught: no-defer {ra_caught}/{total}, self-elect {ring_caught}/{total}");
    assert!(ra_caught * 10 >= total, "no-defer caught in only {ra_caught} of {total} random schedules");
    assert!(ring_caught * 10 >= total, "self-elect caught in only {ring_caught} of {total} random schedules");
}

fn caught(cfg: RunConfig, c: &Case, props: &[&str]) -> bool {
    let mut sc = open(cfg);
    for op in &c.ops {
        if let Some(i) = input(sc.as_ref(), c.algo, op) {
            let _ = apply(sc.as_mut(), i);
        }
    }
    let _ = apply(sc.as_mut(), Input::Run(Some(20_000)));
    sc.violations().iter().any(|v| props.contains(&v.property.as_str()))
}
