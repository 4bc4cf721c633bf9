//! The README's tables are generated from the code's own tables; this test
//! fails (printing the table to paste) when they drift apart.

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md is readable")
}

#[test]
fn readme_keys_table_matches_the_keymap() {
    let table = distlab::tui::keymap::markdown_table();
    assert!(readme().contains(&table), "README's Keys section must contain exactly:\n{table}");
}

#[test]
fn readme_command_table_matches_the_parser() {
    let table = distlab::script::markdown_table();
    assert!(readme().contains(&table), "README's command-language section must contain exactly:\n{table}");
}

#[test]
fn readme_scenario_table_matches_the_cards() {
    let entries = distlab::algos::all();
    let table = distlab::card::markdown_table(entries.iter().map(|e| e.card));
    assert!(readme().contains(&table), "README's Scenarios section must contain exactly:\n{table}");
}

#[test]
fn readme_script_table_matches_the_cards() {
    let entries = distlab::algos::all();
    let table = distlab::card::scripts_markdown(entries.iter().map(|e| e.card));
    assert!(readme().contains(&table), "README's Lecture scripts section must contain exactly:\n{table}");
}

#[test]
fn readme_stays_a_front_door() {
    let size = readme().len();
    assert!(size <= 28_000, "README.md is {size} bytes; the per-scenario reference belongs in the cards");
}
