//! `distlab check` (issue 17): the search explores every delivery order
//! from a setup's state, finds a shortest counterexample for a broken
//! variant, exhausts the space of the correct one, honours its bounds and
//! budgets, and is deterministic; its counterexample replays to the
//! violation; the command line's exit codes and `# check:` header.

mod common;

use common::*;
use distlab::check::{self, Budgets, Options, Outcome, Search, Strategy, choices::choices};
use distlab::engine::input::Input;
use distlab::replay::replay_scenario;
use std::process::Command;

const BOTH_REQUEST: &str = "request 1\nrequest 2\n";
const ALL_REQUEST: &str = "request 0\nrequest 1\nrequest 2\n";

fn opts(strategy: Strategy) -> Options {
    Options { depth: None, max_states: 1_000_000, strategy, budgets: Budgets::default() }
}

/// Search `scenario` on `n` nodes with `params` from the state `script` leaves.
fn search(scenario: &str, n: usize, params: &[(&str, &str)], script: &str, o: Options) -> Outcome {
    let sc = block_on(check::start(config(scenario, n, 1, params), script)).expect("the setup applies");
    Search::new(sc, o).expect("an inline run").run_to_end()
}

#[test]
fn the_correct_ricart_agrawala_is_safe_in_every_order_and_the_space_is_exhausted() {
    let out = search(RA, 3, &[], ALL_REQUEST, opts(Strategy::Bfs));
    assert!(out.found.is_none(), "{:?}", out.found.as_ref().map(|f| &f.detail));
    assert!(out.exhausted);
    // Three sites each requesting once, every interleaving of their 12
    // messages and 3 release timers: a few hundred distinct states.
    assert_eq!(out.stats.distinct, 334);
    assert_eq!(out.stats.max_depth, 15, "3 × (2 REQUEST + 2 REPLY + 1 release timer)");
    assert!(out.stats.explored > out.stats.distinct, "orders meet in the same states");
}

#[test]
fn bfs_finds_the_shortest_counterexample_of_the_broken_variant() {
    let out = search(RA, 3, &[("variant", "no-defer")], BOTH_REQUEST, opts(Strategy::Bfs));
    let f = out.found.expect("no-defer breaks the order");
    assert_eq!(f.property, "timestamp-order");
    // Both REQUESTs delivered, then the REPLYs node 2 needs: 4 deliveries.
    assert_eq!(f.length, 4);
    assert!(!out.exhausted);
    // The run at the violation is the setup, `sched manual` and the path.
    let inputs = f.run.inputs();
    let path = &inputs[inputs.len() - 4..];
    assert!(path.iter().all(|i| matches!(i, Input::Deliver(_))), "{path:?}");
    assert_eq!(inputs[inputs.len() - 5], Input::Sched(distlab::engine::input::SchedMode::Manual));
}

#[test]
fn dfs_and_random_find_a_violation_too_no_shorter_than_bfs() {
    for strategy in [Strategy::Dfs, Strategy::Random] {
        let out = search(RA, 3, &[("variant", "no-defer")], BOTH_REQUEST, opts(strategy));
        let f = out.found.unwrap_or_else(|| panic!("{strategy:?} finds it"));
        assert!(f.length >= 4, "{strategy:?}: {}", f.length);
    }
}

#[test]
fn the_counterexample_replays_to_the_violation_at_its_last_step() {
    let out = search(RA, 3, &[("variant", "no-defer")], BOTH_REQUEST, opts(Strategy::Bfs));
    let f = out.found.unwrap();
    let trace = f.run.trace();
    let again = block_on(replay_scenario(&trace)).expect("the trace replays");
    let v = again.violations().first().expect("the violation is there");
    assert_eq!(v.property, "timestamp-order");
    assert_eq!(v.step, again.step(), "broken at the last step");
    assert_eq!(again.step(), f.run.step());
}

#[test]
fn the_same_search_gives_the_same_numbers_and_the_same_trace_bytes() {
    let a = search(RA, 3, &[("variant", "no-defer")], ALL_REQUEST, opts(Strategy::Bfs));
    let b = search(RA, 3, &[("variant", "no-defer")], ALL_REQUEST, opts(Strategy::Bfs));
    assert_eq!(a.stats, b.stats);
    let (fa, fb) = (a.found.unwrap(), b.found.unwrap());
    assert_eq!(fa.run.trace().encode(), fb.run.trace().encode());
    let r1 = search(RA, 3, &[("variant", "no-defer")], ALL_REQUEST, opts(Strategy::Random));
    let r2 = search(RA, 3, &[("variant", "no-defer")], ALL_REQUEST, opts(Strategy::Random));
    assert_eq!(r1.stats, r2.stats);
    assert_eq!(r1.found.unwrap().run.trace().encode(), r2.found.unwrap().run.trace().encode());
}

#[test]
fn bounds_stop_the_search_and_say_it_was_not_exhausted() {
    let mut o = opts(Strategy::Bfs);
    o.max_states = 10;
    let out = search(RA, 3, &[], ALL_REQUEST, o);
    assert_eq!(out.stats.distinct, 10);
    assert!(!out.exhausted && out.found.is_none());
    let mut o = opts(Strategy::Bfs);
    o.depth = Some(3);
    let out = search(RA, 3, &[], ALL_REQUEST, o);
    assert_eq!(out.stats.max_depth, 3);
    assert!(!out.exhausted && out.found.is_none());
    // A depth bound beyond every path exhausts the space all the same.
    o.depth = Some(15);
    assert!(search(RA, 3, &[], ALL_REQUEST, o).exhausted);
}

#[test]
fn fault_budgets_add_choices_a_user_could_make() {
    let sc = block_on(check::start(config(RA, 3, 1, &[]), BOTH_REQUEST)).unwrap();
    let none = choices(sc.as_ref(), Budgets::default());
    assert_eq!(none.len(), 4, "four REQUESTs in flight: {none:?}");
    assert!(none.iter().all(|i| matches!(i, Input::Deliver(_))));
    let all = choices(sc.as_ref(), Budgets { crashes: 1, recoveries: 1, drops: 1, dups: 1 });
    let count = |f: fn(&Input) -> bool| all.iter().filter(|i| f(i)).count();
    assert_eq!(count(|i| matches!(i, Input::Crash(_))), 3, "any live node");
    assert_eq!(count(|i| matches!(i, Input::Recover(_))), 0, "none is down");
    assert_eq!(count(|i| matches!(i, Input::Drop(_))), 4);
    assert_eq!(count(|i| matches!(i, Input::Dup(_))), 4);

    // With one crash allowed the space grows; each path crashes at most once.
    let mut o = opts(Strategy::Bfs);
    o.budgets.crashes = 1;
    let with = search(RA, 3, &[], BOTH_REQUEST, o);
    let without = search(RA, 3, &[], BOTH_REQUEST, opts(Strategy::Bfs));
    assert!(with.stats.distinct > without.stats.distinct);
    assert!(with.exhausted && without.exhausted);
}

#[test]
fn under_fifo_only_the_head_of_each_link_may_come_next() {
    let mut cfg = config(RA, 3, 1, &[]);
    cfg.sim.net.fifo = true;
    let mut sc = block_on(check::start(cfg, "request 1\n")).unwrap();
    let first = in_flight(sc.as_ref()).iter().find(|m| m.to == 2).unwrap().id;
    apply(sc.as_mut(), Input::Dup(first)).unwrap();
    let to_2: Vec<u64> = in_flight(sc.as_ref()).iter().filter(|m| m.to == 2).map(|m| m.id).collect();
    assert_eq!(to_2.len(), 2, "the REQUEST and its copy");
    let next = choices(sc.as_ref(), Budgets::default());
    assert!(next.contains(&Input::Deliver(to_2[0])) && !next.contains(&Input::Deliver(to_2[1])), "{next:?}");
}

fn distlab(args: &[&str]) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_distlab")).args(args).output().unwrap();
    let json =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), json)
}

#[test]
fn the_command_line_exits_1_on_a_violation_0_without_and_2_on_bad_usage() {
    let dir = std::env::temp_dir().join(format!("distlab-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("ra.dl");
    std::fs::write(&script, "# distlab: run ricart-agrawala -n 3\n# check: --depth 3\nrequest 1\nrequest 2\n").unwrap();
    let script = script.to_str().unwrap();
    let trace = dir.join("cex.trace");
    let trace = trace.to_str().unwrap();

    // The header's depth 3 is too shallow for the violation; the command line's 4 wins.
    let (code, json) = distlab(&["check", "--script", script, "-p", "variant=no-defer"]);
    assert_eq!((code, json["depth_bound"].as_u64(), json["violations"].as_array().unwrap().len()), (0, Some(3), 0));
    let (code, json) =
        distlab(&["check", "--script", script, "-p", "variant=no-defer", "--depth", "4", "--trace", trace]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["violations"][0]["property"], "timestamp-order");
    assert_eq!(json["violations"][0]["length"], 4);
    assert_eq!(json["trace"], trace);
    for key in ["states_explored", "distinct_states", "max_depth", "elapsed_ms", "states_per_sec", "peak_memory_mb"] {
        assert!(json.get(key).is_some(), "{key} in {json}");
    }
    let (code, replayed) = distlab(&["replay", trace, "--headless"]);
    assert_eq!(code, 1, "the replayed counterexample breaks the property: {replayed}");
    assert_eq!(replayed["violations"][0]["step"], json["violations"][0]["step"]);
    // It is an ordinary trace: the exports take it.
    for format in ["--shiviz", "--svg"] {
        let out = Command::new(env!("CARGO_BIN_EXE_distlab")).args(["export", trace, format]).output().unwrap();
        assert!(out.status.success(), "export {format}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("REQUEST") && text.contains("REPLY"), "export {format}:\n{text}");
    }

    let (code, json) = distlab(&["check", "ricart-agrawala", "-n", "3", "--script", script]);
    assert_eq!(code, 0, "{json}");

    for bad in [
        vec!["check", "ricart-agrawala", "--strategy", "sideways"],
        vec!["check", "ricart-agrawala", "--max-states", "0"],
        vec!["check", "no-such-scenario"],
        vec!["check", "ricart-agrawala", "--script", "/no/such/file.dl"],
        vec!["check", "ricart-agrawala", "--depth", "99999999999"],
        vec!["check", "ricart-agrawala", "--bogus"],
        vec!["check", "ricart-agrawala", "-n", "65"],
    ] {
        let (code, json) = distlab(&bad);
        assert_eq!(code, 2, "{bad:?}: {json}");
        assert!(json["error"].as_str().is_some_and(|e| !e.contains('\n')), "{json}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

// ----- `:check` in the TUI ---------------------------------------------------

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use distlab::tui::App;

async fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE)).await;
}

fn status(app: &App) -> String {
    app.status.as_ref().map(|s| s.text.clone()).unwrap_or_default()
}

#[test]
fn tui_check_offers_the_counterexample_and_b_steps_back_through_it() {
    block_on(async {
        let mut app = tui_app(config(RA, 3, 1, &[("variant", "no-defer")]), &["request 1", "request 2"]).await;
        app.exec("check").await.unwrap();
        assert!(app.checking());
        // Keys other than Esc do nothing while it runs.
        let step = app.scenario.as_ref().unwrap().step();
        key(&mut app, KeyCode::Char(' ')).await;
        assert_eq!(app.scenario.as_ref().unwrap().step(), step);
        while app.checking() {
            app.check_slice().await;
        }
        assert!(status(&app).contains("timestamp-order broken in 4 steps"), "{}", status(&app));
        let before = app.scenario.as_ref().unwrap().inputs().len();
        key(&mut app, KeyCode::Char('y')).await;
        let sc = app.scenario.as_deref().unwrap();
        assert_eq!(sc.inputs().len(), before + 5, "sched manual and four deliveries");
        assert_eq!(sc.violations().first().map(|v| v.property.as_str()), Some("timestamp-order"));
        let at = sc.step();
        key(&mut app, KeyCode::Char('b')).await;
        assert_eq!(app.scenario.as_ref().unwrap().step(), at - 1, "b steps back into the counterexample");
    });
}

#[test]
fn tui_check_reports_a_safe_space_and_esc_cancels_a_long_one() {
    block_on(async {
        let mut app = tui_app(config(RA, 3, 1, &[]), &["request 1", "request 2"]).await;
        app.exec("check 20").await.unwrap();
        while app.checking() {
            app.check_slice().await;
        }
        assert_eq!(status(&app), "check: no violation in 64 states (every reachable state, 0.0 s)");
        assert!(app.asking.is_none());

        let mut app = tui_app(config(RA, 4, 1, &[]), &["request 0", "request 1", "request 2", "request 3"]).await;
        let inputs = app.scenario.as_ref().unwrap().inputs().len();
        app.exec("check 40").await.unwrap();
        app.check_slice().await;
        assert!(app.checking() && status(&app).starts_with("checking… "), "{}", status(&app));
        key(&mut app, KeyCode::Esc).await;
        assert!(!app.checking());
        assert!(status(&app).starts_with("check cancelled after "), "{}", status(&app));
        assert_eq!(app.scenario.as_ref().unwrap().inputs().len(), inputs, "nothing changed");
        for bad in ["check 0", "check x", "check 5 6"] {
            assert!(app.exec(bad).await.is_err(), "{bad}");
        }
    });
}

// ----- `check` in scripts ---------------------------------------------------------

const SCRIPT_CHECK: &str = "request 1\nrequest 2\ncheck\nexpect check.violation == \"timestamp-order\"\n\
                            expect check.length == 4\nexpect check.exhausted == false\nexpect ok\n";

#[test]
fn a_script_checks_and_expects_the_outcome_headless_and_on_replay() {
    let r = block_on(distlab::headless::run(config(RA, 3, 1, &[("variant", "no-defer")]), SCRIPT_CHECK));
    assert_eq!(r.code, 0, "every expect holds and the run itself broke nothing: {}", r.json);
    assert_eq!(r.json["check"]["states"], 49);
    // The outcome is an input of the run: the trace replays it, expects and all.
    let sc = r.scenario.expect("the run");
    assert!(sc.inputs().iter().any(|i| matches!(i, Input::Checked(_))));
    let logged = sc.inputs().iter().find(|i| matches!(i, Input::Checked(_))).unwrap().to_string();
    assert_eq!(logged, "check 12 # timestamp-order broken in 4 steps (49 states)");
    let again = block_on(replay_scenario(&sc.trace())).unwrap();
    assert!(again.failed_expectations().is_empty());
    assert_eq!(again.report()["check"], r.json["check"]);

    // The correct algorithm: no violation, and an expect that says otherwise fails.
    let r = block_on(distlab::headless::run(config(RA, 3, 1, &[]), SCRIPT_CHECK));
    assert_eq!(r.code, 1, "{}", r.json);
    assert_eq!(r.json["check"]["violation"], serde_json::Value::Null);
    assert_eq!(r.json["check"]["exhausted"], true);
}

#[test]
fn check_lines_are_checked_like_any_other() {
    for bad in ["request 1\ncheck 0\n", "check 5 6\n", "check 1001\n", "check deep\n"] {
        let r = block_on(distlab::headless::run(config(RA, 3, 1, &[]), bad));
        assert_eq!(r.code, 2, "{bad:?}: {}", r.json);
        assert!(r.json["error"].as_str().unwrap().contains("check"), "{}", r.json);
    }
    // A setup script for `distlab check` has no `check` line, and the prompt
    // runs `:check` itself, not as a line of the language.
    let e = block_on(check::start(config(RA, 3, 1, &[]), "request 1\ncheck\n")).err().unwrap();
    assert!(e.contains("line 2"), "{e}");
    let sc = open(config(RA, 3, 1, &[]));
    assert!(distlab::script::parse_line("check", sc.as_ref()).is_err());
    // A damaged trace's outcome that is not a JSON object is refused.
    let mut sc = open(config(RA, 3, 1, &[]));
    assert!(apply(sc.as_mut(), Input::Checked("[1,2]".into())).is_err());
    assert!(apply(sc.as_mut(), Input::Checked("{".into())).is_err());
}

#[test]
fn a_lecture_in_the_tui_runs_its_check_line() {
    block_on(async {
        let start = distlab::tui::Start {
            config: Some(config(RA, 3, 1, &[("variant", "no-defer")])),
            script: Some(format!("{SCRIPT_CHECK}pause\n")),
            ..Default::default()
        };
        let mut app = App::new(start).await.unwrap();
        app.animate_scripts = false;
        key(&mut app, KeyCode::Char('n')).await;
        let sc = app.scenario.as_deref().unwrap();
        assert!(sc.failed_expectations().is_empty(), "{:?}", sc.failed_expectations());
        assert_eq!(sc.report()["check"]["length"], 4);
        let lecture = app.lecture.as_ref().unwrap();
        assert!(lecture.error.is_none(), "{:?}", lecture.error);
    });
}
