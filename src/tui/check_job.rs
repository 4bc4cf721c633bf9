//! A `:check` search the TUI is running (see `checking.rs`, which drives
//! it from the app): the search, when it began, and where the run's
//! inputs stood.

use crate::check::Search;
use std::time::Instant;

/// A search running in the TUI.
pub struct Checking {
    pub(super) search: Search,
    pub(super) started: Instant,
    /// Inputs of the run when the search started: the counterexample's
    /// own inputs come after them.
    pub(super) base: usize,
    pub(super) depth: u32,
}
