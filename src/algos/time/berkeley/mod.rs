//! Berkeley clock synchronisation (what it shows: see `CARD`).
//!
//! The scenario is four files: `clock.rs` is the physical clock model (a
//! reading depends on nothing but the clock's parameters and the virtual
//! time; an adjustment moves `base` at the moment it is applied),
//! `node.rs` the node (the master's rounds, the answers and adjustments,
//! the election), `check.rs` the monitor (it takes the true round trips
//! from the engine's history, and keeps the clock chart), and this file the
//! card and `build`. `clocks`, `drift` and `master` are words on the card
//! (lists, or `elect`), so `build` parses and checks them itself.
//!
//! Design decisions in `node.rs`: the master adjusts its own clock before
//! it sends the adjustments, so that `absolute` can send the adjusted time;
//! a node applies only the ADJUST of the poll it answered last, and only
//! once (its clock read since makes an older one stale); the election
//! estimates offsets as a round does, breaks ties to the lower id, and
//! numbers its result above every election the answering nodes follow (a
//! node back from a crash may start one with an old number). A crash keeps
//! the clock (hardware), the master belief and the counters, and loses the
//! round or election in progress.
//!
//! The variants: `no-rtt` drops the RTT/2 term in `Node::estimate`;
//! `absolute` makes `finish` send `Msg::SetTo` (the master's adjusted time)
//! instead of `Msg::Adjust` (a delta).

mod check;
mod clock;
mod node;

pub use self::check::{CHART_POINTS, CHART_SERIES, Check};
pub use self::clock::{Clock, MAX_DRIFT, TRUE0, default_clock, default_drift, true_time};
pub use self::node::*;
use crate::algos::kit::node_verb;
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, MAX_MS, NodeRange, ParamCard, Property, RoleCard, ScriptCard,
    VariantCard, VerbCard,
};
use crate::card::{Claim, Fault};
use crate::engine::input::Input;
use crate::engine::invariant::Monitor;
use crate::engine::protocol::{NodeId, Role};
use crate::scenario::{Algorithm, Params};
pub struct Berkeley;

/// The largest clock reading `clocks` and `set-clock` accept (and the
/// largest outlier `bound`), in seconds either way: about 31,700 years.
/// An f64 still resolves 0.12 ms there; the monitor allows for the
/// rounding that grows with the clocks (see `check::rounding`).
pub const MAX_SECONDS: f64 = 1e12;

/// `skew-bound`: an adjusted clock lands within what the round trip allows.
pub const SKEW_BOUND: Property = Property::safety(
    "skew-bound",
    "when a node applies its adjustment, its clock is within RTT/2 of the master's adjusted clock (RTT being \
     the true round trip, from the engine's history), plus what the two clocks drifted apart since (and what f64 \
     rounding explains at the clocks' size: nanoseconds up to 10⁶ s, 3.6 ms at 10¹² s)",
);

/// `adjust-sum`: a round moves no clock's mean.
pub const ADJUST_SUM: Property = Property::safety(
    "adjust-sum",
    "the adjustments of the clocks averaged in one round sum to zero (up to what f64 rounding explains at the clocks' \
     size, per clock)",
);

static CARD: Card = Card {
    name: "berkeley",
    role_words: &[(Role::Leader, "master"), (Role::Candidate, "electing"), (Role::Idle, "idle")],
    title: "Berkeley clock synchronisation",
    family: Family::Time,
    tolerates: &[Claim::of(Fault::Delay), Claim::of(Fault::Crash), Claim::of(Fault::Recover), Claim::of(Fault::Loss)],
    about: "drifting clocks averaged by a master with round-trip compensation; a chart of every clock's offset",
    description: "Every node has a physical clock with its own offset and drift (its reading at virtual time t \
        is `base + (t − t0)·(1 + drift·10⁻⁶)`; true time starts at 100 s). The master POLLs every clock, each \
        node REPLYs with its reading, the master estimates each offset as `reading + RTT/2 − its own clock` \
        (Cristian's estimate: off by at most RTT/2), averages the estimates and its own 0 leaving out outliers \
        further than `bound` from the median, and sends each node its ADJUST (average − offset); it adjusts \
        itself too. A node that does not answer within `timeout` is skipped, so a crashed node cannot stall \
        the round. The master is configured or elected (the lowest clock wins: ELECTION, CLOCK readings, \
        MASTER); `period` runs rounds that keep drifting clocks together. With seed 001's clocks 100.3, 102.5, \
        98.4, 101.0 and zero latency: adjustments 0.25, −1.95, 2.15, −0.45 and every clock reads 100.55. A \
        chart pane plots every node's offset from true time; the master's inspector shows its poll table \
        (reading, round trip, estimated offset, adjustment, outliers).",
    seeds: "000, 001",
    nodes: NodeRange { default: 4, min: 1, max: 4096 },
    roles: &[RoleCard {
        name: "node",
        help: "every node has a drifting clock; one of them (`master`, or the elected one) runs the rounds",
    }],
    verbs: &[
        VerbCard {
            name: "sync",
            args: &[ArgCard::optional("N", Kind::Node(None))],
            help: "node N (default 0) asks for a round: runs it if master, else sends SYNC to its master (or elects one)",
        },
        VerbCard {
            name: "set-clock",
            args: &[ArgCard::node("N"), ArgCard::new("SECONDS", Kind::Real { min: -MAX_SECONDS, max: MAX_SECONDS })],
            help: "set node N's clock to SECONDS",
        },
        VerbCard {
            name: "drift",
            args: &[ArgCard::node("N"), ArgCard::new("PPM", Kind::Real { min: -MAX_DRIFT, max: MAX_DRIFT })],
            help: "node N's clock drifts PPM parts per million from now on",
        },
        VerbCard {
            name: "elect",
            args: &[ArgCard::node("N")],
            help: "node N runs an election: the lowest clock becomes master",
        },
    ],
    params: &[
        ParamCard {
            key: "clocks",
            kind: Kind::Word,
            default: "spread",
            help: "initial clock readings in seconds, one per node, comma-separated (e.g. 100.3,102.5,98.4,101.0), \
                each from -1000000000000 to 1000000000000; true time starts at 100",
        },
        ParamCard {
            key: "drift",
            kind: Kind::Word,
            default: "spread",
            help: "drift in ppm, from -100000 to 100000: one value for every node, or one per node, comma-separated",
        },
        ParamCard {
            key: "master",
            kind: Kind::Word,
            default: "0",
            help: "the master's node id, or `elect` (the lowest clock, by election)",
        },
        ParamCard {
            key: "bound",
            kind: Kind::Real { min: 0.0, max: MAX_SECONDS },
            default: "5",
            help: "seconds from the median estimate beyond which a clock is an outlier, left out of the average",
        },
        ParamCard {
            key: "timeout",
            kind: Kind::Ms { min: 1, max: MAX_MS },
            default: "100",
            help: "ms the master waits for replies (and an election for readings) before skipping a node",
        },
        ParamCard {
            key: "period",
            kind: Kind::Ms { min: 0, max: MAX_MS },
            default: "0",
            help: "ms between the master's rounds (0: only on `sync`)",
        },
        ParamCard {
            key: "rounds",
            kind: Kind::Int { min: 0, max: 1_000_000_000 },
            default: "0",
            help: "periodic rounds stop once the master has run this many rounds (0: no limit)",
        },
        ParamCard {
            key: "variant",
            kind: Kind::Variant,
            default: "correct",
            help: "the correct algorithm or a broken one",
        },
    ],
    variants: &[
        VariantCard { name: "correct", help: "the algorithm as published", breaks: &[] },
        VariantCard {
            name: "no-rtt",
            help: "takes every reading as if it arrived instantly (no round-trip compensation): invisible at zero \
                latency, wrong once messages take time",
            breaks: &[SKEW_BOUND.name],
        },
        VariantCard {
            name: "absolute",
            help: "sends the average time instead of a delta, so the ADJUST's own latency is lost: the node lands \
                behind the master and the round moves the clocks' mean",
            breaks: &[SKEW_BOUND.name, ADJUST_SUM.name],
        },
    ],
    properties: &[SKEW_BOUND, ADJUST_SUM],
    results: &[
        FieldCard { key: "master", help: "the master of the last finished round" },
        FieldCard { key: "rounds", help: "rounds finished (the master sent its adjustments)" },
        FieldCard {
            key: "adjustments",
            help: "per node, the adjustment (s) it applied in the last round (null: none)",
        },
        FieldCard { key: "clocks", help: "per node, its clock reading (s) now" },
        FieldCard { key: "offsets", help: "per node, its clock minus true time (s) now" },
        FieldCard {
            key: "residual_skew",
            help: "spread (s) of the last round's adjusted clocks around the master's, measured as each adjustment landed",
        },
        FieldCard { key: "skew_bound", help: "what the round trips allow for it: the two largest RTT/2 (s)" },
        FieldCard { key: "skew_now", help: "largest minus smallest live clock now (s)" },
    ],
    scripts: &[
        ScriptCard {
            file: "berkeley.dl",
            about: "seed 001 Experiment 8: every clock at 100.55; an outlier left out; round-trip compensation; a crash skipped; a master elected",
        },
        ScriptCard {
            file: "berkeley-broken.dl",
            about: "readings taken as if they arrived instantly: with a slow way back every node lands 10 ms ahead of the master (`skew-bound`)",
        },
    ],
    action: "sync",
};

/// A list parameter: `max` bounds every value either way (NaN and ±inf are
/// no numbers), `unit` names what they count in the refusal.
struct ListParam {
    key: &'static str,
    max: f64,
    unit: &'static str,
    default: fn(NodeId) -> f64,
    /// One value may stand for every node.
    one_for_all: bool,
}

const CLOCKS: ListParam =
    ListParam { key: "clocks", max: MAX_SECONDS, unit: "seconds", default: default_clock, one_for_all: false };
const DRIFTS: ListParam =
    ListParam { key: "drift", max: MAX_DRIFT, unit: "ppm", default: default_drift, one_for_all: true };

fn list(params: &Params, p: &ListParam, n: usize) -> Result<Vec<f64>, String> {
    let Some(text) = params.get(p.key) else { return Ok((0..n).map(p.default).collect()) };
    let (key, max, unit) = (p.key, p.max, p.unit);
    let values: Vec<f64> = text
        .split(',')
        .map(|v| {
            let v = v.trim();
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && x.abs() <= max)
                .ok_or_else(|| format!("parameter {key}: {v:?} is not a number from -{max} to {max} ({unit})"))
        })
        .collect::<Result<_, _>>()?;
    match values.len() {
        1 if p.one_for_all => Ok(vec![values[0]; n]),
        len if len == n => Ok(values),
        len => Err(format!("parameter {key} lists {len} values for {n} nodes (give one per node)")),
    }
}

impl Algorithm for Berkeley {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let readings = list(params, &CLOCKS, n)?;
        let drifts = list(params, &DRIFTS, n)?;
        let master = match params.get("master") {
            None => Some(0),
            Some("elect") => None,
            Some(v) => match v.parse::<NodeId>() {
                Ok(m) if m < n => Some(m),
                _ => return Err(format!("parameter master={v}: expected `elect` or a node id below {n}")),
            },
        };
        let bound = params.int::<f64>(&CARD, "bound")?;
        let timeout = params.ms(&CARD, "timeout")?;
        let variant = match params.variant(&CARD)? {
            0 => Variant::Correct,
            1 => Variant::NoRtt,
            _ => Variant::Absolute,
        };
        let knobs = Knobs {
            timeout,
            period: params.ms(&CARD, "period")?,
            bound,
            max_rounds: params.int::<u64>(&CARD, "rounds")?,
            variant,
        };
        let clocks: Vec<Clock> = readings.iter().zip(&drifts).map(|(&r, &d)| Clock::new(r, d)).collect();
        let nodes = (0..n).map(|i| Node::new(i, n, knobs, clocks[i], master)).collect();
        Ok((nodes, Box::new(Check::new(&clocks))))
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        // Ranges (±MAX_DRIFT ppm, ±MAX_SECONDS s) are the card's.
        let number = |i| args.real(i).unwrap_or_default();
        match verb {
            "sync" => Ok((args.opt_node(0).unwrap_or(0), Request::Sync)),
            "elect" => Ok((args.node(0), Request::Elect)),
            "set-clock" => Ok((args.node(0), Request::SetClock(number(1)))),
            "drift" => Ok((args.node(0), Request::Drift(number(1)))),
            _ => Err(format!("unknown verb {verb:?}")),
        }
    }

    fn action(node: NodeId, _s: &Sum) -> Option<Input> {
        Some(node_verb("sync", node))
    }
}
