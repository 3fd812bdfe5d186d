//! The flags of the paged listings and the bulk commands (`dlq list`, `logs`, `dlq delete`,
//! `messages cancel`, …): pages and filters.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use qstash_client::MessageFilter;

/// Which page, or all of them.
#[derive(clap::Args, Debug)]
pub(crate) struct PageArgs {
    /// Start at this cursor (printed by the previous page).
    #[arg(long, conflicts_with = "all")]
    pub(crate) cursor: Option<String>,
    /// At most this many items per page.
    #[arg(long)]
    pub(crate) count: Option<u32>,
    /// Follow the cursor through every page.
    #[arg(long)]
    pub(crate) all: bool,
}

/// The filters. Those naming a thing repeat (`--label a --label b` matches either).
#[derive(clap::Args, Debug)]
pub(crate) struct FilterArgs {
    /// Only this message id.
    #[arg(long)]
    message_id: Option<String>,
    /// Only this destination URL (repeatable).
    #[arg(long)]
    url: Vec<String>,
    /// Only this URL group (repeatable).
    #[arg(long)]
    url_group: Vec<String>,
    /// Only this schedule (repeatable).
    #[arg(long)]
    schedule_id: Vec<String>,
    /// Only this queue (repeatable).
    #[arg(long)]
    queue: Vec<String>,
    /// Only this label (repeatable).
    #[arg(long)]
    label: Vec<String>,
    /// Only this flow-control key (repeatable).
    #[arg(long)]
    flow_control_key: Vec<String>,
    /// Only messages published from this IP address (repeatable).
    #[arg(long)]
    caller_ip: Vec<String>,
    /// At or after this Unix time (milliseconds).
    #[arg(long)]
    from_date: Option<u64>,
    /// At or before this Unix time (milliseconds).
    #[arg(long)]
    to_date: Option<u64>,
}

fn at(millis: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(millis)
}

impl FilterArgs {
    /// The filter these flags describe.
    pub(crate) fn filter(self) -> MessageFilter {
        MessageFilter {
            message_id: self.message_id,
            url: self.url,
            url_group: self.url_group,
            schedule_id: self.schedule_id,
            queue_name: self.queue,
            label: self.label,
            flow_control_key: self.flow_control_key,
            caller_ip: self.caller_ip,
            from_date: self.from_date.map(at),
            to_date: self.to_date.map(at),
            ..MessageFilter::default()
        }
    }
}

/// The next page's cursor as a hint under a text listing.
pub(crate) fn next_page_hint(text: &mut String, cursor: Option<&String>) {
    if let Some(cursor) = cursor {
        text.push_str(&format!("\nnext page: --cursor {cursor}"));
    }
}
