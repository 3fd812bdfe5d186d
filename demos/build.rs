//! Writes the repository README's axum example (its first `rust,no_run` block) where the
//! `readme-axum` binary includes it, so the local-loop check runs that example exactly as
//! printed, with no copy to drift from it.

use std::path::Path;

const OPENING: &str = "```rust,no_run\n";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    println!("cargo:rerun-if-changed={}", readme.display());
    let text = std::fs::read_to_string(&readme)?;
    let start = text.find(OPENING).ok_or("the README has no rust,no_run block")? + OPENING.len();
    let length = text[start..].find("\n```").ok_or("the README's rust,no_run block has no end")? + 1;
    let out = Path::new(&std::env::var("OUT_DIR")?).join("readme_axum.rs");
    std::fs::write(out, &text[start..start + length])?;
    Ok(())
}
