//! Print the README's generated tables: `cargo run --example readme_tables`
//! (keys, commands, scenarios, lecture scripts; tests/readme.rs checks the
//! README holds each of them exactly).

fn main() {
    let entries = distlab::algos::all();
    println!("{}", distlab::tui::keymap::markdown_table());
    println!("{}", distlab::script::markdown_table());
    println!("{}", distlab::card::markdown_table(entries.iter().map(|e| e.card)));
    println!("{}", distlab::card::scripts_markdown(entries.iter().map(|e| e.card)));
}
