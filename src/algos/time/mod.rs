//! Time: physical clock synchronisation and logical clocks.

pub mod berkeley;
pub mod logical_clocks;
