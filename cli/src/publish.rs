//! `qstash-kit publish`: send a message through the QStash API.

use qstash_client::{Destination, PublishOptions, PublishResponse};

use crate::Report;
use crate::api::{ApiArgs, block_on, show, table};
use crate::failure::Failure;
use crate::integration::IntegrationArgs;
use crate::message_args::MessageArgs;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The destination URL (or URL group name with --url-group); none with --api.
    #[arg(required_unless_present = "api", conflicts_with = "api")]
    destination: Option<String>,
    /// The destination is a URL group (topic) name.
    #[arg(long)]
    url_group: bool,
    /// Enqueue on this queue instead of publishing directly.
    #[arg(long)]
    queue: Option<String>,
    #[command(flatten)]
    message: MessageArgs,
    /// Deliver no earlier than this unix time.
    #[arg(long)]
    not_before: Option<i64>,
    /// Deduplication id.
    #[arg(long)]
    deduplication_id: Option<String>,
    /// Deduplicate by content.
    #[arg(long)]
    content_based_deduplication: bool,
    #[command(flatten)]
    integration: IntegrationArgs,
    #[command(flatten)]
    api: ApiArgs,
}

/// The publish options the message flags describe.
pub(crate) fn options(message: &MessageArgs) -> Result<PublishOptions, Failure> {
    Ok(PublishOptions {
        method: message.method.clone(),
        headers: message.headers()?,
        delay: message.delay,
        retries: message.retries,
        retry_delay: message.retry_delay.clone(),
        callback: message.callback()?,
        failure_callback: message.failure_callback()?,
        flow_control: message.flow_control(),
        redact: message.redact(),
        timeout: message.timeout,
        labels: message.labels.clone(),
        content_type: message.content_type(),
        ..PublishOptions::default()
    })
}

/// The accepted messages, one line each (`id -> url` for URL-group endpoints).
pub(crate) fn show_sent(json: bool, sent: &[PublishResponse]) -> Result<Report, Failure> {
    show(json, &serde_json::json!({ "messages": sent }), |_| {
        if sent.iter().any(|m| m.url.is_some()) {
            table(sent, &["messageId", "url", "deduplicated"])
        } else {
            sent.iter().map(|m| m.message_id.clone()).collect::<Vec<_>>().join("\n")
        }
    })
}

pub(crate) fn run(args: Args, json: bool) -> Result<Report, Failure> {
    let body = args.message.body()?;
    let options = PublishOptions {
        not_before: args.not_before,
        deduplication_id: args.deduplication_id,
        content_based_deduplication: args.content_based_deduplication,
        ..options(&args.message)?
    };
    let client = args.api.client()?;
    let destination = match (args.integration.api()?, args.destination) {
        (Some(api), _) => Destination::Api(api),
        (None, Some(group)) if args.url_group => Destination::UrlGroup(group),
        (None, Some(url)) => Destination::Url(url),
        (None, None) => return Err("pass a destination, or an integration with --api".into()),
    };
    let sent = block_on(async {
        Ok(match &args.queue {
            Some(queue) => client.enqueue(queue, destination, body, &options).await?,
            None => client.publish(destination, body, &options).await?,
        })
    })?;
    show_sent(json, &sent)
}
