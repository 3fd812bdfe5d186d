//! Conformance runner (SPEC.md §8): `cargo run -q -p qstash-core --example conformance -- FILE`
//! prints one `{"id","verdict","reason"}` line per JSONL case, in input order.

mod case;

use std::io::{BufRead, BufReader, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: conformance FILE.jsonl");
        return ExitCode::from(2);
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot open {}: {e}", path.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = match line {
            Ok(l) if l.trim().is_empty() => continue,
            Ok(l) => l,
            Err(e) => {
                eprintln!("line {}: {e}", n + 1);
                return ExitCode::from(2);
            }
        };
        let verdict = serde_json::from_str::<case::Case>(&line)
            .map_err(|e| format!("line {}: {e}", n + 1))
            .and_then(|c| case::run(&c).map(|v| v.to_line(&c.id)));
        match verdict {
            Ok(v) => {
                if writeln!(out, "{v}").is_err() {
                    return ExitCode::from(1);
                }
            }
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::SUCCESS
}
