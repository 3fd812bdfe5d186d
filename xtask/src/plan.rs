//! The parts of the repository's checks, each with the parts it needs, in the order a run
//! prefers to start them.

use crate::parts::{bindings, lints, packages, rust, setup};
use crate::sh::{Ctx, Outcome};

/// One part: `cargo xtask NAME`.
pub(crate) struct Part {
    pub(crate) name: &'static str,
    pub(crate) about: &'static str,
    /// The parts that must have passed first.
    pub(crate) needs: &'static [&'static str],
    /// It compiles (keeps the CPU busy), so it counts against `--jobs`; the others wait on the
    /// network or run a linter, and start whenever they are ready.
    pub(crate) builds: bool,
    pub(crate) run: fn(&Ctx) -> Outcome,
}

const fn def(
    name: &'static str,
    about: &'static str,
    needs: &'static [&'static str],
    builds: bool,
    run: fn(&Ctx) -> Outcome,
) -> Part {
    Part { name, about, needs, builds, run }
}

/// Every part, in the order a run prefers to start them.
pub(crate) const PARTS: &[Part] = &[
    // What a fresh machine lacks (Rust stable, Python 3.11 with pip and Node 20 with npm are
    // there): each installs only what is missing.
    def(
        "toolchains",
        "Rust targets and components, nightly (fuzzing, docs.rs) and 1.85 (the declared rust-version)",
        &[],
        false,
        setup::toolchains,
    ),
    def("system", "redis-server from Debian, for the replay tests", &[], false, setup::system),
    def(
        "venv",
        "the Python venv .venv: test dependencies and the tools (maturin, zig, ruff, shellcheck)",
        &[],
        false,
        setup::venv,
    ),
    def("npm", "bindings-node's npm packages, from its lockfile", &[], false, setup::npm),
    def(
        "wasm-bindgen",
        "wasm-bindgen's CLI, the version of the crate in Cargo.lock",
        &["toolchains"],
        true,
        setup::wasm_bindgen,
    ),
    def("cargo-fuzz", "cargo-fuzz", &["toolchains"], true, setup::cargo_fuzz),
    def("cargo-deny", "cargo-deny", &["toolchains"], true, setup::cargo_deny),
    def("cargo-hack", "cargo-hack", &["toolchains"], true, setup::cargo_hack),
    // The checks: first the artifacts many parts build on, then the longest parts, so that
    // the cores stay busy to the end.
    def(
        "python-wheel",
        "the Python wheel (manylinux2014, with zig) and sdist, installed into .venv",
        &["venv", "toolchains"],
        true,
        bindings::python_wheel,
    ),
    def(
        "node-build",
        "the Node addon (napi) and the WebAssembly build; the generated loader and types up to date",
        &["npm", "wasm-bindgen"],
        true,
        bindings::node_build,
    ),
    def(
        "test-rust",
        "every Rust test and doctest (Redis ones included), qstash-core's dependencies, the Rust conformance runner",
        &["toolchains", "system"],
        true,
        rust::test,
    ),
    def(
        "fuzz",
        "the fuzz corpus through the targets' properties, then each target under AddressSanitizer",
        &["cargo-fuzz"],
        true,
        rust::fuzz,
    ),
    def(
        "platform",
        "the Linux x64 musl addon in its npm platform package and the musllinux_1_2 wheel",
        &["venv", "npm", "python-wheel"],
        true,
        packages::platform,
    ),
    def(
        "lint-rust",
        "clippy -D warnings: the workspace with every feature, each crate with each feature alone, the wasm build",
        &["cargo-hack"],
        true,
        rust::clippy,
    ),
    def(
        "msrv",
        "the published crates and the Python binding checked, and the verifier and the gate tested, with Rust 1.85",
        &["toolchains"],
        true,
        rust::msrv,
    ),
    def(
        "kit-packages",
        "qstash-kit without Rust: its npm and PyPI packages installed and serving the official client",
        &["venv", "npm"],
        true,
        packages::kit,
    ),
    def(
        "python",
        "pytest (every rule, the frameworks, real servers, the official SDK), the wheel and sdist in fresh venvs",
        &["python-wheel", "system"],
        true,
        bindings::python,
    ),
    def(
        "node",
        "node --test (both builds, every framework, workerd, Deno), tsc, the npm tarball installed",
        &["node-build", "system"],
        true,
        bindings::node,
    ),
    def(
        "docs",
        "cargo doc -D warnings, and the published crates as docs.rs builds them (nightly)",
        &["toolchains"],
        true,
        rust::docs,
    ),
    def(
        "crate-packages",
        "cargo package of the crates meant for crates.io, each built from its packaged sources",
        &["toolchains"],
        true,
        packages::crates,
    ),
    def(
        "bench",
        "the benchmarks compile; the comparison benchmarks run (rounds too short to mean anything)",
        &["python-wheel", "node-build"],
        true,
        packages::bench,
    ),
    def(
        "dev-loop",
        "the local loop as qstash-kit dev prints it, with the READMEs' axum, FastAPI, Express and Next.js examples",
        &["python-wheel", "node-build"],
        true,
        packages::dev_loop,
    ),
    def(
        "no-std",
        "qstash-core for thumbv7em-none-eabihf with and without alloc, and its feature sets' unit tests",
        &["toolchains"],
        true,
        rust::no_std,
    ),
    def(
        "parity",
        "qstash-kit sends what the official TypeScript client sends",
        &["npm"],
        true,
        packages::parity,
    ),
    def("deny", "cargo deny: licenses, bans, sources (deny.toml)", &["cargo-deny"], false, lints::deny),
    def(
        "lint-python",
        "ruff check and format, mypy --strict, stubtest",
        &["python-wheel"],
        false,
        lints::python,
    ),
    def(
        "lint-js",
        "biome (lint and format), tsc --checkJs over the hand-written JavaScript (with its generated parts)",
        &["node-build"],
        false,
        lints::js,
    ),
    def("lint-shell", "shellcheck over every shell script", &["venv"], false, lints::shell),
    def("fmt", "cargo fmt --check", &["toolchains"], false, lints::fmt),
    def("self-contained", "nothing reads a path outside the repository", &[], false, lints::self_contained),
];

/// The part named `name`.
pub(crate) fn part(name: &str) -> Option<&'static Part> {
    PARTS.iter().find(|p| p.name == name)
}
