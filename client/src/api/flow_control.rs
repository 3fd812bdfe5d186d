//! Flow control: the limits shared by messages with one key (`/v2/flowControl`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::messages::non_empty;
use crate::transport::{Call, segment};
use crate::{Client, ClientError};

/// The state of one flow-control key (`GET /v2/flowControl/{key}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FlowControlInfo {
    /// The key.
    pub flow_control_key: String,
    /// Messages waiting for a slot.
    #[serde(default)]
    pub wait_list_size: u64,
    /// Deliveries allowed in flight.
    #[serde(default)]
    pub parallelism_max: u64,
    /// Deliveries in flight now.
    #[serde(default)]
    pub parallelism_count: u64,
    /// Deliveries allowed per period.
    #[serde(default)]
    pub rate_max: u64,
    /// Deliveries in the current period.
    #[serde(default)]
    pub rate_count: u64,
    /// The period (seconds).
    #[serde(default)]
    pub rate_period: u64,
    /// When the current period started (Unix seconds).
    #[serde(default)]
    pub rate_period_start: u64,
    /// Whether delivery is paused.
    #[serde(default)]
    pub is_paused: bool,
    /// Whether the parallelism is pinned (publishes cannot change it).
    #[serde(default)]
    pub is_pinned_parallelism: bool,
    /// Whether the rate is pinned.
    #[serde(default)]
    pub is_pinned_rate: bool,
}

/// The account-wide parallelism (`GET /v2/globalParallelism`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GlobalParallelism {
    /// Deliveries allowed in flight.
    #[serde(default)]
    pub parallelism_max: u64,
    /// Deliveries in flight now.
    #[serde(default)]
    pub parallelism_count: u64,
}

/// Limits to pin on a key, so that the values publishes carry no longer change them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pin {
    /// Deliveries in flight.
    pub parallelism: Option<u32>,
    /// Deliveries per period.
    pub rate: Option<u32>,
    /// The rate's period (seconds).
    pub period: Option<u64>,
}

/// Limits to unpin, so that publishes set them again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Unpin {
    /// Unpin the parallelism.
    pub parallelism: bool,
    /// Unpin the rate.
    pub rate: bool,
}

/// The flow-control API; from [`Client::flow_control`].
#[derive(Debug, Clone, Copy)]
pub struct FlowControlApi<'a> {
    client: &'a Client,
}

impl Client {
    /// Flow control: list keys, get one, pause, resume, pin, unpin, reset the rate.
    pub fn flow_control(&self) -> FlowControlApi<'_> {
        FlowControlApi { client: self }
    }
}

impl FlowControlApi<'_> {
    /// Every flow-control key, or those containing `search` (`GET /v2/flowControl`).
    pub async fn list(&self, search: Option<&str>) -> Result<Vec<FlowControlInfo>, ClientError> {
        self.client.fetch(Call::get("/v2/flowControl").query_opt("search", search)).await
    }

    /// One key (`GET /v2/flowControl/{key}`).
    pub async fn get(&self, key: &str) -> Result<FlowControlInfo, ClientError> {
        self.client.fetch(Call::get(Self::path(key, "")?)).await
    }

    /// The account-wide parallelism (`GET /v2/globalParallelism`).
    pub async fn global_parallelism(&self) -> Result<GlobalParallelism, ClientError> {
        self.client.fetch(Call::get("/v2/globalParallelism")).await
    }

    /// Stops delivering the key's messages (`POST /v2/flowControl/{key}/pause`).
    pub async fn pause(&self, key: &str) -> Result<(), ClientError> {
        self.client.run(Call::post(Self::path(key, "/pause")?)).await
    }

    /// Delivers them again (`POST /v2/flowControl/{key}/resume`).
    pub async fn resume(&self, key: &str) -> Result<(), ClientError> {
        self.client.run(Call::post(Self::path(key, "/resume")?)).await
    }

    /// Pins limits on the key (`POST /v2/flowControl/{key}/pin?parallelism=…&rate=…&period=…`).
    pub async fn pin(&self, key: &str, pin: Pin) -> Result<(), ClientError> {
        if pin.parallelism.is_none() && pin.rate.is_none() {
            return Err(ClientError::Config("pin a parallelism, a rate or both".into()));
        }
        let call = Call::post(Self::path(key, "/pin")?)
            .query_opt("parallelism", pin.parallelism)
            .query_opt("rate", pin.rate)
            .query_opt("period", pin.period);
        self.client.run(call).await
    }

    /// Unpins limits (`POST /v2/flowControl/{key}/unpin?parallelism=true&rate=true`).
    pub async fn unpin(&self, key: &str, unpin: Unpin) -> Result<(), ClientError> {
        if !unpin.parallelism && !unpin.rate {
            return Err(ClientError::Config("unpin the parallelism, the rate or both".into()));
        }
        let call = Call::post(Self::path(key, "/unpin")?)
            .query_opt("parallelism", unpin.parallelism.then_some(true))
            .query_opt("rate", unpin.rate.then_some(true));
        self.client.run(call).await
    }

    /// Starts a new rate period now (`POST /v2/flowControl/{key}/resetRate`).
    pub async fn reset_rate(&self, key: &str) -> Result<(), ClientError> {
        self.client.run(Call::post(Self::path(key, "/resetRate")?)).await
    }

    fn path(key: &str, tail: &str) -> Result<String, ClientError> {
        non_empty(key, "flow-control key")?;
        Ok(format!("/v2/flowControl/{}{tail}", segment(key)))
    }
}
