//! `qstash-kit batch FILE`: several messages in one request.

use std::collections::BTreeMap;

use qstash_client::{BatchMessage, Callback, Destination, PublishOptions};
use serde::Deserialize;

use crate::Report;
use crate::api::{ApiArgs, block_on};
use crate::failure::Failure;
use crate::integration::ApiSpec;
use crate::publish::show_sent;

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// A JSON file (`-` for stdin) holding an array of messages, each
    /// `{"destination": URL or URL group, "body": text, "headers": {…}, "queue": name}`
    /// (the shape of QStash's `/v2/batch`); headers are sent as `publish -H` sends them. In
    /// place of a destination, an integration as the official clients name it:
    /// `"api": {"name": "llm", "provider": "openai", "token": "…"}` (also `anthropic`,
    /// `upstash`, `custom` with `baseUrl`, `"analytics": {"name": "helicone", "token": "…"}`),
    /// or `{"name": "email", "provider": "resend", "token": "…", "batch": true}`.
    file: String,
    #[command(flatten)]
    api: ApiArgs,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(default)]
    destination: Option<String>,
    #[serde(default)]
    api: Option<ApiSpec>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    queue: Option<String>,
}

impl Entry {
    fn message(self) -> Result<BatchMessage, Failure> {
        let destination = match (self.api, self.destination) {
            (Some(api), None) => Destination::Api(api.api()?),
            (None, Some(url)) if url.contains("://") => Destination::Url(url),
            (None, Some(group)) => Destination::UrlGroup(group),
            _ => return Err("each message has a destination or an api, not both".into()),
        };
        let headers: Vec<(String, String)> = self.headers.into_iter().collect();
        let find = |wanted: &str| {
            headers.iter().find(|(name, _)| name.eq_ignore_ascii_case(wanted)).map(|(_, value)| value.clone())
        };
        // Options the client sets itself come out of the headers, so that the file's values
        // win and a deduplicated message may be retried.
        let options = PublishOptions {
            method: find("upstash-method"),
            deduplication_id: find("upstash-deduplication-id"),
            callback: find("upstash-callback").map(Callback::new),
            headers: headers.clone(),
            ..Default::default()
        };
        Ok(BatchMessage { destination, body: self.body, options, queue: self.queue })
    }
}

pub(crate) fn run(args: Args, json: bool) -> Result<Report, Failure> {
    let text = crate::input::body(None, Some(&args.file))?;
    let entries: Vec<Entry> = serde_json::from_slice(&text)
        .map_err(|e| format!("{}: not a batch (a JSON array of messages): {e}", args.file))?;
    if entries.is_empty() {
        return Err(format!("{}: the batch is empty", args.file).into());
    }
    let messages = entries.into_iter().map(Entry::message).collect::<Result<Vec<BatchMessage>, Failure>>()?;
    let client = args.api.client()?;
    let sent = block_on(async { Ok(client.batch(&messages).await?) })?;
    show_sent(json, &sent)
}
