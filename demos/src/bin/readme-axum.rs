//! The repository README's axum example, exactly as printed there (see `build.rs`): `cargo run
//! -p qstash-demos --bin readme-axum`, keys from the environment, port from `PORT`. The
//! local-loop check (`scripts/check-dev-loop`) runs it against `qstash-kit dev`.

include!(concat!(env!("OUT_DIR"), "/readme_axum.rs"));
