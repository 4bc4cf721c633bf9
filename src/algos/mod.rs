//! The algorithms, one file each, and the registry that names them.

pub mod berkeley;
pub mod bss;
pub mod bully_election;
pub mod causal_order;
pub mod central_lock;
pub mod chat;
pub mod chat_rooms;
pub mod dfs;
pub mod lamport_mutex;
pub mod load_balancer;
pub mod logical_clocks;
pub mod ricart_agrawala;
pub mod ring_election;
pub mod rpc;
pub mod shared_memory;
pub mod socket_echo;
pub mod suzuki_kasami;
pub mod token_ring;

mod election;
mod mutex;
mod screens;
mod token;

use crate::engine::input::Input;
use crate::engine::protocol::{MS, NodeId, Time};
use crate::engine::trace::RunConfig;
use crate::scenario::{AlgoInfo, Algorithm, Params, Run, Scenario};
use futures::future::LocalBoxFuture;

/// Opens a scenario from its configuration.
pub type Opener = fn(RunConfig) -> LocalBoxFuture<'static, Result<Box<dyn Scenario>, String>>;

/// A registered scenario: its description and how to open it.
pub struct Entry {
    pub info: &'static AlgoInfo,
    pub open: Opener,
}

fn open<A: Algorithm>(config: RunConfig) -> LocalBoxFuture<'static, Result<Box<dyn Scenario>, String>> {
    Box::pin(async move { Run::<A>::new(config).await.map(|r| Box::new(r) as Box<dyn Scenario>) })
}

fn entry<A: Algorithm>() -> Entry {
    Entry { info: A::info(), open: open::<A> }
}

/// Every scenario, in the order the picker lists them.
pub fn all() -> Vec<Entry> {
    vec![
        entry::<ricart_agrawala::RicartAgrawala>(),
        entry::<ring_election::RingElection>(),
        entry::<suzuki_kasami::SuzukiKasami>(),
        entry::<lamport_mutex::LamportMutex>(),
        entry::<central_lock::CentralLock>(),
        entry::<token_ring::TokenRing>(),
        entry::<bully_election::BullyElection>(),
        entry::<berkeley::Berkeley>(),
        entry::<logical_clocks::LogicalClocks>(),
        entry::<chat::Chat>(),
        entry::<chat_rooms::ChatRooms>(),
        entry::<causal_order::CausalOrder>(),
        entry::<shared_memory::SharedMemory>(),
        entry::<socket_echo::SocketEcho>(),
        entry::<rpc::Rpc>(),
        entry::<load_balancer::LoadBalancer>(),
        entry::<dfs::Dfs>(),
    ]
}

pub fn find(name: &str) -> Result<Entry, String> {
    all().into_iter().find(|e| e.info.name == name).ok_or_else(|| {
        let names: Vec<&str> = all().iter().map(|e| e.info.name).collect();
        format!("unknown scenario {name:?}; valid scenarios: {}", names.join(", "))
    })
}

/// Open a scenario from its configuration (must run inside a tokio runtime
/// when the configuration asks for actors).
pub async fn open_run(config: RunConfig) -> Result<Box<dyn Scenario>, String> {
    let entry = find(&config.scenario)?;
    (entry.open)(config).await
}

/// The one node number of a verb like `request N` or `elect N`, checked
/// against the node count.
pub fn node_arg(verb: &str, args: &[String], n: usize) -> Result<NodeId, String> {
    match args {
        [a] => match a.parse::<NodeId>() {
            Ok(x) if x < n => Ok(x),
            Ok(x) => Err(format!("node {x} does not exist (nodes are 0..{})", n - 1)),
            Err(_) => Err(format!("`{verb} N` expects a node number, not {a:?}")),
        },
        _ => Err(format!("`{verb}` expects one node number: `{verb} N`")),
    }
}

/// A verb with one node number, as the TUI's action key sends it.
pub(crate) fn node_verb(verb: &str, node: NodeId) -> Input {
    Input::Verb { verb: verb.into(), args: vec![node.to_string()] }
}

/// A parameter in ms (`default` when not given), as virtual time.
pub(crate) fn ms_param(params: &Params, key: &str, default: u64) -> Result<Time, String> {
    Ok(params.num::<u64>(key, default)? * MS)
}

/// A timeout parameter in ms: like [`ms_param`], but at least 1 ms.
pub(crate) fn timeout_param(params: &Params, key: &str, default: u64) -> Result<Time, String> {
    let t = ms_param(params, key, default)?;
    if t == 0 {
        return Err(format!("parameter {key} must be at least 1 ms"));
    }
    Ok(t)
}

/// Virtual time in ms, without trailing zeros (`12.5`).
pub(crate) fn time_ms(t: Time) -> String {
    let s = format!("{}.{:03}", t / MS, t % MS);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// At most `max` items, then "… +K more"; "-" for none.
pub(crate) fn listing(items: impl Iterator<Item = String>, max: usize) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut total = 0;
    for item in items {
        if total < max {
            out.push(item);
        }
        total += 1;
    }
    if total == 0 {
        return "-".into();
    }
    if total > max {
        out.push(format!("… +{} more", total - max));
    }
    out.join(" ")
}
