//! dfs: the node, a storage server or a client by its id (nodes
//! `0..servers` are servers): the client's operations with their failover,
//! the server's chunked transfers, synchronous replication and the merged
//! listing.

use super::names::{check_name, letter, replicas_of};
use super::{File, Knobs, Msg, OpStart, Outcome, PACE, Request, SIZE_MAX, Sum, Timer, Variant, Version};
use crate::algos::kit::listing;
use crate::engine::protocol::{Cx, NodeId, Protocol, Row, Time};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

/// A client's operation in progress.
#[derive(Clone, Debug, PartialEq, Hash)]
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
#[derive(Clone, Debug, PartialEq, Hash)]
enum Job {
    Upload { name: String, size: u64, ver: Version },
    Download { name: String },
    List,
}

/// An upload arriving at a server.
#[derive(Clone, Debug, PartialEq, Hash)]
struct Incoming {
    head: Option<(String, u64, Version)>,
    of: u32,
    got: BTreeSet<u32>,
}

/// A download a server is sending: (name, size, next chunk, chunks).
#[derive(Clone, Debug, PartialEq, Hash)]
struct Stream {
    name: String,
    size: u64,
    next: u32,
    of: u32,
}

/// A listing server A is putting together for a client.
#[derive(Clone, Debug, PartialEq, Hash)]
struct Gather {
    names: Vec<String>,
    waiting: BTreeSet<NodeId>,
}

#[derive(Clone, Debug, Hash)]
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
    pub(super) fn new(id: NodeId, k: Knobs) -> Self {
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
            out.push(format!("→ client {c} xfer {x} {}: {}/{} chunks sent", st.name, st.next - 1, st.of));
        }
        for ((c, x), inc) in &self.incoming {
            let name = inc.head.as_ref().map_or("?", |h| h.0.as_str());
            out.push(format!("← client {c} xfer {x} {name}: {}/{} chunks", inc.got.len(), inc.of));
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
                format!("{name} {}/{} (c{c} xfer {x})", i.got.len(), i.of)
            });
            rows.push(Row::new("uploads arriving", listing(inc, 6)));
            let letters = |w: &BTreeSet<NodeId>| w.iter().map(|&s| letter(s)).collect::<Vec<_>>().join(",");
            let wait = self.waiters.iter().map(|((c, _), (n, _, w))| format!("{n} for {c} (waiting {})", letters(w)));
            rows.push(Row::new("awaiting replicas", listing(wait, 6)));
            let out = self.outbox.iter().map(|((n, to), f)| format!("{n}→{} {}", letter(*to), f.ver.tag()));
            rows.push(Row::new("pending replications", listing(out, 6)));
            let streams = self
                .streams
                .iter()
                .map(|((c, x), st)| format!("{} {}/{} (c{c} xfer {x})", st.name, st.next - 1, st.of));
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
                    rows.push(Row::new("operation", format!("{what} (xfer {})", op.xfer)));
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
