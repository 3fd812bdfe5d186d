//! `qstash-kit queues`: ordered delivery with a parallelism limit.

use clap::Subcommand;

use crate::Report;
use crate::api::{Area, act, block_on, fields, show, table};
use crate::failure::Failure;

/// The subcommands, with the connection flags.
pub(crate) type Args = Area<Command>;

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Create a queue or change it.
    Upsert {
        /// The queue name.
        name: String,
        /// Deliveries at once.
        #[arg(long, default_value_t = 1)]
        parallelism: u32,
        /// Create or leave it paused.
        #[arg(long)]
        paused: bool,
    },
    /// Show one queue.
    Get {
        /// The queue name.
        name: String,
    },
    /// List every queue.
    List,
    /// Stop delivering a queue's messages.
    Pause {
        /// The queue name.
        name: String,
    },
    /// Deliver them again.
    Resume {
        /// The queue name.
        name: String,
    },
    /// Delete a queue.
    Delete {
        /// The queue name.
        name: String,
    },
}

pub(crate) fn run(args: Args, json: bool) -> Result<Report, Failure> {
    let client = args.api.client()?;
    let queues = client.queues();
    match args.command {
        Command::Upsert { name, parallelism, paused } => {
            act(json, queues.upsert(&name, parallelism, paused), format!("upserted {name}"))
        }
        Command::Get { name } => show(json, &block_on(async { Ok(queues.get(&name).await?) })?, fields),
        Command::List => show(json, &block_on(async { Ok(queues.list().await?) })?, |list| {
            table(list, &["name", "parallelism", "lag", "paused"])
        }),
        Command::Pause { name } => act(json, queues.pause(&name), format!("paused {name}")),
        Command::Resume { name } => act(json, queues.resume(&name), format!("resumed {name}")),
        Command::Delete { name } => act(json, queues.delete(&name), format!("deleted {name}")),
    }
}
