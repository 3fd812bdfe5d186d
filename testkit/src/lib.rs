//! Test support of the qstash-kit crates: 50 000 mixed requests from 64 concurrent clients
//! with every verdict checked; the HTTP conformance cases every front end runs; Redis servers
//! (TLS, Cluster) started on loopback and a scripted stand-in. Not published; it depends on
//! no front end, so every front end can use it.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support: a panic is a failed check

pub mod http_cases;
mod mixed_load;
pub mod redis_servers;
pub mod scripted_redis;

pub use mixed_load::{LoadReport, mixed_load};
