//! What a fresh machine lacks, installed only when missing: Rust targets, components and
//! toolchains (rustup), redis-server (Debian), the Python venv and its tools (PyPI), the npm
//! packages (npm), and the cargo tools that are only on crates.io. A part that cannot install
//! what it needs fails: nothing is skipped.

use crate::sh::{Ctx, Outcome};

/// The toolchain the fuzzers' sanitizers and the docs.rs build need.
const NIGHTLY: &str = "nightly";
/// The declared `rust-version` of the workspace.
pub(crate) const MSRV: &str = "1.85";

pub(crate) fn toolchains(ctx: &Ctx) -> Outcome {
    let installed = ctx.cmd("rustup").args(["target", "list", "--installed"]).output()?;
    for target in ["thumbv7em-none-eabihf", "wasm32-unknown-unknown", "x86_64-unknown-linux-musl"] {
        if !installed.lines().any(|t| t == target) {
            ctx.cmd("rustup").args(["target", "add", target]).run()?;
        }
    }
    let components = ctx.cmd("rustup").args(["component", "list", "--installed"]).output()?;
    for component in ["clippy", "rustfmt"] {
        if !components.lines().any(|c| c.starts_with(component)) {
            ctx.cmd("rustup").args(["component", "add", component]).run()?;
        }
    }
    let toolchains = ctx.cmd("rustup").args(["toolchain", "list"]).output()?;
    for toolchain in [NIGHTLY, MSRV] {
        if !toolchains.lines().any(|t| t.starts_with(&format!("{toolchain}-"))) {
            ctx.cmd("rustup").args(["toolchain", "install", toolchain, "--profile", "minimal"]).run()?;
        }
    }
    Ok(())
}

pub(crate) fn system(ctx: &Ctx) -> Outcome {
    // Installed from the package lists as they are, or after refreshing them.
    let missing = !ctx.cmd("redis-server").arg("--version").succeeds();
    if missing && ctx.cmd("apt-get").args(["install", "-y", "redis-server"]).run().is_err() {
        ctx.cmd("apt-get").arg("update").run()?;
        ctx.cmd("apt-get").args(["install", "-y", "redis-server"]).run()?;
    }
    ctx.cmd("redis-server").arg("--version").run()
}

pub(crate) fn venv(ctx: &Ctx) -> Outcome {
    if !ctx.path(".venv/bin/python").exists() {
        ctx.cmd("python3").args(["-m", "venv", ".venv"]).run()?;
    }
    ctx.cmd(".venv/bin/python")
        .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
        .args(["-r", "bindings-python/requirements-test.txt", "-r", "scripts/requirements-tools.txt"])
        .run()
}

pub(crate) fn npm(ctx: &Ctx) -> Outcome {
    for dir in ["bindings-node", "bindings-node/test/apps/solidstart"] {
        ctx.cmd("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).dir(dir).run()?;
    }
    Ok(())
}

/// `cargo install` of `krate` at `version` unless `probe` already prints `expected`.
fn cargo_install(ctx: &Ctx, krate: &str, version: Option<&str>, probe: &[&str], expected: &str) -> Outcome {
    let have = ctx.cmd(probe[0]).args(&probe[1..]).output().unwrap_or_default();
    if have.contains(expected) {
        ctx.say(&format!("{krate}: {}", have.trim()));
        return Ok(());
    }
    let install = |locked: bool| {
        let command = ctx.cmd("cargo").arg("install").args(locked.then_some("--locked")).arg(krate);
        match version {
            Some(version) => command.args(["--version", version]),
            None => command,
        }
    };
    // The tool's own lockfile first; when the registry no longer offers a version it pins
    // (seen with wasm-bindgen-cli), the newest compatible versions instead.
    install(true).run().or_else(|locked| {
        ctx.say(&format!("{locked}: installing {krate} with the newest compatible dependencies"));
        install(false).run()
    })
}

/// The version of a package in Cargo.lock, as cargo itself reports it.
fn locked_version(ctx: &Ctx, package: &str) -> Result<String, String> {
    let id = ctx.cmd("cargo").args(["pkgid", package]).output()?;
    id.trim()
        .rsplit_once('@')
        .map(|(_, version)| version.to_owned())
        .ok_or_else(|| format!("cargo pkgid {package} printed {id:?}"))
}

pub(crate) fn wasm_bindgen(ctx: &Ctx) -> Outcome {
    // The CLI must be the version of the wasm-bindgen crate the build links.
    let version = locked_version(ctx, "wasm-bindgen")?;
    cargo_install(
        ctx,
        "wasm-bindgen-cli",
        Some(&version),
        &["wasm-bindgen", "--version"],
        &format!("wasm-bindgen {version}"),
    )
}

pub(crate) fn cargo_fuzz(ctx: &Ctx) -> Outcome {
    cargo_install(ctx, "cargo-fuzz", None, &["cargo", "fuzz", "--version"], "cargo-fuzz")
}

pub(crate) fn cargo_deny(ctx: &Ctx) -> Outcome {
    cargo_install(ctx, "cargo-deny", None, &["cargo", "deny", "--version"], "cargo-deny")
}

pub(crate) fn cargo_hack(ctx: &Ctx) -> Outcome {
    cargo_install(ctx, "cargo-hack", None, &["cargo", "hack", "--version"], "cargo-hack")
}
