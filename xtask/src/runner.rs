//! Runs parts with their prerequisites, independent ones side by side: at most `jobs` parts
//! that build (they keep the CPU busy) at once, and the light ones (installs that wait on the
//! network, linters) beside them. Each part's output goes to `target/xtask/<part>.log`; a
//! failure prints the end of its log, and the parts that need the failed one are not run while
//! the others go on, so that one run reports every failure. Ends with the time of each part,
//! in a table.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::plan::{self, Part};
use crate::sh::Ctx;

/// How a part ended.
enum End {
    Passed(Duration),
    Failed(Duration, String),
    /// A part it needs failed.
    NotRun,
}

/// The repository root: where `cargo xtask` runs from (the workspace's own folder).
fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map_or(manifest.clone(), Path::to_path_buf)
}

/// `wanted` and every part they need, in the plan's order.
fn closure(wanted: &[&str]) -> Vec<&'static Part> {
    let mut chosen = BTreeSet::new();
    let mut stack: Vec<&str> = wanted.to_vec();
    while let Some(name) = stack.pop() {
        if let Some(part) = plan::part(name) {
            if chosen.insert(part.name) {
                stack.extend(part.needs.iter().copied());
            }
        }
    }
    plan::PARTS.iter().filter(|p| chosen.contains(p.name)).collect()
}

/// The last `lines` lines of a log.
fn tail(path: &Path, lines: usize) -> String {
    let Ok(file) = File::open(path) else { return String::new() };
    let all: Vec<String> = BufReader::new(file).lines().map_while(Result::ok).collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn free_disk(root: &Path) -> String {
    let output = std::process::Command::new("df").args(["-Pk"]).arg(root).output();
    let kb = output
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|text| text.lines().nth(1).and_then(|l| l.split_whitespace().nth(3)?.parse::<f64>().ok()));
    kb.map_or_else(|| "free disk unknown".into(), |kb| format!("{:.1} GB free", kb / 1_048_576.0))
}

/// Runs `wanted` and what they need; whether every part passed.
pub(crate) fn run(wanted: &[&str], jobs: usize) -> bool {
    let root = root();
    let logs = root.join("target").join("xtask");
    if let Err(error) = std::fs::create_dir_all(&logs) {
        eprintln!("cannot make {}: {error}", logs.display());
        return false;
    }
    let parts = closure(wanted);
    let started = Instant::now();
    println!(
        "{} part(s): {}; {}",
        parts.len(),
        parts.iter().map(|p| p.name).collect::<Vec<_>>().join(" "),
        free_disk(&root)
    );
    let mut ends: BTreeMap<&str, End> = BTreeMap::new();
    let mut running: BTreeMap<&str, bool> = BTreeMap::new(); // name → builds
    let (done_tx, done_rx) = mpsc::channel::<(&'static str, Result<(), String>, Duration)>();
    loop {
        // Start what is ready.
        for part in &parts {
            if ends.contains_key(part.name) || running.contains_key(part.name) {
                continue;
            }
            if part.needs.iter().any(|n| matches!(ends.get(n), Some(End::Failed(..) | End::NotRun))) {
                ends.insert(part.name, End::NotRun);
                continue;
            }
            let ready = part.needs.iter().all(|n| matches!(ends.get(n), Some(End::Passed(_))));
            let building = running.values().filter(|b| **b).count();
            if !ready || (part.builds && building >= jobs) {
                continue;
            }
            let log_path = logs.join(format!("{}.log", part.name));
            let log = match File::create(&log_path) {
                Ok(log) => log,
                Err(error) => {
                    ends.insert(
                        part.name,
                        End::Failed(Duration::ZERO, format!("cannot write its log: {error}")),
                    );
                    continue;
                }
            };
            println!("==> {} ({})", part.name, part.about);
            running.insert(part.name, part.builds);
            let (tx, run, name, ctx) = (done_tx.clone(), part.run, part.name, Ctx::new(root.clone(), log));
            std::thread::spawn(move || {
                let t = Instant::now();
                let result = run(&ctx);
                let _ = tx.send((name, result, t.elapsed()));
            });
        }
        if running.is_empty() {
            break;
        }
        let Ok((name, result, took)) = done_rx.recv() else { break };
        running.remove(name);
        let log_path = logs.join(format!("{name}.log"));
        match result {
            Ok(()) => {
                println!("<== {name}: passed in {} s ({})", took.as_secs(), free_disk(&root));
                ends.insert(name, End::Passed(took));
            }
            Err(why) => {
                println!("{}", tail(&log_path, 120));
                println!(
                    "<== {name}: FAILED after {} s: {why} (whole log: {})",
                    took.as_secs(),
                    log_path.display()
                );
                ends.insert(name, End::Failed(took, why));
            }
        }
    }
    for part in &parts {
        ends.entry(part.name).or_insert(End::NotRun);
    }
    println!("\n{:<16} {:>8}  result", "part", "seconds");
    let mut all_passed = true;
    for part in &parts {
        let (seconds, result) = match &ends[part.name] {
            End::Passed(took) => (took.as_secs().to_string(), "passed".to_owned()),
            End::Failed(took, why) => (took.as_secs().to_string(), format!("FAILED: {why}")),
            End::NotRun => ("-".into(), "not run (a part it needs failed)".into()),
        };
        all_passed &= matches!(ends[part.name], End::Passed(_));
        println!("{:<16} {seconds:>8}  {result}", part.name);
    }
    let total = started.elapsed().as_secs();
    if all_passed {
        println!("\nAll {} part(s) passed in {total} s ({}).", parts.len(), free_disk(&root));
    } else {
        println!("\nFailed after {total} s; each part's log is in {}.", logs.display());
    }
    all_passed
}
