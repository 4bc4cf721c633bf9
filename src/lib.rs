//! distlab: classic distributed algorithms as live, steppable simulations.

pub mod algos;
pub mod card;
pub mod check;
pub mod engine;
pub mod exit;
pub mod files;
pub mod headless;
pub mod lectures;
pub mod replay;
pub mod scenario;
pub mod script;
pub mod svg;
pub mod tui;
