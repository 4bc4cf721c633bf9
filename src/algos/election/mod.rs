//! Leader election on a ring and by bullying.

pub(crate) mod kit;
pub mod ring_election;
pub mod bully_election;
