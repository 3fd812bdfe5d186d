//! [`QStashConfig`]: keys, URL policy, body limit, logging and rejection responses, shared by
//! the layer and the extractors.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::request::Parts;
use http::{Response, header};
use qstash_core::{KeyPair, Receiver, Request, SharedReceiver, VerifiedToken, VerifyError};
use tracing::Level;

use crate::message::text;
use crate::rejection::Rejection;
use crate::url_policy::{SubjectCheck, UrlPolicy, path_and_query_of};

/// Bodies larger than this are refused with 413 unless configured otherwise (10 MiB).
pub const DEFAULT_BODY_LIMIT: usize = 10 * 1024 * 1024;

type RejectionResponder = dyn Fn(&Rejection) -> Response<Bytes> + Send + Sync;

/// Everything the middleware needs. Cheap to clone (one `Arc`); keys can be replaced at
/// runtime through [`QStashConfig::receiver`] without rebuilding the router.
///
/// ```
/// use qstash_axum::{QStashConfig, UrlPolicy};
/// use qstash_core::Receiver;
///
/// let config = QStashConfig::new(Receiver::dev())
///     .url_policy(UrlPolicy::PublicBase("https://api.example.com".into()))
///     .body_limit(1024 * 1024)
///     .rejection_log_level(tracing::Level::INFO);
/// # let _ = config;
/// ```
#[derive(Clone)]
pub struct QStashConfig {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    receiver: SharedReceiver,
    url_policy: UrlPolicy,
    body_limit: usize,
    log_level: Level,
    on_rejection: Option<Arc<RejectionResponder>>,
}

impl fmt::Debug for QStashConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QStashConfig")
            .field("receiver", &self.inner.receiver)
            .field("url_policy", &self.inner.url_policy)
            .field("body_limit", &self.inner.body_limit)
            .field("log_level", &self.inner.log_level)
            .field("on_rejection", &self.inner.on_rejection.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl QStashConfig {
    /// A configuration with the given keys, [`UrlPolicy::PathAndQuery`], a 10 MiB body limit
    /// and rejections logged at `WARN`.
    pub fn new(receiver: impl Into<SharedReceiver>) -> Self {
        QStashConfig {
            inner: Arc::new(Inner {
                receiver: receiver.into(),
                url_policy: UrlPolicy::default(),
                body_limit: DEFAULT_BODY_LIMIT,
                log_level: Level::WARN,
                on_rejection: None,
            }),
        }
    }

    /// Keys from `QSTASH_CURRENT_SIGNING_KEY` / `QSTASH_NEXT_SIGNING_KEY` (and regional keys),
    /// as [`Receiver::from_env`].
    pub fn from_env() -> Result<Self, qstash_core::ConfigError> {
        Receiver::from_env().map(Self::new)
    }

    fn with(mut self, change: impl FnOnce(&mut Inner)) -> Self {
        // Builder calls happen before the config is shared, so this changes it in place.
        let inner = Arc::make_mut(&mut self.inner);
        change(inner);
        self
    }

    /// How `sub` is matched against the request (default [`UrlPolicy::PathAndQuery`]).
    #[must_use]
    pub fn url_policy(self, policy: UrlPolicy) -> Self {
        self.with(|c| c.url_policy = policy)
    }

    /// The largest body accepted, in bytes (default 10 MiB).
    #[must_use]
    pub fn body_limit(self, bytes: usize) -> Self {
        self.with(|c| c.body_limit = bytes)
    }

    /// The `tracing` level rejections are logged at (default `WARN`).
    #[must_use]
    pub fn rejection_log_level(self, level: Level) -> Self {
        self.with(|c| c.log_level = level)
    }

    /// Builds the response for a rejection (status, headers and body are yours to choose);
    /// the default is [`Rejection::default_response`].
    #[must_use]
    pub fn on_rejection(
        self,
        respond: impl Fn(&Rejection) -> Response<Bytes> + Send + Sync + 'static,
    ) -> Self {
        let respond: Arc<RejectionResponder> = Arc::new(respond);
        self.with(|c| c.on_rejection = Some(respond))
    }

    /// The shared receiver: replace keys on it at runtime and every request that starts
    /// afterwards verifies with them.
    pub fn receiver(&self) -> &SharedReceiver {
        &self.inner.receiver
    }

    /// Shorthand for `config.receiver().replace_keys(keys)` (key rotation).
    pub fn replace_keys(&self, keys: KeyPair) {
        self.inner.receiver.replace_keys(keys);
    }

    /// The configured body limit.
    pub fn limit(&self) -> usize {
        self.inner.body_limit
    }

    /// DESIGN.md §3 steps 1–8 on the request head, before any of the body is read.
    pub(crate) fn verify_head(&self, parts: &Parts) -> Result<VerifiedToken, Rejection> {
        let token = parts.headers.get("upstash-signature").map(|v| v.as_bytes());
        let region = text(&parts.headers, "upstash-region");
        let check = self.inner.url_policy.check_for(parts);
        let mut request = Request::from_header(token, &[]);
        if let SubjectCheck::Exact(url) = &check {
            request = request.url(url);
        }
        if let Some(region) = &region {
            request = request.region(region);
        }
        let verified =
            self.inner.receiver.verify_token_at(&request, now()).map_err(Rejection::Unauthorized)?;
        if let SubjectCheck::PathAndQuery(expected) = &check {
            if path_and_query_of(verified.claims().sub()).as_deref() != Some(expected.as_ref()) {
                return Err(Rejection::Unauthorized(VerifyError::Subject));
            }
        }
        Ok(verified)
    }

    /// 413 before reading when the declared length is already over the limit.
    pub(crate) fn check_declared_length(&self, parts: &Parts) -> Result<(), Rejection> {
        let declared =
            parts.headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        match declared {
            Some(len) if len > self.inner.body_limit as u64 => {
                Err(Rejection::PayloadTooLarge { limit: self.inner.body_limit })
            }
            _ => Ok(()),
        }
    }

    /// Logs the rejection (reason and message id, never the token) and builds its response.
    pub(crate) fn respond<B: From<Bytes>>(&self, rejection: &Rejection, parts: &Parts) -> Response<B> {
        let message_id = text(&parts.headers, "upstash-message-id");
        let message_id = message_id.as_deref().unwrap_or("-");
        let reason = rejection.reason();
        let path = parts.uri.path();
        match self.inner.log_level {
            Level::ERROR => tracing::error!(reason, message_id, path, "QStash delivery rejected"),
            Level::WARN => tracing::warn!(reason, message_id, path, "QStash delivery rejected"),
            Level::INFO => tracing::info!(reason, message_id, path, "QStash delivery rejected"),
            Level::DEBUG => tracing::debug!(reason, message_id, path, "QStash delivery rejected"),
            Level::TRACE => tracing::trace!(reason, message_id, path, "QStash delivery rejected"),
        }
        let response = match &self.inner.on_rejection {
            Some(respond) => respond(rejection),
            None => rejection.default_response(),
        };
        response.map(B::from)
    }
}

impl From<Receiver> for QStashConfig {
    fn from(receiver: Receiver) -> Self {
        Self::new(receiver)
    }
}

impl From<SharedReceiver> for QStashConfig {
    fn from(receiver: SharedReceiver) -> Self {
        Self::new(receiver)
    }
}

/// Unix seconds; a clock before 1970 reads as 0 (every token is then not yet valid).
fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
