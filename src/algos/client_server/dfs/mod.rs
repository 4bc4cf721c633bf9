//! A small distributed file system (what it shows: see `CARD`).
//!
//! Here: the messages, the summary and the card; `node.rs` is the node
//! (server and client), `check.rs` the monitor, `names.rs` the name check
//! and placement (`replicas_of`: FNV-1a, a hash that is the same in every
//! run). A `Node` is a storage server or a client by its id. A file's
//! content is named by its `Version` (upload start time, client, upload
//! number), shown as the tag `cC.K` (a `#` would read as an engine id);
//! `store` keeps the highest version of a name (last writer wins, the same
//! on every replica), and a replica's
//! REPLICA_ACK confirms that version or a newer one. A sender puts one
//! chunk on the wire per `PACE`, so a transfer shows progress and a crash
//! can stop it half-way.
//!
//! Replication is synchronous on purpose: the primary keeps each upload in
//! `waiters` until every replica has confirmed, and each unconfirmed copy in
//! `outbox`, re-sent by its `Retry` timer. `recovered` keeps a server's
//! `files` and `outbox` (stable storage), and a client's counters and
//! console; transfers, waiting uploads and listings being gathered are
//! lost. `Sum::files` is an `Arc` shared with the node, so publishing it at
//! every event costs nothing; the monitor judges the client-side properties
//! from what each client started and finished (`Sum::started`,
//! `Sum::finished`).
//!
//! The `ack-early` variant only changes `Node::received`: the primary
//! answers UPLOAD_SUCCESS at once and sends each replica one REPLICATE,
//! outside `outbox`, so a lost copy is never sent again.

mod check;
mod names;
mod node;

use self::check::Check;
pub use self::names::{NAME_MAX, check_name, fnv1a, letter, replicas_of};
pub use self::node::Node;
use super::kit::{self as cs, VARIANT};
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, NodeRange, ParamCard, Property, RoleCard, ScriptCard, VariantCard,
    VerbCard,
};
use crate::engine::input::Input;
use crate::engine::invariant::Monitor;
use crate::engine::protocol::{Describe, NodeId, Role, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Largest file (10 MiB).
pub const SIZE_MAX: u64 = 10 * 1024 * 1024;
/// Lines of a client's console kept.
pub const SCREEN_MAX: usize = 200;
/// A sender puts one chunk on the wire per `PACE` of virtual time (its
/// send loop), so a crash stops a transfer half-way.
pub const PACE: Time = crate::engine::protocol::MS;

/// Which upload wrote a file's content: (time it started, client, its upload number).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Version {
    pub at: Time,
    pub client: u32,
    pub n: u32,
}

impl Version {
    /// The content tag: `cC.K`, client C's K-th upload.
    pub fn tag(&self) -> String {
        format!("c{}.{}", self.client, self.n)
    }
}

/// A stored file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
pub struct File {
    pub size: u64,
    pub ver: Version,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Msg {
    Upload {
        xfer: u64,
        name: String,
        size: u64,
        ver: Version,
        chunks: u32,
    },
    /// Chunk `k` (1-based) of `of` of transfer `xfer` (upload or download).
    Chunk {
        xfer: u64,
        k: u32,
        of: u32,
        bytes: u32,
    },
    UploadOk {
        xfer: u64,
        copies: u32,
    },
    Download {
        xfer: u64,
        name: String,
    },
    Size {
        xfer: u64,
        size: u64,
        ver: Version,
        chunks: u32,
    },
    NotFound {
        xfer: u64,
    },
    Error {
        xfer: u64,
        text: String,
    },
    List {
        xfer: u64,
    },
    ListPeer {
        client: NodeId,
        xfer: u64,
    },
    PeerFiles {
        client: NodeId,
        xfer: u64,
        names: Vec<String>,
    },
    Listing {
        xfer: u64,
        names: Vec<String>,
        unreachable: Vec<NodeId>,
    },
    Replicate {
        name: String,
        file: File,
    },
    ReplicaAck {
        name: String,
        ver: Version,
    },
}

impl Describe for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Upload { .. } => "UPLOAD",
            Msg::Chunk { .. } => "CHUNK",
            Msg::UploadOk { .. } => "UPLOAD_SUCCESS",
            Msg::Download { .. } => "DOWNLOAD",
            Msg::Size { .. } => "SIZE",
            Msg::NotFound { .. } => "ERROR_FILE_NOT_FOUND",
            Msg::Error { .. } => "ERROR",
            Msg::List { .. } => "LIST",
            Msg::ListPeer { .. } => "LIST_PEER",
            Msg::PeerFiles { .. } => "PEER_FILES",
            Msg::Listing { .. } => "LISTING",
            Msg::Replicate { .. } => "REPLICATE",
            Msg::ReplicaAck { .. } => "REPLICA_ACK",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Upload { xfer, name, size, ver, chunks } => {
                format!("UPLOAD(xfer {xfer} {name} {size} B {} {chunks} chunks)", ver.tag())
            }
            Msg::Chunk { xfer, k, of, bytes } => format!("CHUNK(xfer {xfer} {k}/{of} {bytes} B)"),
            Msg::UploadOk { xfer, copies } => format!("UPLOAD_SUCCESS(xfer {xfer} {copies} copies)"),
            Msg::Download { xfer, name } => format!("DOWNLOAD(xfer {xfer} {name})"),
            Msg::Size { xfer, size, ver, chunks } => {
                format!("SIZE(xfer {xfer} {size} B {} {chunks} chunks)", ver.tag())
            }
            Msg::NotFound { xfer } => format!("ERROR_FILE_NOT_FOUND(xfer {xfer})"),
            Msg::Error { xfer, text } => format!("ERROR(xfer {xfer} {text})"),
            Msg::List { xfer } => format!("LIST(xfer {xfer})"),
            Msg::ListPeer { client, xfer } => format!("LIST_PEER(for {client} xfer {xfer})"),
            Msg::PeerFiles { names, .. } => format!("PEER_FILES({})", names.join(" ")),
            Msg::Listing { names, unreachable, .. } if unreachable.is_empty() => {
                format!("LISTING({})", names.join(" "))
            }
            Msg::Listing { names, unreachable, .. } => {
                format!("LISTING({}; missing {unreachable:?})", names.join(" "))
            }
            Msg::Replicate { name, file } => format!("REPLICATE({name} {} B {})", file.size, file.ver.tag()),
            Msg::ReplicaAck { name, ver } => format!("REPLICA_ACK({name} {})", ver.tag()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Hash)]
pub enum Timer {
    /// Client: no progress on transfer `xfer` in time.
    Answer { xfer: u64 },
    /// Server: send `name` to replica `to` again if it has not confirmed.
    Retry { name: String, to: NodeId },
    /// Server A: stop waiting for the peers' listings.
    Peers { client: NodeId, xfer: u64 },
    /// Client: put the next chunk of upload `xfer` on the wire.
    Pace { xfer: u64 },
    /// Server: put the next chunk of download `xfer` to `client` on the wire.
    Stream { client: NodeId, xfer: u64 },
}

impl Describe for Timer {
    fn kind(&self) -> &'static str {
        match self {
            Timer::Answer { .. } => "answer-timer",
            Timer::Retry { .. } => "retry-timer",
            Timer::Peers { .. } => "peers-timer",
            Timer::Pace { .. } => "pace-timer",
            Timer::Stream { .. } => "stream-timer",
        }
    }
}

#[derive(Clone, Debug, Hash)]
pub enum Request {
    Upload { name: String, size: u64 },
    Download { name: String },
    List,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    Correct,
    AckEarly,
}

#[derive(Clone, Debug, Hash)]
pub struct Knobs {
    pub servers: usize,
    pub replicas: usize,
    pub chunk: u64,
    pub timeout: Time,
    pub variant: Variant,
}

impl Knobs {
    fn chunks(&self, size: u64) -> u32 {
        size.div_ceil(self.chunk) as u32
    }
    fn bytes(&self, size: u64, k: u32) -> u32 {
        let start = (k as u64 - 1) * self.chunk;
        (size - start).min(self.chunk) as u32
    }
}

/// What a client finished an operation with.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Uploaded {
        copies: u32,
        ver: Version,
    },
    Downloaded {
        size: u64,
        ver: Version,
    },
    NotFound,
    Listed {
        names: Vec<String>,
        unreachable: Vec<NodeId>,
    },
    /// No server answered (or a server refused).
    Failed(String),
}

/// A client's operation as the monitor sees it start.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OpStart {
    pub op: &'static str,
    pub name: String,
    pub ver: Option<Version>,
    pub size: u64,
}

/// What the monitor sees.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Sum {
    pub server: bool,
    /// Server: its files, by name. Shared with the node (the summary is
    /// built after every event; copying a thousand files each time made
    /// long runs quadratic), so unchanged files compare by pointer.
    pub files: Arc<BTreeMap<String, File>>,
    /// Server: one line per transfer in progress and pending replication.
    pub transfers: Vec<String>,
    /// Client: the operation that started in the latest event, and the
    /// one that finished.
    pub started: Option<OpStart>,
    pub finished: Option<Outcome>,
    /// Client: "k/n chunks" of its transfer in progress.
    pub progress: Option<String>,
    pub busy: bool,
    pub queued: u32,
    pub said: Vec<String>,
}

impl Summary for Sum {
    fn role(&self) -> Role {
        match (self.server, self.busy) {
            (true, _) => Role::Leader,
            (false, true) => Role::Wanting,
            (false, false) => Role::Idle,
        }
    }
    fn badge(&self) -> String {
        if self.server {
            return format!("{} files", self.files.len());
        }
        match (&self.progress, self.queued) {
            (Some(p), 0) => p.clone(),
            (Some(p), q) => format!("{p} +{q}"),
            (None, _) => String::new(),
        }
    }
}

// ----- the registry entry --------------------------------------------------------

pub struct Dfs;

/// A download after an acknowledged upload returns it (or newer).
pub const ACKED_WRITE_READABLE: Property = Property::safety(
    "acked-write-readable",
    "a download started after an upload of the name was acknowledged returns that version or a newer one, or \
        reports every replica unavailable: never \"not found\", never older content",
);

/// A complete listing names every acknowledged file.
pub const LISTING_COMPLETE: Property = Property::safety(
    "listing-complete",
    "a listing every server contributed to names every file acknowledged before it started",
);

/// Replicas agree once the network is quiet and whole.
pub const REPLICAS_EQUAL: Property = Property::liveness(
    "replicas-equal",
    "at quiescence, with every server and every link up, all replicas of a name hold the same version and no \
        other server holds it",
);

/// Servers store only valid names.
pub const NAMES_VALID: Property =
    Property::safety("names-valid", "no server ever stores a name that fails the name check");

/// `C` of every verb: a client.
const CLIENT: ArgCard = ArgCard::node_of("C", "client");
/// A file name (its syntax is checked by [`check_name`]).
const NAME: ArgCard = ArgCard::new("name", Kind::Word);

static CARD: Card = Card {
    name: "dfs",
    role_words: &[(Role::Leader, "server"), (Role::Wanting, "busy"), (Role::Idle, "idle")],
    title: "Distributed file system",
    family: Family::ClientServer,
    tolerates: crate::card::ALL_FAULTS,
    about: "files moved in chunks, replicated synchronously, downloads failing over; a merged directory listing",
    description: "Seed 000's file system (UPLOAD name size then the chunks → UPLOAD_SUCCESS; DOWNLOAD → SIZE then \
        the chunks, or ERROR_FILE_NOT_FOUND; LIST) over several storage servers, with seed 003's merged directory \
        listing. Nodes 0..servers are the storage servers A, B, …, the others clients. A file travels as \
        ceil(size / chunk) CHUNK messages, one per virtual millisecond, so a crash stops a transfer half-way \
        (each message names its client's transfer, `xfer 3`: one per attempt at a server); its version (time the \
        upload started, client, upload number, shown as the tag `c2.1`: client 2's first upload) settles \
        concurrent uploads: every server keeps the highest. A name's primary is fnv1a64(name) % servers, its replicas the next `replicas` − 1 servers. \
        The primary stores an upload (stable storage), REPLICATEs it and answers UPLOAD_SUCCESS only once every \
        replica has confirmed (REPLICA_ACK), resending unconfirmed copies every `timeout` ms: an acknowledged \
        file is on every replica, and replicas agree again once faults heal. A client that hears nothing for \
        `timeout` ms fails over to the next replica. For `list`, server A asks every other server (LIST_PEER), \
        merges their PEER_FILES with its own names and replies (LISTING), naming a peer silent for `timeout`/2 \
        ms; if A does not answer the client asks B. Names are checked before anything moves (not empty, no `..`, \
        `/`, `\\` or spaces, at most 64 characters), sizes go up to 10 MiB. Screens: each server's files and \
        transfers, each client's console. Inspector: a server's files, arriving uploads, downloads being sent, \
        uploads waiting for their replicas, pending replications and listings being gathered; a client's \
        operation, its server, the servers still to try and the chunk progress.",
    seeds: "000, 003",
    nodes: NodeRange { default: 3, min: 2, max: 1000 },
    roles: &[
        RoleCard { name: "server", help: "nodes 0..servers (A, B, …): store, replicate and serve files" },
        RoleCard { name: "client", help: "the other nodes: upload, download and list" },
    ],
    verbs: &[
        VerbCard {
            name: "upload",
            args: &[CLIENT, NAME, ArgCard::new("size", Kind::Int { min: 0, max: SIZE_MAX as i64 })],
            help: "client C uploads a file of size bytes, in chunks, to its primary",
        },
        VerbCard {
            name: "download",
            args: &[CLIENT, NAME],
            help: "client C downloads a file, failing over to a replica",
        },
        VerbCard {
            name: "list",
            args: &[CLIENT],
            help: "client C asks server A, which merges its files with the other servers'",
        },
    ],
    params: &[
        ParamCard {
            key: "servers",
            kind: Kind::Int { min: 1, max: 999 },
            default: "2, or 1 with 2 nodes",
            help: "storage servers: nodes 0..servers (the rest, at least one, are clients)",
        },
        ParamCard {
            key: "replicas",
            kind: Kind::Int { min: 1, max: 999 },
            default: "servers",
            help: "copies of each file, 1..servers",
        },
        ParamCard {
            key: "chunk",
            kind: Kind::Int { min: 1, max: SIZE_MAX as i64 },
            default: "1024",
            help: "bytes per CHUNK message",
        },
        cs::timeout_param("timeout", "100", "ms a client waits for progress before it fails over"),
        VARIANT,
    ],
    variants: &[
        VariantCard {
            name: "correct",
            help: "synchronous replication: UPLOAD_SUCCESS once every replica has confirmed",
            breaks: &[],
        },
        VariantCard {
            name: "ack-early",
            help: "UPLOAD_SUCCESS as soon as the primary has stored the file, one fire-and-forget REPLICATE per \
                replica: a failover after a lost copy says \"not found\", and the copy is never resent",
            breaks: &[ACKED_WRITE_READABLE.name, REPLICAS_EQUAL.name],
        },
    ],
    properties: &[ACKED_WRITE_READABLE, LISTING_COMPLETE, REPLICAS_EQUAL, NAMES_VALID],
    results: &[
        FieldCard {
            key: "files",
            help: "per server, its files as `{name, size, tag}` (tag `c2.1`: client 2's first upload), sorted by name",
        },
        FieldCard {
            key: "ops",
            help: "per client, `{op, name, outcome}` per operation (`ok` with copies/size/tag/names, `not-found`, \
                `error`; null: in progress)",
        },
    ],
    scripts: &[
        ScriptCard {
            file: "dfs.dl",
            about: "an upload in 3 CHUNKs replicated to B before it is acknowledged; seed 003's merged listing; A crashes and the client fails over",
        },
        ScriptCard {
            file: "dfs-broken.dl",
            about: "A acknowledges an upload whose REPLICATE was cut off, then crashes: B says \"not found\" (`acked-write-readable`)",
        },
    ],
    action: "list files",
};

/// Storage servers when `servers` is not given: two, so that a file has a
/// replica to fail over to, but never so many that no node is left for a
/// client (the card's minimum, 2 nodes, is one server and one client).
const DEFAULT_SERVERS: usize = 2;

/// The `servers` parameter, or its derived default for `n` nodes (the
/// card's "2, or 1 with 2 nodes").
fn servers(n: usize, params: &Params) -> Result<usize, String> {
    params.num::<usize>("servers", DEFAULT_SERVERS.min(n.saturating_sub(1)).max(1))
}

impl Algorithm for Dfs {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let servers = servers(n, params)?;
        if servers >= n {
            return Err(format!("parameter servers={servers}: fewer than the {n} nodes (clients need a node too)"));
        }
        let replicas = params.num::<usize>("replicas", servers)?;
        if replicas > servers {
            return Err(format!("parameter replicas={replicas}: 1 to {servers} (the number of servers)"));
        }
        let chunk = params.int::<u64>(&CARD, "chunk")?;
        let variant = [Variant::Correct, Variant::AckEarly][params.variant(&CARD)?];
        let timeout = params.ms(&CARD, "timeout")?;
        let k = Knobs { servers, replicas, chunk, timeout, variant };
        Ok(((0..n).map(|i| Node::new(i, k.clone())).collect(), Box::new(Check::new(n, servers, replicas))))
    }

    /// Nodes `0..servers` are servers, as [`Node::is_server`] says.
    fn node_roles(n: usize, params: &Params) -> Vec<&'static str> {
        cs::servers_then_clients(n, servers(n, params).unwrap_or(DEFAULT_SERVERS))
    }

    fn request(verb: &str, args: &Args) -> Result<(NodeId, Request), String> {
        let name = || {
            let name = args.text(1).unwrap_or_default();
            check_name(name).map(|()| name.to_string())
        };
        let req = match verb {
            "upload" => Request::Upload { name: name()?, size: args.int(2).unwrap_or(0) as u64 },
            "download" => Request::Download { name: name()? },
            "list" => Request::List,
            _ => return Err(format!("unknown verb {verb:?}")),
        };
        Ok((args.node(0), req))
    }

    fn action(node: NodeId, s: &Sum) -> Option<Input> {
        (!s.server).then(|| Input::Verb { verb: "list".into(), args: vec![node.to_string()] })
    }
}
