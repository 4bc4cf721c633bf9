//! The in-flight pane lists pending events in the order `step` delivers
//! them and marks the next one: stepping a run delivers exactly the event
//! marked next, for every scenario, with and without FIFO links, and
//! with the timers that fire in between.

mod common;

use common::*;
use distlab::algos;
use distlab::engine::input::{Input, SchedMode};
use distlab::scenario::Scenario;

/// Step `a` and, beside it, deliver to `b` by hand the event `a`'s pane
/// marks next: the two runs must stay identical (same history, same
/// clock) step after step. Returns how many steps delivered an event that
/// was not the lowest id in flight (the order is not just the id order).
fn step_as_marked(a: &mut dyn Scenario, b: &mut dyn Scenario, steps: usize) -> usize {
    let mut reordered = 0;
    for _ in 0..steps {
        if a.in_flight(0).1 == 0 {
            // Give a quiet run something to do: the action of a node that has one.
            let Some(input) = (0..a.n()).find_map(|i| a.action(i)) else { break };
            apply(a, input.clone()).unwrap();
            apply(b, input).unwrap();
            continue;
        }
        let order = a.queued(usize::MAX);
        let all = a.in_flight(usize::MAX).0;
        assert_eq!(order.len(), all.len(), "the ordered list holds every pending event once");
        let mut dues: Vec<_> = order.iter().map(|m| (m.due, m.id)).collect();
        let sorted = {
            let mut s = dues.clone();
            s.sort();
            s
        };
        assert_eq!(dues, sorted, "listed by due time, then id");
        dues.clear();
        let next = order[0].id;
        if next != all[0].id {
            reordered += 1;
        }
        apply(a, Input::Step(1)).unwrap();
        apply(b, Input::Deliver(next)).unwrap();
        assert_eq!(a.history(), b.history(), "{}: step {} delivered #{next}", a.card().name, a.step());
        assert_eq!(a.now(), b.now());
    }
    reordered
}

#[test]
fn step_delivers_the_event_marked_next_in_every_scenario() {
    let mut reordered = 0;
    for e in algos::all() {
        for fifo in [false, true] {
            let mut cfg = config(e.card.name, e.card.nodes.default, 7, &[]);
            cfg.sim.net.fifo = fifo;
            let (mut a, mut b) = (open(cfg.clone()), open(cfg));
            reordered += step_as_marked(a.as_mut(), b.as_mut(), 120);
        }
    }
    assert!(reordered > 50, "the due-time order differs from the id order often ({reordered} times)");
}

#[test]
fn the_order_survives_delays_duplicates_and_a_crash() {
    let cfg = config(RA, 4, 3, &[]);
    let (mut a, mut b) = (open(cfg.clone()), open(cfg));
    for sc in [a.as_mut(), b.as_mut()] {
        lines(sc, "request 1; request 2; step 2");
    }
    let first = a.queued(1)[0].id;
    let last = a.in_flight(usize::MAX).0.last().unwrap().id;
    for sc in [a.as_mut(), b.as_mut()] {
        // The next one moves to the back; a copy joins; node 3 goes down.
        lines(sc, &format!("delay {first} 50; dup {last}; delay {last} 0; crash 3"));
    }
    assert_ne!(a.queued(1)[0].id, first, "a delayed event is no longer next");
    step_as_marked(a.as_mut(), b.as_mut(), 200);
}

#[test]
fn random_and_manual_schedulers_list_by_id_and_say_so() {
    for (sched, title) in
        [(SchedMode::Random, "order: random — space picks one"), (SchedMode::Manual, "manual: pick one, d delivers")]
    {
        let cfg = with_sched(config(RA, 4, 1, &[]), sched);
        let app = block_on(tui_app(cfg, &["request 1", "request 2"]));
        let sc = app.scenario.as_deref().unwrap();
        assert_eq!(sc.queued(usize::MAX), sc.in_flight(usize::MAX).0);
        let text = screen(&app, 120, 40);
        assert!(text.contains(title), "{sched:?}:\n{text}");
        assert!(!text.contains("▶#"), "no event is marked next under {sched:?}:\n{text}");
    }
}

#[test]
fn the_pane_marks_next_and_counts_what_does_not_fit() {
    let app = block_on(tui_app(config(RA, 8, 1, &[]), &["request 1", "request 2", "request 5"]));
    let sc = app.scenario.as_deref().unwrap();
    let next = sc.queued(1)[0].clone();
    let text = screen(&app, 80, 24);
    let row = text.lines().find(|l| l.contains("▶#")).unwrap_or_else(|| panic!("no ▶ row:\n{text}"));
    assert!(row.contains(&format!("▶#{}", next.id)) && row.contains("next"), "{row}");
    assert!(text.contains("by due time, ▶ next"), "{text}");
    let total = sc.in_flight(0).1;
    // The rows that fit, and the rest counted in the bottom border.
    let shown = text.lines().filter(|l| l.contains(" #") || l.contains("▶#")).count();
    assert!(shown < total, "the test wants more in flight than fits ({shown} of {total})");
    assert!(text.contains(&format!("+{} more", total - shown)), "{text}");
}
