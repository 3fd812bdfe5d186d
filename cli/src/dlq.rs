//! `qstash-kit dlq`: the messages whose every retry failed.

use clap::Subcommand;
use futures_util::TryStreamExt;
use std::time::Duration;

use qstash_client::{DlqPage, MessageFilter, PublishOptions, parse_duration};

use crate::Outcome;
use crate::api::{Area, act, block_on, fields, show, table};
use crate::failure::Failure;
use crate::listing::{FilterArgs, PageArgs, next_page_hint};

/// The subcommands, with the connection flags.
pub(crate) type Args = Area<Command>;

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
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
    /// Publish DLQ messages again (one: `POST /v2/dlq/retry/{dlqId}`, which takes overrides).
    Retry {
        /// The DLQ ids.
        #[arg(required = true)]
        ids: Vec<String>,
        /// Retries for the new message, instead of the original's (one id only).
        #[arg(long)]
        retries: Option<u32>,
        /// Delay before the new message's first delivery: 90, 90s, 10m (one id only).
        #[arg(long, value_parser = parse_duration)]
        delay: Option<Duration>,
    },
}

#[derive(clap::Args, Debug)]
pub(crate) struct List {
    #[command(flatten)]
    page: PageArgs,
    #[command(flatten)]
    filter: FilterArgs,
    /// Only messages whose destination last answered this status.
    #[arg(long)]
    response_status: Option<u16>,
}

pub(crate) fn run(args: Args, json: bool) -> Result<Outcome, Failure> {
    let client = args.api.client()?;
    let dlq = client.dlq();
    match args.command {
        Command::List(list) => {
            let List { page, filter, response_status } = *list;
            let filter = MessageFilter { response_status, ..filter.filter() };
            let (messages, cursor) = if page.all {
                (block_on(async { Ok(dlq.list_all(filter).try_collect::<Vec<_>>().await?) })?, None)
            } else {
                let DlqPage { messages, cursor, .. } =
                    block_on(async { Ok(dlq.list(&filter, page.cursor.as_deref(), page.count).await?) })?;
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
                next_page_hint(&mut text, cursor.as_ref());
                text
            })
        }
        Command::Get { id } => show(json, &block_on(async { Ok(dlq.get(&id).await?) })?, fields),
        Command::Delete { ids } if ids.len() == 1 => {
            act(json, dlq.delete(&ids[0]), format!("deleted {}", ids[0]))
        }
        Command::Delete { ids } => {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let deleted = block_on(async { Ok(dlq.delete_many(&ids).await?) })?;
            show(json, &serde_json::json!({ "deleted": deleted }), |_| format!("deleted {deleted}"))
        }
        Command::Retry { ids, retries, delay } if ids.len() == 1 => {
            let options = PublishOptions { retries, delay, ..PublishOptions::default() };
            let retried = block_on(async { Ok(dlq.retry_one(&ids[0], &options).await?) })?;
            show(json, &serde_json::json!({ "responses": [&retried] }), |_| retried.message_id.clone())
        }
        Command::Retry { retries: Some(_), .. } | Command::Retry { delay: Some(_), .. } => {
            Err("--retries and --delay apply to one DLQ message at a time".into())
        }
        Command::Retry { ids, .. } => {
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let retried = block_on(async { Ok(dlq.retry(&ids).await?) })?;
            show(json, &serde_json::json!({ "responses": retried }), |_| {
                retried.iter().map(|r| r.message_id.clone()).collect::<Vec<_>>().join("\n")
            })
        }
    }
}
