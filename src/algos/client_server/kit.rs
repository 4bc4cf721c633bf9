//! What the client/server scenarios (shared-memory, socket-echo, rpc,
//! load-balancer, dfs) share: card pieces for their parameters and the
//! role of each node when the first nodes are servers and the rest clients.
//! Each algorithm proper stays in its own file.

use crate::card::{Kind, MAX_MS, ParamCard};

pub(crate) use crate::algos::kit::VARIANT;

/// A parameter in ms, 0 allowed.
pub(crate) const fn ms_param(key: &'static str, default: &'static str, help: &'static str) -> ParamCard {
    ParamCard { key, kind: Kind::Ms { min: 0, max: MAX_MS }, default, help }
}

/// A timeout in ms: at least 1 ms.
pub(crate) const fn timeout_param(key: &'static str, default: &'static str, help: &'static str) -> ParamCard {
    ParamCard { key, kind: Kind::Ms { min: 1, max: MAX_MS }, default, help }
}

/// Nodes `0..servers` play "server", the others "client".
pub(crate) fn servers_then_clients(n: usize, servers: usize) -> Vec<&'static str> {
    (0..n).map(|i| if i < servers { "server" } else { "client" }).collect()
}
