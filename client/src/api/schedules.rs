//! Schedules: cron-triggered publishes (`/v2/schedules`).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderValue};
use serde::{Deserialize, Serialize};

use super::messages::non_empty;
use crate::transport::{Call, segment};
use crate::{Callback, Client, ClientError, Destination, FlowControl, PublishOptions, Redact, header};

/// A schedule as the API describes it (`GET /v2/schedules/{scheduleId}`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Schedule {
    /// Its id.
    pub schedule_id: String,
    /// The cron expression.
    pub cron: String,
    /// When it was created (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<u64>,
    /// The URL or URL group it publishes to.
    pub destination: String,
    /// The method of each delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The headers forwarded to the destination.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub header: BTreeMap<String, Vec<String>>,
    /// The body, when it is text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body in base64, when it is not text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    /// Delivery retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<u32>,
    /// The delay of each message (seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<u64>,
    /// Its callback URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<String>,
    /// Its failure callback URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_callback: Option<String>,
    /// The IP address that created it.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "callerIP")]
    pub caller_ip: Option<String>,
    /// Whether it is paused.
    #[serde(default)]
    pub is_paused: bool,
    /// The queue its messages go to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_name: Option<String>,
    /// Its flow-control key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_control_key: Option<String>,
    /// Flow control: deliveries in flight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<u32>,
    /// Flow control: deliveries per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<u32>,
    /// Flow control: the period (seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<u64>,
    /// The retry delay expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_delay_expression: Option<String>,
    /// Its label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Its labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// When it last ran (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_schedule_time: Option<u64>,
    /// When it runs next (Unix milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_schedule_time: Option<u64>,
    /// The state of each message of the last run, by message id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub last_schedule_states: BTreeMap<String, String>,
}

/// A schedule to create (or, with `schedule_id`, to update): the cron expression plus the
/// options of the message it publishes. `Default` leaves the cron empty, which QStash
/// refuses: set it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleOptions {
    /// The cron expression (`Upstash-Cron`), e.g. `"*/5 * * * *"`; `CRON_TZ=…` may lead.
    pub cron: String,
    /// Update the schedule with this id instead of creating one (`Upstash-Schedule-Id`).
    pub schedule_id: Option<String>,
    /// Enqueue each message on this queue (`Upstash-Queue-Name`).
    pub queue: Option<String>,
    /// The method of each delivery (`Upstash-Method`).
    pub method: Option<String>,
    /// Headers for the destination (forwarded as for a publish).
    pub headers: Vec<(String, String)>,
    /// Delay of each message (`Upstash-Delay`).
    pub delay: Option<Duration>,
    /// Delivery retries (`Upstash-Retries`).
    pub retries: Option<u32>,
    /// Retry delay expression (`Upstash-Retry-Delay`).
    pub retry_delay: Option<String>,
    /// Callback and its settings.
    pub callback: Option<Callback>,
    /// Failure callback and its settings.
    pub failure_callback: Option<Callback>,
    /// How long QStash waits for the destination (`Upstash-Timeout`).
    pub timeout: Option<Duration>,
    /// Flow control.
    pub flow_control: Option<FlowControl>,
    /// Labels (`Upstash-Label`).
    pub labels: Vec<String>,
    /// Fields QStash must redact.
    pub redact: Option<Redact>,
    /// The body's content type (default `application/json`, as the official client sends).
    pub content_type: Option<String>,
}

impl ScheduleOptions {
    /// A schedule running on `cron` with QStash's defaults.
    pub fn new(cron: impl Into<String>) -> Self {
        ScheduleOptions { cron: cron.into(), ..Default::default() }
    }

    /// The options its messages share with a publish.
    fn message_options(&self) -> PublishOptions {
        PublishOptions {
            method: self.method.clone(),
            headers: self.headers.clone(),
            delay: self.delay,
            retries: self.retries,
            retry_delay: self.retry_delay.clone(),
            callback: self.callback.clone(),
            failure_callback: self.failure_callback.clone(),
            timeout: self.timeout,
            flow_control: self.flow_control.clone(),
            labels: self.labels.clone(),
            redact: self.redact.clone(),
            content_type: self.content_type.clone(),
            ..PublishOptions::default()
        }
    }
}

/// `{"scheduleId": "…"}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    schedule_id: String,
}

/// The schedules API; from [`Client::schedules`].
#[derive(Debug, Clone, Copy)]
pub struct Schedules<'a> {
    client: &'a Client,
}

impl Client {
    /// Schedules: create, get, list, pause, resume, delete.
    pub fn schedules(&self) -> Schedules<'_> {
        Schedules { client: self }
    }
}

impl Schedules<'_> {
    /// Creates a schedule publishing `body` to `destination` (a URL or URL group) on
    /// `options.cron` (`POST /v2/schedules/{destination}`), or updates the one named by
    /// `options.schedule_id`. Returns the schedule id. Without a schedule id it is not
    /// retried once QStash may have created it (a second call makes a second schedule).
    pub async fn create(
        &self,
        destination: impl Into<Destination>,
        body: impl Into<Vec<u8>>,
        options: &ScheduleOptions,
    ) -> Result<String, ClientError> {
        if options.cron.trim().is_empty() {
            return Err(ClientError::Config("a schedule needs a cron expression".to_string()));
        }
        let destination = destination.into();
        let message = options.message_options();
        let route = destination.route(&self.client.token, &message)?;
        let mut headers = message.headers(None, &route.headers)?;
        if !headers.contains_key(CONTENT_TYPE) {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        let mut extra = alloc::vec![("Upstash-Cron", options.cron.as_str())];
        if let Some(id) = &options.schedule_id {
            extra.push(("Upstash-Schedule-Id", id));
        }
        if let Some(queue) = &options.queue {
            extra.push(("Upstash-Queue-Name", queue));
        }
        for (name, value) in extra {
            let (name, value) = header(name, value)?;
            headers.insert(name, value);
        }
        let call = Call::post(format!("/v2/schedules/{}", route.path))
            .headers(headers)
            .body(body.into())
            .idempotent_if(options.schedule_id.is_some());
        Ok(self.client.fetch::<Created>(call).await?.schedule_id)
    }

    /// One schedule (`GET /v2/schedules/{scheduleId}`).
    pub async fn get(&self, schedule_id: &str) -> Result<Schedule, ClientError> {
        self.client.fetch(Call::get(Self::path(schedule_id, "")?)).await
    }

    /// Every schedule (`GET /v2/schedules`).
    pub async fn list(&self) -> Result<Vec<Schedule>, ClientError> {
        self.client.fetch(Call::get("/v2/schedules")).await
    }

    /// Stops a schedule from running until it is resumed (`POST …/{scheduleId}/pause`, as
    /// the API reference has it).
    pub async fn pause(&self, schedule_id: &str) -> Result<(), ClientError> {
        self.client.run(Call::post(Self::path(schedule_id, "/pause")?)).await
    }

    /// Resumes a paused schedule (`POST /v2/schedules/{scheduleId}/resume`).
    pub async fn resume(&self, schedule_id: &str) -> Result<(), ClientError> {
        self.client.run(Call::post(Self::path(schedule_id, "/resume")?)).await
    }

    /// Deletes a schedule (`DELETE /v2/schedules/{scheduleId}`).
    pub async fn delete(&self, schedule_id: &str) -> Result<(), ClientError> {
        self.client.run(Call::delete(Self::path(schedule_id, "")?)).await
    }

    fn path(schedule_id: &str, tail: &str) -> Result<String, ClientError> {
        non_empty(schedule_id, "schedule id")?;
        Ok(format!("/v2/schedules/{}{tail}", segment(schedule_id)))
    }
}
