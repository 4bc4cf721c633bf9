//! A load balancer (what it shows: see `CARD`).
//!
//! Here: the messages, the summary and the card; `node.rs` is the node
//! (client, balancer and server), `check.rs` the monitor and table pane.
//! A `Node` is a client, the balancer or a server by its id (clients
//! `0..clients`, then the balancer, then the servers: `Knobs::balancer`,
//! `Knobs::server_node`). The balancer's `pick` is the policy (`weighted`
//! is smooth weighted round robin, as nginx does it); `dispatch` forwards a
//! job or, when no server is believed up, queues it and starts the `Probe`
//! timer. A forward's `Timeout` is `timeout` plus the job's work time, and
//! is matched by `attempt`, so only the current try can mark a server dead.
//! Jobs are keyed by (client, job number); the balancer keeps the servers
//! that answered in `answered`, to repeat a REPLY for a repeated JOB.
//!
//! `recovered` keeps a client's job table (stable storage), clears a
//! server's running jobs, and rebuilds the balancer from scratch except
//! its forward count, a count for the monitor. `Sum::Balancer` carries the
//! balancer's view of the servers (an `Arc`, cheap to copy at every event)
//! and the forwards of the event just handled (`batch`), which the
//! monitor checks against that view.
//!
//! The variants: `no-skip` makes `pick` treat dead-marked servers as
//! usable; `no-dedup` drops the job-number checks in `balancer_msg` (a
//! repeated JOB or a late DONE is handled again) and in `client_msg` (the
//! client takes every REPLY).

mod check;
mod node;

use self::check::Check;
pub use self::node::Node;
use super::kit::{self as cs, VARIANT};
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, MAX_MS, NodeRange, ParamCard, Property, RoleCard, ScriptCard,
    VariantCard, VerbCard,
};
use crate::card::{Claim, Fault};
use crate::engine::input::Input;
use crate::engine::invariant::Monitor;
use crate::engine::protocol::{Describe, NodeId, Role, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A job's identity: (client, job number at that client).
pub type Key = (NodeId, u64);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Msg {
    /// Client → balancer: run job `job` labelled `label` for `work`.
    Job { job: u64, label: String, work: Time },
    /// Balancer → server: run it (attempt `attempt` of this job).
    Forward { client: NodeId, job: u64, label: String, work: Time, attempt: u32 },
    /// Server → balancer: done.
    Done { client: NodeId, job: u64, label: String, attempt: u32 },
    /// Balancer → client: the response to job `job`, run by `server`.
    Reply { job: u64, label: String, server: NodeId },
    /// Server → balancer: I am up (after a recovery, or to a PING).
    Hello,
    /// Balancer → dead-marked server: are you back?
    Ping,
    /// Balancer → clients: I restarted and know no jobs: send yours again.
    Restart,
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Job { .. } => "JOB",
            Msg::Forward { .. } => "FORWARD",
            Msg::Done { .. } => "DONE",
            Msg::Reply { .. } => "REPLY",
            Msg::Hello => "HELLO",
            Msg::Ping => "PING",
            Msg::Restart => "RESTART",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Job { job, label, .. } => format!("JOB({label}, job {job})"),
            Msg::Forward { client, job, label, attempt, .. } => {
                format!("FORWARD({label}, job {job} of {client}, try {attempt})")
            }
            Msg::Done { job, label, attempt, .. } => format!("DONE({label}, job {job}, try {attempt})"),
            Msg::Reply { job, label, server } => format!("REPLY({label}, job {job}, by {server})"),
            m => m.kind().to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Timer {
    /// At the balancer: the FORWARD of this job has had no answer.
    Timeout { client: NodeId, job: u64, attempt: u32 },
    /// At a server: this job is finished.
    Work { client: NodeId, job: u64, attempt: u32 },
    /// At a client: re-send unanswered jobs.
    Retry,
    /// At the balancer: ping the dead-marked servers (jobs are waiting).
    Probe,
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        match self {
            Timer::Timeout { .. } => "timeout",
            Timer::Work { .. } => "work",
            Timer::Retry => "retry",
            Timer::Probe => "probe",
        }
    }
    fn summary(&self) -> String {
        match self {
            Timer::Timeout { client, job, attempt } => format!("timeout(job {job} of {client}, try {attempt})"),
            Timer::Work { client, job, attempt } => format!("work(job {job} of {client}, try {attempt})"),
            t => t.kind().to_string(),
        }
    }
}

/// `submit P [C] [MS]`, addressed to client `C`.
#[derive(Clone, Debug, Hash)]
pub struct Request {
    pub label: String,
    pub work: Option<Time>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Policy {
    RoundRobin,
    LeastConnections,
    Weighted,
}

const POLICIES: [&str; 3] = ["round-robin", "least-connections", "weighted"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    Correct,
    NoSkip,
    NoDedup,
}

/// One forward the balancer made, as its summary reports it.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Fwd {
    pub to: NodeId,
    pub client: NodeId,
    pub job: u64,
    pub label: String,
    pub attempt: u32,
    /// The server it was on before (a retry).
    pub prev: Option<NodeId>,
}

/// One response a client accepted.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Answer {
    pub job: u64,
    pub label: String,
    pub server: NodeId,
}

/// The balancer's belief about one server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct View {
    pub dead: bool,
    /// Jobs outstanding there (the "connections").
    pub active: u32,
}

#[derive(Clone, Debug, PartialEq, Hash)]
pub enum Sum {
    Client {
        submitted: u64,
        /// Responses accepted so far, and the latest.
        answers: u64,
        last: Option<Answer>,
        waiting: u32,
    },
    Balancer {
        /// Per server (in server order): what the balancer believes.
        view: Arc<Vec<View>>,
        /// The forwards of the event just handled.
        batch: Vec<Fwd>,
        forwards: u64,
        /// Jobs waiting for a live server.
        queued: u32,
    },
    Server {
        running: u32,
        completed: u64,
    },
}

impl Summary for Sum {
    fn role(&self) -> Role {
        match self {
            Sum::Client { waiting: 0, .. } => Role::Idle,
            Sum::Client { .. } => Role::Wanting,
            Sum::Balancer { .. } => Role::Leader,
            Sum::Server { running: 0, .. } => Role::Idle,
            Sum::Server { .. } => Role::InCs,
        }
    }
    fn badge(&self) -> String {
        match self {
            Sum::Client { waiting: 0, answers, .. } => format!("{answers} answered"),
            Sum::Client { waiting, .. } => format!("{waiting} waiting"),
            Sum::Balancer { view, .. } => {
                let dead = view.iter().filter(|v| v.dead).count();
                if dead > 0 { format!("{dead} dead") } else { String::new() }
            }
            Sum::Server { running: 0, .. } => String::new(),
            Sum::Server { running, .. } => format!("run {running}"),
        }
    }
}

/// The knobs every node of a run shares.
#[derive(Clone, Debug, Hash)]
pub struct Knobs {
    pub clients: usize,
    pub policy: Policy,
    pub weights: Vec<u32>,
    pub work: Time,
    pub timeout: Time,
    pub retry: Time,
    pub variant: Variant,
}

impl Knobs {
    fn balancer(&self) -> NodeId {
        self.clients
    }
    fn server_node(&self, i: usize) -> NodeId {
        self.clients + 1 + i
    }
}

pub struct LoadBalancer;

/// The balancer forwards only to servers it believes up.
pub const NO_SEND_TO_KNOWN_DEAD: Property =
    Property::safety("no-send-to-known-dead", "every FORWARD goes to a server that is up in the balancer's own view");

/// One response per job.
pub const EXACTLY_ONE_RESPONSE: Property =
    Property::safety("exactly-one-response", "no job is answered twice at its client");

/// Every job gets its answer (the liveness half of one response per job).
pub const EVERY_JOB_ANSWERED: Property = Property::liveness(
    "every-job-answered",
    "at quiescence, with the client, the balancer and a server up, every job has been answered",
);

/// Round robin takes the servers in turn.
pub const ROUND_ROBIN_ORDER: Property = Property::safety(
    "round-robin-order",
    "under round robin, until the first crash or dead mark, the k-th job goes to server k mod S",
);

static CARD: Card = Card {
    name: "load-balancer",
    role_words: &[
        (Role::Leader, "balancer"),
        (Role::InCs, "running"),
        (Role::Wanting, "waiting"),
        (Role::Idle, "idle"),
    ],
    title: "Load balancer",
    family: Family::ClientServer,
    tolerates: &[
        Claim::of(Fault::Delay),
        Claim::of(Fault::Dup),
        Claim::of(Fault::Crash),
        Claim::of(Fault::Recover),
        Claim::unless(Fault::Loss, "retry", "0"),
        Claim::unless(Fault::Partition, "retry", "0"),
    ],
    about: "a balancer forwards jobs to servers by round robin; a crashed server is skipped and its jobs retried",
    description: "Clients hand jobs to one balancer, which forwards each to a server by a policy; the server runs \
        it for its work time and answers, and the balancer returns the answer to the client: JOB, FORWARD, DONE, \
        REPLY, 4 messages per job. Policies: `round-robin` (a rotation pointer; with `fifo on`, `submit 1` … \
        `submit 10` over 4 servers gives the seed's lists [1,5,9] [2,6,10] [3,7] [4,8]), `least-connections` \
        (fewest jobs outstanding, lowest id on a tie) and `weighted` (smooth weighted round robin over `weights`: \
        3,1,1,1 gives 0 1 0 2 3 0 per six jobs). Failure detection is a timeout: a FORWARD without DONE after \
        `timeout` ms plus its work time marks the server dead; the balancer skips it from then on and forwards \
        its jobs to another server (attempt 2, 3…). A dead-marked server rejoins when it announces itself (HELLO, \
        sent when it recovers) or when a late DONE shows it was alive; while no server is believed up, jobs wait \
        and the balancer PINGs the dead-marked servers every `timeout` ms. Jobs are numbered per client, so a \
        late or duplicated DONE is ignored, a repeated JOB of an answered job gets its cached REPLY again and the \
        client takes only the first REPLY. A crashed balancer forgets everything and on recovery sends RESTART, \
        and the clients re-send their unanswered jobs (a client keeps its job table across a crash); `retry` \
        makes clients re-send unanswered jobs. The table pane lists every server: its state as the balancer \
        believes it, its active jobs, the responses it gave, its weight and the labels assigned to it. \
        Inspector: the balancer's rotation pointer, dead marks and outstanding jobs with their server and \
        attempt; a server's running jobs; a client's waiting jobs and responses.",
    seeds: "000",
    nodes: NodeRange { default: 6, min: 3, max: 4096 },
    roles: &[
        RoleCard { name: "client", help: "nodes 0..clients: submit jobs and take their responses" },
        RoleCard { name: "balancer", help: "node `clients`: forwards each job to a server by the policy" },
        RoleCard { name: "server", help: "every node after the balancer: runs the jobs it is given" },
    ],
    verbs: &[VerbCard {
        name: "submit",
        args: &[
            ArgCard::new("P", Kind::Word),
            ArgCard { name: "C", kind: Kind::Node(Some("client")), optional: true },
            ArgCard::optional("MS", Kind::Ms { min: 0, max: MAX_MS }),
        ],
        help: "client C (default 0) hands the balancer a job labelled P, running MS ms (default `work`); each client \
            numbers its jobs (`job 3`)",
    }],
    params: &[
        ParamCard {
            key: "clients",
            kind: Kind::Int { min: 1, max: 4094 },
            default: "1",
            help: "client nodes 0..clients; the next node is the balancer, the rest servers",
        },
        ParamCard {
            key: "policy",
            kind: Kind::Choice(&POLICIES),
            default: "round-robin",
            help: "how the balancer picks a server",
        },
        ParamCard {
            key: "weights",
            kind: Kind::Word,
            default: "1,…",
            help: "server weights for `weighted`, e.g. 3,1,1,1 (one positive whole number per server)",
        },
        cs::ms_param("work", "10", "ms a server takes for a job (`submit P C MS` overrides)"),
        cs::timeout_param(
            "timeout",
            "50",
            "ms beyond its work time before a FORWARD without DONE marks the server dead",
        ),
        cs::ms_param("retry", "0", "ms before a client re-sends unanswered jobs (0: never)"),
        VARIANT,
    ],
    variants: &[
        VariantCard {
            name: "correct",
            help: "skips the servers it has marked dead; answers each job once",
            breaks: &[],
        },
        VariantCard {
            name: "no-skip",
            help: "marks dead servers but keeps them in the rotation",
            breaks: &[NO_SEND_TO_KNOWN_DEAD.name],
        },
        VariantCard {
            name: "no-dedup",
            help: "checks no job numbers: a late DONE is answered again and the client takes both",
            breaks: &[EXACTLY_ONE_RESPONSE.name],
        },
    ],
    properties: &[NO_SEND_TO_KNOWN_DEAD, EXACTLY_ONE_RESPONSE, EVERY_JOB_ANSWERED, ROUND_ROBIN_ORDER],
    results: &[
        FieldCard {
            key: "assignments",
            help: "per server node: the job labels forwarded to it, in order (retries included)",
        },
        FieldCard {
            key: "responses",
            help: "responses the clients accepted, in order: client, job number, label, server",
        },
        FieldCard {
            key: "retries",
            help: "jobs forwarded again after a server was marked dead: client, job, label, from, to, attempt",
        },
        FieldCard { key: "dead", help: "servers the balancer believes dead now" },
    ],
    scripts: &[
        ScriptCard {
            file: "load-balancer.dl",
            about: "the seed's processes 1..10 round robin over 4 servers; server 3 crashes, its job is retried on server 4 and 3 is skipped",
        },
        ScriptCard {
            file: "load-balancer-broken.dl",
            about: "a balancer that marks server 3 dead but keeps it in the rotation: job 9 is forwarded to it \
                (`no-send-to-known-dead`)",
        },
    ],
    action: "submit a job",
};

impl Algorithm for LoadBalancer {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let clients = params.int::<usize>(&CARD, "clients")?;
        if clients + 2 > n {
            return Err(format!("clients={clients}: need at least 1 client, the balancer and 1 server in {n} nodes"));
        }
        let servers = n - clients - 1;
        let weights: Vec<u32> = match params.get("weights") {
            None => vec![1; servers],
            Some(v) => {
                let w: Vec<u32> = v
                    .split(',')
                    .map(|x| x.trim().parse::<u32>().ok().filter(|&w| w > 0))
                    .collect::<Option<_>>()
                    .ok_or_else(|| format!("parameter weights={v}: expected positive whole numbers like 3,1,1,1"))?;
                if w.len() != servers {
                    return Err(format!("parameter weights={v}: {} weights for {servers} servers", w.len()));
                }
                w
            }
        };
        let policy = match params.choice(&CARD, "policy")? {
            0 => Policy::RoundRobin,
            1 => Policy::LeastConnections,
            _ => Policy::Weighted,
        };
        let variant = [Variant::Correct, Variant::NoSkip, Variant::NoDedup][params.variant(&CARD)?];
        let k = Arc::new(Knobs {
            clients,
            policy,
            weights,
            work: params.ms(&CARD, "work")?,
            timeout: params.ms(&CARD, "timeout")?,
            retry: params.ms(&CARD, "retry")?,
            variant,
        });
        let nodes = (0..n).map(|i| Node::new(i, n, k.clone())).collect();
        let check = Check::new(k, servers);
        Ok((nodes, Box::new(check)))
    }

    /// Clients, the balancer, servers: as [`Node::new`] lays them out.
    fn node_roles(n: usize, params: &Params) -> Vec<&'static str> {
        let clients = params.int::<usize>(&CARD, "clients").unwrap_or(1);
        (0..n)
            .map(|i| match i.cmp(&clients) {
                std::cmp::Ordering::Less => "client",
                std::cmp::Ordering::Equal => "balancer",
                std::cmp::Ordering::Greater => "server",
            })
            .collect()
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        if verb != "submit" {
            return Err(format!("unknown verb {verb:?}"));
        }
        let label = args.text(0).unwrap_or_default().to_string();
        Ok((args.opt_node(1).unwrap_or(0), Request { label, work: args.time(2) }))
    }

    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        match s {
            Sum::Client { submitted, .. } => {
                Some(Input::Verb { verb: "submit".into(), args: vec![(submitted + 1).to_string(), node.to_string()] })
            }
            _ => None,
        }
    }
}
