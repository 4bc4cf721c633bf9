//! Ring election's card: what its verb parser and parameter checks refuse,
//! word for word, and that a refused line changes nothing. (The algorithm's
//! behaviour is tested in tests/algorithms.rs.)

mod common;

use common::*;

const RING: &str = "ring-election";

#[test]
fn the_card_refuses_bad_elect_lines_and_nothing_changes() {
    let mut sc = open(config(RING, 5, 1, &[]));
    line(sc.as_mut(), "crash 3");
    let before = snapshot(sc.as_mut());
    let inputs = sc.inputs().len();
    for (bad, why) in [
        ("elect", "usage: elect N (1 argument(s), got none)"),
        ("elect two", "`elect N`: N is a node id, not \"two\""),
        ("elect 5", "node 5 does not exist (nodes are 0..4)"),
        ("elect 1 2", "usage: elect N (1 argument(s), got 2)"),
    ] {
        assert_eq!(try_line(sc.as_mut(), bad).expect_err(bad), why, "{bad}");
        assert_eq!(snapshot(sc.as_mut()), before, "{bad}");
    }
    let err = try_line(sc.as_mut(), "request 1").expect_err("request 1");
    assert!(err.ends_with("or ring-election's own: elect N"), "{err}");
    assert_eq!(sc.inputs().len(), inputs, "no refused line reaches the input log");
}

#[test]
fn the_card_checks_every_parameter_before_the_run_is_built() {
    let open_err = |params: &[(&str, &str)]| {
        block_on(distlab::algos::open_run(config(RING, 5, 1, params))).err().expect("rejected")
    };
    assert_eq!(open_err(&[("timeout", "0")]), "parameter timeout=0: expected whole ms from 1 to 1000000000");
    assert_eq!(open_err(&[("timeout", "-5")]), "parameter timeout=-5: expected whole ms from 1 to 1000000000");
    assert_eq!(open_err(&[("variant", "chaos")]), "parameter variant=chaos: expected one of correct, self-elect");
    assert_eq!(
        open_err(&[("colour", "red")]),
        "unknown parameter \"colour\" for ring-election (known: timeout, variant)"
    );
    assert_eq!(
        block_on(distlab::algos::open_run(config(RING, 1, 1, &[]))).err().expect("rejected"),
        "ring-election runs with 2 to 4096 nodes, not 1"
    );
}
