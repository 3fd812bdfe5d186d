//! `cargo bench -p qstash-core --bench verify`: qstash-core against a `jsonwebtoken` + `sha2`
//! reference verifier and against the floor (one pre-keyed HMAC-SHA256 over the signing input
//! plus one SHA-256 over the body, nothing else), for 0 B, 1 KiB, 64 KiB and 1 MiB bodies,
//! all in one run. Ends with a table of ns/verify and ratios.
//!
//! Criterion measures each function in its own window of a few seconds; on a shared 2-vCPU
//! machine the neighbour's load changes from one window to the next (the same function moved
//! by up to 2x between windows), which makes a ratio of two windows mostly noise. The tables
//! are therefore measured separately in interleaved rounds: every round times a ~1 ms batch of
//! each implementation back to back, in rotating order, so drift hits all three alike, and
//! every round covers all four sizes, for [`SECONDS`] in all. Two tables come out of the same
//! rounds:
//!
//! - *typical*: the median over rounds of ns/verify and of the per-round ratios;
//! - *uncontended*: the fastest round of each implementation, as `timeit` reports (interference
//!   only ever adds time, so the minimum is the best estimate of the code's own cost).
//!
//! They differ because the other hyperthread of the core is sometimes busy with another
//! tenant's work for seconds at a time; that slows ordinary instructions (parsing, decoding)
//! far more than the SHA-NI chains the floor is made of, so the typical core / floor ratio
//! rises and falls with the neighbour while the uncontended one stays put.

#![allow(clippy::expect_used)] // set-up failures in a benchmark should stop it loudly

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, Mac};
use qstash_core::{Receiver, Request, Signer};
use sha2::{Digest, Sha256};

const URL: &str = "https://my-app.example.com/api/webhooks/qstash";
const SIZES: [(usize, &str); 4] =
    [(0, "0 B"), (1024, "1 KiB"), (64 * 1024, "64 KiB"), (1024 * 1024, "1 MiB")];

#[derive(serde::Deserialize)]
struct Claims {
    body: String,
}

/// The same checks as SPEC.md §3 as far as `jsonwebtoken` can express them: HS256 only,
/// current-then-next key, exp/nbf against the clock, iss, sub, then the body hash.
fn jsonwebtoken_verify(
    keys: &[jsonwebtoken::DecodingKey; 2],
    validation: &jsonwebtoken::Validation,
    token: &str,
    body: &[u8],
) -> bool {
    let Some(data) = keys.iter().find_map(|k| jsonwebtoken::decode::<Claims>(token, k, validation).ok())
    else {
        return false;
    };
    data.claims.body.trim_end_matches('=') == URL_SAFE_NO_PAD.encode(Sha256::digest(body))
}

fn floor(mac: &Hmac<Sha256>, signing_input: &[u8], signature: &[u8], body: &[u8]) -> bool {
    let mut mac = mac.clone();
    mac.update(signing_input);
    let tag_ok = mac.verify_slice(signature).is_ok();
    let digest = Sha256::digest(body);
    tag_ok & (digest[0] != 0 || digest[1] != 1)
}

/// One body size: the body, a token for it, and the token split as the floor needs it.
struct Case {
    size: usize,
    label: &'static str,
    body: Vec<u8>,
    token: String,
    signing_input: String,
    signature: Vec<u8>,
}

impl Case {
    fn new(size: usize, label: &'static str) -> Self {
        let body: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let token = Signer::dev().token(URL, &body).sign();
        let (signing_input, sig_b64) = token.rsplit_once('.').expect("three segments");
        let signature = URL_SAFE_NO_PAD.decode(sig_b64).expect("signature");
        Case { size, label, signing_input: signing_input.to_owned(), signature, body, token }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not and only smoke-runs.
    // `--profile-time` (profiling one function) skips the table too.
    let args: Vec<String> = std::env::args().collect();
    let tables = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--profile-time");
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/criterion");
    let mut c = Criterion::default()
        .output_directory(&out)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    let receiver = Receiver::dev();
    let (current, next) = (qstash_core::DEV_CURRENT_SIGNING_KEY, qstash_core::DEV_NEXT_SIGNING_KEY);
    let jwt_keys = [
        jsonwebtoken::DecodingKey::from_secret(current.as_bytes()),
        jsonwebtoken::DecodingKey::from_secret(next.as_bytes()),
    ];
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.leeway = 0;
    validation.validate_nbf = true;
    validation.validate_aud = false;
    validation.set_issuer(&["Upstash"]);
    validation.sub = Some(URL.to_owned());
    let floor_mac = Hmac::<Sha256>::new_from_slice(current.as_bytes()).expect("HMAC takes any key");

    // The floor reads no clock, so neither does the measured verify: `now` is fixed per run.
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let cases = SIZES.map(|(size, label)| Case::new(size, label));

    // The three implementations of each size, built once for both criterion and the tables.
    let mut fns: Vec<Vec<Box<dyn FnMut() -> bool + '_>>> = cases
        .iter()
        .map(|Case { body, token, signing_input, signature, .. }| -> Vec<Box<dyn FnMut() -> bool + '_>> {
            vec![
                Box::new(|| receiver.verify_at(black_box(&Request::new(token, body).url(URL)), now).is_ok()),
                Box::new(|| jsonwebtoken_verify(&jwt_keys, &validation, black_box(token), black_box(body))),
                Box::new(|| {
                    floor(
                        &floor_mac,
                        black_box(signing_input.as_bytes()),
                        black_box(signature),
                        black_box(body),
                    )
                }),
            ]
        })
        .collect();

    let mut group = c.benchmark_group("verify");
    for (Case { size, label, .. }, impls) in cases.iter().zip(fns.iter_mut()) {
        group.throughput(Throughput::Bytes(*size as u64));
        for (name, f) in ["qstash-core", "jsonwebtoken", "floor"].into_iter().zip(impls.iter_mut()) {
            assert!(f(), "{name} must accept the {label} case");
            group.bench_function(BenchmarkId::new(name, label), |b| b.iter(&mut *f));
        }
    }
    group.finish();
    c.final_summary();
    if !tables {
        return;
    }

    // One set of rounds for all sizes: each size's rounds spread over the whole window.
    let rounds = interleaved(&mut fns);
    let measured: Vec<_> = cases
        .iter()
        .enumerate()
        .map(|(size, case)| (case.label, rounds.iter().map(|round| round[size]).collect::<Vec<_>>()))
        .collect();

    println!(
        "\nqstash-core verify vs floor and jsonwebtoken reference: {} interleaved rounds over {SECONDS} s",
        rounds.len()
    );
    println!("\ntypical: median over rounds of ns/verify and of the per-round ratios");
    table(&measured, |rounds| {
        let [core, jwt, fl] = [0, 1, 2].map(|i| median(rounds.iter().map(|r| r[i]).collect()));
        let core_floor = median(rounds.iter().map(|r| r[0] / r[2]).collect());
        let jwt_core = median(rounds.iter().map(|r| r[1] / r[0]).collect());
        [core, jwt, fl, core_floor, jwt_core]
    });
    println!("\nuncontended: fastest round of each implementation, and their ratios");
    table(&measured, |rounds| {
        let [core, jwt, fl] = [0, 1, 2].map(|i| rounds.iter().map(|r| r[i]).fold(f64::INFINITY, f64::min));
        [core, jwt, fl, core / fl, jwt / core]
    });
}

/// Prints one table: per size, `[core ns, jsonwebtoken ns, floor ns, core / floor,
/// jsonwebtoken / core]` as `figures` derives them from the rounds.
fn table(measured: &[(&str, Vec<[f64; 3]>)], figures: impl Fn(&[[f64; 3]]) -> [f64; 5]) {
    println!(
        "{:>7} | {:>12} | {:>12} | {:>12} | {:>13} | {:>18}",
        "body", "qstash-core", "jsonwebtoken", "floor", "core / floor", "jsonwebtoken / core"
    );
    println!("{}", "-".repeat(90));
    for (label, rounds) in measured {
        let [core, jwt, fl, core_floor, jwt_core] = figures(rounds);
        println!(
            "{label:>7} | {core:>12.0} | {jwt:>12.0} | {fl:>12.0} | {core_floor:>12.3}x | {jwt_core:>17.2}x ({} rounds)",
            rounds.len()
        );
    }
}

const SECONDS: f64 = 16.0;

/// Runs every implementation of every size in rounds for [`SECONDS`], each round a timed batch
/// of every one (order rotating per round within a size), and returns ns per call per round,
/// size and implementation. A batch lasts about 1 ms.
fn interleaved(fns: &mut [Vec<Box<dyn FnMut() -> bool + '_>>]) -> Vec<Vec<[f64; 3]>> {
    let batches: Vec<Vec<u32>> = fns
        .iter_mut()
        .map(|size| {
            size.iter_mut()
                .map(|f| {
                    let start = Instant::now();
                    for _ in 0..20 {
                        black_box(f());
                    }
                    let per_call = start.elapsed().as_nanos().max(1) as f64 / 20.0;
                    (1_000_000.0 / per_call).clamp(1.0, 1e6) as u32
                })
                .collect()
        })
        .collect();
    let start = Instant::now();
    let mut rounds = Vec::new();
    while start.elapsed().as_secs_f64() < SECONDS || rounds.len() < 3 {
        let round = rounds.len();
        let per_size = fns
            .iter_mut()
            .zip(&batches)
            .map(|(size, batch)| {
                let mut ns = [0.0; 3];
                for k in 0..3 {
                    let i = (round + k) % 3;
                    let start = Instant::now();
                    for _ in 0..batch[i] {
                        black_box(size[i]());
                    }
                    ns[i] = start.elapsed().as_nanos() as f64 / f64::from(batch[i]);
                }
                ns
            })
            .collect();
        rounds.push(per_size);
    }
    rounds
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}
