//! `qstash-kit messages`: get and cancel messages waiting for delivery.

use clap::Subcommand;

use crate::Outcome;
use crate::api::{Area, act, block_on, fields, show};
use crate::failure::Failure;

/// The subcommands, with the connection flags.
pub(crate) type Args = Area<Command>;

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Show one message.
    Get {
        /// The message id.
        id: String,
    },
    /// Cancel messages by id.
    Cancel {
        /// The message ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Cancel every pending message.
    CancelAll,
}

pub(crate) fn run(args: Args, json: bool) -> Result<Outcome, Failure> {
    let client = args.api.client()?;
    let messages = client.messages();
    match args.command {
        Command::Get { id } => show(json, &block_on(async { Ok(messages.get(&id).await?) })?, fields),
        Command::Cancel { ids } if ids.len() == 1 => {
            act(json, messages.cancel(&ids[0]), format!("cancelled {}", ids[0]))
        }
        Command::Cancel { ids } => {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let cancelled = block_on(async { Ok(messages.cancel_many(&ids).await?) })?;
            show(json, &serde_json::json!({ "cancelled": cancelled }), |_| format!("cancelled {cancelled}"))
        }
        Command::CancelAll => {
            let cancelled = block_on(async { Ok(messages.cancel_all().await?) })?;
            show(json, &serde_json::json!({ "cancelled": cancelled }), |_| format!("cancelled {cancelled}"))
        }
    }
}
