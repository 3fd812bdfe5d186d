//! The demonstrations of qstash-kit, above the crates they show: README command 1
//! (`cargo run -q -p qstash-demos --example quickstart`, and `--example actix`), the repository README's axum example
//! as the `readme-axum` binary, and `replay-instance`, a second process of a service guarded
//! by a Redis replay store. Not published.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // demonstrations: a panic is a failed run

mod demo;

pub use demo::{DemoRow, run_demo};

/// The Rust examples of the repository's README, compiled and run as doctests (the published
/// crates cannot reach a file outside their package, this unpublished one can).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct RepositoryReadme;
