//! Embeds every lecture script (`assets/*.dl`) in the binary, so
//! `distlab lectures` and `distlab run --lecture NAME` work from an
//! installed binary in any directory. Writes `OUT_DIR/lectures.rs`: one
//! `(file name, text)` entry per script, sorted by file name.

use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&root).join("assets");
    // The folder: a script added or removed; each file: a script edited.
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("assets/ is readable")
        .map(|e| e.expect("a readable entry in assets/").path())
        .filter(|p| p.extension().is_some_and(|x| x == "dl"))
        .collect();
    files.sort();
    let mut out = String::from("/// Every `assets/*.dl`: (file name, text), sorted by file name.\n");
    out += "pub(crate) static EMBEDDED: &[(&str, &str)] = &[\n";
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().and_then(|n| n.to_str()).expect("a UTF-8 script name");
        let full = path.to_str().expect("a UTF-8 path to assets/");
        out += &format!("    ({name:?}, include_str!({full:?})),\n");
    }
    out += "];\n";
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("lectures.rs");
    std::fs::write(&target, out).expect("OUT_DIR/lectures.rs is writable");
}
