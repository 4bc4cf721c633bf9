//! The simulator. It knows nothing of terminals.

pub mod actor;
pub mod clocks;
pub mod export;
pub mod history;
pub mod input;
pub mod invariant;
pub mod network;
pub mod protocol;
pub mod queue;
pub mod record;
pub mod rng;
pub mod sim;
pub mod trace;
