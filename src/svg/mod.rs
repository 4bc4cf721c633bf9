//! Pictures for slides and notes, as standalone SVG: a run's space-time
//! diagram ([`diagram`], drawn from the history records, not from the
//! terminal pane) and a whole TUI screen ([`screen`], a ratatui buffer cell
//! by cell; the README screenshots are rasterised from it). Colours come
//! from a theme's table; under mono (`NO_COLOR`) the picture is black on
//! white and every distinction is a shape or a dash pattern.
//!
//! The screen's converter lives with the terminal UI (`tui::svg`), which
//! draws with it for the `P` key: this module stands above the UI and
//! only reads it.

pub mod diagram;
pub mod export;

pub use crate::tui::svg as screen;
