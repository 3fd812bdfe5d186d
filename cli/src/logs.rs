//! `qstash-kit logs`: what happened to each message.

use futures_util::TryStreamExt;
use qstash_client::{LogPage, MessageFilter, MessageState};

use crate::Report;
use crate::api::{ApiArgs, block_on, show, table};
use crate::failure::Failure;
use crate::listing::{FilterArgs, PageArgs, next_page_hint};

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(flatten)]
    page: PageArgs,
    /// Only this state: created, active, delivered, error, retry, failed, canceled, in_progress.
    #[arg(long, value_parser = state)]
    state: Option<MessageState>,
    #[command(flatten)]
    filter: FilterArgs,
    #[command(flatten)]
    api: ApiArgs,
}

fn state(name: &str) -> Result<MessageState, String> {
    MessageState::parse(name).ok_or_else(|| format!("{name:?} is not a message state"))
}

pub(crate) fn run(args: Args, json: bool) -> Result<Report, Failure> {
    let client = args.api.client()?;
    let logs = client.logs();
    let filter = MessageFilter { state: args.state, ..args.filter.filter() };
    let (events, cursor) = if args.page.all {
        (block_on(async { Ok(logs.list_all(filter).try_collect::<Vec<_>>().await?) })?, None)
    } else {
        let LogPage { logs: events, cursor, .. } =
            block_on(async { Ok(logs.list(&filter, args.page.cursor.as_deref(), args.page.count).await?) })?;
        (events, cursor)
    };
    show(json, &serde_json::json!({ "logs": events, "cursor": cursor }), |_| {
        let mut text = table(&events, &["time", "state", "messageId", "url", "error"]);
        next_page_hint(&mut text, cursor.as_ref());
        text
    })
}
