//! Queues: ordered delivery with a parallelism limit (`/v2/queues`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::messages::non_empty;
use crate::transport::{Call, segment};
use crate::{Client, ClientError};

/// A queue (`GET /v2/queues/{queueName}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Queue {
    /// Its name.
    pub name: String,
    /// Messages delivered at once.
    #[serde(default)]
    pub parallelism: u32,
    /// Messages waiting.
    #[serde(default)]
    pub lag: u64,
    /// Whether delivery is paused.
    #[serde(default)]
    pub paused: bool,
    /// When it was created (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<u64>,
    /// When it last changed (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<u64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Upsert<'a> {
    queue_name: &'a str,
    parallelism: u32,
    paused: bool,
}

/// The queues API; from [`Client::queues`].
#[derive(Debug, Clone, Copy)]
pub struct Queues<'a> {
    client: &'a Client,
}

impl Client {
    /// Queues: upsert, get, list, pause, resume, delete (enqueue with [`Client::enqueue`]).
    pub fn queues(&self) -> Queues<'_> {
        Queues { client: self }
    }
}

impl Queues<'_> {
    /// Creates the queue or changes it (`POST /v2/queues`): at most `parallelism` deliveries
    /// at once, delivery `paused` or not.
    pub async fn upsert(&self, name: &str, parallelism: u32, paused: bool) -> Result<(), ClientError> {
        non_empty(name, "queue name")?;
        let call = Call::post("/v2/queues").json(&Upsert { queue_name: name, parallelism, paused })?;
        self.client.run(call).await
    }

    /// One queue (`GET /v2/queues/{queueName}`).
    pub async fn get(&self, name: &str) -> Result<Queue, ClientError> {
        self.client.fetch(Call::get(Self::path(name, "")?)).await
    }

    /// Every queue (`GET /v2/queues`).
    pub async fn list(&self) -> Result<Vec<Queue>, ClientError> {
        self.client.fetch(Call::get("/v2/queues")).await
    }

    /// Stops delivering the queue's messages (`POST /v2/queues/{queueName}/pause`).
    pub async fn pause(&self, name: &str) -> Result<(), ClientError> {
        self.client.run(Call::post(Self::path(name, "/pause")?)).await
    }

    /// Delivers them again (`POST /v2/queues/{queueName}/resume`).
    pub async fn resume(&self, name: &str) -> Result<(), ClientError> {
        self.client.run(Call::post(Self::path(name, "/resume")?)).await
    }

    /// Deletes the queue (`DELETE /v2/queues/{queueName}`).
    pub async fn delete(&self, name: &str) -> Result<(), ClientError> {
        self.client.run(Call::delete(Self::path(name, "")?)).await
    }

    fn path(name: &str, tail: &str) -> Result<String, ClientError> {
        non_empty(name, "queue name")?;
        Ok(format!("/v2/queues/{}{tail}", segment(name)))
    }
}
