//! Print the README's generated tables: `cargo run --example readme_tables`.

fn main() {
    println!("{}", distlab::tui::keymap::markdown_table());
    println!("{}", distlab::script::markdown_table());
}
