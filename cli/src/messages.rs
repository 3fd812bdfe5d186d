//! `qstash-kit messages`: get and cancel messages waiting for delivery, and follow the bulk
//! actions of a cancel by filter.

use clap::Subcommand;
use futures_util::TryStreamExt;
use qstash_client::{BulkActionPage, BulkActionState, MessageFilter};

use crate::Report;
use crate::api::{Area, act, block_on, fields, show, table};
use crate::failure::Failure;
use crate::listing::{FilterArgs, PageArgs, next_page_hint};

/// The subcommands, with the connection flags.
pub(crate) type Args = Area<Command>;

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Show one message.
    Get {
        /// The message id.
        id: String,
    },
    /// Cancel messages: these ids, or every one matching the filter flags (a bulk action).
    Cancel {
        /// The message ids (none: the messages matching the filter flags).
        ids: Vec<String>,
        #[command(flatten)]
        filter: Box<CancelFilter>,
        /// Return once QStash has started the bulk action, with its id, instead of waiting
        /// for it to finish.
        #[arg(long)]
        no_wait: bool,
    },
    /// Cancel every pending message.
    CancelAll,
    /// List the bulk actions of cancels by filter.
    BulkActions {
        #[command(flatten)]
        page: PageArgs,
        /// Only those in this state: in_progress, finished.
        #[arg(long, value_parser = bulk_state)]
        state: Option<BulkActionState>,
    },
    /// Show one bulk action and its progress.
    BulkAction {
        /// The action id (printed by `cancel --no-wait`).
        id: String,
    },
}

/// The filter flags of `messages cancel`.
#[derive(clap::Args, Debug)]
pub(crate) struct CancelFilter {
    #[command(flatten)]
    filter: FilterArgs,
    /// Only messages to this destination host (repeatable).
    #[arg(long)]
    host: Vec<String>,
    /// Only messages to this destination path (repeatable).
    #[arg(long)]
    path: Vec<String>,
}

fn bulk_state(name: &str) -> Result<BulkActionState, String> {
    match name.trim().to_ascii_uppercase().replace('-', "_").as_str() {
        "IN_PROGRESS" => Ok(BulkActionState::InProgress),
        "FINISHED" => Ok(BulkActionState::Finished),
        _ => Err(format!("{name:?} is not a bulk-action state (in_progress, finished)")),
    }
}

pub(crate) fn run(args: Args, json: bool) -> Result<Report, Failure> {
    let client = args.api.client()?;
    let messages = client.messages();
    match args.command {
        Command::Get { id } => show(json, &block_on(async { Ok(messages.get(&id).await?) })?, fields),
        Command::Cancel { ids, filter, no_wait } => {
            let CancelFilter { filter, host, path } = *filter;
            let filter = MessageFilter { host, path, ..filter.filter() };
            match (ids.len(), filter.is_empty()) {
                (0, true) => {
                    Err("give message ids or filter flags (--queue, --label, …); cancel-all cancels all"
                        .into())
                }
                (_, false) if !ids.is_empty() => Err("give message ids or filter flags, not both".into()),
                (1, true) => act(json, messages.cancel(&ids[0]), format!("cancelled {}", ids[0])),
                (_, true) => {
                    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                    let cancelled = block_on(async { Ok(messages.cancel_many(&ids).await?) })?;
                    show(json, &serde_json::json!({ "cancelled": cancelled }), |_| {
                        format!("cancelled {cancelled}")
                    })
                }
                (_, false) => {
                    let done = block_on(async { Ok(messages.cancel_matching(&filter, !no_wait).await?) })?;
                    show(json, &done, |d| match &d.action_id {
                        Some(id) => format!("cancelling {} (bulk action {id})", d.cancelled),
                        None => format!("cancelled {}", d.cancelled),
                    })
                }
            }
        }
        Command::CancelAll => {
            let cancelled = block_on(async { Ok(messages.cancel_all().await?) })?;
            show(json, &serde_json::json!({ "cancelled": cancelled }), |_| format!("cancelled {cancelled}"))
        }
        Command::BulkActions { page, state } => {
            let actions = client.bulk_actions();
            let (listed, cursor) = if page.all {
                (block_on(async { Ok(actions.list_all(state).try_collect::<Vec<_>>().await?) })?, None)
            } else {
                let BulkActionPage { bulk_actions, cursor, .. } =
                    block_on(async { Ok(actions.list(state, page.cursor.as_deref(), page.count).await?) })?;
                (bulk_actions, cursor)
            };
            show(json, &serde_json::json!({ "bulkActions": listed, "cursor": cursor }), |_| {
                let mut text = table(&listed, &["actionId", "kind", "state", "processed", "total"]);
                next_page_hint(&mut text, cursor.as_ref());
                text
            })
        }
        Command::BulkAction { id } => {
            show(json, &block_on(async { Ok(client.bulk_actions().get(&id).await?) })?, fields)
        }
    }
}
