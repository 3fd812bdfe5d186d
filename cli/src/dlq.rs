//! `qstash-kit dlq`: the messages whose every retry failed.

use clap::Subcommand;
use futures_util::TryStreamExt;
use std::time::Duration;

use qstash_client::{DlqPage, MessageFilter, PublishOptions, parse_duration};

use crate::Report;
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
    /// Delete DLQ messages: these ids, or every one matching the filter flags.
    Delete {
        /// The DLQ ids (none: the messages matching the filter flags).
        ids: Vec<String>,
        #[command(flatten)]
        filter: Box<BulkFilter>,
    },
    /// Publish DLQ messages again: these ids, or those matching the filter flags (one id:
    /// `POST /v2/dlq/retry/{dlqId}`; a filter: `POST /v2/dlq/retry?…`; both take overrides).
    Retry {
        /// The DLQ ids (none: the messages matching the filter flags).
        ids: Vec<String>,
        /// Retries for the new messages, instead of the originals' (one id or a filter).
        #[arg(long)]
        retries: Option<u32>,
        /// Delay before the new messages' first delivery: 90, 90s, 10m (one id or a filter).
        #[arg(long, value_parser = parse_duration)]
        delay: Option<Duration>,
        #[command(flatten)]
        filter: Box<BulkFilter>,
    },
}

/// The filter flags of `dlq delete` and `dlq retry`.
#[derive(clap::Args, Debug)]
pub(crate) struct BulkFilter {
    #[command(flatten)]
    filter: FilterArgs,
    /// Only messages whose destination last answered this status (repeatable).
    #[arg(long)]
    response_status: Vec<u16>,
}

impl BulkFilter {
    fn filter(self) -> MessageFilter {
        MessageFilter { response_status: self.response_status, ..self.filter.filter() }
    }
}

#[derive(clap::Args, Debug)]
pub(crate) struct List {
    #[command(flatten)]
    page: PageArgs,
    #[command(flatten)]
    filter: FilterArgs,
    /// Only messages whose destination last answered this status (repeatable).
    #[arg(long)]
    response_status: Vec<u16>,
}

pub(crate) fn run(args: Args, json: bool) -> Result<Report, Failure> {
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
        Command::Delete { ids, filter } => {
            let filter = filter.filter();
            if ids.len() == 1 && filter.is_empty() {
                return act(json, dlq.delete(&ids[0]), format!("deleted {}", ids[0]));
            }
            let deleted = match ids_or_filter(&ids, &filter)? {
                Some(ids) => block_on(async { Ok(dlq.delete_many(&ids).await?) })?,
                None => block_on(async { Ok(dlq.delete_matching(&filter).await?) })?,
            };
            show(json, &serde_json::json!({ "deleted": deleted }), |_| format!("deleted {deleted}"))
        }
        Command::Retry { ids, retries, delay, filter } => {
            let filter = filter.filter();
            let options = PublishOptions { retries, delay, ..PublishOptions::default() };
            let overrides = retries.is_some() || delay.is_some();
            let (retried, cursor) = match ids_or_filter(&ids, &filter)? {
                Some(ids) if ids.len() == 1 => {
                    (vec![block_on(async { Ok(dlq.retry_one(ids[0], &options).await?) })?], None)
                }
                Some(_) if overrides => {
                    return Err("--retries and --delay apply to one DLQ id or to a filter".into());
                }
                Some(ids) => (block_on(async { Ok(dlq.retry(&ids).await?) })?, None),
                None => {
                    let page = block_on(async { Ok(dlq.retry_matching(&filter, &options).await?) })?;
                    (page.responses, page.cursor)
                }
            };
            show(json, &serde_json::json!({ "responses": retried, "cursor": cursor }), |_| {
                let mut text = retried.iter().map(|r| r.message_id.clone()).collect::<Vec<_>>().join("\n");
                if cursor.is_some() {
                    text.push_str("\nmore DLQ messages match: run the same command again");
                }
                text
            })
        }
    }
}

/// The ids given, or `None` to act on the filter; never both, never neither (an empty filter
/// would act on the whole DLQ).
fn ids_or_filter<'a>(ids: &'a [String], filter: &MessageFilter) -> Result<Option<Vec<&'a str>>, Failure> {
    match (ids.is_empty(), filter.is_empty()) {
        (false, true) => Ok(Some(ids.iter().map(String::as_str).collect())),
        (true, false) => Ok(None),
        (false, false) => Err("give DLQ ids or filter flags, not both".into()),
        (true, true) => Err("give DLQ ids or filter flags (--queue, --label, --url, …)".into()),
    }
}
