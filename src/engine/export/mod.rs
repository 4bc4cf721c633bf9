//! Exports of a run's history to other tools' formats.

pub mod shiviz;
