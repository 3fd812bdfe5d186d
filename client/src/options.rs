//! Publish options, mapped to QStash's headers exactly as the official clients map them.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;

use reqwest::header::HeaderMap;
use serde::Serialize;

use super::{ClientError, FlowControl, header};
use crate::integrations::{Api, Route};

/// Where a message goes. A URL is sent exactly as given (no re-encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// An HTTP(S) endpoint.
    Url(String),
    /// A URL group (topic) by name: every endpoint in it gets the message.
    UrlGroup(String),
    /// An integration: an LLM or email provider (the official clients' `api` option).
    Api(Api),
}

impl Destination {
    /// The destination path segment, and the headers an integration adds, for an account whose
    /// token is `qstash_token`.
    pub(crate) fn route(&self, qstash_token: &str, options: &PublishOptions) -> Result<Route, ClientError> {
        match self {
            Destination::Url(url) => Ok(Route { path: url.clone(), headers: Vec::new() }),
            Destination::UrlGroup(name) => Ok(Route { path: name.clone(), headers: Vec::new() }),
            Destination::Api(api) => api.route(qstash_token, options.callback.is_some()),
        }
    }
}

impl From<&str> for Destination {
    fn from(url: &str) -> Self {
        Destination::Url(url.to_string())
    }
}

impl From<String> for Destination {
    fn from(url: String) -> Self {
        Destination::Url(url)
    }
}

/// A callback: QStash calls `url` with the destination's response (`Upstash-Callback`) or,
/// for a failure callback, once every retry failed (`Upstash-Failure-Callback`), with these
/// settings for that call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Callback {
    /// Where the callback goes.
    pub url: String,
    /// Its method (`…-Callback-Method`, default `POST`).
    pub method: Option<String>,
    /// How long QStash waits for it (`…-Callback-Timeout`, whole seconds).
    pub timeout: Option<Duration>,
    /// Its retries (`…-Callback-Retries`; default: the message's).
    pub retries: Option<u32>,
    /// Its retry delay expression (`…-Callback-Retry-Delay`).
    pub retry_delay: Option<String>,
    /// How long QStash waits before calling it (`…-Callback-Delay`, whole seconds).
    pub delay: Option<Duration>,
    /// Headers for it (`…-Callback-Forward-{name}`).
    pub headers: Vec<(String, String)>,
}

impl Callback {
    /// A callback to `url` with QStash's defaults.
    pub fn new(url: impl Into<String>) -> Self {
        Callback { url: url.into(), ..Callback::default() }
    }

    /// Adds its headers under `prefix` (`Upstash-Callback` or `Upstash-Failure-Callback`).
    fn headers_into(&self, prefix: &str, set: &mut impl FnMut(String, String)) {
        set(prefix.to_string(), self.url.clone());
        if let Some(method) = &self.method {
            set(format!("{prefix}-Method"), method.clone());
        }
        if let Some(timeout) = self.timeout {
            set(format!("{prefix}-Timeout"), seconds(timeout));
        }
        if let Some(retries) = self.retries {
            set(format!("{prefix}-Retries"), retries.to_string());
        }
        if let Some(expression) = &self.retry_delay {
            set(format!("{prefix}-Retry-Delay"), expression.clone());
        }
        if let Some(delay) = self.delay {
            set(format!("{prefix}-Delay"), seconds(delay));
        }
        for (name, value) in &self.headers {
            set(format!("{prefix}-Forward-{name}"), value.clone());
        }
    }
}

/// What QStash must keep out of its logs and console.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Redact {
    /// The body.
    pub body: bool,
    /// Every header.
    pub all_headers: bool,
    /// These headers (ignored when `all_headers`).
    pub headers: Vec<String>,
}

/// Everything a publish can set; `Default` sets nothing (QStash's defaults apply).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishOptions {
    /// The method QStash uses to call the destination (`Upstash-Method`, default `POST`).
    pub method: Option<String>,
    /// Headers for the destination: sent as `Upstash-Forward-{name}`, except `Content-Type`
    /// and `Upstash-*` headers, which are sent as they are (as the official clients do).
    pub headers: Vec<(String, String)>,
    /// Delay before the first delivery (`Upstash-Delay`, whole seconds).
    pub delay: Option<Duration>,
    /// Deliver no earlier than this unix time (`Upstash-Not-Before`).
    pub not_before: Option<i64>,
    /// Delivery retries (`Upstash-Retries`).
    pub retries: Option<u32>,
    /// Retry delay expression, e.g. `"pow(2, retried) * 1000"` (`Upstash-Retry-Delay`).
    pub retry_delay: Option<String>,
    /// Called with the destination's response (`Upstash-Callback` and its settings).
    pub callback: Option<Callback>,
    /// Called when every retry failed (`Upstash-Failure-Callback` and its settings).
    pub failure_callback: Option<Callback>,
    /// How long QStash waits for the destination (`Upstash-Timeout`, whole seconds).
    pub timeout: Option<Duration>,
    /// Messages with the same id within the deduplication window are dropped.
    pub deduplication_id: Option<String>,
    /// Deduplicate by content (`Upstash-Content-Based-Deduplication: true`).
    pub content_based_deduplication: bool,
    /// Flow control (`Upstash-Flow-Control-Key` / `-Value`).
    pub flow_control: Option<FlowControl>,
    /// Labels for filtering logs (`Upstash-Label`, comma-separated).
    pub labels: Vec<String>,
    /// Fields QStash must redact (`Upstash-Redact-Fields`).
    pub redact: Option<Redact>,
    /// The body's content type (`Content-Type`).
    pub content_type: Option<String>,
}

fn seconds(d: Duration) -> String {
    format!("{}s", d.as_secs())
}

impl PublishOptions {
    /// The headers as `(name, value)` pairs, in the order the official clients set them.
    pub fn header_pairs(&self, json: bool) -> Result<Vec<(String, String)>, ClientError> {
        self.header_pairs_with(json, &[])
    }

    /// [`PublishOptions::header_pairs`] for a message to an integration, whose `provider`
    /// headers come first and are forwarded like the message's own, which override them.
    pub(crate) fn header_pairs_with(
        &self,
        json: bool,
        provider: &[(String, String)],
    ) -> Result<Vec<(String, String)>, ClientError> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut set = |name: String, value: String| {
            out.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
            out.push((name, value));
        };
        for (name, value) in provider.iter().chain(&self.headers) {
            let lower = name.to_ascii_lowercase();
            if lower.starts_with("content-type") || lower.starts_with("upstash-") {
                set(name.clone(), value.clone());
            } else {
                set(format!("Upstash-Forward-{name}"), value.clone());
            }
        }
        if let Some(content_type) = &self.content_type {
            set("Content-Type".into(), content_type.clone());
        }
        if json {
            set("Content-Type".into(), "application/json".into());
        }
        set("Upstash-Method".into(), self.method.clone().unwrap_or_else(|| "POST".into()));
        if let Some(delay) = self.delay {
            set("Upstash-Delay".into(), seconds(delay));
        }
        if let Some(at) = self.not_before {
            set("Upstash-Not-Before".into(), at.to_string());
        }
        if let Some(id) = &self.deduplication_id {
            set("Upstash-Deduplication-Id".into(), id.clone());
        }
        if self.content_based_deduplication {
            set("Upstash-Content-Based-Deduplication".into(), "true".into());
        }
        if let Some(retries) = self.retries {
            set("Upstash-Retries".into(), retries.to_string());
        }
        if let Some(expression) = &self.retry_delay {
            set("Upstash-Retry-Delay".into(), expression.clone());
        }
        if let Some(callback) = &self.callback {
            callback.headers_into("Upstash-Callback", &mut set);
        }
        if let Some(callback) = &self.failure_callback {
            callback.headers_into("Upstash-Failure-Callback", &mut set);
        }
        if let Some(timeout) = self.timeout {
            set("Upstash-Timeout".into(), seconds(timeout));
        }
        if let Some(flow) = &self.flow_control {
            let value = flow.value()?;
            set("Upstash-Flow-Control-Key".into(), flow.key.clone());
            set("Upstash-Flow-Control-Value".into(), value);
        }
        if !self.labels.is_empty() {
            set("Upstash-Label".into(), self.labels.join(","));
        }
        if let Some(redact) = &self.redact {
            let mut parts = Vec::new();
            if redact.body {
                parts.push("body".to_string());
            }
            if redact.all_headers {
                parts.push("header".to_string());
            } else {
                parts.extend(redact.headers.iter().map(|h| format!("header[{h}]")));
            }
            if !parts.is_empty() {
                set("Upstash-Redact-Fields".into(), parts.join(","));
            }
        }
        Ok(out)
    }

    /// Whether QStash drops a second copy of this message (a deduplication id, or
    /// content-based deduplication), which makes sending it twice harmless.
    pub fn is_deduplicated(&self) -> bool {
        self.deduplication_id.is_some() || self.content_based_deduplication
    }

    pub(crate) fn headers(
        &self,
        content_type: Option<&str>,
        provider: &[(String, String)],
    ) -> Result<HeaderMap, ClientError> {
        let mut map = HeaderMap::new();
        for (name, value) in self.header_pairs_with(content_type.is_some(), provider)? {
            let (name, value) = header(&name, &value)?;
            map.insert(name, value);
        }
        Ok(map)
    }
}

/// One message of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchMessage {
    /// Where it goes.
    pub destination: Destination,
    /// The body (a batch travels as JSON, so bodies are text).
    pub body: String,
    /// Its options.
    pub options: PublishOptions,
    /// Enqueue it on this queue instead of publishing it directly.
    pub queue: Option<String>,
}

/// A batch message as `/v2/batch` takes it.
#[derive(Debug, Serialize)]
pub(crate) struct BatchEntry {
    pub(crate) destination: String,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) queue: Option<String>,
}

impl BatchMessage {
    pub(crate) fn entry(
        &self,
        content_type: Option<&str>,
        qstash_token: &str,
    ) -> Result<BatchEntry, ClientError> {
        let route = self.destination.route(qstash_token, &self.options)?;
        // Names in lower case, as the official clients write them (a `Headers` object): the
        // same batch body from either client.
        let headers = self
            .options
            .header_pairs_with(content_type.is_some(), &route.headers)?
            .into_iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value))
            .collect();
        Ok(BatchEntry {
            destination: route.path,
            headers,
            body: self.body.clone(),
            queue: self.queue.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_maps_to_its_official_header() {
        let options = PublishOptions {
            method: Some("PUT".into()),
            headers: alloc::vec![
                ("X-Tenant".into(), "acme".into()),
                ("Content-Type".into(), "text/plain".into()),
                ("Upstash-Custom".into(), "kept".into()),
            ],
            delay: Some(Duration::from_secs(90)),
            not_before: Some(1_750_000_000),
            retries: Some(3),
            retry_delay: Some("pow(2, retried) * 1000".into()),
            callback: Some(Callback {
                url: "https://cb.example/ok".into(),
                method: Some("PUT".into()),
                timeout: Some(Duration::from_secs(20)),
                retries: Some(2),
                retry_delay: Some("1000".into()),
                delay: Some(Duration::from_secs(10)),
                headers: alloc::vec![("X-Cb".into(), "1".into())],
            }),
            failure_callback: Some(Callback {
                headers: alloc::vec![("X-Fail".into(), "2".into())],
                ..Callback::new("https://cb.example/fail")
            }),
            timeout: Some(Duration::from_secs(30)),
            deduplication_id: Some("dedup-1".into()),
            content_based_deduplication: true,
            flow_control: Some(FlowControl {
                key: "tenant-acme".into(),
                parallelism: Some(2),
                rate: Some(10),
                period: Some(Duration::from_secs(60)),
            }),
            labels: alloc::vec!["billing".into(), "eu".into()],
            redact: Some(Redact {
                body: true,
                all_headers: false,
                headers: alloc::vec!["Authorization".into()],
            }),
            content_type: None,
        };
        let pairs: BTreeMap<String, String> = options.header_pairs(false).unwrap().into_iter().collect();
        let want: BTreeMap<String, String> = [
            ("Upstash-Forward-X-Tenant", "acme"),
            ("Content-Type", "text/plain"),
            ("Upstash-Custom", "kept"),
            ("Upstash-Method", "PUT"),
            ("Upstash-Delay", "90s"),
            ("Upstash-Not-Before", "1750000000"),
            ("Upstash-Deduplication-Id", "dedup-1"),
            ("Upstash-Content-Based-Deduplication", "true"),
            ("Upstash-Retries", "3"),
            ("Upstash-Retry-Delay", "pow(2, retried) * 1000"),
            ("Upstash-Callback", "https://cb.example/ok"),
            ("Upstash-Callback-Method", "PUT"),
            ("Upstash-Callback-Timeout", "20s"),
            ("Upstash-Callback-Retries", "2"),
            ("Upstash-Callback-Retry-Delay", "1000"),
            ("Upstash-Callback-Delay", "10s"),
            ("Upstash-Callback-Forward-X-Cb", "1"),
            ("Upstash-Failure-Callback", "https://cb.example/fail"),
            ("Upstash-Failure-Callback-Forward-X-Fail", "2"),
            ("Upstash-Timeout", "30s"),
            ("Upstash-Flow-Control-Key", "tenant-acme"),
            ("Upstash-Flow-Control-Value", "parallelism=2, rate=10, period=60s"),
            ("Upstash-Label", "billing,eu"),
            ("Upstash-Redact-Fields", "body,header[Authorization]"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(pairs, want);
    }

    #[test]
    fn defaults_send_only_the_method_and_json_sets_the_content_type() {
        assert_eq!(
            PublishOptions::default().header_pairs(true).unwrap(),
            alloc::vec![
                ("Content-Type".to_string(), "application/json".to_string()),
                ("Upstash-Method".to_string(), "POST".to_string())
            ]
        );
    }

    #[test]
    fn flow_control_without_limits_is_refused() {
        let options = PublishOptions {
            flow_control: Some(FlowControl { key: "k".into(), ..Default::default() }),
            ..Default::default()
        };
        assert!(matches!(options.header_pairs(false), Err(ClientError::Config(_))));
    }
}
