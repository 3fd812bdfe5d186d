//! The packages as users install them, and the checks built on them: the platform packages
//! beyond this machine's own, the command line without Rust, the crates as `cargo publish`
//! uploads them, the benchmarks, the local loop and the parity with the official client.

use crate::parts::bindings::PYTHON_DIST;
use crate::sh::{Ctx, Outcome};

pub(crate) fn platform(ctx: &Ctx) -> Outcome {
    // The manylinux2014 wheel is the Python part's; this adds the musl builds.
    ctx.cmd("scripts/build-platform-packages").arg(PYTHON_DIST).run()
}

pub(crate) fn kit(ctx: &Ctx) -> Outcome {
    ctx.cmd("scripts/check-kit-packages").run()
}

pub(crate) fn crates(ctx: &Ctx) -> Outcome {
    // Cargo unpacks the workspace's packages into a local registry named by the workspace's
    // path and keeps it, and the version stays 0.1.0 between changes: a second run in the same
    // folder would build the dependents against the first run's sources. Those local
    // registries (their names start with '-') go first.
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".cargo")))
        .ok_or("neither CARGO_HOME nor HOME is set")?;
    for folder in ["registry/src", "registry/cache", "registry/index"] {
        let Ok(entries) = std::fs::read_dir(home.join(folder)) else { continue };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with('-') {
                let path = entry.path();
                std::fs::remove_dir_all(&path)
                    .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
            }
        }
    }
    // The crates meant for crates.io (the bindings, the test kit and this tool say
    // `publish = false`), each built from its packaged sources.
    let mut package = ctx.cmd("cargo").args(["package", "--allow-dirty"]);
    for krate in published(ctx)? {
        package = package.args(["-p", &krate]);
    }
    package.run()
}

/// The workspace's packages whose manifest does not say `publish = false` (`publish` is `[]`
/// for those in `cargo metadata`), read by Python's JSON module.
fn published(ctx: &Ctx) -> Result<Vec<String>, String> {
    let metadata = ctx.path("target/xtask/metadata.json");
    let members = ctx.cmd("cargo").args(["metadata", "--no-deps", "--format-version", "1"]).output()?;
    std::fs::write(&metadata, members).map_err(|e| format!("cannot write {}: {e}", metadata.display()))?;
    let names = ctx
        .cmd("python3")
        .args(["-c", "import json, sys; print(*(p['name'] for p in json.load(open(sys.argv[1]))['packages'] if p['publish'] != []))"])
        .arg(&metadata)
        .output()?;
    let crates: Vec<String> = names.split_whitespace().map(str::to_owned).collect();
    if crates.is_empty() {
        return Err("cargo metadata listed no package to publish".into());
    }
    Ok(crates)
}

pub(crate) fn bench(ctx: &Ctx) -> Outcome {
    ctx.cmd("cargo").args(["bench", "-p", "qstash-core", "--bench", "verify", "--no-run"]).run()?;
    // The comparison benchmarks with rounds far too short to mean anything, so that they keep
    // running; their figures come from full runs (bench/).
    ctx.cmd("cargo")
        .args(["build", "--release", "-q", "-p", "qstash-core", "--example", "verify_cost"])
        .run()?;
    ctx.cmd(".venv/bin/python").args(["bench/python_vs_official.py", "0.01"]).run()?;
    ctx.cmd("node").args(["bench/node_vs_official.mjs", "0.01"]).run()
}

pub(crate) fn dev_loop(ctx: &Ctx) -> Outcome {
    // The local loop exactly as `qstash-kit dev` prints it, with the READMEs' axum (built from
    // the README by the demos crate), FastAPI, Express and Next.js examples.
    ctx.cmd("cargo")
        .args(["build", "-q", "--workspace", "--all-features", "--bin", "qstash-kit", "--bin", "readme-axum"])
        .run()?;
    ctx.cmd("scripts/check-dev-loop").run()
}

pub(crate) fn parity(ctx: &Ctx) -> Outcome {
    // qstash-kit and the official TypeScript client (from bindings-node's lockfile) send
    // identical publish, enqueue and URL-group requests.
    ctx.cmd("cargo").args(["build", "-q", "-p", "qstash-kit"]).run()?;
    ctx.cmd("node").args(["cli/tests/parity/official_client.mjs", "target/debug/qstash-kit"]).run()
}
