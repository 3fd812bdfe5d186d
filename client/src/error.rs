//! What can go wrong talking to QStash.

use alloc::string::{String, ToString};
use core::fmt;
use std::time::SystemTime;

/// Which limit a 429 hit, and when it resets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// `"burst"` (`Burst-RateLimit-*`), `"daily"` (`RateLimit-*`) or `"unknown"`.
    pub limit: &'static str,
    /// When the limit resets, from `*-Reset` or `Retry-After`, when the response said.
    pub reset: Option<SystemTime>,
}

/// A failed API call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientError {
    /// 429: a rate limit was hit (retried first, unless retries are off).
    RateLimited(RateLimit),
    /// Any other non-2xx answer: the status and QStash's message.
    Api {
        /// The HTTP status.
        status: u16,
        /// The response body (QStash's error message).
        message: String,
    },
    /// The request never left: the connection could not be opened (refused, DNS, TLS
    /// handshake, connect timeout). Safe to retry for every call.
    Connect(String),
    /// The request may have reached QStash but no answer came back (reset, timeout after
    /// sending). Retried only for calls that cannot take effect twice.
    Transport(String),
    /// The answer was not the JSON expected (or a body could not be serialised).
    Decode(String),
    /// The client cannot be built or the request cannot be expressed (missing token, a
    /// header value HTTP cannot carry, an incomplete option).
    Config(String),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::RateLimited(RateLimit { limit, reset }) => {
                write!(f, "QStash {limit} rate limit exceeded")?;
                if let Some(reset) = reset.and_then(|r| r.duration_since(SystemTime::UNIX_EPOCH).ok()) {
                    write!(f, " (resets at unix {})", reset.as_secs())?;
                }
                Ok(())
            }
            ClientError::Api { status, message } => write!(f, "QStash answered {status}: {message}"),
            ClientError::Connect(e) => write!(f, "QStash could not be reached: {e}"),
            ClientError::Transport(e) => write!(f, "no answer from QStash: {e}"),
            ClientError::Decode(e) => write!(f, "unexpected QStash response: {e}"),
            ClientError::Config(e) => write!(f, "QStash client configuration: {e}"),
        }
    }
}

impl core::error::Error for ClientError {}

/// The error a non-2xx response stands for.
pub(crate) async fn from_response(response: reqwest::Response) -> ClientError {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    // A body that cannot be read leaves the status to speak for itself.
    let body = response.bytes().await.unwrap_or_default();
    error_of(status, &headers, &body, SystemTime::now())
}

/// The error a non-2xx answer with these `headers` and `body` stands for, at `now`.
pub(crate) fn error_of(
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
    now: SystemTime,
) -> ClientError {
    if status == 429 {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        // The daily limit first, as the official clients check it: a 429 that carries both
        // sets of headers is over the daily limit, whose reset is far away, and must not be
        // retried as if it were a burst.
        let (limit, reset) =
            if headers.contains_key("ratelimit-limit") || headers.contains_key("ratelimit-reset") {
                ("daily", header("ratelimit-reset"))
            } else if headers.contains_key("burst-ratelimit-limit")
                || headers.contains_key("burst-ratelimit-reset")
            {
                ("burst", header("burst-ratelimit-reset"))
            } else {
                ("unknown", None)
            };
        let reset = reset
            .and_then(|v| super::retry::reset_time(&v, now))
            .or_else(|| header("retry-after").and_then(|v| super::retry::retry_after(&v, now)));
        return ClientError::RateLimited(RateLimit { limit, reset });
    }
    let message = if body.is_empty() {
        alloc::format!("status {status}")
    } else {
        String::from_utf8_lossy(body).into_owned()
    };
    ClientError::Api { status, message }
}
