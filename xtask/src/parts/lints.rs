//! The linters of every language: rustfmt, ruff, mypy and stubtest, biome and `tsc
//! --checkJs`, shellcheck, cargo-deny; and the check that the repository stands on its own.

use crate::sh::{Ctx, Outcome};

pub(crate) fn fmt(ctx: &Ctx) -> Outcome {
    ctx.cmd("cargo").args(["fmt", "--all", "--", "--check"]).run()
}

pub(crate) fn self_contained(ctx: &Ctx) -> Outcome {
    ctx.cmd("scripts/check-self-contained").run()
}

/// The tracked files whose first line names `interpreter` (scripts without an extension).
fn scripts_of(ctx: &Ctx, interpreter: &str) -> Result<Vec<String>, String> {
    let files = ctx.cmd("git").args(["ls-files"]).output()?;
    Ok(files
        .lines()
        .filter(|path| !path.starts_with("fuzz/corpus/"))
        .filter(|path| {
            std::fs::read(ctx.path(path)).is_ok_and(|bytes| {
                let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
                first.starts_with(b"#!") && String::from_utf8_lossy(first).contains(interpreter)
            })
        })
        .map(str::to_owned)
        .collect())
}

pub(crate) fn python(ctx: &Ctx) -> Outcome {
    // Every Python file: the package, its tests, the scripts (with and without `.py`) and the
    // benchmarks, by the rules of ruff.toml.
    let mut files = vec!["bindings-python".to_owned(), "bench".to_owned(), "scripts".to_owned()];
    files.extend(scripts_of(ctx, "python")?);
    ctx.cmd(".venv/bin/ruff").arg("check").args(&files).run()?;
    ctx.cmd(".venv/bin/ruff").args(["format", "--check"]).args(&files).run()?;
    // The installed package as a type checker meets it, from an empty folder (started next to
    // the package, mypy would take everything beside it in site-packages for the user's own):
    // the typed wrapper under --strict, and the stubs of the native module matching it.
    let empty = ctx.path("target/xtask/mypy");
    std::fs::create_dir_all(&empty).map_err(|e| format!("{}: {e}", empty.display()))?;
    let python = ctx.path(".venv/bin/python");
    ctx.cmd(&python).args(["-m", "mypy", "--strict", "-p", "qstash_verify"]).dir(&empty).run()?;
    ctx.cmd(&python)
        .args(["-m", "mypy.stubtest", "--ignore-disjoint-bases", "qstash_verify._native"])
        .dir(&empty)
        .run()
}

pub(crate) fn js(ctx: &Ctx) -> Outcome {
    ctx.cmd("npx").args(["biome", "check", "--error-on-warnings"]).dir("bindings-node").run()?;
    ctx.cmd("npx").args(["tsc", "-p", "tsconfig.checkjs.json"]).dir("bindings-node").run()
}

pub(crate) fn shell(ctx: &Ctx) -> Outcome {
    let scripts = scripts_of(ctx, "bash")?;
    if scripts.is_empty() {
        return Err("found no shell script to check".into());
    }
    ctx.say(&format!("{} shell scripts: {}", scripts.len(), scripts.join(" ")));
    ctx.cmd(".venv/bin/shellcheck").args(&scripts).run()
}

pub(crate) fn deny(ctx: &Ctx) -> Outcome {
    // The advisory database cannot be fetched from this machine's registries-only network, so
    // `advisories` is not among the checks run here.
    ctx.cmd("cargo").args(["deny", "--all-features", "check", "licenses", "bans", "sources"]).run()
}
