//! An async client of the whole QStash REST API (every operation of its reference: publish,
//! enqueue, batch, messages, schedules, URL groups, queues, the DLQ, logs, flow control and
//! the signing keys), with the official clients' header mapping and environment variables,
//! retries on connection errors, 429 and 5xx that honour the rate-limit headers, and
//! [`KeyRefresher`], which keeps a receiver's keys equal to the account's across rotations.
//!
//! ```no_run
//! use qstash_client::{Client, PublishOptions};
//!
//! # async fn run() -> Result<(), qstash_client::ClientError> {
//! let client = Client::from_env()?; // QSTASH_TOKEN, QSTASH_URL, QSTASH_REGION, …
//! let sent = client
//!     .publish_json(
//!         "https://my-app.example.com/api/qstash",
//!         &serde_json::json!({ "order": 42 }),
//!         &PublishOptions {
//!             retries: Some(3),
//!             delay: Some(std::time::Duration::from_secs(10)),
//!             ..Default::default()
//!         },
//!     )
//!     .await?;
//! println!("message {}", sent[0].message_id);
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

extern crate alloc;

mod api;
mod config;
mod duration;
mod error;
mod flow_control;
mod integrations;
#[doc(hidden)]
pub mod internal;
mod options;
mod retry;
mod rotation;
mod transport;
mod types;

pub use api::MessageFilter;
pub use api::bulk_actions::{BulkAction, BulkActionPage, BulkActionState, BulkActions};
pub use api::dlq::{Dlq, DlqMessage, DlqPage, DlqRetried, DlqRetriedPage};
pub use api::flow_control::{FlowControlApi, FlowControlInfo, GlobalParallelism, Pin, Unpin};
pub use api::logs::{LogEvent, LogPage, Logs, MessageState};
pub use api::messages::{Cancelled, Message, Messages};
pub use api::queues::{Queue, Queues};
pub use api::schedules::{Schedule, ScheduleOptions, Schedules};
pub use api::url_groups::{Endpoint, UrlGroup, UrlGroups};
pub use config::{ClientConfig, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, region_base_url};
pub use duration::{InvalidDuration, parse_duration};
pub use error::{ClientError, RateLimit};
pub use flow_control::{FlowControl, InvalidFlowControl};
pub use integrations::{Analytics, Api, LlmProvider, Resend};
pub use options::{BatchMessage, Callback, Destination, PublishOptions, Redact};
pub use retry::{RetryPolicy, Sleep, may_retry};
pub use rotation::{KeyRefresher, Refresh};
pub use types::{PublishResponse, SigningKeys};

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;

use qstash_core::Region;
use reqwest::header::{HeaderName, HeaderValue};
use serde::Serialize;

use crate::transport::Call;

/// A QStash API client. Cheap to clone (shares its connection pool). Every call has a
/// connect timeout and a request timeout ([`DEFAULT_CONNECT_TIMEOUT`], [`DEFAULT_TIMEOUT`]),
/// so a stalled connection ends in an error instead of a hang.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    pub(crate) token: String,
    region: Option<Region>,
    retry: RetryPolicy,
    connect_timeout: Duration,
    timeout: Duration,
}

impl core::fmt::Debug for Client {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("token", &"[REDACTED]")
            .field("region", &self.region)
            .field("retry", &self.retry)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The HTTP client with the given timeouts. Building it fails only when the TLS backend
/// cannot start, and then the plain client would fail the same way on its first request.
fn http_client(connect_timeout: Duration, timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder().connect_timeout(connect_timeout).timeout(timeout).build().unwrap_or_else(
        |error| {
            tracing::error!(%error, "the HTTP client could not be configured; using reqwest's defaults");
            reqwest::Client::default()
        },
    )
}

impl Client {
    /// A client for `https://qstash.upstash.io` with `token`, the default retry policy and
    /// the default timeouts.
    pub fn new(token: impl Into<String>) -> Self {
        Self::with_config(ClientConfig { token: Some(token.into()), ..ClientConfig::default() })
    }

    /// Configuration from the environment, with the official TypeScript client's precedence
    /// (see [`ClientConfig::resolve`]).
    pub fn from_env() -> Result<Self, ClientError> {
        Self::from_config(ClientConfig::default())
    }

    /// Explicit settings first, then the environment (see [`ClientConfig::resolve`]); fails
    /// when no token can be found.
    pub fn from_config(config: ClientConfig) -> Result<Self, ClientError> {
        let resolved = config.resolve(|name| std::env::var(name).ok());
        if resolved.token.as_deref().unwrap_or_default().is_empty() {
            return Err(ClientError::Config(
                "no QStash token: pass one or set QSTASH_TOKEN (or {REGION}_QSTASH_TOKEN with QSTASH_REGION)"
                    .to_string(),
            ));
        }
        Ok(Self::with_config(resolved))
    }

    fn with_config(config: ClientConfig) -> Self {
        let connect_timeout = config.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let timeout = config.timeout.unwrap_or(DEFAULT_TIMEOUT);
        Client {
            http: http_client(connect_timeout, timeout),
            base_url: config::normalise_base_url(config.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL)),
            token: config.token.unwrap_or_default(),
            region: config.region,
            retry: config.retry.unwrap_or_default(),
            connect_timeout,
            timeout,
        }
    }

    /// The same client talking to `base_url` (normalised: no trailing `/`, no `/v2/publish`).
    #[must_use]
    pub fn base_url(mut self, base_url: &str) -> Self {
        self.base_url = config::normalise_base_url(base_url);
        self
    }

    /// The same client with another retry policy ([`RetryPolicy::none`] turns retries off).
    #[must_use]
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The same client with other timeouts: opening a connection, and one whole attempt.
    #[must_use]
    pub fn timeouts(mut self, connect: Duration, request: Duration) -> Self {
        self.http = http_client(connect, request);
        (self.connect_timeout, self.timeout) = (connect, request);
        self
    }

    /// The base URL requests go to.
    pub fn url(&self) -> &str {
        &self.base_url
    }

    /// The region whose API and token this client uses, when it was configured with one
    /// (`QSTASH_REGION` or [`ClientConfig::region`]); [`KeyRefresher`] writes the keys it
    /// fetches to that region's pair.
    pub fn region(&self) -> Option<Region> {
        self.region
    }

    /// Publishes `body` to a URL or URL group (`POST /v2/publish/{destination}`). A URL
    /// group answers one response per endpoint; this returns all of them. Without a
    /// deduplication id the call is not retried once QStash may have accepted it (see
    /// [`RetryPolicy`]).
    pub async fn publish(
        &self,
        destination: impl Into<Destination>,
        body: impl Into<Vec<u8>>,
        options: &PublishOptions,
    ) -> Result<Vec<PublishResponse>, ClientError> {
        self.send_message(None, destination.into(), body.into(), options, None).await
    }

    /// [`Client::publish`] with `body` serialised to JSON and `Content-Type: application/json`.
    pub async fn publish_json<T: Serialize + ?Sized>(
        &self,
        destination: impl Into<Destination>,
        body: &T,
        options: &PublishOptions,
    ) -> Result<Vec<PublishResponse>, ClientError> {
        let body = serde_json::to_vec(body).map_err(|e| ClientError::Decode(e.to_string()))?;
        self.send_message(None, destination.into(), body, options, Some("application/json")).await
    }

    /// Enqueues `body` on `queue` for a URL or URL group
    /// (`POST /v2/enqueue/{queue}/{destination}`).
    pub async fn enqueue(
        &self,
        queue: &str,
        destination: impl Into<Destination>,
        body: impl Into<Vec<u8>>,
        options: &PublishOptions,
    ) -> Result<Vec<PublishResponse>, ClientError> {
        self.send_message(Some(queue), destination.into(), body.into(), options, None).await
    }

    /// [`Client::enqueue`] with a JSON body.
    pub async fn enqueue_json<T: Serialize + ?Sized>(
        &self,
        queue: &str,
        destination: impl Into<Destination>,
        body: &T,
        options: &PublishOptions,
    ) -> Result<Vec<PublishResponse>, ClientError> {
        let body = serde_json::to_vec(body).map_err(|e| ClientError::Decode(e.to_string()))?;
        self.send_message(Some(queue), destination.into(), body, options, Some("application/json")).await
    }

    async fn send_message(
        &self,
        queue: Option<&str>,
        destination: Destination,
        body: Vec<u8>,
        options: &PublishOptions,
        content_type: Option<&str>,
    ) -> Result<Vec<PublishResponse>, ClientError> {
        let route = destination.route(&self.token, options)?;
        let path = match queue {
            Some(queue) => alloc::format!("/v2/enqueue/{}/{}", transport::segment(queue), route.path),
            None => alloc::format!("/v2/publish/{}", route.path),
        };
        let call = Call::post(path)
            .headers(options.headers(content_type, &route.headers)?)
            .body(body)
            .idempotent_if(options.is_deduplicated());
        types::flatten_responses(self.fetch(call).await?)
    }

    /// Publishes several messages in one request (`POST /v2/batch`); one response per
    /// message (URL groups: one per endpoint, flattened). Retried after a possible success
    /// only when every message has a deduplication id.
    pub async fn batch(&self, messages: &[BatchMessage]) -> Result<Vec<PublishResponse>, ClientError> {
        let entries = messages.iter().map(|m| m.entry(None, &self.token)).collect::<Result<Vec<_>, _>>()?;
        self.batch_entries(entries, messages.iter().all(|m| m.options.is_deduplicated())).await
    }

    /// [`Client::batch`] with each body serialised to JSON.
    pub async fn batch_json<T: Serialize>(
        &self,
        messages: &[(BatchMessage, T)],
    ) -> Result<Vec<PublishResponse>, ClientError> {
        let entries = messages
            .iter()
            .map(|(m, body)| {
                let json = serde_json::to_string(body).map_err(|e| ClientError::Decode(e.to_string()))?;
                let mut entry = m.entry(Some("application/json"), &self.token)?;
                entry.body = json;
                Ok(entry)
            })
            .collect::<Result<Vec<_>, ClientError>>()?;
        self.batch_entries(entries, messages.iter().all(|(m, _)| m.options.is_deduplicated())).await
    }

    async fn batch_entries(
        &self,
        entries: Vec<options::BatchEntry>,
        idempotent: bool,
    ) -> Result<Vec<PublishResponse>, ClientError> {
        let call = Call::post("/v2/batch").json(&entries)?.idempotent_if(idempotent);
        types::flatten_responses(self.fetch(call).await?)
    }

    /// The account's signing keys (`GET /v2/keys`).
    pub async fn signing_keys(&self) -> Result<SigningKeys, ClientError> {
        self.fetch(Call::get("/v2/keys")).await
    }

    /// Rotates the signing keys (`POST /v2/keys/rotate`): the next key becomes current and
    /// a new next key is made. Returns the new pair. Never sent twice: after a 5xx or a lost
    /// answer the rotation may have happened, and a second one would invalidate the pair
    /// every receiver still holds; read the keys with [`Client::signing_keys`] instead.
    pub async fn rotate_signing_keys(&self) -> Result<SigningKeys, ClientError> {
        self.fetch(Call::post("/v2/keys/rotate").once()).await
    }
}

/// A header name and value from strings; refuses what HTTP cannot carry.
pub(crate) fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), ClientError> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| ClientError::Config(alloc::format!("invalid header name {name:?}")))?;
    let value = HeaderValue::from_str(value)
        .map_err(|_| ClientError::Config(alloc::format!("invalid value for header {name}")))?;
    Ok((name, value))
}

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
