//! What a publish asks for, read from its `Upstash-*` headers as the QStash API defines them.

use std::time::Duration;

use axum::http::HeaderMap;
use qstash_client::parse_duration;

/// The latest `Upstash-Not-Before` taken: the last second of year 9999.
const LATEST_UNIX_SECONDS: u64 = 253_402_300_799;

/// The longest flow-control rate period taken: a year.
const MAX_RATE_PERIOD: Duration = Duration::from_secs(365 * 86_400);

/// How one message is to be delivered.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub(crate) method: String,
    pub(crate) delay: Duration,
    pub(crate) not_before: Option<u64>,
    pub(crate) retries: u32,
    pub(crate) timeout: Option<Duration>,
    pub(crate) callback: Option<String>,
    pub(crate) failure_callback: Option<String>,
    /// Headers for the destination: `Upstash-Forward-*` without the prefix, and `Content-Type`.
    pub(crate) forward: Vec<(String, String)>,
    pub(crate) deduplication_id: Option<String>,
    pub(crate) content_based_deduplication: bool,
    pub(crate) flow_control: Option<FlowControl>,
    /// `Upstash-Label`, comma-separated.
    pub(crate) labels: Vec<String>,
}

/// `Upstash-Flow-Control-Key` and the limits of `Upstash-Flow-Control-Value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FlowControl {
    pub(crate) key: String,
    pub(crate) parallelism: Option<u32>,
    pub(crate) rate: Option<u32>,
    pub(crate) period: Option<Duration>,
}

impl FlowControl {
    /// `parallelism=2, rate=10, period=60s` for `key`.
    fn parse(key: String, value: &str) -> Result<FlowControl, String> {
        let mut flow = FlowControl { key, parallelism: None, rate: None, period: None };
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, number) = part
                .split_once('=')
                .ok_or_else(|| format!("invalid Upstash-Flow-Control-Value part {part:?}"))?;
            let invalid = || format!("invalid Upstash-Flow-Control-Value part {part:?}");
            match name.trim() {
                "parallelism" => flow.parallelism = Some(number.trim().parse().map_err(|_| invalid())?),
                "rate" => flow.rate = Some(number.trim().parse().map_err(|_| invalid())?),
                "period" => {
                    let period = parse_duration(number).map_err(|_| invalid())?;
                    if period > MAX_RATE_PERIOD {
                        return Err(format!(
                            "invalid Upstash-Flow-Control-Value: a period of at most {}s",
                            MAX_RATE_PERIOD.as_secs()
                        ));
                    }
                    flow.period = Some(period);
                }
                _ => return Err(invalid()),
            }
        }
        if flow.parallelism.is_none() && flow.rate.is_none() {
            return Err("Upstash-Flow-Control-Value needs a parallelism or a rate".into());
        }
        Ok(flow)
    }
}

/// QStash's default retry count.
const DEFAULT_RETRIES: u32 = 3;

impl Spec {
    /// The headers forwarded to the destination, as the API shows them (each name with its
    /// values).
    pub(crate) fn forwarded_headers(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        let mut headers = std::collections::BTreeMap::<String, Vec<String>>::new();
        for (name, value) in &self.forward {
            headers.entry(name.clone()).or_default().push(value.clone());
        }
        headers
    }

    /// The spec of a publish with `headers`, or the message of a 400.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Result<Spec, String> {
        let text = |name: &str| -> Result<Option<String>, String> {
            headers
                .get(name)
                .map(|v| v.to_str().map(|s| s.trim().to_owned()).map_err(|_| format!("{name} is not text")))
                .transpose()
        };
        let method = text("upstash-method")?.unwrap_or_else(|| "POST".to_owned()).to_ascii_uppercase();
        if !["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"].contains(&method.as_str()) {
            return Err(format!("invalid Upstash-Method: {method}"));
        }
        let delay = match text("upstash-delay")? {
            Some(value) => {
                parse_duration(&value).map_err(|error| format!("invalid Upstash-Delay: {error}"))?
            }
            None => Duration::ZERO,
        };
        let not_before = match text("upstash-not-before")? {
            Some(value) => {
                Some(value.parse::<u64>().ok().filter(|&at| at <= LATEST_UNIX_SECONDS).ok_or_else(|| {
                    format!("invalid Upstash-Not-Before: {value} (Unix seconds, up to year 9999)")
                })?)
            }
            None => None,
        };
        let retries = match text("upstash-retries")? {
            Some(value) => value.parse::<u32>().map_err(|_| format!("invalid Upstash-Retries: {value}"))?,
            None => DEFAULT_RETRIES,
        };
        let timeout = match text("upstash-timeout")? {
            Some(value) => {
                Some(parse_duration(&value).map_err(|error| format!("invalid Upstash-Timeout: {error}"))?)
            }
            None => None,
        };
        let url = |name: &str| -> Result<Option<String>, String> {
            match text(name)? {
                Some(value) if value.starts_with("http://") || value.starts_with("https://") => {
                    Ok(Some(value))
                }
                Some(value) => Err(format!("invalid {name}: {value} is not an http(s) URL")),
                None => Ok(None),
            }
        };
        let mut forward = Vec::new();
        for (name, value) in headers {
            let Ok(value) = value.to_str() else { continue };
            if let Some(target) = name.as_str().strip_prefix("upstash-forward-") {
                forward.push((target.to_owned(), value.to_owned()));
            } else if name == "content-type" {
                forward.push(("content-type".to_owned(), value.to_owned()));
            }
        }
        let flow_control = match (text("upstash-flow-control-key")?, text("upstash-flow-control-value")?) {
            (Some(key), Some(value)) => Some(FlowControl::parse(key, &value)?),
            (Some(_), None) => {
                return Err("Upstash-Flow-Control-Key needs an Upstash-Flow-Control-Value".into());
            }
            (None, _) => None,
        };
        Ok(Spec {
            method,
            delay,
            not_before,
            retries,
            timeout,
            callback: url("upstash-callback")?,
            failure_callback: url("upstash-failure-callback")?,
            forward,
            deduplication_id: text("upstash-deduplication-id")?,
            content_based_deduplication: text("upstash-content-based-deduplication")?.as_deref()
                == Some("true"),
            flow_control,
            labels: text("upstash-label")?
                .map(|list| {
                    list.split(',').map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
                })
                .unwrap_or_default(),
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
}
