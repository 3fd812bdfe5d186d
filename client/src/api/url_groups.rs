//! URL groups (topics): fan-out to several endpoints (`/v2/topics`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::messages::non_empty;
use crate::transport::{Call, segment};
use crate::{Client, ClientError};

/// An endpoint of a URL group. To add one, give its `url` (and optionally a `name`); to
/// remove one, its `url`, its `name` or both.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Endpoint {
    /// The endpoint's name within the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Endpoint {
    /// An endpoint by URL.
    pub fn url(url: impl Into<String>) -> Self {
        Endpoint { name: None, url: Some(url.into()) }
    }

    /// The same endpoint with a name.
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

/// A URL group (`GET /v2/topics/{name}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UrlGroup {
    /// Its name.
    pub name: String,
    /// Its endpoints.
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
    /// When it was created (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<u64>,
    /// When it last changed (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<u64>,
}

#[derive(Serialize)]
struct Endpoints<'a> {
    endpoints: &'a [Endpoint],
}

/// The URL groups API; from [`Client::url_groups`].
#[derive(Debug, Clone, Copy)]
pub struct UrlGroups<'a> {
    client: &'a Client,
}

impl Client {
    /// URL groups (topics): add and remove endpoints, get, list, delete. Publish to one with
    /// [`Destination::UrlGroup`](crate::Destination::UrlGroup).
    pub fn url_groups(&self) -> UrlGroups<'_> {
        UrlGroups { client: self }
    }
}

impl UrlGroups<'_> {
    /// Adds endpoints, creating the group if needed (`POST /v2/topics/{name}/endpoints`).
    pub async fn upsert_endpoints(&self, name: &str, endpoints: &[Endpoint]) -> Result<(), ClientError> {
        if endpoints.iter().any(|e| e.url.as_deref().is_none_or(str::is_empty)) {
            return Err(ClientError::Config("every endpoint to add needs a URL".into()));
        }
        let call = Call::post(Self::path(name, "/endpoints")?).json(&Endpoints { endpoints })?;
        self.client.run(call).await
    }

    /// Removes endpoints by URL or name (`DELETE /v2/topics/{name}/endpoints`).
    pub async fn remove_endpoints(&self, name: &str, endpoints: &[Endpoint]) -> Result<(), ClientError> {
        if endpoints.iter().any(|e| e.url.is_none() && e.name.is_none()) {
            return Err(ClientError::Config("every endpoint to remove needs a URL or a name".into()));
        }
        let call = Call::delete(Self::path(name, "/endpoints")?).json(&Endpoints { endpoints })?;
        self.client.run(call).await
    }

    /// One URL group (`GET /v2/topics/{name}`).
    pub async fn get(&self, name: &str) -> Result<UrlGroup, ClientError> {
        self.client.fetch(Call::get(Self::path(name, "")?)).await
    }

    /// Every URL group (`GET /v2/topics`).
    pub async fn list(&self) -> Result<Vec<UrlGroup>, ClientError> {
        self.client.fetch(Call::get("/v2/topics")).await
    }

    /// Deletes a URL group (`DELETE /v2/topics/{name}`).
    pub async fn delete(&self, name: &str) -> Result<(), ClientError> {
        self.client.run(Call::delete(Self::path(name, "")?)).await
    }

    fn path(name: &str, tail: &str) -> Result<String, ClientError> {
        non_empty(name, "URL group name")?;
        Ok(format!("/v2/topics/{}{tail}", segment(name)))
    }
}
