//! A run is its config plus its input log: same inputs, same bytes; the
//! inline and actor drivers agree; a trace replays exactly, tampering is
//! detected, and damaged trace files are refused with the right error.

mod common;

use common::*;
use distlab::engine::actor::DriverKind;
use distlab::engine::input::{Input, SchedMode};
use distlab::engine::record::EvKind;
use distlab::engine::trace::{RunConfig, Trace, TraceError, VERSION};
use distlab::headless;

/// Configurations and scripts that between them touch every source of
/// nondeterminism the engine owns: latency, loss, duplication, the random
/// scheduler, FIFO links, crashes, partitions, timers.
fn cases() -> Vec<(RunConfig, &'static str)> {
    let ra = |seed, params: &[(&str, &str)]| config(RA, 5, seed, params);
    let ring = |seed| config(RING, 6, seed, &[]);
    let mut random_ra = ra(3, &[("retry", "20")]);
    random_ra.sim.sched = SchedMode::Random;
    let mut fifo_ring = ring(4);
    fifo_ring.sim.net.fifo = true;
    let mut random_ring = ring(5);
    random_ring.sim.sched = SchedMode::Random;
    vec![
        (ra(1, &[]), "request 0; request 3; request 4; run"),
        (ra(2, &[("retry", "15"), ("think", "20")]), "loss 0.2; dup-rate 0.2; latency 1 30; run 600"),
        (random_ra, "request 1; request 2; crash 4; step 10; recover 4; partition 0,1; step 10; heal; run 500"),
        (ring(1), "crash 3; elect 2; run"),
        (fifo_ring, "elect 0; elect 3; latency 2 20; dup-rate 0.3; run; crash 5; elect 1; run"),
        (random_ring, "elect 0; loss 0.1; step 30; cut 1 2; elect 4; run 400"),
    ]
}

fn run_twice_bytes(cfg: RunConfig, script: &str) -> (Vec<u8>, Vec<u8>) {
    let a = run_script(cfg.clone(), script).trace().encode();
    let b = run_script(cfg, script).trace().encode();
    (a, b)
}

#[test]
fn same_config_and_inputs_give_identical_trace_bytes() {
    for (cfg, script) in cases() {
        for driver in [DriverKind::Actors, DriverKind::Inline] {
            let (a, b) = run_twice_bytes(with_driver(cfg.clone(), driver), script);
            assert!(a.len() > 100, "{script}: a real run");
            assert_eq!(a, b, "{} {driver:?}: `{script}` twice", cfg.scenario);
        }
    }
}

#[test]
fn the_seed_matters() {
    // The same script under another seed is another run (latencies differ).
    for (cfg, script) in cases() {
        let mut other = cfg.clone();
        other.sim.seed += 1000;
        let a = run_script(cfg.clone(), script);
        let b = run_script(other, script);
        assert_ne!(a.history(), b.history(), "{} `{script}`", cfg.scenario);
    }
}

#[test]
fn inline_and_actor_drivers_agree() {
    for (cfg, script) in cases() {
        let mut inline = run_script(with_driver(cfg.clone(), DriverKind::Inline), script);
        let mut actors = run_script(with_driver(cfg.clone(), DriverKind::Actors), script);
        let (ti, ta) = (inline.trace(), actors.trace());
        assert_eq!(ti.events, ta.events, "{} `{script}`", cfg.scenario);
        assert_eq!(ti.kinds, ta.kinds);
        assert_eq!(ti.inputs, ta.inputs);
        // The driver is how the run was executed, not what it did: it is
        // not recorded, so the files are the very same bytes.
        assert_eq!(ti.encode(), ta.encode(), "{} `{script}`", cfg.scenario);
        assert_eq!(snapshot(inline.as_mut()), snapshot(actors.as_mut()), "{} `{script}`", cfg.scenario);
    }
}

#[test]
fn headless_runs_are_deterministic_too() {
    for (cfg, script) in cases() {
        let script = script.replace("; ", "\n");
        let mut reports = Vec::new();
        let mut traces = Vec::new();
        for _ in 0..2 {
            let r = block_on(headless::run(with_driver(cfg.clone(), DriverKind::Actors), &script));
            let mut json = r.json.clone();
            let obj = json.as_object_mut().expect("an object");
            obj.remove("wall_ms");
            obj.remove("events_per_sec");
            reports.push(json);
            traces.push(r.scenario.expect("ran").trace().encode());
        }
        assert_eq!(reports[0], reports[1]);
        assert_eq!(traces[0], traces[1]);
    }
}

#[test]
fn replaying_a_trace_reproduces_the_run() {
    for (cfg, script) in cases() {
        let mut original = run_script(with_driver(cfg, DriverKind::Actors), script);
        let bytes = original.trace().encode();
        let trace = Trace::decode(&bytes).expect("decodes");
        assert_eq!(trace, original.trace());
        let mut replayed = block_on(distlab::replay::replay_scenario(&trace)).expect("replays");
        assert_eq!(replayed.trace().encode(), bytes, "replay gives the very same trace bytes");
        assert_eq!(snapshot(replayed.as_mut()), snapshot(original.as_mut()));
        let report = block_on(headless::replay(&trace));
        assert_eq!(report.json["result"], original.report()["result"]);
        assert_eq!(report.json["steps"], original.report()["steps"]);
    }
}

#[test]
fn a_trace_saved_after_stepping_back_replays_too() {
    let mut sc = run_script(config(RING, 5, 2, &[]), "crash 3; elect 2; run");
    for _ in 0..4 {
        step_back(sc.as_mut()).unwrap();
    }
    let trace = sc.trace();
    assert!(matches!(trace.inputs.last(), Some(Input::Step(_))), "the cut `run` is saved as the steps it did");
    let mut replayed = block_on(distlab::replay::replay_scenario(&trace)).expect("replays");
    assert_eq!(snapshot(replayed.as_mut()), snapshot(sc.as_mut()));
}

fn divergence(trace: &Trace) -> String {
    match block_on(distlab::replay::replay_scenario(trace)) {
        Ok(_) => panic!("a tampered trace replayed without complaint"),
        Err(e) => e,
    }
}

#[test]
fn tampered_traces_are_detected() {
    let original = run_script(config(RA, 4, 6, &[]), "request 1; request 2; request 3; run").trace();
    let n = original.events.len();
    assert!(n > 20);

    let mut t = original.clone();
    t.events[n / 2].node = (t.events[n / 2].node + 1) % 4;
    let e = divergence(&t);
    assert!(e.contains(&format!("diverged from the trace at event {}", n / 2)), "{e}");

    let mut t = original.clone();
    t.events[7].time += 1;
    assert!(divergence(&t).contains("at event 7"));

    let mut t = original.clone();
    t.events[n - 1].lamport += 1;
    assert!(divergence(&t).contains(&format!("at event {}", n - 1)));

    let mut t = original.clone();
    t.events.pop();
    let e = divergence(&t);
    assert!(e.contains(&format!("recorded {} events, replay made {n}", n - 1)), "{e}");

    let mut t = original.clone();
    t.events.push(t.events[0]);
    assert!(divergence(&t).contains(&format!("at event {n}")));

    let mut t = original.clone();
    if let EvKind::Recv { send, .. } =
        &mut t.events.iter_mut().find(|e| matches!(e.kind, EvKind::Recv { .. })).unwrap().kind
    {
        *send += 1;
    }
    assert!(divergence(&t).contains("diverged"));

    // Another seed: other latencies, other times.
    let mut t = original.clone();
    t.config.sim.seed += 1;
    assert!(divergence(&t).contains("diverged"));

    // An input the run cannot take.
    let mut t = original.clone();
    t.inputs.insert(1, Input::Deliver(4242));
    let e = divergence(&t);
    assert!(e.contains("input 2 (deliver 4242) was rejected on replay"), "{e}");

    // Another input that the run can take but that changes it.
    let mut t = original.clone();
    t.inputs[1] = Input::Verb { verb: "request".into(), args: vec!["3".into()] };
    assert!(divergence(&t).contains("diverged"));

    // A configuration that does not open.
    let mut t = original.clone();
    t.config.scenario = "paxos".into();
    assert!(divergence(&t).contains("unknown scenario"));
    let mut t = original;
    t.config.sim.n = 0;
    t.config.sim.driver = DriverKind::Inline;
    assert!(divergence(&t).contains("nodes"));
}

fn small_trace() -> Vec<u8> {
    run_script(config(RING, 3, 1, &[]), "crash 2; elect 0; run").trace().encode()
}

#[test]
fn every_truncation_of_a_trace_is_refused_cleanly() {
    let bytes = small_trace();
    assert!(Trace::decode(&bytes).is_ok());
    for len in 0..bytes.len() {
        match Trace::decode(&bytes[..len]) {
            Err(TraceError::NotATrace) => assert!(len < 12, "length {len}"),
            Err(TraceError::Corrupt(why)) => {
                assert!(len >= 12, "length {len}");
                let text = TraceError::Corrupt(why).to_string();
                assert!(text.starts_with("trace file is truncated or corrupt"), "{text}");
            }
            Err(other) => panic!("length {len}: {other:?}"),
            Ok(_) => panic!("length {len} of {} decoded", bytes.len()),
        }
    }
}

#[test]
fn foreign_files_and_other_versions_are_named_as_such() {
    let bytes = small_trace();
    for foreign in [&b""[..], b"DISTLAB", b"hello, this is not a trace at all", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0"]
    {
        assert_eq!(Trace::decode(foreign), Err(TraceError::NotATrace));
    }
    let mut other = bytes.clone();
    other[8..12].copy_from_slice(&(VERSION + 1).to_le_bytes());
    assert_eq!(Trace::decode(&other), Err(TraceError::Version(VERSION + 1)));
    let text = TraceError::Version(VERSION + 1).to_string();
    assert!(text.contains(&format!("version {}", VERSION + 1)) && text.contains(&format!("version {VERSION}")));
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"junk");
    assert_eq!(Trace::decode(&longer), Err(TraceError::Corrupt("4 unexpected bytes after the end".into())));
    assert!(TraceError::NotATrace.to_string().contains("not a distlab trace"));
}

#[test]
fn damaged_bytes_never_panic() {
    // Flip every byte of the body in turn: decoding may fail or even succeed
    // with other values, and replaying what decoded may diverge, but neither
    // may panic.
    let bytes = small_trace();
    for i in 12..bytes.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut damaged = bytes.clone();
            damaged[i] ^= flip;
            if let Ok(mut trace) = Trace::decode(&damaged) {
                trace.config.sim.driver = DriverKind::Inline;
                if trace.config.sim.n <= 64 {
                    let _ = block_on(distlab::replay::replay_scenario(&trace));
                }
            }
        }
    }
}

#[test]
fn hostile_inputs_in_a_trace_do_not_panic() {
    // A trace file is untrusted input: numbers a script could never produce
    // must give an error or a run, not an arithmetic overflow panic.
    let base = run_script(config(RA, 3, 1, &[]), "request 0").trace();
    let hostile = [
        vec![Input::Delay(1, u64::MAX)],
        vec![Input::Delay(1, u64::MAX / 2), Input::Delay(1, u64::MAX / 2), Input::Delay(1, u64::MAX / 2)],
        vec![Input::Latency(0, u64::MAX), Input::Verb { verb: "request".into(), args: vec!["1".into()] }],
        vec![Input::Latency(u64::MAX, u64::MAX), Input::Verb { verb: "request".into(), args: vec!["2".into()] }],
        vec![Input::Loss(f64::NAN), Input::Run(None)],
        vec![Input::Step(u64::MAX)],
        vec![Input::Delay(1, u64::MAX / 2), Input::Run(None), Input::Run(None)],
    ];
    let mut panicked = Vec::new();
    for extra in hostile {
        let mut t = base.clone();
        t.inputs.extend(extra.iter().cloned());
        t.events.clear();
        let outcome = std::panic::catch_unwind(|| {
            let _ = block_on(distlab::replay::replay_scenario(&t));
        });
        if outcome.is_err() {
            panicked.push(extra);
        }
    }
    assert!(panicked.is_empty(), "replaying these inputs panicked: {panicked:?}");
}
