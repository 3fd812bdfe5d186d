//! Links the addon the way Node loads it (symbols resolved by the host process).
fn main() {
    napi_build::setup();
}
