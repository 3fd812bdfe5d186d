//! `qstash-kit queues`: ordered delivery with a parallelism limit.

use clap::Subcommand;

use crate::Outcome;
use crate::api::{ApiArgs, block_on, done, fields, show, table};
use crate::failure::Failure;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    api: ApiArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
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

pub(crate) fn run(args: Args, json: bool) -> Result<Outcome, Failure> {
    let client = args.api.client()?;
    let queues = client.queues();
    match args.command {
        Command::Upsert { name, parallelism, paused } => {
            block_on(async { Ok(queues.upsert(&name, parallelism, paused).await?) })?;
            done(json, &format!("upserted {name}"))
        }
        Command::Get { name } => show(json, &block_on(async { Ok(queues.get(&name).await?) })?, fields),
        Command::List => show(json, &block_on(async { Ok(queues.list().await?) })?, |list| {
            table(list, &["name", "parallelism", "lag", "paused"])
        }),
        Command::Pause { name } => {
            block_on(async { Ok(queues.pause(&name).await?) })?;
            done(json, &format!("paused {name}"))
        }
        Command::Resume { name } => {
            block_on(async { Ok(queues.resume(&name).await?) })?;
            done(json, &format!("resumed {name}"))
        }
        Command::Delete { name } => {
            block_on(async { Ok(queues.delete(&name).await?) })?;
            done(json, &format!("deleted {name}"))
        }
    }
}
