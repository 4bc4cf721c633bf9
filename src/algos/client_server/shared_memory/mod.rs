//! Shared-memory IPC (what it shows: see `CARD`).
//!
//! Here: the messages, the node and the card; `check.rs` is the monitor.
//! One `Node` type plays the segment (node 0: `cells`, `touched`, `serve`)
//! and every process (a `Phase` program, `go_on`, `answered`). A process
//! makes one access at a time (`waiting`); a hand-made access (`manual`)
//! is refused while one waits and does not advance the program. Every
//! access is numbered (`op`) and repeated by the `Retry` timer until its
//! answer comes; a repeated store writes the same value again, so a repeat
//! is harmless. The segment answers in the order accesses reach it, which
//! is what decides whether a read sees a write.
//!
//! `recovered` keeps the segment's cells (the segment outlives the process
//! that maps it) and a process's log and `next_op` (access numbers stay
//! unique); the program starts over (the writer writes 1.. again, a reader
//! reads from cell 0). `Sum` carries what the latest event did (`stored`,
//! `took`, `lines`) for the monitor. The `no-wait` variant only changes
//! `answered`: a reader takes −1 as data instead of sleeping `poll` ms.

mod check;

pub use self::check::{Check, LOG_MAX};

use super::kit::{self as cs, VARIANT};
use crate::algos::kit::listing;
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, NodeRange, ParamCard, Property, RoleCard, ScriptCard, VariantCard,
    VerbCard,
};
use crate::card::{Claim, Fault};
use crate::engine::input::Input;
use crate::engine::invariant::Monitor;
use crate::engine::protocol::{Cx, Describe, MS, NodeId, Protocol, Role, Row, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};

/// The segment's node id, and the writer's.
pub const SEGMENT: NodeId = 0;
pub const WRITER: NodeId = 1;
/// The value of a cell nobody has written.
pub const EMPTY: i64 = -1;
/// Most cells a segment may have.
pub const CELLS_MAX: usize = 64;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Msg {
    Write { cell: u32, value: i64, op: u64 },
    Ack { cell: u32, op: u64 },
    Read { cell: u32, op: u64 },
    Value { cell: u32, value: i64, op: u64 },
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Write { .. } => "WRITE",
            Msg::Ack { .. } => "ACK",
            Msg::Read { .. } => "READ",
            Msg::Value { .. } => "VALUE",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Write { cell, value, .. } => format!("WRITE(shared[{cell}] = {value})"),
            Msg::Ack { cell, .. } => format!("ACK(shared[{cell}])"),
            Msg::Read { cell, .. } => format!("READ(shared[{cell}])"),
            Msg::Value { cell, value, .. } => format!("VALUE(shared[{cell}] = {value})"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Timer {
    /// The writer's intentional sleep.
    Nap,
    /// The reader's one-second wait before reading an empty cell again.
    Poll,
    /// No answer to access `op`: try again.
    Retry { op: u64 },
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        match self {
            Timer::Nap => "nap-timer",
            Timer::Poll => "poll-timer",
            Timer::Retry { .. } => "retry-timer",
        }
    }
}

/// A hand-made access.
#[derive(Clone, Debug, Hash)]
pub enum Request {
    Write { cell: u32, value: i64 },
    Read { cell: u32 },
}

/// The access a process waits for an answer to.
#[derive(Clone, Debug, PartialEq, Hash)]
struct Access {
    op: u64,
    msg: Msg,
    /// Made by hand (`write`/`read` verbs), not by the process's program.
    manual: bool,
}

/// What a process's program is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Phase {
    /// Writer: writing value `i` (into cell i−1); reader: reading cell `i`.
    Busy(u32),
    Sleeping(u32),
    Finished,
}

#[derive(Clone, Copy, Debug, Hash)]
pub struct Knobs {
    pub cells: u32,
    /// The writer sleeps after every value that is a multiple of this.
    pub nap_after: u32,
    pub nap: Time,
    pub poll: Time,
    pub timeout: Time,
    pub no_wait: bool,
}

#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    pub role: Role,
    /// Segment: the cells, and who touched each last (`w1`, `r2`).
    pub cells: Vec<i64>,
    pub touched: Vec<String>,
    /// Segment: the store it answered in the latest event.
    pub stored: Option<(u32, i64)>,
    /// Reader: a value it took in the latest event, for cell.
    pub took: Option<(u32, i64)>,
    /// Log lines written in the latest event, and how many so far.
    pub lines: Vec<String>,
    pub line_count: u64,
    pub finished: bool,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        self.role
    }
    fn badge(&self) -> String {
        if self.cells.is_empty() {
            return String::new();
        }
        let filled = self.cells.iter().filter(|&&c| c != EMPTY).count();
        format!("{filled}/{} set", self.cells.len())
    }
}

#[derive(Clone, Debug, Hash)]
pub struct Node {
    id: NodeId,
    k: Knobs,
    // ----- the segment -----
    cells: Vec<i64>,
    touched: Vec<Option<NodeId>>,
    stored: Option<(u32, i64)>,
    // ----- a process -----
    phase: Phase,
    next_op: u64,
    waiting: Option<Access>,
    took: Option<(u32, i64)>,
    reads: Vec<i64>,
    lines: Vec<String>,
    line_count: u64,
    log: Vec<String>,
}

/// Lines of a process's log its inspector shows.
pub const LOG_ROWS: usize = 8;

impl Node {
    fn new(id: NodeId, k: Knobs) -> Self {
        let cells = k.cells as usize;
        let seg = id == SEGMENT;
        Node {
            id,
            k,
            cells: if seg { vec![EMPTY; cells] } else { Vec::new() },
            touched: if seg { vec![None; cells] } else { Vec::new() },
            stored: None,
            phase: Phase::Busy(if id == WRITER { 1 } else { 0 }),
            next_op: 0,
            waiting: None,
            took: None,
            reads: Vec::new(),
            lines: Vec::new(),
            line_count: 0,
            log: Vec::new(),
        }
    }

    fn name(&self) -> String {
        format!("process{}", self.id)
    }

    fn info(&mut self, text: impl Into<String>) {
        let line = format!("INFO:{}:{}", self.name(), text.into());
        self.lines.push(line.clone());
        self.line_count += 1;
        self.log.push(line);
        if self.log.len() > 200 {
            self.log.remove(0);
        }
    }

    fn access(&mut self, cx: &mut Cx<Self>, manual: bool, make: impl FnOnce(u64) -> Msg) {
        self.next_op += 1;
        let op = self.next_op;
        let msg = make(op);
        cx.send(SEGMENT, msg.clone());
        cx.set_timer(self.k.timeout, Timer::Retry { op });
        self.waiting = Some(Access { op, msg, manual });
    }

    /// The program's next access, if it is not waiting or sleeping.
    fn go_on(&mut self, cx: &mut Cx<Self>) {
        if self.waiting.is_some() {
            return;
        }
        match self.phase {
            Phase::Busy(i) if self.id == WRITER => {
                self.info(format!("Writing {i}"));
                self.access(cx, false, |op| Msg::Write { cell: i - 1, value: i as i64, op });
            }
            Phase::Busy(i) => self.access(cx, false, |op| Msg::Read { cell: i, op }),
            Phase::Sleeping(_) | Phase::Finished => {}
        }
    }

    fn finish(&mut self) {
        self.phase = Phase::Finished;
        self.info(format!("Finished process {}", self.id));
    }

    fn answered(&mut self, cx: &mut Cx<Self>, msg: Msg) {
        let Some(a) = &self.waiting else { return };
        let (op, manual) = (a.op, a.manual);
        match msg {
            Msg::Ack { cell, op: o } if o == op => {
                self.waiting = None;
                cx.cancel_timer(Timer::Retry { op });
                if manual {
                    self.info(format!("wrote shared[{cell}] by hand"));
                } else if let Phase::Busy(i) = self.phase {
                    if self.k.nap_after > 0 && i % self.k.nap_after == 0 && i < self.k.cells && self.k.nap > 0 {
                        self.info(format!("Intentionally sleeping for {} seconds", time_s(self.k.nap)));
                        self.phase = Phase::Sleeping(i + 1);
                        cx.set_timer(self.k.nap, Timer::Nap);
                    } else if i >= self.k.cells {
                        self.finish();
                    } else {
                        self.phase = Phase::Busy(i + 1);
                    }
                }
            }
            Msg::Value { cell, value, op: o } if o == op => {
                self.waiting = None;
                cx.cancel_timer(Timer::Retry { op });
                if manual {
                    self.info(format!("shared[{cell}] is {value}"));
                } else if let Phase::Busy(i) = self.phase {
                    if value == EMPTY && !self.k.no_wait {
                        self.info(format!(
                            "Data not available sleeping for {} second before retrying",
                            time_s(self.k.poll)
                        ));
                        self.phase = Phase::Sleeping(i);
                        cx.set_timer(self.k.poll, Timer::Poll);
                    } else {
                        self.info(format!("Read: {value}"));
                        self.took = Some((cell, value));
                        self.reads.push(value);
                        if i + 1 >= self.k.cells {
                            self.finish();
                        } else {
                            self.phase = Phase::Busy(i + 1);
                        }
                    }
                }
            }
            // A late answer to an earlier try.
            _ => return,
        }
        self.go_on(cx);
    }

    fn serve(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Write { cell, value, op } => {
                let c = cell as usize;
                if c < self.cells.len() {
                    self.cells[c] = value;
                    self.touched[c] = Some(from);
                    self.stored = Some((cell, value));
                }
                cx.send(from, Msg::Ack { cell, op });
            }
            Msg::Read { cell, op } => {
                let c = cell as usize;
                let value = self.cells.get(c).copied().unwrap_or(EMPTY);
                if c < self.touched.len() {
                    self.touched[c] = Some(from);
                }
                cx.send(from, Msg::Value { cell, value, op });
            }
            _ => {}
        }
    }

    fn begin(&mut self) {
        self.lines.clear();
        self.took = None;
        self.stored = None;
    }

    fn who(&self, x: Option<NodeId>) -> String {
        match x {
            None => "-".into(),
            Some(WRITER) => format!("w{WRITER}"),
            Some(SEGMENT) => "seg".into(),
            Some(r) => format!("r{r}"),
        }
    }
}

/// Seconds, without trailing zeros.
fn time_s(t: Time) -> String {
    let s = format!("{:.3}", t as f64 / (1000.0 * MS as f64));
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Summary = Sum;

    fn on_start(&mut self, cx: &mut Cx<Self>) {
        self.begin();
        if self.id != SEGMENT {
            self.info(format!("Pid:{}", 1000 + self.id));
            self.go_on(cx);
        }
    }

    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        self.begin();
        if self.id == SEGMENT { self.serve(cx, from, msg) } else { self.answered(cx, msg) }
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        self.begin();
        match timer {
            Timer::Nap | Timer::Poll => {
                if let Phase::Sleeping(i) = self.phase {
                    self.phase = Phase::Busy(i);
                }
                self.go_on(cx);
            }
            Timer::Retry { op } => {
                if let Some(a) = self.waiting.as_ref().filter(|a| a.op == op) {
                    cx.send(SEGMENT, a.msg.clone());
                    cx.set_timer(self.k.timeout, Timer::Retry { op });
                }
            }
        }
    }

    fn on_request(&mut self, cx: &mut Cx<Self>, req: Request) {
        self.begin();
        if self.id == SEGMENT {
            cx.note("the segment is memory: processes access it");
            return;
        }
        if self.waiting.is_some() {
            self.info("busy: an access is still waiting for its answer");
            return;
        }
        let cell = match &req {
            Request::Write { cell, .. } | Request::Read { cell } => *cell,
        };
        if cell >= self.k.cells {
            self.info(format!("no such cell: shared has cells 0..{}", self.k.cells - 1));
            return;
        }
        match req {
            Request::Write { cell, value } => self.access(cx, true, |op| Msg::Write { cell, value, op }),
            Request::Read { cell } => self.access(cx, true, |op| Msg::Read { cell, op }),
        }
    }

    fn on_recover(&mut self, cx: &mut Cx<Self>) {
        self.begin();
        if self.id != SEGMENT {
            self.info("restarted from the beginning");
            self.go_on(cx);
        }
    }

    fn recovered(&self) -> Self {
        let mut fresh = Node::new(self.id, self.k);
        if self.id == SEGMENT {
            // The segment outlives the crash of the process that maps it.
            fresh.cells = self.cells.clone();
            fresh.touched = self.touched.clone();
        } else {
            fresh.log = self.log.clone();
            fresh.line_count = self.line_count;
            // Access numbers stay unique across the restart.
            fresh.next_op = self.next_op;
        }
        fresh
    }

    fn summary(&self) -> Sum {
        let role = match (self.id, self.phase, &self.waiting) {
            (SEGMENT, _, _) => Role::Leader,
            (_, Phase::Finished, None) => Role::Idle,
            (_, Phase::Sleeping(_), _) => Role::Candidate,
            _ => Role::Wanting,
        };
        Sum {
            role,
            cells: self.cells.clone(),
            touched: self.touched.iter().map(|&t| self.who(t)).collect(),
            stored: self.stored,
            took: self.took,
            lines: self.lines.clone(),
            line_count: self.line_count,
            finished: self.phase == Phase::Finished,
        }
    }

    fn inspect(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        if self.id == SEGMENT {
            let cells: Vec<String> = self.cells.iter().map(|c| c.to_string()).collect();
            rows.push(Row::new("shared", format!("[{}]", cells.join(", "))));
            let who: Vec<String> = self.touched.iter().map(|&t| self.who(t)).collect();
            rows.push(Row::new("touched by", who.join(" ")));
            return rows;
        }
        let what = if self.id == WRITER { "writer (process1)" } else { "reader (process2)" };
        rows.push(Row::new("process", what));
        let phase = match (self.phase, self.id == WRITER) {
            (Phase::Busy(i), true) => format!("writing {i} into shared[{}]", i - 1),
            (Phase::Busy(i), false) => format!("reading shared[{i}]"),
            (Phase::Sleeping(i), true) => format!("sleeping; then writes {i}"),
            (Phase::Sleeping(i), false) => format!("sleeping; then reads shared[{i}] again"),
            (Phase::Finished, _) => "finished".into(),
        };
        rows.push(Row::new("program", phase));
        let waiting =
            self.waiting.as_ref().map_or("-".to_string(), |a| format!("access {}: {}", a.op, a.msg.summary()));
        rows.push(Row::new("waiting for", waiting));
        if self.id != WRITER {
            rows.push(Row::new("read so far", listing(self.reads.iter().map(|v| v.to_string()), 10)));
        }
        if self.k.no_wait && self.id != WRITER {
            rows.push(Row::new("variant", "no-wait (BROKEN on purpose)"));
        }
        let from = self.log.len().saturating_sub(LOG_ROWS);
        for (i, line) in self.log[from..].iter().enumerate() {
            rows.push(Row::new(if i == 0 { "log" } else { "" }, line.clone()));
        }
        rows
    }
}

// ----- the registry entry --------------------------------------------------------

pub struct SharedMemory;

/// A reader never takes −1 for data.
pub const NO_READ_OF_EMPTY: Property = Property::safety("no-read-of-empty", "a reader never takes −1 for data");

/// Reads see writes.
pub const READS_SEE_WRITES: Property = Property::safety(
    "reads-see-writes",
    "every value a reader takes was stored in that cell before the read was answered",
);

/// Every reader finishes.
pub const ALL_READ: Property = Property::liveness("all-read", "at quiescence every live reader has read every cell");

/// `N` of both verbs: a process, not the segment.
const PROCESS: ArgCard = ArgCard::node_of("N", "process");
/// A cell of the largest array a run may have (a smaller one refuses the rest itself).
const CELL: ArgCard = ArgCard::new("CELL", Kind::Int { min: 0, max: CELLS_MAX as i64 - 1 });

static CARD: Card = Card {
    name: "shared-memory",
    role_words: &[
        (Role::Leader, "segment"),
        (Role::Wanting, "busy"),
        (Role::Candidate, "sleeping"),
        (Role::Idle, "finished"),
    ],
    title: "Shared-memory IPC",
    family: Family::ClientServer,
    tolerates: &[
        Claim::of(Fault::Delay),
        Claim::of(Fault::Dup),
        Claim::of(Fault::Crash),
        Claim::of(Fault::Recover),
        Claim::of(Fault::Loss),
        Claim::of(Fault::Partition),
    ],
    about: "a writer fills a shared array, a reader polls it; every load and store a message to the segment",
    description: "Seed 000's Interprocess Communication: node 0 is the shared segment (`multiprocessing.Array('i', \
        [-1] * 10)`), node 1 the writer (process1), every further node a reader (process2, …). The writer stores \
        1..10 and after the 6th logs \"Intentionally sleeping for 5 seconds\"; a reader loads the cells in order \
        and, on −1, logs \"Data not available sleeping for 1 second before retrying\" and tries a second later. \
        Each load and store is a message to the segment and its answer (READ → VALUE, WRITE → ACK), so the \
        diagram shows every access and the segment serialises them; virtual time makes the sleeps instant to \
        step through. An access unanswered for `timeout` ms is repeated (accesses are numbered, so a late answer \
        to an earlier try is recognised); the segment outlives crashes, as a shared-memory segment outlives a \
        crashed process, and a crashed process starts over when it comes back. `write N CELL VALUE` and `read N \
        CELL` make one access by hand (a stray store into the cell the reader polls: the reader takes it, and \
        the writer overwrites it later). The segment's inspector and the table pane show the array and who \
        touched each cell last (`w1`, `r2`); the screens pane shows every process's log as the seed's `logging` \
        prints it.",
    seeds: "000",
    nodes: NodeRange { default: 3, min: 3, max: 1000 },
    roles: &[
        RoleCard { name: "segment", help: "node 0: the shared array; it answers every load and store" },
        RoleCard {
            name: "process",
            help: "node 1 the writer (process1), every further node a reader (process2, …); any may access by hand",
        },
    ],
    verbs: &[
        VerbCard {
            name: "write",
            args: &[PROCESS, CELL, ArgCard::new("VALUE", Kind::Int { min: i64::MIN, max: i64::MAX })],
            help: "process N stores VALUE in shared[CELL] (by hand)",
        },
        VerbCard { name: "read", args: &[PROCESS, CELL], help: "process N loads shared[CELL] (by hand)" },
    ],
    params: &[
        ParamCard {
            key: "cells",
            kind: Kind::Int { min: 1, max: CELLS_MAX as i64 },
            default: "10",
            help: "cells of the shared array, all −1 at first",
        },
        ParamCard {
            key: "nap-after",
            kind: Kind::Int { min: 0, max: u32::MAX as i64 },
            default: "6",
            help: "the writer sleeps after every multiple of this value (0: never)",
        },
        cs::ms_param("nap", "5000", "ms the writer sleeps"),
        cs::timeout_param("poll", "1000", "ms a reader waits before reading an empty cell again"),
        cs::timeout_param("timeout", "50", "ms before a process repeats an unanswered access"),
        VARIANT,
    ],
    variants: &[
        VariantCard {
            name: "correct",
            help: "a reader that loads −1 sleeps `poll` ms and reads the cell again",
            breaks: &[],
        },
        VariantCard {
            name: "no-wait",
            help: "the reader takes whatever it loads: while the writer sleeps it reads −1s as data",
            breaks: &[NO_READ_OF_EMPTY.name],
        },
    ],
    properties: &[NO_READ_OF_EMPTY, READS_SEE_WRITES, ALL_READ],
    results: &[
        FieldCard { key: "array", help: "the shared array now" },
        FieldCard {
            key: "touched",
            help: "per cell, who accessed it last (`w1` the writer, `r2` a reader, `-` nobody)",
        },
        FieldCard { key: "reads", help: "per reader, the values it took in order" },
        FieldCard {
            key: "logs",
            help: "per process, its log lines as the seed's logging prints them (the last 1,000)",
        },
    ],
    scripts: &[
        ScriptCard {
            file: "shared-memory.dl",
            about: "seed 000's run: the writer stores 1..6 and sleeps, the reader polls \"Data not available\", then both finish with 1..10",
        },
        ScriptCard {
            file: "shared-memory-broken.dl",
            about: "a reader that takes −1 for data races past the sleeping writer (`no-read-of-empty`)",
        },
    ],
    action: "read shared[0]",
};

impl Algorithm for SharedMemory {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let cells = params.int::<u32>(&CARD, "cells")?;
        let k = Knobs {
            cells,
            nap_after: params.int::<u32>(&CARD, "nap-after")?,
            nap: params.ms(&CARD, "nap")?,
            poll: params.ms(&CARD, "poll")?,
            timeout: params.ms(&CARD, "timeout")?,
            no_wait: params.variant(&CARD)? == 1,
        };
        Ok(((0..n).map(|i| Node::new(i, k)).collect(), Box::new(Check::new(n, cells as usize))))
    }

    /// Node 0 is the segment; the writer and the readers are processes.
    fn node_roles(n: usize, _params: &Params) -> Vec<&'static str> {
        crate::algos::kit::one_and_others(n, SEGMENT, "segment", "process")
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        let cell = args.int(1).unwrap_or(0) as u32;
        let req = match verb {
            "write" => Request::Write { cell, value: args.int(2).unwrap_or(0) },
            "read" => Request::Read { cell },
            _ => return Err(format!("unknown verb {verb:?}")),
        };
        Ok((args.node(0), req))
    }

    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        // A look at the first cell, by hand, from any idle process.
        (node != SEGMENT && s.role == Role::Idle)
            .then(|| Input::Verb { verb: "read".into(), args: vec![node.to_string(), "0".into()] })
    }
}
