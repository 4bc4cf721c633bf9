//! Leader election on a ring and by bullying.

pub mod bully_election;
pub(crate) mod kit;
pub mod ring_election;
