//! `cargo xtask`: every check of the repository, one part per area, each runnable on its own
//! (`cargo xtask python`, `cargo xtask node`, `cargo xtask dev-loop`, …) with the parts it
//! needs run first, and `cargo xtask all` (README command 2) running every part, independent
//! ones side by side, then printing how long each took. The parts are listed in `plan.rs`.
#![forbid(unsafe_code)]

mod plan;
mod runner;
mod sh;
mod parts {
    pub(crate) mod bindings;
    pub(crate) mod lints;
    pub(crate) mod packages;
    pub(crate) mod rust;
    pub(crate) mod setup;
}

use std::process::ExitCode;

fn usage() -> String {
    let mut text = String::from(
        "usage: cargo xtask all | PART... | list\n\n\
         `all` installs what is missing and runs every check (README command 2, what .ci/run calls);\n\
         a PART runs with the parts it needs. Options: --jobs N (parts building at once, default 3).\n\nparts:\n",
    );
    for part in plan::PARTS {
        let needs =
            if part.needs.is_empty() { String::new() } else { format!(" (needs {})", part.needs.join(", ")) };
        text.push_str(&format!("  {:<16} {}{needs}\n", part.name, part.about));
    }
    text
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut jobs = 3;
    if let Some(at) = args.iter().position(|a| a == "--jobs") {
        let value = args.get(at + 1).and_then(|n| n.parse().ok()).filter(|n| *n > 0);
        let Some(value) = value else {
            eprintln!("--jobs needs a number of parts, at least 1");
            return ExitCode::from(2);
        };
        jobs = value;
        args.drain(at..=at + 1);
    }
    match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => {
            print!("{}", usage());
            ExitCode::SUCCESS
        }
        Some("list") => {
            for part in plan::PARTS {
                println!("{}", part.name);
            }
            ExitCode::SUCCESS
        }
        Some(_) => {
            let wanted: Vec<&str> = if args.iter().any(|a| a == "all") {
                plan::PARTS.iter().map(|p| p.name).collect()
            } else {
                args.iter().map(String::as_str).collect()
            };
            if let Some(unknown) = wanted.iter().find(|w| plan::part(w).is_none()) {
                eprintln!("no part named {unknown}\n\n{}", usage());
                return ExitCode::from(2);
            }
            if runner::run(&wanted, jobs) { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
    }
}
