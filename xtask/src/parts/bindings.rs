//! The Python and Node packages: each artifact built once, then tested as users get it.

use crate::sh::{Ctx, Outcome};

/// Where the Python wheel and sdist of a run are.
pub(crate) const PYTHON_DIST: &str = "target/python-dist";

pub(crate) fn python_wheel(ctx: &Ctx) -> Outcome {
    let dist = ctx.path(PYTHON_DIST);
    let _ = std::fs::remove_dir_all(&dist);
    // The wheel users get on Linux x64 (manylinux2014: glibc 2.17 and later, cross-linked with
    // zig) is the one every Python check of the run installs: one release build of the
    // extension, not one per check.
    ctx.cmd(".venv/bin/maturin")
        .args([
            "build",
            "-q",
            "--release",
            "--zig",
            "--compatibility",
            "manylinux2014",
            "-m",
            "bindings-python/Cargo.toml",
            "--out",
        ])
        .arg(&dist)
        .run()?;
    ctx.cmd(".venv/bin/maturin")
        .args(["sdist", "-m", "bindings-python/Cargo.toml", "--out"])
        .arg(&dist)
        .run()?;
    let wheel = std::fs::read_dir(&dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .find(|path| path.extension().is_some_and(|e| e == "whl"))
        .ok_or_else(|| format!("maturin left no wheel in {}", dist.display()))?;
    ctx.cmd(".venv/bin/python")
        .args(["-m", "pip", "install", "-q", "--disable-pip-version-check", "--force-reinstall", "--no-deps"])
        .arg(&wheel)
        .run()
}

pub(crate) fn python(ctx: &Ctx) -> Outcome {
    // Every rule, the vectors through the runner, FastAPI, Flask, Django, the middlewares under
    // real servers, the differential tests against the official SDK.
    ctx.cmd(".venv/bin/python")
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "bindings-python/tests"])
        .run()?;
    // Both artifacts from brand-new venvs.
    ctx.cmd("scripts/check-python-package").arg(PYTHON_DIST).run()
}

pub(crate) fn node_build(ctx: &Ctx) -> Outcome {
    // The release addon built by the napi CLI as it is published, and the WebAssembly build
    // (wasm-bindgen); the committed generated loader and types must be what the CLI makes.
    ctx.cmd("npx")
        .args(["napi", "build", "--platform", "--release", "--js", "index.js", "--dts", "index.d.ts"])
        .dir("bindings-node")
        .run()?;
    ctx.cmd("node").arg("wasm/build.mjs").dir("bindings-node").run()?;
    ctx.cmd("git")
        .args(["diff", "--exit-code", "--", "bindings-node/index.js", "bindings-node/index.d.ts"])
        .run()
        .map_err(|_| {
            "bindings-node/index.js or index.d.ts is out of date: run 'npm run build' and commit them"
                .to_owned()
        })
}

pub(crate) fn node(ctx: &Ctx) -> Outcome {
    // Two test files at a time: most of them wait on servers, builds and child processes.
    let tests: Vec<String> = std::fs::read_dir(ctx.path("bindings-node/test"))
        .map_err(|e| format!("bindings-node/test: {e}"))?
        .filter_map(|entry| entry.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.ends_with(".test.mjs"))
        .map(|name| format!("test/{name}"))
        .collect();
    if tests.is_empty() {
        return Err("no test files in bindings-node/test".into());
    }
    ctx.cmd("node").args(["--test", "--test-concurrency=2"]).args(&tests).dir("bindings-node").run()?;
    ctx.cmd("npx").args(["tsc", "--noEmit", "-p", "test/tsconfig.json"]).dir("bindings-node").run()?;
    // The npm tarball installed into an empty folder, through require, import and TypeScript.
    ctx.cmd("scripts/check-npm-package").run()
}
