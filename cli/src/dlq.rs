//! `qstash-kit dlq`: the messages whose every retry failed.

use clap::Subcommand;
use futures_util::TryStreamExt;
use qstash_client::{DlqFilter, DlqPage};

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
    /// List DLQ messages (one page, or every page with --all).
    List(Box<List>),
    /// Show one DLQ message with the destination's last response.
    Get {
        /// The DLQ id.
        id: String,
    },
    /// Delete DLQ messages.
    Delete {
        /// The DLQ ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
    /// Publish DLQ messages again.
    Retry {
        /// The DLQ ids.
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

#[derive(clap::Args, Debug)]
struct List {
    /// Start at this cursor (printed by the previous page).
    #[arg(long, conflicts_with = "all")]
    cursor: Option<String>,
    /// At most this many messages per page.
    #[arg(long)]
    count: Option<u32>,
    /// Follow the cursor through every page.
    #[arg(long)]
    all: bool,
    /// Only this message id.
    #[arg(long)]
    message_id: Option<String>,
    /// Only this destination URL.
    #[arg(long)]
    url: Option<String>,
    /// Only this URL group.
    #[arg(long)]
    url_group: Option<String>,
    /// Only this schedule.
    #[arg(long)]
    schedule_id: Option<String>,
    /// Only this queue.
    #[arg(long)]
    queue: Option<String>,
    /// Only this last response status.
    #[arg(long)]
    response_status: Option<u16>,
    /// Only this label.
    #[arg(long)]
    label: Option<String>,
    /// Only this flow-control key.
    #[arg(long)]
    flow_control_key: Option<String>,
    /// Failed at or after this Unix time (milliseconds).
    #[arg(long)]
    from_date: Option<u64>,
    /// Failed at or before this Unix time (milliseconds).
    #[arg(long)]
    to_date: Option<u64>,
}

fn at(millis: u64) -> std::time::SystemTime {
    std::time::UNIX_EPOCH + std::time::Duration::from_millis(millis)
}

pub(crate) fn run(args: Args, json: bool) -> Result<Outcome, Failure> {
    let client = args.api.client()?;
    let dlq = client.dlq();
    match args.command {
        Command::List(list) => {
            let filter = DlqFilter {
                message_id: list.message_id,
                url: list.url,
                url_group: list.url_group,
                schedule_id: list.schedule_id,
                queue_name: list.queue,
                response_status: list.response_status,
                from_date: list.from_date.map(at),
                to_date: list.to_date.map(at),
                label: list.label,
                flow_control_key: list.flow_control_key,
                ..Default::default()
            };
            let (messages, cursor) = if list.all {
                (block_on(async { Ok(dlq.list_all(filter).try_collect::<Vec<_>>().await?) })?, None)
            } else {
                let DlqPage { messages, cursor, .. } =
                    block_on(async { Ok(dlq.list(&filter, list.cursor.as_deref(), list.count).await?) })?;
                (messages, cursor)
            };
            show(json, &serde_json::json!({ "messages": messages, "cursor": cursor }), |_| {
                let rows: Vec<serde_json::Value> = messages
                    .iter()
                    .map(|m| {
                        serde_json::json!({ "dlqId": m.dlq_id, "messageId": m.message.message_id,
                            "url": m.message.url, "responseStatus": m.response_status })
                    })
                    .collect();
                let mut text = table(&rows, &["dlqId", "messageId", "url", "responseStatus"]);
                if let Some(cursor) = &cursor {
                    text.push_str(&format!("\nnext page: --cursor {cursor}"));
                }
                text
            })
        }
        Command::Get { id } => show(json, &block_on(async { Ok(dlq.get(&id).await?) })?, fields),
        Command::Delete { ids } if ids.len() == 1 => {
            block_on(async { Ok(dlq.delete(&ids[0]).await?) })?;
            done(json, &format!("deleted {}", ids[0]))
        }
        Command::Delete { ids } => {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let deleted = block_on(async { Ok(dlq.delete_many(&ids).await?) })?;
            show(json, &serde_json::json!({ "deleted": deleted }), |_| format!("deleted {deleted}"))
        }
        Command::Retry { ids } => {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let retried = block_on(async { Ok(dlq.retry(&ids).await?) })?;
            show(json, &serde_json::json!({ "responses": retried }), |_| {
                retried.iter().map(|r| r.message_id.clone()).collect::<Vec<_>>().join("\n")
            })
        }
    }
}
