//! Print the README's table of `distlab check`'s acceptance setups:
//! `cargo run --release --example check_table` runs every
//! `assets/check/SCENARIO-VARIANT.dl` with its broken variant and with the
//! correct one (tests/check_acceptance.rs checks the README holds each
//! row's setup, property, length and states; the times are this run's).

use distlab::algos;
use distlab::check::setup;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/check");
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    println!("| setup | breaks | steps | states broken / correct | ms broken / correct |\n|---|---|---|---|---|");
    for e in algos::all() {
        for v in e.card.variants.iter().skip(1) {
            let file = format!("{}-{}.dl", e.card.name, v.name);
            let Ok(text) = std::fs::read_to_string(dir.join(&file)) else { continue };
            let run =
                |variant| rt.block_on(setup::run(&file, &text, variant)).unwrap_or_else(|e| panic!("{file}: {e}"));
            let broken = run(Some((e.card.variant_key(), v.name)));
            let correct = run(None);
            let row = setup::row_prefix(file.trim_end_matches(".dl"), &broken.outcome, &correct.outcome);
            println!("{row} {:.1} / {:.1} |", broken.ms, correct.ms);
        }
    }
}
