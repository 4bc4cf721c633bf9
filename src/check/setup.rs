//! Acceptance setups (`assets/check/SCENARIO-VARIANT.dl`): a script whose
//! header gives the run (`# distlab: run …`), the search's bounds
//! (`# check: …`) and what each variant must give (`# expect VARIANT:
//! PROPERTY LENGTH`, `# expect correct: none`, or `lesson PROPERTY LENGTH`
//! for a correct algorithm that is not safe in the asynchronous model).
//! The acceptance test runs every one; `examples/check_table.rs` prints
//! the README's table from the same runs.

use super::cli::Bounds;
use super::{Outcome, Search, start};
use crate::lectures::{self, Overrides};
use std::time::Instant;

/// What a setup expects of one variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    None,
    /// A violation of `property` after `length` choices; `lesson`: found
    /// in the correct algorithm, explained in its documentation.
    Violation {
        property: String,
        length: u32,
        lesson: bool,
    },
}

impl Expect {
    /// What a search gave.
    pub fn of(out: &Outcome, lesson: bool) -> Expect {
        match &out.found {
            None => Expect::None,
            Some(f) => Expect::Violation { property: f.property.clone(), length: f.length, lesson },
        }
    }
}

/// The `# expect WHO: …` line of a setup.
pub fn expect(text: &str, who: &str) -> Result<Expect, String> {
    let prefix = format!("# expect {who}:");
    let line = text.lines().find_map(|l| l.strip_prefix(&prefix)).ok_or_else(|| format!("no `{prefix}` line"))?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let violation = |property: &str, length: &str, lesson| {
        let length = length.parse().map_err(|_| format!("`{prefix}`: {length:?} is no length"))?;
        Ok(Expect::Violation { property: property.to_string(), length, lesson })
    };
    match words.as_slice() {
        ["none"] => Ok(Expect::None),
        ["lesson", property, length] => violation(property, length, true),
        [property, length] => violation(property, length, false),
        _ => Err(format!("`{prefix}{line}`: expected none, PROPERTY LENGTH or lesson PROPERTY LENGTH")),
    }
}

/// One search of a setup: its outcome and its wall time in ms.
pub struct Ran {
    pub outcome: Outcome,
    pub ms: f64,
}

/// Check the setup `text` (named `name` in messages) with `param=variant`,
/// or the correct algorithm (`None`).
pub async fn run(name: &str, text: &str, variant: Option<(&str, &str)>) -> Result<Ran, String> {
    let over = Overrides {
        params: variant.map(|(k, v)| format!("{k}={v}")).into_iter().collect(),
        inline: true,
        ..Overrides::default()
    };
    let config = lectures::config(text, name, &over)?;
    let opts = Bounds::of_script(text)?.options()?;
    let started = Instant::now();
    let outcome = Search::new(start(config, text).await?, opts)?.run_to_end();
    Ok(Ran { outcome, ms: started.elapsed().as_secs_f64() * 1000.0 })
}

/// The README's table row of a setup, without its time column: `| setup |
/// breaks | steps | states broken / correct |`.
pub fn row_prefix(setup: &str, broken: &Outcome, correct: &Outcome) -> String {
    let (property, length) = broken.found.as_ref().map_or(("-".to_string(), 0), |f| (f.property.clone(), f.length));
    let lesson = match &correct.found {
        Some(f) => format!(" (correct: lesson `{}` in {})", f.property, f.length),
        None => String::new(),
    };
    format!("| `{setup}` | `{property}`{lesson} | {length} | {} / {} |", broken.stats.distinct, correct.stats.distinct)
}
