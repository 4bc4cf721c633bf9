//! The registry: every scenario, grouped by family, one line each. The
//! algorithms live in their family's folder with its shared kit; what every
//! family may use is in `kit`.

pub mod client_server;
// TEMP pub mod election;
// TEMP pub mod group;
pub mod kit;
pub mod mutex;
// TEMP pub mod time;

use crate::engine::trace::RunConfig;
use crate::card::Card;
use crate::scenario::{Algorithm, Run, Scenario};
use futures::future::LocalBoxFuture;

/// Opens a scenario from its configuration.
pub type Opener = fn(RunConfig) -> LocalBoxFuture<'static, Result<Box<dyn Scenario>, String>>;

/// A registered scenario: its card and how to open it.
pub struct Entry {
    pub card: &'static Card,
    pub open: Opener,
}

fn open<A: Algorithm>(config: RunConfig) -> LocalBoxFuture<'static, Result<Box<dyn Scenario>, String>> {
    Box::pin(async move { Run::<A>::new(config).await.map(|r| Box::new(r) as Box<dyn Scenario>) })
}

fn entry<A: Algorithm>() -> Entry {
    Entry { card: A::card(), open: open::<A> }
}

/// Every scenario, in the order the picker lists them.
pub fn all() -> Vec<Entry> {
    vec![
        entry::<mutex::ricart_agrawala::RicartAgrawala>(),
// TEMP        entry::<election::ring_election::RingElection>(),
// TEMP        entry::<mutex::suzuki_kasami::SuzukiKasami>(),
// TEMP        entry::<mutex::lamport_mutex::LamportMutex>(),
// TEMP        entry::<mutex::central_lock::CentralLock>(),
// TEMP        entry::<mutex::token_ring::TokenRing>(),
// TEMP        entry::<election::bully_election::BullyElection>(),
// TEMP        entry::<time::berkeley::Berkeley>(),
// TEMP        entry::<time::logical_clocks::LogicalClocks>(),
// TEMP        entry::<group::chat::Chat>(),
// TEMP        entry::<group::chat_rooms::ChatRooms>(),
// TEMP        entry::<group::causal_order::CausalOrder>(),
        entry::<client_server::shared_memory::SharedMemory>(),
        entry::<client_server::socket_echo::SocketEcho>(),
        entry::<client_server::rpc::Rpc>(),
        entry::<client_server::load_balancer::LoadBalancer>(),
        entry::<client_server::dfs::Dfs>(),
    ]
}

pub fn find(name: &str) -> Result<Entry, String> {
    all().into_iter().find(|e| e.card.name == name).ok_or_else(|| {
        let names: Vec<&str> = all().iter().map(|e| e.card.name).collect();
        format!("unknown scenario {name:?}; valid scenarios: {}", names.join(", "))
    })
}

/// Open a scenario from its configuration (must run inside a tokio runtime
/// when the configuration asks for actors).
pub async fn open_run(config: RunConfig) -> Result<Box<dyn Scenario>, String> {
    let entry = find(&config.scenario)?;
    (entry.open)(config).await
}

