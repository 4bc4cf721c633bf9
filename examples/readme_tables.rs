//! Print the README's generated tables: `cargo run --example readme_tables`
//! (keys, commands, scenarios, lecture scripts; tests/readme.rs checks the
//! README holds each of them exactly).

fn script_text(file: &str) -> String {
    std::fs::read_to_string(format!("{}/assets/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap_or_default()
}

fn main() {
    let entries = distlab::algos::all();
    println!("{}", distlab::tui::keymap::markdown_table());
    println!("{}", distlab::script::markdown_table());
    println!("{}", distlab::card::markdown_table(entries.iter().map(|e| e.card)));
    println!("{}", distlab::card::scripts_markdown(entries.iter().map(|e| e.card), script_text));
}
