//! `qstash-kit flow-control`: the limits shared by messages with one key.

use clap::Subcommand;
use qstash_client::{Pin, Unpin};

use crate::Report;
use crate::api::{Area, act, block_on, fields, show, table};
use crate::failure::Failure;

/// The subcommands, with the connection flags.
pub(crate) type Args = Area<Command>;

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// List flow-control keys.
    List {
        /// Only keys containing this text.
        #[arg(long)]
        search: Option<String>,
    },
    /// Show one key's limits and counters.
    Get {
        /// The flow-control key.
        key: String,
    },
    /// Show the account-wide parallelism.
    Global,
    /// Pin limits so that publishes no longer change them.
    Pin {
        /// The flow-control key.
        key: String,
        /// Deliveries in flight.
        #[arg(long)]
        parallelism: Option<u32>,
        /// Deliveries per period.
        #[arg(long)]
        rate: Option<u32>,
        /// The rate's period in seconds.
        #[arg(long)]
        period: Option<u64>,
    },
    /// Unpin limits so that publishes set them again.
    Unpin {
        /// The flow-control key.
        key: String,
        /// Unpin the parallelism.
        #[arg(long)]
        parallelism: bool,
        /// Unpin the rate.
        #[arg(long)]
        rate: bool,
    },
    /// Start a new rate period now.
    Reset {
        /// The flow-control key.
        key: String,
    },
    /// Stop delivering the key's messages.
    Pause {
        /// The flow-control key.
        key: String,
    },
    /// Deliver them again.
    Resume {
        /// The flow-control key.
        key: String,
    },
}

pub(crate) fn run(args: Args, json: bool) -> Result<Report, Failure> {
    let client = args.api.client()?;
    let fc = client.flow_control();
    match args.command {
        Command::List { search } => {
            show(json, &block_on(async { Ok(fc.list(search.as_deref()).await?) })?, |list| {
                table(
                    list,
                    &[
                        "flowControlKey",
                        "waitListSize",
                        "parallelismCount",
                        "parallelismMax",
                        "rateCount",
                        "rateMax",
                        "isPaused",
                    ],
                )
            })
        }
        Command::Get { key } => show(json, &block_on(async { Ok(fc.get(&key).await?) })?, fields),
        Command::Global => show(json, &block_on(async { Ok(fc.global_parallelism().await?) })?, fields),
        Command::Pin { key, parallelism, rate, period } => {
            act(json, fc.pin(&key, Pin { parallelism, rate, period }), format!("pinned {key}"))
        }
        Command::Unpin { key, parallelism, rate } => {
            act(json, fc.unpin(&key, Unpin { parallelism, rate }), format!("unpinned {key}"))
        }
        Command::Reset { key } => act(json, fc.reset_rate(&key), format!("reset the rate of {key}")),
        Command::Pause { key } => act(json, fc.pause(&key), format!("paused {key}")),
        Command::Resume { key } => act(json, fc.resume(&key), format!("resumed {key}")),
    }
}
