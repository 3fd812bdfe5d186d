//! The flags of a message, shared by `publish`, `batch` and `schedules create`.

use std::time::Duration;

use qstash_client::{Callback, FlowControl, Redact, parse_duration};

use crate::failure::Failure;
use crate::input::body;

/// How QStash delivers the message.
#[derive(clap::Args, Debug)]
pub(crate) struct MessageArgs {
    /// The body, as text (sent with `Content-Type: text/plain;charset=UTF-8` unless
    /// --content-type says otherwise, as the official TypeScript client sends a text body).
    #[arg(long)]
    pub(crate) data: Option<String>,
    /// The body as JSON text, checked to parse and sent with `Content-Type: application/json`
    /// (the official clients' `publishJSON`), for endpoints that read JSON.
    #[arg(long, value_name = "JSON", conflicts_with_all = ["data", "body"])]
    pub(crate) data_json: Option<String>,
    /// A file with the raw body (`-` for stdin).
    #[arg(long)]
    pub(crate) body: Option<String>,
    /// The body's content type.
    #[arg(long)]
    pub(crate) content_type: Option<String>,
    /// A header for the destination, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header")]
    pub(crate) headers: Vec<String>,
    /// The method QStash calls the destination with.
    #[arg(long)]
    pub(crate) method: Option<String>,
    /// Delay before delivery: 90, 90s, 10m, 1d10h30m.
    #[arg(long, value_parser = parse_duration)]
    pub(crate) delay: Option<Duration>,
    /// Delivery retries.
    #[arg(long)]
    pub(crate) retries: Option<u32>,
    /// Retry delay expression, e.g. "pow(2, retried) * 1000".
    #[arg(long)]
    pub(crate) retry_delay: Option<String>,
    /// How long QStash waits for the destination: 30, 30s, 2m.
    #[arg(long, value_parser = parse_duration)]
    pub(crate) timeout: Option<Duration>,
    /// Callback URL.
    #[arg(long)]
    pub(crate) callback: Option<String>,
    /// The callback's method.
    #[arg(long, requires = "callback")]
    pub(crate) callback_method: Option<String>,
    /// How long QStash waits for the callback: 30s, 2m.
    #[arg(long, requires = "callback", value_parser = parse_duration)]
    pub(crate) callback_timeout: Option<Duration>,
    /// The callback's retries.
    #[arg(long, requires = "callback")]
    pub(crate) callback_retries: Option<u32>,
    /// The callback's retry delay expression.
    #[arg(long, requires = "callback")]
    pub(crate) callback_retry_delay: Option<String>,
    /// How long QStash waits before calling the callback: 10s, 1m.
    #[arg(long, requires = "callback", value_parser = parse_duration)]
    pub(crate) callback_delay: Option<Duration>,
    /// A header for the callback call, `Name: value` (repeatable).
    #[arg(long = "callback-header", requires = "callback")]
    pub(crate) callback_headers: Vec<String>,
    /// Failure callback URL.
    #[arg(long)]
    pub(crate) failure_callback: Option<String>,
    /// The failure callback's method.
    #[arg(long, requires = "failure_callback")]
    pub(crate) failure_callback_method: Option<String>,
    /// How long QStash waits for the failure callback.
    #[arg(long, requires = "failure_callback", value_parser = parse_duration)]
    pub(crate) failure_callback_timeout: Option<Duration>,
    /// The failure callback's retries.
    #[arg(long, requires = "failure_callback")]
    pub(crate) failure_callback_retries: Option<u32>,
    /// The failure callback's retry delay expression.
    #[arg(long, requires = "failure_callback")]
    pub(crate) failure_callback_retry_delay: Option<String>,
    /// How long QStash waits before calling the failure callback: 10s, 1m.
    #[arg(long, requires = "failure_callback", value_parser = parse_duration)]
    pub(crate) failure_callback_delay: Option<Duration>,
    /// A header for the failure callback call, `Name: value` (repeatable).
    #[arg(long = "failure-callback-header", requires = "failure_callback")]
    pub(crate) failure_callback_headers: Vec<String>,
    /// Flow-control key (with --parallelism and/or --rate).
    #[arg(long)]
    pub(crate) flow_control_key: Option<String>,
    /// Flow control: deliveries in flight at once.
    #[arg(long, requires = "flow_control_key")]
    pub(crate) parallelism: Option<u32>,
    /// Flow control: deliveries per period.
    #[arg(long, requires = "flow_control_key")]
    pub(crate) rate: Option<u32>,
    /// Flow control: the rate's period: 1s, 1m.
    #[arg(long, requires = "flow_control_key", value_parser = parse_duration)]
    pub(crate) period: Option<Duration>,
    /// A label (repeatable).
    #[arg(long = "label")]
    pub(crate) labels: Vec<String>,
    /// Ask QStash to redact the body in its logs.
    #[arg(long)]
    pub(crate) redact_body: bool,
    /// Ask QStash to redact a header (repeatable), or all headers with `*`.
    #[arg(long = "redact-header")]
    pub(crate) redact_headers: Vec<String>,
}

/// `Name: value` as a pair.
pub(crate) fn header_pair(raw: &str) -> Result<(String, String), Failure> {
    let (name, value) = raw.split_once(':').ok_or_else(|| format!("header {raw:?} is not `Name: value`"))?;
    Ok((name.trim().to_owned(), value.trim().to_owned()))
}

fn header_pairs(raw: &[String]) -> Result<Vec<(String, String)>, Failure> {
    raw.iter().map(|h| header_pair(h)).collect()
}

impl MessageArgs {
    /// The body bytes.
    pub(crate) fn body(&self) -> Result<Vec<u8>, Failure> {
        if let Some(json) = &self.data_json {
            serde_json::from_str::<serde::de::IgnoredAny>(json)
                .map_err(|e| format!("--data-json is not JSON: {e}"))?;
            return Ok(json.as_bytes().to_vec());
        }
        Ok(body(self.data.as_deref(), self.body.as_deref())?)
    }

    /// The content type: the flag, else the one the official client gives a JSON body
    /// (`publishJSON`) or a text body.
    pub(crate) fn content_type(&self) -> Option<String> {
        let implied = if self.data_json.is_some() {
            Some("application/json")
        } else {
            self.data.as_ref().map(|_| "text/plain;charset=UTF-8")
        };
        self.content_type.clone().or_else(|| implied.map(str::to_owned))
    }

    /// The destination's headers.
    pub(crate) fn headers(&self) -> Result<Vec<(String, String)>, Failure> {
        header_pairs(&self.headers)
    }

    /// The callback and its settings.
    pub(crate) fn callback(&self) -> Result<Option<Callback>, Failure> {
        let Some(url) = &self.callback else { return Ok(None) };
        Ok(Some(Callback {
            url: url.clone(),
            method: self.callback_method.clone(),
            timeout: self.callback_timeout,
            retries: self.callback_retries,
            retry_delay: self.callback_retry_delay.clone(),
            delay: self.callback_delay,
            headers: header_pairs(&self.callback_headers)?,
        }))
    }

    /// The failure callback and its settings.
    pub(crate) fn failure_callback(&self) -> Result<Option<Callback>, Failure> {
        let Some(url) = &self.failure_callback else { return Ok(None) };
        Ok(Some(Callback {
            url: url.clone(),
            method: self.failure_callback_method.clone(),
            timeout: self.failure_callback_timeout,
            retries: self.failure_callback_retries,
            retry_delay: self.failure_callback_retry_delay.clone(),
            delay: self.failure_callback_delay,
            headers: header_pairs(&self.failure_callback_headers)?,
        }))
    }

    /// Flow control, when a key was given.
    pub(crate) fn flow_control(&self) -> Option<FlowControl> {
        self.flow_control_key.as_ref().map(|key| FlowControl {
            key: key.clone(),
            parallelism: self.parallelism,
            rate: self.rate,
            period: self.period,
        })
    }

    /// What QStash must redact, when anything.
    pub(crate) fn redact(&self) -> Option<Redact> {
        (self.redact_body || !self.redact_headers.is_empty()).then(|| Redact {
            body: self.redact_body,
            all_headers: self.redact_headers.iter().any(|h| h == "*"),
            headers: self.redact_headers.iter().filter(|h| *h != "*").cloned().collect(),
        })
    }
}
