//! `qstash-kit`: inspect, verify and mint `Upstash-Signature` tokens, and the whole QStash
//! REST API from the command line.
//!
//! ```sh
//! qstash-kit inspect "$TOKEN"                         # every claim and check, no keys needed
//! qstash-kit verify --token "$TOKEN" --body body.json --url https://my-app.example/api/qstash
//! qstash-kit sign --url https://my-app.example/api/qstash --data '{"a":1}'
//! qstash-kit publish https://my-app.example/api/qstash --data '{"a":1}' --retries 3 --delay 1h30m
//! qstash-kit dlq list --all --json
//! ```
//! Exit codes: see [`failure::code`] and `qstash-kit --help`.

#![forbid(unsafe_code)]

mod api;
mod batch;
mod dev;
mod dlq;
mod failure;
mod flow_control;
mod input;
mod inspect;
mod integration;
mod keys;
mod listing;
mod logs;
mod message_args;
mod messages;
mod output;
mod publish;
mod queues;
mod schedules;
mod sign;
mod url_groups;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::failure::Failure;

const AFTER_HELP: &str = "\
Environment (flags win over it):
  QSTASH_TOKEN                  the API token
  QSTASH_URL                    the API base URL (default https://qstash.upstash.io)
  QSTASH_REGION                 EU_CENTRAL_1 or US_EAST_1: use {REGION}_QSTASH_TOKEN and
                                {REGION}_QSTASH_URL (else the region's built-in URL:
                                https://qstash-eu-central-1.upstash.io,
                                https://qstash-us-east-1.upstash.io)
  QSTASH_CURRENT_SIGNING_KEY    the keys `verify` checks tokens with
  QSTASH_NEXT_SIGNING_KEY
  QSTASH_DEV                    1 or true: development mode (the public development keys,
                                as `qstash-kit dev` prints; the same as --dev)

Exit codes:
  0  success (for verify: the token is valid)
  1  the token does not verify
  2  usage or configuration error (bad flags, unreadable file, no token)
  3  QStash refused the request (4xx: wrong token, unknown id, invalid option)
  4  a QStash rate limit (429) that did not reset in time
  5  QStash unreachable, too slow, failing (5xx), or an unexpected answer";

#[derive(Parser)]
#[command(
    name = "qstash-kit",
    version,
    about = "Inspect, verify and sign Upstash QStash tokens, and use the whole QStash API",
    after_help = AFTER_HELP
)]
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
    /// Publish (or enqueue) a message.
    Publish(Box<publish::Args>),
    /// Publish several messages from a JSON file in one request.
    Batch(batch::Args),
    /// Get and cancel messages waiting for delivery.
    Messages(messages::Args),
    /// Create, list, pause, resume and delete schedules.
    Schedules(schedules::Args),
    /// Upsert, list, pause, resume and delete queues.
    Queues(queues::Args),
    /// Manage URL groups (topics) and their endpoints.
    UrlGroups(url_groups::Args),
    /// List, inspect, delete and retry dead-lettered messages.
    Dlq(dlq::Args),
    /// List the event log of messages.
    Logs(Box<logs::Args>),
    /// List, inspect, pin, unpin, reset, pause and resume flow-control keys.
    FlowControl(flow_control::Args),
    /// Print or rotate the account's signing keys.
    Keys(keys::Args),
    /// Run a local QStash (development token and keys) that delivers real signed requests.
    Dev(dev::Args),
}

/// How a command ended: the exit code and what to print.
pub(crate) enum Report {
    Ok(String),
    Invalid(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(dev::official_flag_form(std::env::args_os()));
    let json = cli.json;
    let result: Result<Report, Failure> = match cli.command {
        Command::Inspect(args) => inspect::run(args, json).map_err(Failure::from),
        Command::Verify(args) => verify::run(args, json).map_err(Failure::from),
        Command::Sign(args) => sign::run(args, json).map_err(Failure::from),
        Command::Publish(args) => publish::run(*args, json),
        Command::Batch(args) => batch::run(args, json),
        Command::Messages(args) => messages::run(args, json),
        Command::Schedules(args) => schedules::run(args, json),
        Command::Queues(args) => queues::run(args, json),
        Command::UrlGroups(args) => url_groups::run(args, json),
        Command::Dlq(args) => dlq::run(args, json),
        Command::Logs(args) => logs::run(*args, json),
        Command::FlowControl(args) => flow_control::run(args, json),
        Command::Keys(args) => keys::run(args, json),
        Command::Dev(args) => dev::run(args, json),
    };
    match result {
        Ok(Report::Ok(text)) => {
            output::out(&text);
            ExitCode::SUCCESS
        }
        Ok(Report::Invalid(text)) => {
            output::out(&text);
            ExitCode::from(failure::code::INVALID)
        }
        Err(Failure { code, message }) => {
            if json {
                output::out(&serde_json::json!({ "error": message, "exitCode": code }).to_string());
            } else {
                output::err(&format!("error: {message}"));
            }
            ExitCode::from(code)
        }
    }
}
