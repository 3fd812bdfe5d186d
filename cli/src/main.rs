//! `qstash-kit`: inspect, verify and mint `Upstash-Signature` tokens, and publish messages.
//!
//! ```sh
//! qstash-kit inspect "$TOKEN"                         # every claim and check, no keys needed
//! qstash-kit verify --token "$TOKEN" --body body.json --url https://my-app.example/api/qstash
//! qstash-kit sign --url https://my-app.example/api/qstash --data '{"a":1}'
//! qstash-kit publish https://my-app.example/api/qstash --data '{"a":1}' --retries 3
//! ```
//! Exit codes: 0 success (a valid token), 1 a token that does not verify, 2 usage,
//! configuration or network errors. `--json` prints one JSON object instead of text.

#![forbid(unsafe_code)]

mod input;
mod inspect;
mod publish;
mod sign;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "qstash-kit", version, about = "Inspect, verify, sign and publish Upstash QStash messages")]
struct Cli {
    /// Print one JSON object instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode a token without keys: every claim, every check, times in human form.
    Inspect(inspect::Args),
    /// Verify a token against a body and keys (flags or QSTASH_*_SIGNING_KEY).
    Verify(verify::Args),
    /// Mint a token for a URL and body, as QStash would.
    Sign(sign::Args),
    /// Publish a message through the QStash API (QSTASH_TOKEN).
    Publish(Box<publish::Args>),
}

/// How a command ended: the exit code and what to print.
pub(crate) enum Outcome {
    Ok(String),
    Invalid(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(args, cli.json),
        Command::Verify(args) => verify::run(args, cli.json),
        Command::Sign(args) => sign::run(args, cli.json),
        Command::Publish(args) => publish::run(*args, cli.json),
    };
    match result {
        Ok(Outcome::Ok(text)) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Ok(Outcome::Invalid(text)) => {
            println!("{text}");
            ExitCode::from(1)
        }
        Err(message) => {
            if cli.json {
                println!("{}", serde_json::json!({ "error": message }));
            } else {
                eprintln!("error: {message}");
            }
            ExitCode::from(2)
        }
    }
}
