//! The acceptance setups of `distlab check` (issue 17, item 8): for every
//! scenario and every broken variant, `assets/check/NAME-VARIANT.dl` holds
//! a small setup where the search finds the violation its `# expect
//! VARIANT:` line names, with a shortest counterexample of that length,
//! which replays to the violation at its last step; and the correct
//! variant, explored with the same bounds, finds none (or the documented
//! lesson of `# expect correct: lesson PROPERTY LENGTH`). The README's
//! table shows each setup's numbers.

mod common;

use common::block_on;
use distlab::algos;
use distlab::check::setup::{self, Expect};
use distlab::replay::replay_scenario;
use std::path::Path;

fn dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/check")
}

#[test]
fn every_broken_variant_has_a_setup_the_checker_catches_and_the_correct_one_passes() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut checked = 0;
    let mut missing = Vec::new();
    for e in algos::all() {
        let card = e.card;
        for v in card.variants.iter().skip(1) {
            let file = format!("{}-{}.dl", card.name, v.name);
            let Ok(text) = std::fs::read_to_string(dir().join(&file)) else {
                missing.push(file);
                continue;
            };
            let run = |variant| block_on(setup::run(&file, &text, variant)).unwrap_or_else(|e| panic!("{file}: {e}"));
            let want = |who| setup::expect(&text, who).unwrap_or_else(|e| panic!("{file}: {e}"));

            let broken = run(Some((card.variant_key(), v.name))).outcome;
            assert_eq!(Expect::of(&broken, false), want(v.name), "{file}, variant {}", v.name);
            let f = broken.found.as_ref().expect("a violation");
            let again = block_on(replay_scenario(&f.run.trace())).unwrap_or_else(|e| panic!("{file}: {e}"));
            let broke = again.violations().iter().any(|v| v.property == f.property && v.step == f.step);
            assert!(broke, "{file}: the replay breaks {} at step {}: {:?}", f.property, f.step, again.violations());
            if f.length > 0 {
                assert_eq!(f.step, again.step(), "{file}: broken at the path's last step");
            }

            let correct = run(None).outcome;
            let lesson = matches!(want("correct"), Expect::Violation { lesson: true, .. });
            assert_eq!(Expect::of(&correct, lesson), want("correct"), "{file}, the correct variant");

            let row = setup::row_prefix(file.trim_end_matches(".dl"), &broken, &correct);
            assert!(
                readme.contains(&row),
                "README's check table must hold the row (cargo run --example check_table):\n{row}"
            );
            checked += 1;
        }
    }
    assert!(missing.is_empty(), "no setup for {missing:?} ({checked} checked)");
}

#[test]
fn every_setup_names_a_scenario_and_a_broken_variant() {
    for entry in std::fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let known = algos::all()
            .iter()
            .any(|e| e.card.variants.iter().skip(1).any(|v| file == format!("{}-{}.dl", e.card.name, v.name)));
        assert!(known, "{file} is no SCENARIO-VARIANT.dl of a broken variant");
    }
}

#[test]
fn expect_lines_are_read_strictly() {
    let text = "# expect x: none\n# expect y: lesson agreement 7\n# expect z: one-token 3\n# expect w: soon\n";
    assert_eq!(setup::expect(text, "x"), Ok(Expect::None));
    assert_eq!(
        setup::expect(text, "y"),
        Ok(Expect::Violation { property: "agreement".into(), length: 7, lesson: true })
    );
    assert_eq!(
        setup::expect(text, "z"),
        Ok(Expect::Violation { property: "one-token".into(), length: 3, lesson: false })
    );
    assert!(setup::expect(text, "w").is_err());
    assert!(setup::expect(text, "v").is_err());
}

/// The search copies a state into a run it has finished with (`fork_into`,
/// reusing its buffers) instead of forking afresh: on every setup, along a
/// seeded walk with every fault choice, such a copy must be the same state
/// as a fresh fork (fingerprint, step, history, violations, pending events)
/// and stay so under the same next choice.
#[test]
fn a_copy_into_a_finished_run_is_the_same_state_as_a_fresh_fork() {
    use distlab::check::{Budgets, choices::choices};
    use distlab::lectures::{self, Overrides};
    let budgets = Budgets { crashes: 1, recoveries: 1, drops: 1, dups: 1 };
    let look = |sc: &dyn distlab::scenario::Scenario| {
        (sc.fingerprint(), sc.step(), sc.history().to_vec(), sc.violation_count(), sc.pending_events(), sc.statuses())
    };
    for entry in std::fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let over = Overrides { inline: true, ..Overrides::default() };
        let config = lectures::config(&text, &name, &over).unwrap();
        let mut state = block_on(distlab::check::start(config, &text)).unwrap();
        // A finished run: another state, some steps further on.
        let mut used = state.fork(true).unwrap();
        for input in choices(used.as_ref(), budgets).into_iter().take(3) {
            let _ = block_on(used.apply(input));
        }
        for walk in 0..12usize {
            let options = choices(state.as_ref(), budgets);
            let Some(input) = options.get(walk * 7 % options.len().max(1)).cloned() else { break };
            let mut fresh = state.fork(true).unwrap();
            assert!(state.fork_into(used.as_mut()), "{name}: same algorithm, inline");
            assert!(look(used.as_ref()) == look(fresh.as_ref()), "{name}: the copy differs at walk step {walk}");
            let a = block_on(fresh.apply(input.clone())).map(|o| o.steps);
            let b = block_on(used.apply(input.clone())).map(|o| o.steps);
            assert_eq!(a, b, "{name}: {input}");
            assert!(look(used.as_ref()) == look(fresh.as_ref()), "{name}: after {input} the copy differs");
            state = fresh;
        }
    }
}

/// A state of the search is one boxed run. At 1 KiB or more (the run was
/// 1,424 bytes) every new state was a "large" request to glibc's malloc,
/// which then consolidated its free lists each time: 6% of a search. A
/// request of at most 1,000 bytes is a small-bin chunk. (The run's size
/// does not depend on the algorithm: its per-node parts are behind
/// pointers.)
#[test]
fn a_state_of_the_search_is_a_small_allocation() {
    use algos::mutex::ricart_agrawala::RicartAgrawala;
    let size = std::mem::size_of::<distlab::scenario::Run<RicartAgrawala>>();
    assert!(size <= 1000, "a run is {size} bytes: move what only full runs use into `Record`");
}
