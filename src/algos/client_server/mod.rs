//! Clients and servers: IPC, RPC, load balancing and a distributed file system.

pub mod dfs;
pub(crate) mod kit;
pub mod load_balancer;
pub mod rpc;
pub mod shared_memory;
pub mod socket_echo;
