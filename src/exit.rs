//! What a headless command answers with: one JSON object and an exit
//! code (0 all held, 1 a property or expectation failed, 2 bad usage).
//! Shared by `run --headless`, `replay --headless` and `check`.

use crate::scenario::Scenario;

pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// The outcome of a headless command: the JSON to print and the exit code.
pub struct Report {
    pub json: serde_json::Value,
    pub code: i32,
    pub scenario: Option<Box<dyn Scenario>>,
}

/// Bad input: its message (one line) is the report.
pub fn usage_error(message: String) -> Report {
    Report { json: serde_json::json!({ "error": crate::files::one_line(&message) }), code: EXIT_USAGE, scenario: None }
}
