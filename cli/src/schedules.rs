//! `qstash-kit schedules`: cron-triggered publishes.

use clap::Subcommand;
use qstash_client::{Destination, ScheduleOptions};

use crate::Report;
use crate::api::{Area, act, block_on, fields, show, table};
use crate::failure::Failure;
use crate::message_args::MessageArgs;
use crate::publish::options;

/// The subcommands, with the connection flags.
pub(crate) type Args = Area<Command>;

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Create a schedule (or update one with --schedule-id).
    Create(Box<Create>),
    /// Show one schedule.
    Get {
        /// The schedule id.
        id: String,
    },
    /// List every schedule.
    List,
    /// Pause a schedule.
    Pause {
        /// The schedule id.
        id: String,
    },
    /// Resume a paused schedule.
    Resume {
        /// The schedule id.
        id: String,
    },
    /// Delete a schedule.
    Delete {
        /// The schedule id.
        id: String,
    },
}

#[derive(clap::Args, Debug)]
pub(crate) struct Create {
    /// The destination URL (or URL group name with --url-group).
    destination: String,
    /// The cron expression, e.g. "*/5 * * * *" (may start with CRON_TZ=…).
    #[arg(long)]
    cron: String,
    /// The destination is a URL group (topic) name.
    #[arg(long)]
    url_group: bool,
    /// Update the schedule with this id instead of creating one.
    #[arg(long)]
    schedule_id: Option<String>,
    /// Enqueue each message on this queue.
    #[arg(long)]
    queue: Option<String>,
    #[command(flatten)]
    message: MessageArgs,
}

pub(crate) fn run(args: Args, json: bool) -> Result<Report, Failure> {
    let client = args.api.client()?;
    let schedules = client.schedules();
    match args.command {
        Command::Create(create) => {
            let create = *create;
            let common = options(&create.message)?;
            let options = ScheduleOptions {
                cron: create.cron,
                schedule_id: create.schedule_id,
                queue: create.queue,
                method: common.method,
                headers: common.headers,
                delay: common.delay,
                retries: common.retries,
                retry_delay: common.retry_delay,
                callback: common.callback,
                failure_callback: common.failure_callback,
                timeout: common.timeout,
                flow_control: common.flow_control,
                labels: common.labels,
                redact: common.redact,
                content_type: common.content_type,
            };
            let destination = if create.url_group {
                Destination::UrlGroup(create.destination)
            } else {
                Destination::Url(create.destination)
            };
            let body = create.message.body()?;
            let id = block_on(async { Ok(schedules.create(destination, body, &options).await?) })?;
            show(json, &serde_json::json!({ "scheduleId": id }), |_| id.clone())
        }
        Command::Get { id } => show(json, &block_on(async { Ok(schedules.get(&id).await?) })?, fields),
        Command::List => show(json, &block_on(async { Ok(schedules.list().await?) })?, |list| {
            table(list, &["scheduleId", "cron", "destination", "isPaused", "nextScheduleTime"])
        }),
        Command::Pause { id } => act(json, schedules.pause(&id), format!("paused {id}")),
        Command::Resume { id } => act(json, schedules.resume(&id), format!("resumed {id}")),
        Command::Delete { id } => act(json, schedules.delete(&id), format!("deleted {id}")),
    }
}
