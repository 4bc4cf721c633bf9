//! A small distributed file system: seed 000's "Distributed File System"
//! (UPLOAD name size then chunks → UPLOAD_SUCCESS; DOWNLOAD → SIZE n then
//! chunks, or ERROR_FILE_NOT_FOUND; LIST) spread over several storage
//! servers, with seed 003's merged directory listing.
//!
//! Nodes `0..servers` are the storage servers (A, B, …), the others are
//! clients. A file is metadata (name, size) and a content tag `cC#K` (client
//! C's K-th upload) with a version `(time the upload started, C, K)`; it
//! moves as `ceil(size / chunk)` CHUNK messages, so a transfer shows "k/n
//! chunks" progress.
//!
//! Placement: a name's primary is `fnv1a64(name) % servers`, its replicas
//! the primary and the next `replicas - 1` servers (wrapping round).
//!
//! - `upload C name size`: client C sends UPLOAD and the chunks to the
//!   primary. Once every chunk is in, the primary stores the file (stable
//!   storage, kept across crashes), sends REPLICATE to the other replicas
//!   and answers UPLOAD_SUCCESS only when every replica has confirmed
//!   (REPLICA_ACK) that it holds this version or a newer one. Replication
//!   is synchronous on purpose: an acknowledged upload is on every replica,
//!   so any one of them serves it. A replica that does not confirm is sent
//!   the file again every `timeout` ms (the pending replications are on
//!   stable storage too), so replicas agree once the faults heal. A client
//!   that gets no answer within `timeout` ms tries the next replica as the
//!   primary; after every replica it reports the upload failed.
//! - `download C name`: DOWNLOAD to the name's first replica, answered with
//!   SIZE and the chunks, or ERROR_FILE_NOT_FOUND. If the server stops
//!   answering (`timeout` ms without progress) the client fails over to the
//!   next replica and starts again there.
//! - `list C`: seed 003. The client asks server A (LIST); A lists its own
//!   files and asks every other server (LIST_PEER); each answers with its
//!   names (PEER_FILES); A merges them with its own and replies (LISTING);
//!   the client sorts and prints. A peer that does not answer within half
//!   the `timeout` is left out and named in the reply. If A itself does not
//!   answer the client asks B.
//!
//! Versions decide between concurrent uploads of one name: every server
//! keeps the highest version it has seen (last writer wins, the same on
//! every replica).
//!
//! Invariants: `acked-write-readable` (a download that starts after an
//! upload of that name was acknowledged returns that version or a newer
//! one, or reports every replica unavailable: never "not found", never
//! older content), `listing-complete` (a listing every server contributed
//! to names every file acknowledged before it started), `replicas-equal`
//! (at quiescence, with every server up and every link up, every replica
//! of a name holds the same version and no other server holds it),
//! `names-valid` (no server ever stores a name that fails the name check).
//! Broken on purpose: `variant=ack-early` answers UPLOAD_SUCCESS as soon as
//! the primary has stored the file and sends each replica one REPLICATE,
//! fire and forget: a lost copy is never sent again.

use super::kit::{self as cs, VARIANT};
use crate::algos::kit::listing;
use crate::card::{
    ArgCard, Args, Card, Family, FieldCard, Kind, NodeRange, ParamCard, Property, RoleCard, ScriptCard, VariantCard,
    VerbCard,
};
use crate::engine::input::Input;
use crate::engine::invariant::{Change, Monitor, Screen, Transcript, Violation, World};
use crate::engine::protocol::{Cx, Describe, NodeId, Protocol, Role, Row, Summary, Time};
use crate::scenario::{Algorithm, Params};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

/// Longest file name.
pub const NAME_MAX: usize = 64;
/// Largest file (10 MiB).
pub const SIZE_MAX: u64 = 10 * 1024 * 1024;
/// Lines of a client's console kept.
pub const SCREEN_MAX: usize = 200;
/// A sender puts one chunk on the wire per `PACE` of virtual time (its
/// send loop), so a crash stops a transfer half-way.
pub const PACE: Time = crate::engine::protocol::MS;

/// FNV-1a, 64 bits: the stable hash that places a name.
pub fn fnv1a(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The servers holding `name`, primary first.
pub fn replicas_of(name: &str, servers: usize, replicas: usize) -> Vec<NodeId> {
    let p = (fnv1a(name) % servers as u64) as usize;
    (0..replicas).map(|i| (p + i) % servers).collect()
}

/// Why `name` is not a valid file name, if it is not.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a file name cannot be empty".into());
    }
    if name.chars().count() > NAME_MAX {
        return Err(format!("file name {name:?} is longer than {NAME_MAX} characters"));
    }
    if name == "." || name.contains("..") {
        return Err(format!("file name {name:?} may not contain `..` (no way out of the storage directory)"));
    }
    if name.contains('/') || name.contains('\\') {
        return Err(format!("file name {name:?} may not contain `/` or `\\` (no directories)"));
    }
    if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("file name {name:?} may contain only printable characters without spaces"));
    }
    Ok(())
}

/// Server letter: A, B, C…
pub fn letter(s: NodeId) -> String {
    if s < 26 { ((b'A' + s as u8) as char).to_string() } else { format!("S{s}") }
}

/// Which upload wrote a file's content: (time it started, client, its upload number).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Version {
    pub at: Time,
    pub client: u32,
    pub n: u32,
}

impl Version {
    /// The content tag: `cC#K`.
    pub fn tag(&self) -> String {
        format!("c{}#{}", self.client, self.n)
    }
}

/// A stored file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct File {
    pub size: u64,
    pub ver: Version,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
                format!("UPLOAD(#{xfer} {name} {size} B {} {chunks} chunks)", ver.tag())
            }
            Msg::Chunk { xfer, k, of, bytes } => format!("CHUNK(#{xfer} {k}/{of} {bytes} B)"),
            Msg::UploadOk { xfer, copies } => format!("UPLOAD_SUCCESS(#{xfer} {copies} copies)"),
            Msg::Download { xfer, name } => format!("DOWNLOAD(#{xfer} {name})"),
            Msg::Size { xfer, size, ver, chunks } => format!("SIZE(#{xfer} {size} B {} {chunks} chunks)", ver.tag()),
            Msg::NotFound { xfer } => format!("ERROR_FILE_NOT_FOUND(#{xfer})"),
            Msg::Error { xfer, text } => format!("ERROR(#{xfer} {text})"),
            Msg::List { xfer } => format!("LIST(#{xfer})"),
            Msg::ListPeer { client, xfer } => format!("LIST_PEER(for {client} #{xfer})"),
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

#[derive(Clone, Debug)]
pub enum Request {
    Upload { name: String, size: u64 },
    Download { name: String },
    List,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Correct,
    AckEarly,
}

#[derive(Clone, Debug)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpStart {
    pub op: &'static str,
    pub name: String,
    pub ver: Option<Version>,
    pub size: u64,
}

/// A client's operation in progress.
#[derive(Clone, Debug, PartialEq)]
struct Op {
    req: Job,
    /// Servers to try, in order, and which one is being tried.
    targets: Vec<NodeId>,
    at: usize,
    xfer: u64,
    /// Download: (size, version, chunks) once SIZE came; chunks received.
    meta: Option<(u64, Version, u32)>,
    got: BTreeSet<u32>,
    of: u32,
    /// Upload: chunks put on the wire so far.
    sent: u32,
}

/// What a client operation does (with the version an upload writes).
#[derive(Clone, Debug, PartialEq)]
enum Job {
    Upload { name: String, size: u64, ver: Version },
    Download { name: String },
    List,
}

/// An upload arriving at a server.
#[derive(Clone, Debug, PartialEq)]
struct Incoming {
    head: Option<(String, u64, Version)>,
    of: u32,
    got: BTreeSet<u32>,
}

/// A download a server is sending: (name, size, next chunk, chunks).
#[derive(Clone, Debug, PartialEq)]
struct Stream {
    name: String,
    size: u64,
    next: u32,
    of: u32,
}

/// A listing server A is putting together for a client.
#[derive(Clone, Debug, PartialEq)]
struct Gather {
    names: Vec<String>,
    waiting: BTreeSet<NodeId>,
}

/// What the monitor sees.
#[derive(Clone, Debug, PartialEq)]
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

#[derive(Clone, Debug)]
pub struct Node {
    id: NodeId,
    k: Knobs,
    said: Vec<String>,
    // ----- client (counters survive a crash) -----
    xfers: u64,
    uploads: u32,
    current: Option<Op>,
    queue: VecDeque<Request>,
    started: Option<OpStart>,
    finished: Option<Outcome>,
    last: VecDeque<String>,
    // ----- server: stable storage -----
    files: Arc<BTreeMap<String, File>>,
    /// Replications not yet confirmed: (name, replica) → the version sent.
    outbox: BTreeMap<(String, NodeId), File>,
    // ----- server: volatile -----
    incoming: BTreeMap<(NodeId, u64), Incoming>,
    done: BTreeSet<(NodeId, u64)>,
    /// Uploads waiting for their replicas: (client, xfer) → (name, version, replicas still to confirm).
    waiters: BTreeMap<(NodeId, u64), (String, Version, BTreeSet<NodeId>)>,
    gathers: BTreeMap<(NodeId, u64), Gather>,
    streams: BTreeMap<(NodeId, u64), Stream>,
}

impl Node {
    fn new(id: NodeId, k: Knobs) -> Self {
        Node {
            id,
            k,
            said: Vec::new(),
            xfers: 0,
            uploads: 0,
            current: None,
            queue: VecDeque::new(),
            started: None,
            finished: None,
            last: VecDeque::new(),
            files: Arc::default(),
            outbox: BTreeMap::new(),
            incoming: BTreeMap::new(),
            done: BTreeSet::new(),
            waiters: BTreeMap::new(),
            gathers: BTreeMap::new(),
            streams: BTreeMap::new(),
        }
    }

    fn is_server(&self) -> bool {
        self.id < self.k.servers
    }

    fn say(&mut self, line: impl Into<String>) {
        self.said.push(line.into());
    }

    fn begin(&mut self) {
        self.said.clear();
        self.started = None;
        self.finished = None;
    }

    // ----- the client ----------------------------------------------------

    fn next(&mut self, cx: &mut Cx<Self>) {
        if self.current.is_some() {
            return;
        }
        let Some(req) = self.queue.pop_front() else { return };
        let (req, targets, start) = match req {
            Request::Upload { name, size } => {
                self.uploads += 1;
                let ver = Version { at: cx.now, client: self.id as u32, n: self.uploads };
                let t = replicas_of(&name, self.k.servers, self.k.replicas);
                let start = OpStart { op: "upload", name: name.clone(), ver: Some(ver), size };
                (Job::Upload { name, size, ver }, t, start)
            }
            Request::Download { name } => {
                let t = replicas_of(&name, self.k.servers, self.k.replicas);
                let start = OpStart { op: "download", name: name.clone(), ver: None, size: 0 };
                (Job::Download { name }, t, start)
            }
            Request::List => {
                let start = OpStart { op: "list", name: String::new(), ver: None, size: 0 };
                (Job::List, (0..self.k.servers).collect(), start)
            }
        };
        self.started = Some(start);
        self.current = Some(Op { req, targets, at: 0, xfer: 0, meta: None, got: BTreeSet::new(), of: 0, sent: 0 });
        self.attempt(cx);
    }

    /// Send the current operation to its current target.
    fn attempt(&mut self, cx: &mut Cx<Self>) {
        self.xfers += 1;
        let xfer = self.xfers;
        let k = self.k.clone();
        let Some(op) = self.current.as_mut() else { return };
        op.xfer = xfer;
        op.meta = None;
        op.got.clear();
        op.sent = 0;
        let to = op.targets[op.at];
        let line = match &op.req {
            Job::Upload { name, size, ver } => {
                let chunks = k.chunks(*size);
                op.of = chunks;
                cx.send(to, Msg::Upload { xfer, name: name.clone(), size: *size, ver: *ver, chunks });
                if chunks > 0 {
                    cx.send(to, Msg::Chunk { xfer, k: 1, of: chunks, bytes: k.bytes(*size, 1) });
                    op.sent = 1;
                }
                if chunks > 1 {
                    cx.set_timer(PACE, Timer::Pace { xfer });
                }
                format!("UPLOAD {name} {size} → server {} ({chunks} chunks)", letter(to))
            }
            Job::Download { name } => {
                op.of = 0;
                cx.send(to, Msg::Download { xfer, name: name.clone() });
                format!("DOWNLOAD {name} ← server {}", letter(to))
            }
            Job::List => {
                cx.send(to, Msg::List { xfer });
                format!("LIST → server {}", letter(to))
            }
        };
        self.say(line);
        cx.set_timer(k.timeout, Timer::Answer { xfer });
    }

    fn finish(&mut self, cx: &mut Cx<Self>, outcome: Outcome, line: String) {
        if let Some(op) = self.current.take() {
            cx.cancel_timer(Timer::Answer { xfer: op.xfer });
        }
        self.say(line.clone());
        if self.last.len() == 4 {
            self.last.pop_front();
        }
        self.last.push_back(line);
        self.finished = Some(outcome);
        self.next(cx);
    }

    /// The current target did not answer: try the next one, or give up.
    fn fail_over(&mut self, cx: &mut Cx<Self>, why: &str) {
        let Some(op) = self.current.as_mut() else { return };
        let from = op.targets[op.at];
        op.at += 1;
        if op.at < op.targets.len() {
            let next = op.targets[op.at];
            self.say(format!("server {} {why}; trying server {}", letter(from), letter(next)));
            self.attempt(cx);
        } else {
            let what = match &op.req {
                Job::Upload { name, .. } => format!("upload {name}"),
                Job::Download { name } => format!("download {name}"),
                Job::List => "list".into(),
            };
            let line = format!("{what} failed: server {} {why} and no other server is left", letter(from));
            self.finish(cx, Outcome::Failed("unavailable".into()), line);
        }
    }

    fn client(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        let Some(op) = self.current.as_mut() else { return };
        if from != op.targets[op.at] {
            return;
        }
        let xfer = op.xfer;
        let timeout = self.k.timeout;
        match msg {
            Msg::UploadOk { xfer: x, copies } if x == xfer => {
                let Job::Upload { name, ver, .. } = op.req.clone() else { return };
                self.finish(cx, Outcome::Uploaded { copies, ver }, format!("UPLOAD_SUCCESS {name} ({copies} copies)"));
            }
            Msg::Size { xfer: x, size, ver, chunks } if x == xfer => {
                op.meta = Some((size, ver, chunks));
                op.of = chunks;
                self.downloaded(cx);
                self.rearm(cx, xfer, timeout);
            }
            Msg::Chunk { xfer: x, k, of, .. } if x == xfer && matches!(op.req, Job::Download { .. }) => {
                op.of = of;
                op.got.insert(k);
                self.downloaded(cx);
                self.rearm(cx, xfer, timeout);
            }
            Msg::NotFound { xfer: x } if x == xfer => {
                self.finish(cx, Outcome::NotFound, "File not found on server.".into());
            }
            Msg::Error { xfer: x, text } if x == xfer => {
                self.finish(cx, Outcome::Failed(text.clone()), format!("Error from the server: {text}"));
            }
            Msg::Listing { xfer: x, mut names, unreachable } if x == xfer => {
                names.sort();
                names.dedup();
                let mut line = format!("Server Files: {}", names.join(" "));
                if !unreachable.is_empty() {
                    let l: Vec<String> = unreachable.iter().map(|&s| letter(s)).collect();
                    line.push_str(&format!(" (server {} did not answer: its files may be missing)", l.join(", ")));
                }
                self.finish(cx, Outcome::Listed { names, unreachable }, line);
            }
            _ => {}
        }
    }

    fn rearm(&mut self, cx: &mut Cx<Self>, xfer: u64, timeout: Time) {
        if self.current.as_ref().is_some_and(|op| op.xfer == xfer) {
            cx.cancel_timer(Timer::Answer { xfer });
            cx.set_timer(timeout, Timer::Answer { xfer });
        }
    }

    /// A download with every chunk in is done.
    fn downloaded(&mut self, cx: &mut Cx<Self>) {
        let Some(op) = &self.current else { return };
        let (Job::Download { name }, Some((size, ver, chunks))) = (&op.req, op.meta) else { return };
        if op.got.len() as u32 == chunks {
            let line = format!("{name} downloaded successfully ({size} B, {}, {chunks} chunks)", ver.tag());
            self.finish(cx, Outcome::Downloaded { size, ver }, line);
        }
    }

    // ----- the server ----------------------------------------------------

    /// Keep `file` as `name` if it is newer than what is stored.
    fn store(&mut self, name: &str, file: File) -> Version {
        match self.files.get(name) {
            Some(f) if f.ver >= file.ver => f.ver,
            _ => {
                let ver = file.ver;
                Arc::make_mut(&mut self.files).insert(name.to_string(), file);
                ver
            }
        }
    }

    fn serve(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Upload { xfer, name, size, ver, chunks } => {
                if let Err(e) = check_name(&name) {
                    cx.send(from, Msg::Error { xfer, text: e });
                    return;
                }
                if size > SIZE_MAX || chunks != self.k.chunks(size) {
                    cx.send(from, Msg::Error { xfer, text: "bad size".into() });
                    return;
                }
                if self.stale(from, xfer) {
                    return;
                }
                // A client runs one transfer at a time: its older ones are dead.
                self.incoming.retain(|&(c, x), _| c != from || x >= xfer);
                let inc = self.incoming.entry((from, xfer)).or_insert(Incoming {
                    head: None,
                    of: chunks,
                    got: BTreeSet::new(),
                });
                inc.head = Some((name, size, ver));
                self.received(cx, from, xfer);
            }
            Msg::Chunk { xfer, k, of, .. } => {
                if self.stale(from, xfer) || k == 0 || k > of {
                    return;
                }
                self.incoming.retain(|&(c, x), _| c != from || x >= xfer);
                let inc =
                    self.incoming.entry((from, xfer)).or_insert(Incoming { head: None, of, got: BTreeSet::new() });
                inc.got.insert(k);
                self.received(cx, from, xfer);
            }
            Msg::Download { xfer, name } => match self.files.get(&name) {
                Some(f) => {
                    let chunks = self.k.chunks(f.size);
                    let (size, ver) = (f.size, f.ver);
                    cx.send(from, Msg::Size { xfer, size, ver, chunks });
                    if chunks > 0 {
                        cx.send(from, Msg::Chunk { xfer, k: 1, of: chunks, bytes: self.k.bytes(size, 1) });
                    }
                    if chunks > 1 && !self.streams.contains_key(&(from, xfer)) {
                        self.streams.retain(|&(c, _), _| c != from);
                        self.streams.insert((from, xfer), Stream { name: name.clone(), size, next: 2, of: chunks });
                        cx.set_timer(PACE, Timer::Stream { client: from, xfer });
                    }
                    self.say(format!("client {from}: DOWNLOAD {name}: SIZE {size}, {chunks} chunks"));
                }
                None => {
                    cx.send(from, Msg::NotFound { xfer });
                    self.say(format!("client {from}: DOWNLOAD {name}: not found"));
                }
            },
            Msg::List { xfer } => {
                let names: Vec<String> = self.files.keys().cloned().collect();
                let waiting: BTreeSet<NodeId> = (0..self.k.servers).filter(|&s| s != self.id).collect();
                if waiting.is_empty() {
                    cx.send(from, Msg::Listing { xfer, names, unreachable: Vec::new() });
                    return;
                }
                for &s in &waiting {
                    cx.send(s, Msg::ListPeer { client: from, xfer });
                }
                self.gathers.insert((from, xfer), Gather { names, waiting });
                cx.set_timer((self.k.timeout / 2).max(1), Timer::Peers { client: from, xfer });
            }
            Msg::ListPeer { client, xfer } => {
                let names = self.files.keys().cloned().collect();
                cx.send(from, Msg::PeerFiles { client, xfer, names });
            }
            Msg::PeerFiles { client, xfer, names } => {
                let Some(g) = self.gathers.get_mut(&(client, xfer)) else { return };
                if !g.waiting.remove(&from) {
                    return;
                }
                for n in names {
                    if !g.names.contains(&n) {
                        g.names.push(n);
                    }
                }
                if g.waiting.is_empty() {
                    let g = self.gathers.remove(&(client, xfer)).expect("present");
                    cx.cancel_timer(Timer::Peers { client, xfer });
                    cx.send(client, Msg::Listing { xfer, names: g.names, unreachable: Vec::new() });
                }
            }
            Msg::Replicate { name, file } => {
                if check_name(&name).is_err() {
                    return;
                }
                let ver = self.store(&name, file);
                cx.send(from, Msg::ReplicaAck { name, ver });
            }
            Msg::ReplicaAck { name, ver } => {
                if self.outbox.get(&(name.clone(), from)).is_some_and(|f| f.ver <= ver) {
                    self.outbox.remove(&(name.clone(), from));
                    cx.cancel_timer(Timer::Retry { name: name.clone(), to: from });
                }
                let mut ready = Vec::new();
                for (key, (n, v, wait)) in self.waiters.iter_mut() {
                    if *n == name && *v <= ver {
                        wait.remove(&from);
                        if wait.is_empty() {
                            ready.push(*key);
                        }
                    }
                }
                for (client, xfer) in ready {
                    let (n, _, _) = self.waiters.remove(&(client, xfer)).expect("present");
                    let copies = self.k.replicas as u32;
                    cx.send(client, Msg::UploadOk { xfer, copies });
                    self.say(format!("{n}: every replica has it; UPLOAD_SUCCESS to client {client}"));
                }
            }
            _ => {}
        }
    }

    /// Is `xfer` from `client` finished, or older than one it has started since?
    fn stale(&self, client: NodeId, xfer: u64) -> bool {
        self.done.contains(&(client, xfer))
            || self.incoming.keys().any(|&(c, x)| c == client && x > xfer)
            || self.done.range((client, xfer + 1)..(client + 1, 0)).next().is_some()
    }

    /// An upload with its header and every chunk in is stored and replicated.
    fn received(&mut self, cx: &mut Cx<Self>, client: NodeId, xfer: u64) {
        let Some(inc) = self.incoming.get(&(client, xfer)) else { return };
        let Some((name, size, ver)) = inc.head.clone() else { return };
        if (inc.got.len() as u32) < inc.of {
            return;
        }
        self.incoming.remove(&(client, xfer));
        self.done.insert((client, xfer));
        let file = File { size, ver };
        let kept = self.store(&name, file.clone());
        let newer = if kept > ver { " (a newer version is kept)" } else { "" };
        self.say(format!("client {client}: stored {name} ({size} B, {}){newer}", ver.tag()));
        let others: BTreeSet<NodeId> =
            replicas_of(&name, self.k.servers, self.k.replicas).into_iter().filter(|&s| s != self.id).collect();
        for &s in &others {
            let f = self.files[&name].clone();
            if self.k.variant == Variant::AckEarly {
                // Fire and forget: nobody waits for this copy.
                cx.send(s, Msg::Replicate { name: name.clone(), file: f });
                continue;
            }
            self.outbox.insert((name.clone(), s), f.clone());
            cx.send(s, Msg::Replicate { name: name.clone(), file: f });
            cx.cancel_timer(Timer::Retry { name: name.clone(), to: s });
            cx.set_timer(self.k.timeout, Timer::Retry { name: name.clone(), to: s });
        }
        if others.is_empty() || self.k.variant == Variant::AckEarly {
            // ack-early: only the primary has it yet.
            cx.send(client, Msg::UploadOk { xfer, copies: 1 });
        } else {
            self.waiters.insert((client, xfer), (name, ver, others));
        }
    }

    fn server_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for ((c, x), st) in &self.streams {
            out.push(format!("→ client {c} #{x} {}: {}/{} chunks sent", st.name, st.next - 1, st.of));
        }
        for ((c, x), inc) in &self.incoming {
            let name = inc.head.as_ref().map_or("?", |h| h.0.as_str());
            out.push(format!("← client {c} #{x} {name}: {}/{} chunks", inc.got.len(), inc.of));
        }
        for ((c, _), (name, _, wait)) in &self.waiters {
            let w: Vec<String> = wait.iter().map(|&s| letter(s)).collect();
            out.push(format!("{name} for client {c}: waiting for {}", w.join(", ")));
        }
        for ((name, to), f) in &self.outbox {
            out.push(format!("→ {} {name} {}: not confirmed", letter(*to), f.ver.tag()));
        }
        out
    }
}

impl Protocol for Node {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Summary = Sum;

    fn on_start(&mut self, _cx: &mut Cx<Self>) {
        self.begin();
    }

    fn on_message(&mut self, cx: &mut Cx<Self>, from: NodeId, msg: Msg) {
        self.begin();
        if self.is_server() { self.serve(cx, from, msg) } else { self.client(cx, from, msg) }
    }

    fn on_timer(&mut self, cx: &mut Cx<Self>, timer: Timer) {
        self.begin();
        match timer {
            Timer::Answer { xfer } => {
                if self.current.as_ref().is_some_and(|op| op.xfer == xfer) {
                    self.fail_over(cx, "did not answer");
                }
            }
            Timer::Retry { name, to } => {
                if let Some(f) = self.outbox.get(&(name.clone(), to)) {
                    cx.send(to, Msg::Replicate { name: name.clone(), file: f.clone() });
                    cx.set_timer(self.k.timeout, Timer::Retry { name, to });
                }
            }
            Timer::Peers { client, xfer } => {
                if let Some(g) = self.gathers.remove(&(client, xfer)) {
                    let unreachable: Vec<NodeId> = g.waiting.into_iter().collect();
                    let l: Vec<String> = unreachable.iter().map(|&s| letter(s)).collect();
                    self.say(format!("LIST for client {client}: server {} did not answer", l.join(", ")));
                    cx.send(client, Msg::Listing { xfer, names: g.names, unreachable });
                }
            }
            Timer::Pace { xfer } => {
                let k = self.k.clone();
                let Some(op) = self.current.as_mut().filter(|op| op.xfer == xfer) else { return };
                let Job::Upload { size, .. } = op.req else { return };
                if op.sent < op.of {
                    op.sent += 1;
                    let to = op.targets[op.at];
                    cx.send(to, Msg::Chunk { xfer, k: op.sent, of: op.of, bytes: k.bytes(size, op.sent) });
                }
                if op.sent < op.of {
                    cx.set_timer(PACE, Timer::Pace { xfer });
                } else {
                    // The last chunk is out: the answer is due `timeout` from now.
                    cx.cancel_timer(Timer::Answer { xfer });
                    cx.set_timer(k.timeout, Timer::Answer { xfer });
                }
            }
            Timer::Stream { client, xfer } => {
                let Some(st) = self.streams.get_mut(&(client, xfer)) else { return };
                let bytes = self.k.bytes(st.size, st.next);
                cx.send(client, Msg::Chunk { xfer, k: st.next, of: st.of, bytes });
                st.next += 1;
                if st.next <= st.of {
                    cx.set_timer(PACE, Timer::Stream { client, xfer });
                } else {
                    self.streams.remove(&(client, xfer));
                }
            }
        }
    }

    fn on_request(&mut self, cx: &mut Cx<Self>, req: Request) {
        self.begin();
        if self.is_server() {
            cx.note(format!("node {} is server {}: only clients upload, download and list", self.id, letter(self.id)));
            return;
        }
        self.queue.push_back(req);
        self.next(cx);
    }

    fn on_recover(&mut self, cx: &mut Cx<Self>) {
        self.begin();
        if self.is_server() {
            // The pending replications are on disk: send them again.
            for ((name, to), f) in &self.outbox {
                cx.send(*to, Msg::Replicate { name: name.clone(), file: f.clone() });
                cx.set_timer(self.k.timeout, Timer::Retry { name: name.clone(), to: *to });
            }
            self.say("(restarted: files and pending replications kept on disk)");
        } else {
            self.say("(restarted)");
        }
    }

    fn recovered(&self) -> Self {
        let mut fresh = Node::new(self.id, self.k.clone());
        fresh.xfers = self.xfers;
        fresh.uploads = self.uploads;
        fresh.last = self.last.clone();
        fresh.files = self.files.clone();
        fresh.outbox = self.outbox.clone();
        fresh
    }

    fn summary(&self) -> Sum {
        let progress = self.current.as_ref().and_then(|op| match op.req {
            Job::List => None,
            Job::Upload { .. } => Some(format!("↑{}/{}", op.sent, op.of)),
            _ if op.of == 0 && op.meta.is_none() => None,
            _ => Some(format!("↓{}/{}", op.got.len(), op.of)),
        });
        Sum {
            server: self.is_server(),
            // A client's map is empty: sharing it costs nothing either.
            files: self.files.clone(),
            transfers: if self.is_server() { self.server_lines() } else { Vec::new() },
            started: self.started.clone(),
            finished: self.finished.clone(),
            progress,
            busy: self.current.is_some(),
            queued: self.queue.len() as u32,
            said: self.said.clone(),
        }
    }

    fn inspect(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        if self.is_server() {
            rows.push(Row::new("server", letter(self.id)));
            let files = self.files.iter().map(|(n, f)| format!("{n}({} B {})", f.size, f.ver.tag()));
            rows.push(Row::new("files", listing(files, 8)));
            let inc = self.incoming.iter().map(|((c, x), i)| {
                let name = i.head.as_ref().map_or("?", |h| h.0.as_str());
                format!("{c}#{x}:{name} {}/{}", i.got.len(), i.of)
            });
            rows.push(Row::new("uploads arriving", listing(inc, 6)));
            let letters = |w: &BTreeSet<NodeId>| w.iter().map(|&s| letter(s)).collect::<Vec<_>>().join(",");
            let wait = self.waiters.iter().map(|((c, _), (n, _, w))| format!("{n} for {c} (waiting {})", letters(w)));
            rows.push(Row::new("awaiting replicas", listing(wait, 6)));
            let out = self.outbox.iter().map(|((n, to), f)| format!("{n}→{} {}", letter(*to), f.ver.tag()));
            rows.push(Row::new("pending replications", listing(out, 6)));
            let streams =
                self.streams.iter().map(|((c, x), st)| format!("{c}#{x}:{} {}/{}", st.name, st.next - 1, st.of));
            rows.push(Row::new("downloads sending", listing(streams, 6)));
            let gathers = self.gathers.iter().map(|((c, _), g)| format!("for {c} (waiting {})", letters(&g.waiting)));
            rows.push(Row::new("listings gathering", listing(gathers, 4)));
        } else {
            match &self.current {
                Some(op) => {
                    let what = match &op.req {
                        Job::Upload { name, size, ver } => format!("upload {name} {size} B {}", ver.tag()),
                        Job::Download { name } => format!("download {name}"),
                        Job::List => "list".into(),
                    };
                    rows.push(Row::new("operation", format!("{what} (#{})", op.xfer)));
                    rows.push(Row::new("server", letter(op.targets[op.at])));
                    let order: Vec<String> = op.targets.iter().map(|&s| letter(s)).collect();
                    rows.push(Row::new("servers to try", order.join(" → ")));
                    match op.req {
                        Job::Upload { .. } => {
                            rows.push(Row::new("progress", format!("{}/{} chunks sent", op.sent, op.of)))
                        }
                        Job::Download { .. } => {
                            rows.push(Row::new("progress", format!("{}/{} chunks received", op.got.len(), op.of)))
                        }
                        Job::List => {}
                    }
                }
                None => rows.push(Row::new("operation", "-")),
            }
            rows.push(Row::new("queued", self.queue.len()));
            rows.push(Row::new("last results", listing(self.last.iter().cloned(), 4)));
        }
        rows.push(Row::new("placement", format!("fnv1a(name) % {} then {} replicas", self.k.servers, self.k.replicas)));
        if self.k.variant == Variant::AckEarly {
            rows.push(Row::new("variant", "ack-early (BROKEN on purpose)"));
        }
        rows
    }
}

// ----- the monitor ------------------------------------------------------------

/// One client operation as the result lists it.
#[derive(Clone, Debug)]
struct OpRec {
    start: OpStart,
    /// acked-write-readable: the newest acknowledged version of the name when a download started.
    need: Option<Version>,
    /// listing-complete: the names acknowledged when a listing started.
    acked_names: Vec<String>,
    outcome: Option<Outcome>,
}

pub struct Check {
    servers: usize,
    replicas: usize,
    /// name → newest acknowledged version.
    acked: HashMap<String, Version>,
    ops: Vec<Vec<OpRec>>,
    screens: Vec<VecDeque<String>>,
    totals: Vec<usize>,
}

impl Check {
    pub fn new(n: usize, servers: usize, replicas: usize) -> Self {
        Check {
            servers,
            replicas,
            acked: HashMap::new(),
            ops: vec![Vec::new(); n],
            screens: vec![VecDeque::new(); n],
            totals: vec![0; n],
        }
    }
}

fn outcome_json(o: &Option<Outcome>) -> serde_json::Value {
    use serde_json::json;
    match o {
        None => json!({"outcome": null}),
        Some(Outcome::Uploaded { copies, ver }) => json!({"outcome": "ok", "copies": copies, "tag": ver.tag()}),
        Some(Outcome::Downloaded { size, ver }) => json!({"outcome": "ok", "size": size, "tag": ver.tag()}),
        Some(Outcome::NotFound) => json!({"outcome": "not-found"}),
        Some(Outcome::Listed { names, unreachable }) => {
            json!({"outcome": "ok", "names": names, "unreachable": unreachable})
        }
        Some(Outcome::Failed(e)) => json!({"outcome": "error", "error": e}),
    }
}

impl Monitor<Node> for Check {
    fn on_change(&mut self, w: &World<Node>, change: Change, old: Option<&Sum>) -> Vec<Violation> {
        let Change::Summary(x) = change else { return Vec::new() };
        let s = &w.summaries[x];
        if s.server && !old.is_some_and(|o| Arc::ptr_eq(&o.files, &s.files)) {
            let new = s.files.keys().filter(|n| old.is_none_or(|o| !o.files.contains_key(*n)));
            if let Some((n, e)) = new.filter_map(|n| check_name(n).err().map(|e| (n, e))).next() {
                return vec![w.violation(NAMES_VALID.name, format!("server {} stored {n:?}: {e}", letter(x)))];
            }
        }
        for line in &s.said {
            if self.screens[x].len() == SCREEN_MAX {
                self.screens[x].pop_front();
            }
            self.screens[x].push_back(line.clone());
            self.totals[x] += 1;
        }
        let mut out = Vec::new();
        // Finished before started: one event may end one operation and start the next.
        if let Some(o) = &s.finished
            && let Some(rec) = self.ops[x].iter_mut().rev().find(|r| r.outcome.is_none())
        {
            rec.outcome = Some(o.clone());
            match o {
                Outcome::Uploaded { ver, .. } => {
                    let e = self.acked.entry(rec.start.name.clone()).or_insert(*ver);
                    *e = (*e).max(*ver);
                }
                Outcome::Downloaded { ver, .. } if rec.need.is_some_and(|n| *ver < n) => {
                    out.push(w.violation(
                        ACKED_WRITE_READABLE.name,
                        format!(
                            "client {x} downloaded {} as {}, but {} was acknowledged before",
                            rec.start.name,
                            ver.tag(),
                            rec.need.expect("some").tag()
                        ),
                    ));
                }
                Outcome::NotFound if rec.need.is_some() => {
                    out.push(w.violation(
                        ACKED_WRITE_READABLE.name,
                        format!(
                            "client {x} was told {} does not exist, but {} was acknowledged",
                            rec.start.name,
                            rec.need.expect("some").tag()
                        ),
                    ));
                }
                Outcome::Listed { names, unreachable } if unreachable.is_empty() => {
                    if let Some(m) = rec.acked_names.iter().find(|n| !names.contains(n)) {
                        out.push(w.violation(
                            LISTING_COMPLETE.name,
                            format!("client {x}'s listing misses {m}, acknowledged before it started"),
                        ));
                    }
                }
                _ => {}
            }
        }
        if let Some(st) = &s.started {
            let need = (st.op == "download").then(|| self.acked.get(&st.name).copied()).flatten();
            let acked_names = if st.op == "list" { self.acked.keys().cloned().collect() } else { Vec::new() };
            self.ops[x].push(OpRec { start: st.clone(), need, acked_names, outcome: None });
        }
        out
    }

    fn at_quiescence(&mut self, w: &World<Node>) -> Vec<Violation> {
        if (0..self.servers).any(|s| !w.alive[s]) || w.faults.group.is_some() || !w.faults.cut.is_empty() {
            return Vec::new();
        }
        let mut names: BTreeSet<&String> = BTreeSet::new();
        for s in 0..self.servers {
            names.extend(w.summaries[s].files.keys());
        }
        for name in names {
            let reps = replicas_of(name, self.servers, self.replicas);
            let held: Vec<(NodeId, Option<Version>)> =
                (0..self.servers).map(|s| (s, w.summaries[s].files.get(name).map(|f| f.ver))).collect();
            let first = held[reps[0]].1;
            let bad = held.iter().any(|(s, v)| if reps.contains(s) { *v != first } else { v.is_some() });
            if bad {
                let list: Vec<String> = held
                    .iter()
                    .map(|(s, v)| format!("{}: {}", letter(*s), v.map_or("-".into(), |v| v.tag())))
                    .collect();
                return vec![
                    w.violation(REPLICAS_EQUAL.name, format!("{name} differs at quiescence: {}", list.join(", "))),
                ];
            }
        }
        Vec::new()
    }

    fn result(&self, w: &World<Node>) -> serde_json::Value {
        use serde_json::json;
        let files: serde_json::Map<String, serde_json::Value> = (0..self.servers)
            .map(|s| {
                let list: Vec<serde_json::Value> = w.summaries[s]
                    .files
                    .iter()
                    .map(|(n, f)| json!({"name": n, "size": f.size, "tag": f.ver.tag()}))
                    .collect();
                (s.to_string(), list.into())
            })
            .collect();
        let ops: serde_json::Map<String, serde_json::Value> = (self.servers..w.n())
            .map(|c| {
                let list: Vec<serde_json::Value> = self.ops[c]
                    .iter()
                    .map(|r| {
                        let mut v = outcome_json(&r.outcome);
                        v["op"] = r.start.op.into();
                        if r.start.op != "list" {
                            v["name"] = r.start.name.clone().into();
                        }
                        v
                    })
                    .collect();
                (c.to_string(), list.into())
            })
            .collect();
        json!({"files": files, "ops": ops})
    }

    fn transcript(&self, w: &World<Node>, focus: NodeId, limit: usize, tail: usize) -> Option<Transcript> {
        let n = w.n();
        let screen = |i: NodeId| {
            if i < self.servers {
                let s = &w.summaries[i];
                let mut lines: Vec<String> =
                    s.files.iter().map(|(n, f)| format!("{n}  {} B  {}", f.size, f.ver.tag())).collect();
                if lines.is_empty() {
                    lines.push("(no files)".into());
                }
                lines.extend(s.transfers.iter().cloned());
                let total = lines.len();
                Screen {
                    node: i,
                    title: match s.files.len() {
                        1 => format!("server {} (1 file)", letter(i)),
                        k => format!("server {} ({k} files)", letter(i)),
                    },
                    lines: lines.into_iter().skip(total.saturating_sub(tail)).collect(),
                    total,
                }
            } else {
                let t = &self.screens[i];
                Screen {
                    node: i,
                    title: format!("client · {i}"),
                    lines: t.iter().skip(t.len().saturating_sub(tail)).cloned().collect(),
                    total: self.totals[i],
                }
            }
        };
        let focus = focus.min(n - 1);
        let order = std::iter::once(focus).chain((0..n).filter(|&i| i != focus));
        Some(Transcript { screens: order.take(limit).map(screen).collect(), total: n })
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
    title: "Distributed file system",
    family: Family::ClientServer,
    about: "a distributed file system with a merged directory listing: files moved as 1024-byte chunks with \
        visible progress, synchronous replication to every replica, download failover when a server crashes \
        mid-transfer, validated names; a screens pane shows every server's files and transfers",
    description: "Seed 000's file system (UPLOAD name size then the chunks → UPLOAD_SUCCESS; DOWNLOAD → SIZE then \
        the chunks, or ERROR_FILE_NOT_FOUND; LIST) over several storage servers, with seed 003's merged directory \
        listing. Nodes 0..servers are the storage servers A, B, …, the others clients. A file travels as \
        ceil(size / chunk) CHUNK messages, one per virtual millisecond, so a crash stops a transfer half-way; its \
        version (time the upload started, client, upload number) settles concurrent uploads: every server keeps \
        the highest. A name's primary is fnv1a64(name) % servers, its replicas the next `replicas` − 1 servers. \
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
            default: "2",
            help: "storage servers: nodes 0..servers (the rest are clients)",
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
        FieldCard { key: "files", help: "per server, its files as `{name, size, tag}`, sorted by name" },
        FieldCard {
            key: "ops",
            help: "per client, `{op, name, outcome}` per operation (`ok` with copies/size/tag/names, `not-found`, \
                `error`; null: in progress)",
        },
    ],
    scripts: &[
        ScriptCard {
            file: "dfs.dl",
            about: "an upload as UPLOAD and 3 CHUNKs with its progress on server A, replicated to B before \
                UPLOAD_SUCCESS (2 copies); seed 003's listing merged by A from its own files and B's; a missing \
                file; A crashes after 2 of 3 chunks of a download and the client fails over to B; A recovers with \
                its files",
        },
        ScriptCard {
            file: "dfs-broken.dl",
            about: "A acknowledges an upload whose REPLICATE was cut off, then crashes: the failover to B says \"not \
                found\" (`acked-write-readable`); after healing the lost copy is never resent (`replicas-equal`)",
        },
    ],
    action: "list files",
};

impl Algorithm for Dfs {
    type P = Node;

    fn card() -> &'static Card {
        &CARD
    }

    fn build(n: usize, params: &Params) -> Result<(Vec<Node>, Box<dyn Monitor<Node>>), String> {
        let servers = params.num::<usize>("servers", 2)?;
        if servers >= n {
            return Err(format!("parameter servers={servers}: fewer than the {n} nodes (clients need a node too)"));
        }
        let replicas = params.num::<usize>("replicas", servers)?;
        if replicas > servers {
            return Err(format!("parameter replicas={replicas}: 1 to {servers} (the number of servers)"));
        }
        let chunk = params.num::<u64>("chunk", 1024)?;
        let variant = [Variant::Correct, Variant::AckEarly][params.variant(&CARD)?];
        let timeout = crate::algos::kit::ms_param(params, "timeout", 100)?;
        let k = Knobs { servers, replicas, chunk, timeout, variant };
        Ok(((0..n).map(|i| Node::new(i, k.clone())).collect(), Box::new(Check::new(n, servers, replicas))))
    }

    /// Nodes `0..servers` are servers, as [`Node::is_server`] says.
    fn node_roles(n: usize, params: &Params) -> Vec<&'static str> {
        cs::servers_then_clients(n, params.num::<usize>("servers", 2).unwrap_or(2))
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
