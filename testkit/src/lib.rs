//! The client side shared by the middleware crates' demos and load tests: the deliveries a
//! demo sends (valid and tampered), and 50 000 mixed requests from 64 concurrent clients with
//! every verdict checked; the HTTP conformance cases every front end runs. Not published; the
//! server side stays in each crate.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support: a panic is a failed check

mod demo;
pub mod http_cases;
mod mixed_load;
pub mod redis_servers;
pub mod scripted_redis;

pub use demo::{DemoRow, run_demo};
pub use mixed_load::{LoadReport, mixed_load};

/// The Rust examples of the repository's README, compiled and run as doctests (the published
/// crates cannot reach a file outside their package, this unpublished one can).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct RepositoryReadme;
