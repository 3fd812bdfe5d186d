//! `qstash-kit publish`: send a message through the QStash API.

use std::time::Duration;

use qstash_client::{Client, ClientConfig, Destination, FlowControl, PublishOptions, Redact};

use crate::Outcome;
use crate::input::body;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The destination URL (or URL group name with --url-group).
    destination: String,
    /// The destination is a URL group (topic) name.
    #[arg(long)]
    url_group: bool,
    /// Enqueue on this queue instead of publishing directly.
    #[arg(long)]
    queue: Option<String>,
    /// The body, as text.
    #[arg(long)]
    data: Option<String>,
    /// A file with the raw body (`-` for stdin).
    #[arg(long)]
    body: Option<String>,
    /// A header for the destination, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header")]
    headers: Vec<String>,
    /// The method QStash calls the destination with.
    #[arg(long)]
    method: Option<String>,
    /// Delay in seconds.
    #[arg(long)]
    delay: Option<u64>,
    /// Deliver no earlier than this unix time.
    #[arg(long)]
    not_before: Option<i64>,
    /// Delivery retries.
    #[arg(long)]
    retries: Option<u32>,
    /// Retry delay expression, e.g. "pow(2, retried) * 1000".
    #[arg(long)]
    retry_delay: Option<String>,
    /// Callback URL.
    #[arg(long)]
    callback: Option<String>,
    /// A header for the callback call, `Name: value` (repeatable).
    #[arg(long = "callback-header")]
    callback_headers: Vec<String>,
    /// Failure callback URL.
    #[arg(long)]
    failure_callback: Option<String>,
    /// A header for the failure callback call, `Name: value` (repeatable).
    #[arg(long = "failure-callback-header")]
    failure_callback_headers: Vec<String>,
    /// Flow-control key (with --parallelism and/or --rate).
    #[arg(long)]
    flow_control_key: Option<String>,
    /// Flow control: deliveries in flight at once.
    #[arg(long, requires = "flow_control_key")]
    parallelism: Option<u32>,
    /// Flow control: deliveries per period.
    #[arg(long, requires = "flow_control_key")]
    rate: Option<u32>,
    /// Flow control: the rate's period in seconds.
    #[arg(long, requires = "flow_control_key")]
    period: Option<u64>,
    /// Ask QStash to redact the body in its logs.
    #[arg(long)]
    redact_body: bool,
    /// Ask QStash to redact a header (repeatable), or all headers with `*`.
    #[arg(long = "redact-header")]
    redact_headers: Vec<String>,
    /// Destination timeout in seconds.
    #[arg(long)]
    timeout: Option<u64>,
    /// Deduplication id.
    #[arg(long)]
    deduplication_id: Option<String>,
    /// Deduplicate by content.
    #[arg(long)]
    content_based_deduplication: bool,
    /// A label (repeatable).
    #[arg(long = "label")]
    labels: Vec<String>,
    /// The body's content type.
    #[arg(long)]
    content_type: Option<String>,
    /// The QStash token (default: QSTASH_TOKEN, or the region's with QSTASH_REGION).
    #[arg(long, env = "QSTASH_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The API base URL (default: QSTASH_URL, else <https://qstash.upstash.io>).
    #[arg(long)]
    api_url: Option<String>,
    /// Do not retry on 429, 5xx or connection errors.
    #[arg(long)]
    no_retry: bool,
}

fn header_pair(raw: &str) -> Result<(String, String), String> {
    let (name, value) = raw.split_once(':').ok_or_else(|| format!("header {raw:?} is not `Name: value`"))?;
    Ok((name.trim().to_owned(), value.trim().to_owned()))
}

pub(crate) fn run(args: Args, json: bool) -> Result<Outcome, String> {
    let body = body(args.data.as_deref(), args.body.as_deref())?;
    let options = PublishOptions {
        method: args.method,
        headers: args.headers.iter().map(|h| header_pair(h)).collect::<Result<_, _>>()?,
        delay: args.delay.map(Duration::from_secs),
        not_before: args.not_before,
        retries: args.retries,
        retry_delay: args.retry_delay,
        callback: args.callback,
        callback_headers: args.callback_headers.iter().map(|h| header_pair(h)).collect::<Result<_, _>>()?,
        failure_callback: args.failure_callback,
        failure_callback_headers: args
            .failure_callback_headers
            .iter()
            .map(|h| header_pair(h))
            .collect::<Result<_, _>>()?,
        flow_control: args.flow_control_key.map(|key| FlowControl {
            key,
            parallelism: args.parallelism,
            rate: args.rate,
            period: args.period.map(Duration::from_secs),
        }),
        redact: (args.redact_body || !args.redact_headers.is_empty()).then(|| Redact {
            body: args.redact_body,
            all_headers: args.redact_headers.iter().any(|h| h == "*"),
            headers: args.redact_headers.iter().filter(|h| *h != "*").cloned().collect(),
        }),
        timeout: args.timeout.map(Duration::from_secs),
        deduplication_id: args.deduplication_id,
        content_based_deduplication: args.content_based_deduplication,
        labels: args.labels,
        content_type: args.content_type,
    };
    let retry = args.no_retry.then(qstash_client::RetryPolicy::none);
    let client = Client::from_config(ClientConfig { token: args.token, base_url: args.api_url, retry })
        .map_err(|e| e.to_string())?;
    let destination = if args.url_group {
        Destination::UrlGroup(args.destination)
    } else {
        Destination::Url(args.destination)
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the async runtime: {e}"))?;
    let sent = runtime
        .block_on(async {
            match &args.queue {
                Some(queue) => client.enqueue(queue, destination, body, &options).await,
                None => client.publish(destination, body, &options).await,
            }
        })
        .map_err(|e| e.to_string())?;
    Ok(Outcome::Ok(if json {
        serde_json::json!({
            "messages": sent.iter().map(|m| serde_json::json!({
                "messageId": m.message_id, "url": m.url, "deduplicated": m.deduplicated,
            })).collect::<Vec<_>>()
        })
        .to_string()
    } else {
        sent.iter()
            .map(|m| match &m.url {
                Some(url) => format!("{} -> {url}", m.message_id),
                None => m.message_id.clone(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }))
}
