//! [`FlowControl`]: the limits of `Upstash-Flow-Control-Key` and `Upstash-Flow-Control-Value`,
//! written and read in one place (the client sends them, `qstash-dev` reads them).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{ClientError, parse_duration};

/// Flow control: at most `parallelism` deliveries in flight and/or `rate` per `period` for
/// all messages sharing `key`.
///
/// ```
/// use std::time::Duration;
/// use qstash_client::FlowControl;
///
/// let flow = FlowControl { key: "tenant".into(), parallelism: Some(2), rate: None, period: Some(Duration::from_secs(60)) };
/// assert_eq!(flow.value().unwrap(), "parallelism=2, period=60s");
/// assert_eq!(FlowControl::parse("tenant", "parallelism=2, period=1m").unwrap(), flow);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FlowControl {
    /// Messages with the same key share the limits.
    pub key: String,
    /// Deliveries in flight at once.
    pub parallelism: Option<u32>,
    /// Deliveries per `period`.
    pub rate: Option<u32>,
    /// The rate's period (default one second on QStash's side).
    pub period: Option<Duration>,
}

/// A flow-control value QStash would refuse; its `Display` says which part and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidFlowControl(String);

impl fmt::Display for InvalidFlowControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidFlowControl {}

impl FlowControl {
    /// The longest rate period QStash takes: a year.
    pub const MAX_PERIOD: Duration = Duration::from_secs(365 * 86_400);

    /// The `Upstash-Flow-Control-Value` header: `parallelism=2, rate=10, period=60s`, the
    /// parts that are set in that order. Flow control with neither a parallelism nor a rate
    /// limits nothing, so it is a configuration error.
    pub fn value(&self) -> Result<String, ClientError> {
        if self.parallelism.is_none() && self.rate.is_none() {
            return Err(ClientError::Config("flow control needs a parallelism or a rate".into()));
        }
        let mut parts = Vec::new();
        if let Some(parallelism) = self.parallelism {
            parts.push(format!("parallelism={parallelism}"));
        }
        if let Some(rate) = self.rate {
            parts.push(format!("rate={rate}"));
        }
        if let Some(period) = self.period {
            parts.push(format!("period={}s", period.as_secs()));
        }
        Ok(parts.join(", "))
    }

    /// Reads `Upstash-Flow-Control-Value` for `key` as QStash does: comma-separated
    /// `parallelism=N`, `rate=N` and `period=D` (a duration such as `60`, `60s`, `1m`, at most
    /// [`FlowControl::MAX_PERIOD`]), at least a parallelism or a rate.
    pub fn parse(key: impl Into<String>, value: &str) -> Result<FlowControl, InvalidFlowControl> {
        let mut flow = FlowControl { key: key.into(), parallelism: None, rate: None, period: None };
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let invalid = || InvalidFlowControl(format!("invalid Upstash-Flow-Control-Value part {part:?}"));
            let (name, number) = part.split_once('=').ok_or_else(invalid)?;
            match name.trim() {
                "parallelism" => flow.parallelism = Some(number.trim().parse().map_err(|_| invalid())?),
                "rate" => flow.rate = Some(number.trim().parse().map_err(|_| invalid())?),
                "period" => {
                    let period = parse_duration(number).map_err(|_| invalid())?;
                    if period > Self::MAX_PERIOD {
                        return Err(InvalidFlowControl(format!(
                            "invalid Upstash-Flow-Control-Value: a period of at most {}s",
                            Self::MAX_PERIOD.as_secs()
                        )));
                    }
                    flow.period = Some(period);
                }
                _ => return Err(invalid()),
            }
        }
        if flow.parallelism.is_none() && flow.rate.is_none() {
            return Err(InvalidFlowControl(
                "Upstash-Flow-Control-Value needs a parallelism or a rate".into(),
            ));
        }
        Ok(flow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_written_reads_back_the_same() {
        for (parallelism, rate, period) in
            [(Some(1), None, None), (None, Some(10), Some(60)), (Some(3), Some(5), Some(31_536_000))]
        {
            let flow =
                FlowControl { key: "k".into(), parallelism, rate, period: period.map(Duration::from_secs) };
            assert_eq!(FlowControl::parse("k", &flow.value().unwrap()), Ok(flow));
        }
    }

    #[test]
    fn values_qstash_refuses_are_refused_with_the_part_named() {
        for (value, message) in [
            ("", "needs a parallelism or a rate"),
            ("period=10s", "needs a parallelism or a rate"),
            ("parallelism", "part \"parallelism\""),
            ("parallelism=-1", "part \"parallelism=-1\""),
            ("rate=4294967296", "part \"rate=4294967296\""),
            ("burst=2", "part \"burst=2\""),
            ("rate=1, period=1.5s", "part \"period=1.5s\""),
            ("rate=1, period=366d", "a period of at most 31536000s"),
        ] {
            let refused = FlowControl::parse("k", value).unwrap_err().to_string();
            assert!(refused.contains(message), "{value:?}: {refused}");
        }
        assert!(FlowControl { key: "k".into(), ..FlowControl::default() }.value().is_err());
    }
}
