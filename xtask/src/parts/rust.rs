//! The Rust parts: tests, clippy over every feature, no_std, the MSRV, docs, fuzzing.

use crate::parts::setup::MSRV;
use crate::sh::{Ctx, Outcome};

const NO_STD_TARGET: &str = "thumbv7em-none-eabihf";

/// The crates with optional features (the others build one way only, which the workspace's
/// clippy covers).
const WITH_FEATURES: &[&str] = &["qstash-core", "qstash-gate", "qstash-axum", "qstash-actix", "qstash-dev"];

/// The crates meant for crates.io, whose behaviour users build on.
const PUBLISHED_LIBRARIES: &[&str] =
    &["qstash-core", "qstash-gate", "qstash-client", "qstash-axum", "qstash-actix"];

pub(crate) fn test(ctx: &Ctx) -> Outcome {
    // Tests that start redis-server are ignored by a plain `cargo test`; here it is installed.
    // The three bindings have no Rust tests of their own (their languages' suites test them,
    // built as they ship, in their parts): building them for `cargo test` would only cost.
    ctx.cmd("cargo")
        .args(["test", "--workspace", "--all-features"])
        .args([
            "--exclude",
            "qstash-verify-python",
            "--exclude",
            "qstash-verify-node",
            "--exclude",
            "qstash-verify-wasm",
        ])
        .args(["--", "--include-ignored"])
        .run()?;
    // The verifier's crate stays small: no HTTP client, Redis, CLI or async runtime in it,
    // whatever features are on.
    let tree = ctx
        .cmd("cargo")
        .args(["tree", "-p", "qstash-core", "--all-features", "-e", "normal", "--prefix", "none"])
        .output()?;
    let heavy: Vec<&str> = tree
        .lines()
        .filter(|line| ["reqwest ", "redis ", "clap ", "tokio "].iter().any(|name| line.starts_with(name)))
        .collect();
    if !heavy.is_empty() {
        return Err(format!("qstash-core depends on {}", heavy.join(", ")));
    }
    ctx.say("qstash-core depends on none of reqwest, redis, clap, tokio");
    // The runner as users call it (SPEC.md §8), checked against the vectors' expectations.
    let cases = "vectors/qstash_conformance_public.jsonl";
    let printed = ctx
        .cmd("cargo")
        .args(["run", "-q", "-p", "qstash-core", "--example", "conformance", "--", cases])
        .output()?;
    let out = ctx.path("target/xtask/conformance-rust.jsonl");
    std::fs::write(&out, printed).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    ctx.cmd("python3").arg("scripts/check_conformance.py").arg(cases).arg(&out).run()
}

pub(crate) fn clippy(ctx: &Ctx) -> Outcome {
    ctx.cmd("cargo")
        .args(["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"])
        .run()?;
    // Each crate that has features with each of them alone, none and the default set: a
    // feature that only builds beside another is found here (cargo-hack).
    let mut each = ctx.cmd("cargo").args(["hack", "clippy", "--each-feature", "--exclude-all-features"]);
    for krate in WITH_FEATURES {
        each = each.args(["-p", krate]);
    }
    each.args(["--", "-D", "warnings"]).run()?;
    // The WebAssembly half of the npm package, linted as it is built.
    ctx.cmd("cargo")
        .args([
            "clippy",
            "-p",
            "qstash-verify-wasm",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ])
        .run()
}

pub(crate) fn no_std(ctx: &Ctx) -> Outcome {
    // No OS and no allocator, then no OS with an allocator: the crate must build for both.
    ctx.cmd("cargo")
        .args(["build", "-p", "qstash-core", "--no-default-features", "--target", NO_STD_TARGET])
        .run()?;
    ctx.cmd("cargo")
        .args([
            "build",
            "-p",
            "qstash-core",
            "--no-default-features",
            "--features",
            "alloc",
            "--target",
            NO_STD_TARGET,
        ])
        .run()?;
    // The feature sets also pass their own unit tests on the host.
    ctx.cmd("cargo").args(["test", "-p", "qstash-core", "--no-default-features", "--lib"]).run()?;
    ctx.cmd("cargo")
        .args(["test", "-p", "qstash-core", "--no-default-features", "--features", "alloc", "--lib"])
        .run()
}

pub(crate) fn msrv(ctx: &Ctx) -> Outcome {
    let toolchain = format!("+{MSRV}");
    let target_dir = ctx.path("target/msrv");
    // Every published crate, and the Python binding (an sdist builds it with the user's own
    // Rust), compiles with the declared rust-version, tests and examples included…
    let mut check = ctx.cmd("cargo").arg(&toolchain).args(["check", "--all-features", "--all-targets"]);
    for krate in PUBLISHED_LIBRARIES.iter().chain(&["qstash-dev", "qstash-kit", "qstash-verify-python"]) {
        check = check.args(["-p", krate]);
    }
    check.arg("--target-dir").arg(&target_dir).run()?;
    // …and the verifier and the gate, which every front end is built on, pass their tests
    // built with it.
    ctx.cmd("cargo")
        .arg(&toolchain)
        .args(["test", "--all-features", "-p", "qstash-core", "-p", "qstash-gate"])
        .arg("--target-dir")
        .arg(&target_dir)
        .run()?;
    // Not used again by the run.
    std::fs::remove_dir_all(&target_dir).map_err(|e| format!("cannot remove {}: {e}", target_dir.display()))
}

pub(crate) fn docs(ctx: &Ctx) -> Outcome {
    ctx.cmd("cargo")
        .args(["doc", "--workspace", "--all-features", "--no-deps"])
        .env("RUSTDOCFLAGS", "-D warnings")
        .run()?;
    // The published crates as docs.rs builds them: nightly, every feature, `--cfg docsrs`.
    let mut docs_rs = ctx.cmd("cargo").args([
        "+nightly",
        "doc",
        "--all-features",
        "--no-deps",
        "--target-dir",
        "target/docs-rs",
    ]);
    for krate in PUBLISHED_LIBRARIES {
        docs_rs = docs_rs.args(["-p", krate]);
    }
    docs_rs.env("RUSTDOCFLAGS", "--cfg docsrs -D warnings").run()
}

pub(crate) fn fuzz(ctx: &Ctx) -> Outcome {
    // The committed corpus replayed through the targets' properties (stable).
    ctx.cmd("cargo").args(["test", "-q", "--manifest-path", "fuzz/Cargo.toml"]).run()?;
    // Every target built once under AddressSanitizer (nightly), then run two at a time (each
    // run is one process on one core) on a scratch copy of its corpus: any crash, leak or
    // timeout fails the part and leaves the input under fuzz/artifacts/.
    // No LTO: it would cost minutes of linking seven instrumented programs and adds nothing to
    // what a short run finds.
    ctx.cmd("cargo")
        .args(["+nightly", "fuzz", "build"])
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .dir("fuzz")
        .run()?;
    let list = ctx.cmd("cargo").args(["+nightly", "fuzz", "list"]).dir("fuzz").output()?;
    let targets: Vec<String> = list.lines().map(str::to_owned).filter(|t| !t.is_empty()).collect();
    let seconds = std::env::var("FUZZ_SECONDS").unwrap_or_else(|_| "30".into());
    let scratch = ctx.path("target/xtask/fuzz-scratch");
    let _ = std::fs::remove_dir_all(&scratch);
    let results: Vec<(String, Outcome)> = std::thread::scope(|scope| {
        let mut results = Vec::new();
        for pair in targets.chunks(2) {
            let runs: Vec<_> = pair
                .iter()
                .map(|target| {
                    let (scratch, seconds) = (scratch.join(target), seconds.clone());
                    scope.spawn(move || {
                        std::fs::create_dir_all(&scratch)
                            .map_err(|e| format!("{}: {e}", scratch.display()))?;
                        ctx.cmd("cargo")
                            .args(["+nightly", "fuzz", "run", target])
                            .env("CARGO_PROFILE_RELEASE_LTO", "false")
                            .arg(&scratch)
                            .arg(format!("corpus/{target}"))
                            .args([
                                "--",
                                &format!("-max_total_time={seconds}"),
                                "-timeout=10",
                                "-max_len=4096",
                            ])
                            .dir("fuzz")
                            .run()
                    })
                })
                .collect();
            for (target, run) in pair.iter().zip(runs) {
                let outcome = run.join().unwrap_or_else(|_| Err("the run's thread panicked".into()));
                results.push((target.clone(), outcome));
            }
        }
        results
    });
    let _ = std::fs::remove_dir_all(&scratch);
    let failed: Vec<String> = results
        .into_iter()
        .filter_map(|(target, outcome)| outcome.err().map(|why| format!("{target}: {why}")))
        .collect();
    if failed.is_empty() {
        ctx.say(&format!("{} fuzz targets ran {seconds} s each without a finding", targets.len()));
        Ok(())
    } else {
        Err(format!("fuzz target(s) failed (inputs under fuzz/artifacts/): {}", failed.join("; ")))
    }
}
