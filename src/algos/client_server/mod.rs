//! Clients and servers: IPC, RPC, load balancing and a distributed file system.

pub(crate) mod kit;
pub mod shared_memory;
pub mod socket_echo;
pub mod rpc;
pub mod load_balancer;
pub mod dfs;
