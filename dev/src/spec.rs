//! What a publish asks for, read from its `Upstash-*` headers as the QStash API defines them.

use std::time::Duration;

use axum::http::HeaderMap;
pub(crate) use qstash_client::FlowControl;
use qstash_client::parse_duration;
use serde::{Deserialize, Serialize};

use crate::waits::RetryDelay;

/// The latest `Upstash-Not-Before` taken: the last second of year 9999.
const LATEST_UNIX_SECONDS: u64 = 253_402_300_799;

/// The longest `Upstash-Delay` (and callback delay) taken: a year, QStash's longest.
const MAX_DELAY: Duration = Duration::from_secs(365 * 86_400);

/// The longest flow-control rate period taken: a year.
pub(crate) const MAX_RATE_PERIOD: Duration = FlowControl::MAX_PERIOD;

/// How one message is to be delivered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Spec {
    pub(crate) method: String,
    pub(crate) delay: Duration,
    pub(crate) not_before: Option<u64>,
    pub(crate) retries: u32,
    /// `Upstash-Retry-Delay`: the wait before each retry, in place of QStash's backoff.
    pub(crate) retry_delay: Option<RetryDelay>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) callback: Option<CallbackSpec>,
    pub(crate) failure_callback: Option<CallbackSpec>,
    /// Headers for the destination: `Upstash-Forward-*` without the prefix, and `Content-Type`.
    pub(crate) forward: Vec<(String, String)>,
    pub(crate) deduplication_id: Option<String>,
    pub(crate) content_based_deduplication: bool,
    pub(crate) flow_control: Option<FlowControl>,
    /// `Upstash-Label`, comma-separated.
    pub(crate) labels: Vec<String>,
    /// The address the publish came from (the connection's, never a header's).
    #[serde(default)]
    pub(crate) caller_ip: Option<String>,
}

/// A callback or failure callback: where it goes and how it is delivered, from the headers
/// of its prefix (`Upstash-Callback-Method`, `-Retries`, `-Timeout`, `-Delay`,
/// `-Retry-Delay`, `-Forward-*`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CallbackSpec {
    pub(crate) url: String,
    pub(crate) method: String,
    pub(crate) retries: u32,
    pub(crate) retry_delay: Option<RetryDelay>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) delay: Duration,
    /// Sent with the callback, the prefix taken off.
    pub(crate) forward: Vec<(String, String)>,
}

/// Headers as the API shows them, each name with its values.
pub(crate) fn headers_map(pairs: &[(String, String)]) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut map = std::collections::BTreeMap::<String, Vec<String>>::new();
    for (name, value) in pairs {
        map.entry(name.clone()).or_default().push(value.clone());
    }
    map
}

/// QStash's default retry count.
const DEFAULT_RETRIES: u32 = 3;

/// The methods QStash delivers with.
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The request's headers, read as the API defines each kind of value; every error is the
/// message of a 400 naming the header.
struct Headers<'a>(&'a HeaderMap);

impl Headers<'_> {
    fn text(&self, name: &str) -> Result<Option<String>, String> {
        self.0
            .get(name)
            .map(|v| {
                v.to_str().map(|s| s.trim().to_owned()).map_err(|_| format!("{} is not text", title(name)))
            })
            .transpose()
    }

    fn method(&self, name: &str) -> Result<String, String> {
        let method = self.text(name)?.unwrap_or_else(|| "POST".to_owned()).to_ascii_uppercase();
        if !METHODS.contains(&method.as_str()) {
            return Err(format!("invalid {}: {method} (one of {})", title(name), METHODS.join(", ")));
        }
        Ok(method)
    }

    /// A duration of a year at most (a delay, a timeout).
    fn duration(&self, name: &str) -> Result<Option<Duration>, String> {
        let Some(value) = self.text(name)? else { return Ok(None) };
        let duration = parse_duration(&value).map_err(|error| format!("invalid {}: {error}", title(name)))?;
        if duration > MAX_DELAY {
            return Err(format!("invalid {}: {value} is longer than a year", title(name)));
        }
        Ok(Some(duration))
    }

    fn retries(&self, name: &str) -> Result<u32, String> {
        match self.text(name)? {
            Some(value) => value.parse::<u32>().map_err(|_| format!("invalid {}: {value}", title(name))),
            None => Ok(DEFAULT_RETRIES),
        }
    }

    fn retry_delay(&self, name: &str) -> Result<Option<RetryDelay>, String> {
        self.text(name)?.map(|text| RetryDelay::parse(&text)).transpose()
    }

    fn url(&self, name: &str) -> Result<Option<String>, String> {
        match self.text(name)? {
            Some(value) if value.starts_with("http://") || value.starts_with("https://") => Ok(Some(value)),
            Some(value) => Err(format!("invalid {}: {value} is not an http(s) URL", title(name))),
            None => Ok(None),
        }
    }

    /// The headers named `<prefix>*`, the prefix taken off.
    fn forwarded(&self, prefix: &str) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter_map(|(name, value)| {
                Some((name.as_str().strip_prefix(prefix)?.to_owned(), value.to_str().ok()?.to_owned()))
            })
            .collect()
    }

    fn callback(&self, prefix: &str) -> Result<Option<CallbackSpec>, String> {
        let Some(url) = self.url(prefix)? else { return Ok(None) };
        Ok(Some(CallbackSpec {
            url,
            method: self.method(&format!("{prefix}-method"))?,
            retries: self.retries(&format!("{prefix}-retries"))?,
            retry_delay: self.retry_delay(&format!("{prefix}-retry-delay"))?,
            timeout: self.duration(&format!("{prefix}-timeout"))?,
            delay: self.duration(&format!("{prefix}-delay"))?.unwrap_or_default(),
            forward: self.forwarded(&format!("{prefix}-forward-")),
        }))
    }
}

/// A header's name as the docs write it (`Upstash-Retry-Delay`), for messages.
fn title(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

impl Spec {
    /// The headers forwarded to the destination, as the API shows them (each name with its
    /// values).
    pub(crate) fn forwarded_headers(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        headers_map(&self.forward)
    }

    /// The flow control as messages and schedules show it: key, parallelism, rate, period
    /// (seconds).
    pub(crate) fn flow_fields(&self) -> (Option<String>, Option<u32>, Option<u32>, Option<u64>) {
        match &self.flow_control {
            Some(flow) => {
                (Some(flow.key.clone()), flow.parallelism, flow.rate, flow.period.map(|p| p.as_secs()))
            }
            None => (None, None, None, None),
        }
    }

    /// The spec of a publish with `headers`, or the message of a 400.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Result<Spec, String> {
        let read = Headers(headers);
        let not_before = match read.text("upstash-not-before")? {
            Some(value) => {
                Some(value.parse::<u64>().ok().filter(|&at| at <= LATEST_UNIX_SECONDS).ok_or_else(|| {
                    format!("invalid Upstash-Not-Before: {value} (Unix seconds, up to year 9999)")
                })?)
            }
            None => None,
        };
        let mut forward = read.forwarded("upstash-forward-");
        if let Some(content_type) = read.text("content-type")? {
            forward.push(("content-type".to_owned(), content_type));
        }
        let flow_control =
            match (read.text("upstash-flow-control-key")?, read.text("upstash-flow-control-value")?) {
                (Some(key), Some(value)) => Some(FlowControl::parse(key, &value).map_err(|e| e.to_string())?),
                (Some(_), None) => {
                    return Err("Upstash-Flow-Control-Key needs an Upstash-Flow-Control-Value".into());
                }
                (None, _) => None,
            };
        Ok(Spec {
            method: read.method("upstash-method")?,
            delay: read.duration("upstash-delay")?.unwrap_or_default(),
            not_before,
            retries: read.retries("upstash-retries")?,
            retry_delay: read.retry_delay("upstash-retry-delay")?,
            timeout: read.duration("upstash-timeout")?,
            callback: read.callback("upstash-callback")?,
            failure_callback: read.callback("upstash-failure-callback")?,
            forward,
            deduplication_id: read.text("upstash-deduplication-id")?,
            content_based_deduplication: read.text("upstash-content-based-deduplication")?.as_deref()
                == Some("true"),
            flow_control,
            labels: read
                .text("upstash-label")?
                .map(|list| {
                    list.split(',').map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
                })
                .unwrap_or_default(),
            caller_ip: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_become_the_spec_and_bad_ones_a_400_message() {
        let mut headers = HeaderMap::new();
        headers.insert("upstash-method", "put".parse().unwrap());
        headers.insert("upstash-retries", "1".parse().unwrap());
        headers.insert("upstash-forward-x-tenant", "acme".parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        let spec = Spec::from_headers(&headers).unwrap();
        assert_eq!((spec.method.as_str(), spec.retries), ("PUT", 1));
        assert!(spec.forward.contains(&("x-tenant".to_owned(), "acme".to_owned())));
        headers.insert("upstash-flow-control-key", "tenant".parse().unwrap());
        headers.insert("upstash-flow-control-value", "parallelism=2, period=1m".parse().unwrap());
        let flow = Spec::from_headers(&headers).unwrap().flow_control.unwrap();
        assert_eq!(
            (flow.parallelism, flow.rate, flow.period),
            (Some(2), None, Some(Duration::from_secs(60)))
        );
        headers.insert("upstash-delay", "soon".parse().unwrap());
        assert!(Spec::from_headers(&headers).unwrap_err().contains("Upstash-Delay"));
    }

    #[test]
    fn callbacks_take_their_own_method_retries_delays_and_forwarded_headers() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("upstash-callback", "http://127.0.0.1/cb"),
            ("upstash-callback-method", "put"),
            ("upstash-callback-retries", "1"),
            ("upstash-callback-delay", "2s"),
            ("upstash-callback-forward-x-cb", "yes"),
            ("upstash-failure-callback", "http://127.0.0.1/fail"),
            ("upstash-failure-callback-forward-x-fail", "also"),
        ] {
            headers.insert(name, value.parse().unwrap());
        }
        let spec = Spec::from_headers(&headers).unwrap();
        let callback = spec.callback.unwrap();
        assert_eq!(
            (callback.method.as_str(), callback.retries, callback.delay),
            ("PUT", 1, Duration::from_secs(2))
        );
        assert_eq!(callback.forward, [("x-cb".to_owned(), "yes".to_owned())]);
        let failure = spec.failure_callback.unwrap();
        assert_eq!((failure.method.as_str(), failure.retries), ("POST", DEFAULT_RETRIES));
        assert_eq!(failure.forward, [("x-fail".to_owned(), "also".to_owned())]);
        assert!(spec.forward.is_empty(), "callback headers are not the destination's: {:?}", spec.forward);
    }

    #[test]
    fn methods_qstash_does_not_deliver_with_are_refused() {
        for method in ["HEAD", "OPTIONS", "TRACE", "CONNECT"] {
            let mut headers = HeaderMap::new();
            headers.insert("upstash-method", method.parse().unwrap());
            let refused = Spec::from_headers(&headers).unwrap_err();
            assert!(refused.contains("Upstash-Method"), "{method}: {refused}");
        }
        let mut headers = HeaderMap::new();
        headers.insert("upstash-callback", "http://127.0.0.1/cb".parse().unwrap());
        headers.insert("upstash-callback-method", "HEAD".parse().unwrap());
        assert!(Spec::from_headers(&headers).unwrap_err().contains("Upstash-Callback-Method"));
    }
}
