//! `qstash-kit logs`: what happened to each message.

use futures_util::TryStreamExt;
use qstash_client::{LogFilter, LogPage, MessageState};

use crate::Outcome;
use crate::api::{ApiArgs, block_on, show, table};
use crate::failure::Failure;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Start at this cursor (printed by the previous page).
    #[arg(long, conflicts_with = "all")]
    cursor: Option<String>,
    /// At most this many events per page.
    #[arg(long)]
    count: Option<u32>,
    /// Follow the cursor through every page.
    #[arg(long)]
    all: bool,
    /// Only this state: created, active, delivered, error, retry, failed, canceled, in_progress.
    #[arg(long, value_parser = state)]
    state: Option<MessageState>,
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
    /// Only this label.
    #[arg(long)]
    label: Option<String>,
    /// Only this flow-control key.
    #[arg(long)]
    flow_control_key: Option<String>,
    /// At or after this Unix time (milliseconds).
    #[arg(long)]
    from_date: Option<u64>,
    /// At or before this Unix time (milliseconds).
    #[arg(long)]
    to_date: Option<u64>,
    #[command(flatten)]
    api: ApiArgs,
}

fn state(name: &str) -> Result<MessageState, String> {
    MessageState::parse(name).ok_or_else(|| format!("{name:?} is not a message state"))
}

fn at(millis: u64) -> std::time::SystemTime {
    std::time::UNIX_EPOCH + std::time::Duration::from_millis(millis)
}

pub(crate) fn run(args: Args, json: bool) -> Result<Outcome, Failure> {
    let client = args.api.client()?;
    let logs = client.logs();
    let filter = LogFilter {
        state: args.state,
        message_id: args.message_id,
        url: args.url,
        url_group: args.url_group,
        schedule_id: args.schedule_id,
        queue_name: args.queue,
        label: args.label,
        from_date: args.from_date.map(at),
        to_date: args.to_date.map(at),
        flow_control_key: args.flow_control_key,
        ..Default::default()
    };
    let (events, cursor) = if args.all {
        (block_on(async { Ok(logs.list_all(filter).try_collect::<Vec<_>>().await?) })?, None)
    } else {
        let LogPage { events, cursor, .. } =
            block_on(async { Ok(logs.list(&filter, args.cursor.as_deref(), args.count).await?) })?;
        (events, cursor)
    };
    show(json, &serde_json::json!({ "events": events, "cursor": cursor }), |_| {
        let mut text = table(&events, &["time", "state", "messageId", "url", "error"]);
        if let Some(cursor) = &cursor {
            text.push_str(&format!("\nnext page: --cursor {cursor}"));
        }
        text
    })
}
