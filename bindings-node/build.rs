//! Links the addon the way Node loads it (symbols resolved by the host process).
fn main() {
    napi_build::setup();
    // Only this script decides what it prints: without the line, cargo would scan the whole
    // package folder (node_modules included, which npm may be rewriting meanwhile).
    println!("cargo:rerun-if-changed=build.rs");
}
