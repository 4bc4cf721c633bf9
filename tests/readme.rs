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
fn readme_lists_every_scenario_and_verb() {
    let text = readme();
    for e in distlab::algos::all() {
        assert!(text.contains(&format!("`{}`", e.card.name)), "README misses scenario {}", e.card.name);
        for v in e.info.verbs {
            assert!(text.contains(&format!("`{}`", v.usage)), "README misses verb `{}`", v.usage);
        }
        for p in e.info.params {
            assert!(text.contains(&format!("`{}`", p.key)), "README misses parameter `{}` of {}", p.key, e.card.name);
        }
        for r in e.info.results {
            assert!(
                text.contains(&format!("`{}`", r.key)),
                "README misses result field `{}` of {}",
                r.key,
                e.card.name
            );
        }
    }
}
