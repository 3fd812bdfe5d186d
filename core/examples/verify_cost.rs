//! The cost of one `Receiver::verify` in nanoseconds, for the bindings' benchmarks to compare
//! their per-call cost with (`bench/python_vs_official.py`, `bench/node_vs_official.mjs`):
//! the same token, body, URL and tolerance, verified the way a Rust caller verifies (the
//! system clock included).
//!
//!     cargo run --release -q -p qstash-core --example verify_cost -- CURRENT NEXT TOKEN BODY_BYTES URL TOLERANCE|- SECONDS
//!
//! The body is `BODY_BYTES` of `a`, as the benchmarks use. Prints the nanoseconds per call of
//! the run, after an untimed warm-up of a fifth of it.
#![allow(clippy::expect_used, clippy::panic)] // a benchmark's bad arguments should stop it loudly

use std::hint::black_box;
use std::time::{Duration, Instant};

use qstash_core::{Receiver, Request};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [current, next, token, body_bytes, url, tolerance, seconds] = args.as_slice() else {
        panic!("usage: verify_cost CURRENT NEXT TOKEN BODY_BYTES URL TOLERANCE|- SECONDS");
    };
    let receiver = Receiver::new(current, next).expect("valid keys");
    let body = vec![b'a'; body_bytes.parse().expect("a body length")];
    let tolerance: Option<u64> = (tolerance != "-").then(|| tolerance.parse().expect("a tolerance"));
    let budget = Duration::from_secs_f64(seconds.parse().expect("seconds"));
    let verify = || {
        let mut request = Request::new(black_box(token), black_box(&body)).url(black_box(url));
        if let Some(tolerance) = tolerance {
            request = request.clock_tolerance(tolerance);
        }
        receiver.verify(&request).expect("the token verifies")
    };
    let run = |budget: Duration| {
        let (mut calls, mut batch) = (0u64, 1u64);
        let start = Instant::now();
        loop {
            for _ in 0..batch {
                black_box(verify());
            }
            calls += batch;
            let elapsed = start.elapsed();
            if elapsed >= budget {
                return elapsed.as_nanos() as f64 / calls as f64;
            }
            batch = (batch * 2).min(4096);
        }
    };
    run(budget / 5);
    println!("{:.1}", run(budget));
}
