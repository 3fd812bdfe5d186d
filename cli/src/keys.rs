//! `qstash-kit keys`: the account's signing keys.

use clap::Subcommand;
use qstash_client::SigningKeys;

use crate::Report;
use crate::api::{Area, block_on, show};
use crate::failure::Failure;

/// The subcommands, with the connection flags.
pub(crate) type Args = Area<Command>;

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Print the current and next signing keys (they are secrets: this is what they are for).
    Get,
    /// Rotate: the next key becomes current and a new next key is made. Sent once, never
    /// retried after QStash may have acted on it; check with `keys get` if it failed.
    Rotate,
}

fn print(json: bool, keys: &SigningKeys) -> Result<Report, Failure> {
    show(json, &serde_json::json!({ "current": keys.current, "next": keys.next }), |_| {
        format!("QSTASH_CURRENT_SIGNING_KEY={}\nQSTASH_NEXT_SIGNING_KEY={}", keys.current, keys.next)
    })
}

pub(crate) fn run(args: Args, json: bool) -> Result<Report, Failure> {
    let client = args.api.client()?;
    let keys = match args.command {
        Command::Get => block_on(async { Ok(client.signing_keys().await?) })?,
        Command::Rotate => block_on(async { Ok(client.rotate_signing_keys().await?) })?,
    };
    print(json, &keys)
}
