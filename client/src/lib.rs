//! A thin async QStash client: publish, enqueue, batch and the signing-key endpoints, with the
//! official clients' header mapping and environment variables, plus retries on connection
//! errors, 429 and 5xx that honour the rate-limit headers; and [`KeyRefresher`], which keeps a
//! receiver's keys equal to the account's across rotations.
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

mod config;
mod error;
mod options;
mod retry;
mod rotation;
mod types;

pub use config::{ClientConfig, DEFAULT_BASE_URL};
pub use error::{ClientError, RateLimit};
pub use options::{BatchMessage, Destination, FlowControl, PublishOptions, Redact};
pub use retry::{RetryPolicy, Sleep};
pub use rotation::{KeyRefresher, Refresh};
pub use types::{PublishResponse, SigningKeys};

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;

/// A QStash API client. Cheap to clone (shares its connection pool).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    token: String,
    retry: RetryPolicy,
}

impl core::fmt::Debug for Client {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("token", &"[REDACTED]")
            .field("retry", &self.retry)
            .finish()
    }
}

impl Client {
    /// A client for `https://qstash.upstash.io` with `token` and the default retry policy.
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
        Client {
            http: reqwest::Client::new(),
            base_url: config::normalise_base_url(config.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL)),
            token: config.token.unwrap_or_default(),
            retry: config.retry.unwrap_or_default(),
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

    /// The base URL requests go to.
    pub fn url(&self) -> &str {
        &self.base_url
    }

    /// Publishes `body` to a URL or URL group (`POST /v2/publish/{destination}`). A URL
    /// group answers one response per endpoint; this returns all of them.
    pub async fn publish(
        &self,
        destination: impl Into<Destination>,
        body: impl Into<Vec<u8>>,
        options: &PublishOptions,
    ) -> Result<Vec<PublishResponse>, ClientError> {
        let destination = destination.into();
        let path = alloc::format!("/v2/publish/{}", destination.as_path());
        let headers = options.headers(None)?;
        self.send_many(Method::POST, &path, headers, body.into()).await
    }

    /// [`Client::publish`] with `body` serialised to JSON and `Content-Type: application/json`.
    pub async fn publish_json<T: Serialize + ?Sized>(
        &self,
        destination: impl Into<Destination>,
        body: &T,
        options: &PublishOptions,
    ) -> Result<Vec<PublishResponse>, ClientError> {
        let destination = destination.into();
        let path = alloc::format!("/v2/publish/{}", destination.as_path());
        let headers = options.headers(Some("application/json"))?;
        let body = serde_json::to_vec(body).map_err(|e| ClientError::Decode(e.to_string()))?;
        self.send_many(Method::POST, &path, headers, body).await
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
        let destination = destination.into();
        let path = alloc::format!("/v2/enqueue/{queue}/{}", destination.as_path());
        let headers = options.headers(None)?;
        self.send_many(Method::POST, &path, headers, body.into()).await
    }

    /// [`Client::enqueue`] with a JSON body.
    pub async fn enqueue_json<T: Serialize + ?Sized>(
        &self,
        queue: &str,
        destination: impl Into<Destination>,
        body: &T,
        options: &PublishOptions,
    ) -> Result<Vec<PublishResponse>, ClientError> {
        let destination = destination.into();
        let path = alloc::format!("/v2/enqueue/{queue}/{}", destination.as_path());
        let headers = options.headers(Some("application/json"))?;
        let body = serde_json::to_vec(body).map_err(|e| ClientError::Decode(e.to_string()))?;
        self.send_many(Method::POST, &path, headers, body).await
    }

    /// Publishes several messages in one request (`POST /v2/batch`); one response per
    /// message (URL groups: one per endpoint, flattened).
    pub async fn batch(&self, messages: &[BatchMessage]) -> Result<Vec<PublishResponse>, ClientError> {
        let entries = messages.iter().map(|m| m.entry(None)).collect::<Result<Vec<_>, _>>()?;
        self.batch_entries(entries).await
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
                let mut entry = m.entry(Some("application/json"))?;
                entry.body = json;
                Ok(entry)
            })
            .collect::<Result<Vec<_>, ClientError>>()?;
        self.batch_entries(entries).await
    }

    async fn batch_entries(
        &self,
        entries: Vec<options::BatchEntry>,
    ) -> Result<Vec<PublishResponse>, ClientError> {
        let body = serde_json::to_vec(&entries).map_err(|e| ClientError::Decode(e.to_string()))?;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let value: serde_json::Value = self.send(Method::POST, "/v2/batch", headers, body).await?;
        types::flatten_responses(value)
    }

    /// The account's signing keys (`GET /v2/keys`).
    pub async fn signing_keys(&self) -> Result<SigningKeys, ClientError> {
        self.send(Method::GET, "/v2/keys", HeaderMap::new(), Vec::new()).await
    }

    /// Rotates the signing keys (`POST /v2/keys/rotate`): the next key becomes current and
    /// a new next key is made. Returns the new pair.
    pub async fn rotate_signing_keys(&self) -> Result<SigningKeys, ClientError> {
        self.send(Method::POST, "/v2/keys/rotate", HeaderMap::new(), Vec::new()).await
    }

    async fn send_many(
        &self,
        method: Method,
        path: &str,
        headers: HeaderMap,
        body: Vec<u8>,
    ) -> Result<Vec<PublishResponse>, ClientError> {
        let value: serde_json::Value = self.send(method, path, headers, body).await?;
        types::flatten_responses(value)
    }

    /// One API call with retries: connection errors, 429 and 5xx are retried with backoff
    /// (or as long as the rate-limit headers say), everything else is returned at once.
    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        mut headers: HeaderMap,
        body: Vec<u8>,
    ) -> Result<T, ClientError> {
        // Shared, not copied, by every attempt.
        let body = bytes::Bytes::from(body);
        let url = alloc::format!("{}{path}", self.base_url);
        let bearer = HeaderValue::from_str(&alloc::format!("Bearer {}", self.token))
            .map_err(|_| ClientError::Config("the token has characters a header cannot carry".to_string()))?;
        headers.insert(AUTHORIZATION, bearer);
        let mut attempt = 0u32;
        loop {
            let result = self
                .http
                .request(method.clone(), &url)
                .headers(headers.clone())
                .body(body.clone())
                .send()
                .await;
            let error = match result {
                Ok(response) if response.status().is_success() => {
                    let bytes = response.bytes().await.map_err(|e| ClientError::Transport(e.to_string()))?;
                    return serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()));
                }
                Ok(response) => error::from_response(response).await,
                Err(e) => ClientError::Transport(e.to_string()),
            };
            let retryable = match &error {
                ClientError::Transport(_) | ClientError::RateLimited(_) => true,
                ClientError::Api { status, .. } => *status >= 500,
                _ => false,
            };
            if !retryable || attempt >= self.retry.max_retries {
                return Err(error);
            }
            let Some(delay) = self.retry.delay(attempt, &error, std::time::SystemTime::now()) else {
                return Err(error);
            };
            tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, error = %error, "QStash request retried");
            self.retry.sleep(delay).await;
            attempt += 1;
        }
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
