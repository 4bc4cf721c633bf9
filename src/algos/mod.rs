//! The registry: every scenario, grouped by family, one line each. The
//! algorithms live in their family's folder with its shared kit; what every
//! family may use is in `kit`.

pub mod client_server;
pub mod election;
pub mod group;
pub mod kit;
pub mod mutex;
pub mod time;

use crate::card::Card;
use crate::engine::trace::RunConfig;
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

/// Every scenario, family by family, in the order the picker lists them.
pub fn all() -> Vec<Entry> {
    vec![
        entry::<mutex::ricart_agrawala::RicartAgrawala>(),
        entry::<mutex::suzuki_kasami::SuzukiKasami>(),
        entry::<mutex::lamport_mutex::LamportMutex>(),
        entry::<mutex::central_lock::CentralLock>(),
        entry::<mutex::token_ring::TokenRing>(),
        entry::<election::ring_election::RingElection>(),
        entry::<election::bully_election::BullyElection>(),
        entry::<time::berkeley::Berkeley>(),
        entry::<time::logical_clocks::LogicalClocks>(),
        entry::<group::chat::Chat>(),
        entry::<group::chat_rooms::ChatRooms>(),
        entry::<group::causal_order::CausalOrder>(),
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
