//! Running commands for a part: from the repository root, with the run's environment, their
//! output in the part's log, a failure said with the command line that failed.

use std::ffi::OsStr;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// What a part's code gets: where the repository is, and where its output goes.
pub(crate) struct Ctx {
    pub(crate) root: PathBuf,
    log: Mutex<File>,
}

/// The result of a part or a step of one: `Err` says what failed.
pub(crate) type Outcome = Result<(), String>;

/// The environment every command of a run gets, unless the caller's environment sets the
/// variable already.
const DEFAULTS: &[(&str, &str)] = &[
    ("CARGO_TERM_COLOR", "never"),
    // Build trees of a fresh clone are built once: the incremental cache would only take disk.
    ("CARGO_INCREMENTAL", "0"),
    // Line tables keep the file and line of a failing test's backtrace at a fraction of the
    // size of full debug info (the build trees once outgrew the CI machine's disk).
    ("CARGO_PROFILE_DEV_DEBUG", "line-tables-only"),
    ("CARGO_PROFILE_TEST_DEBUG", "line-tables-only"),
    // The release builds of a run are checked, not shipped or measured (the release workflows
    // and the benchmarks' own runs use the release profile as it is): thin LTO over 16 codegen
    // units builds on every core instead of one, and the first optimization level takes a
    // fraction of the third's time, with the same meaning for every program.
    ("CARGO_PROFILE_RELEASE_LTO", "thin"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1"),
    // The replay tests start redis-server; the run installs it, so they must not skip.
    ("QSTASH_REQUIRE_REDIS", "1"),
];

impl Ctx {
    pub(crate) fn new(root: PathBuf, log: File) -> Self {
        Ctx { root, log: Mutex::new(log) }
    }

    /// A line in the part's log.
    pub(crate) fn say(&self, line: &str) {
        if let Ok(mut log) = self.log.lock() {
            let _ = writeln!(log, "{line}");
        }
    }

    /// `program` run from the repository root.
    pub(crate) fn cmd(&self, program: impl AsRef<OsStr>) -> Cmd<'_> {
        let mut command = Command::new(program.as_ref());
        command.current_dir(&self.root);
        for (name, value) in DEFAULTS {
            if std::env::var_os(name).is_none() {
                command.env(name, value);
            }
        }
        // The tools installed into the run's venv (maturin, zig, cargo-zigbuild, ruff,
        // shellcheck) come first.
        let venv = self.root.join(".venv").join("bin");
        let path = std::env::var_os("PATH").unwrap_or_default();
        let joined =
            std::env::join_paths(std::iter::once(venv).chain(std::env::split_paths(&path))).unwrap_or(path);
        command.env("PATH", joined);
        Cmd { ctx: self, shown: program.as_ref().to_string_lossy().into_owned(), command }
    }

    /// A path under the repository root.
    pub(crate) fn path(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.root.join(relative)
    }

    fn log_stdio(&self) -> Result<(Stdio, Stdio), String> {
        let log = self.log.lock().map_err(|_| "the part's log is unusable".to_owned())?;
        let out = log.try_clone().map_err(|e| format!("cannot share the part's log: {e}"))?;
        let err = log.try_clone().map_err(|e| format!("cannot share the part's log: {e}"))?;
        Ok((Stdio::from(out), Stdio::from(err)))
    }
}

/// A command being put together; `run` it (output to the log) or read its `output`.
pub(crate) struct Cmd<'a> {
    ctx: &'a Ctx,
    shown: String,
    command: Command,
}

impl Cmd<'_> {
    pub(crate) fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.shown.push(' ');
        self.shown.push_str(&arg.as_ref().to_string_lossy());
        self.command.arg(arg);
        self
    }

    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    pub(crate) fn env(mut self, name: &str, value: impl AsRef<OsStr>) -> Self {
        self.command.env(name, value);
        self
    }

    /// Runs in `dir` (relative to the repository root) instead.
    pub(crate) fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(self.ctx.root.join(dir));
        self
    }

    /// Runs it to its end, its output in the part's log; an error when it fails.
    pub(crate) fn run(mut self) -> Outcome {
        self.ctx.say(&format!("$ {}", self.shown));
        let (out, err) = self.ctx.log_stdio()?;
        let status = self
            .command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .status()
            .map_err(|e| format!("cannot start `{}`: {e}", self.shown))?;
        if status.success() { Ok(()) } else { Err(format!("`{}` failed ({status})", self.shown)) }
    }

    /// Runs it to its end and returns its standard output (its errors go to the log).
    pub(crate) fn output(mut self) -> Result<String, String> {
        self.ctx.say(&format!("$ {}", self.shown));
        let (_, err) = self.ctx.log_stdio()?;
        let output = self
            .command
            .stdin(Stdio::null())
            .stderr(err)
            .output()
            .map_err(|e| format!("cannot start `{}`: {e}", self.shown))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(format!("`{}` failed ({})", self.shown, output.status))
        }
    }

    /// Whether it runs and succeeds, its output discarded (a probe: is a tool there?).
    pub(crate) fn succeeds(mut self) -> bool {
        self.command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        self.command.status().is_ok_and(|s| s.success())
    }
}
