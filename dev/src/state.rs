//! Everything the server remembers, in memory: messages in flight, the DLQ, the event log,
//! URL groups and queues.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::delivery::Settings;
use crate::spec::Spec;

/// The development token of the official QStash dev server (public, not a secret).
pub const DEV_TOKEN: &str = "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=";

/// How long a deduplication id (or a body hash) keeps a second copy out.
const DEDUPLICATION_WINDOW: Duration = Duration::from_secs(600);

/// How many events the log keeps (the oldest go first).
const EVENTS_KEPT: usize = 10_000;

/// A message waiting for delivery or being delivered.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub(crate) id: String,
    pub(crate) url: String,
    pub(crate) url_group: Option<String>,
    pub(crate) endpoint_name: Option<String>,
    pub(crate) queue: Option<String>,
    pub(crate) schedule_id: Option<String>,
    pub(crate) spec: Spec,
    pub(crate) body: Bytes,
    pub(crate) created_at: u64,
}

impl Message {
    /// The message as `GET /v2/messages/{id}` and the DLQ show it.
    pub(crate) fn json(&self) -> serde_json::Map<String, Value> {
        let mut header = serde_json::Map::new();
        for (name, value) in &self.spec.forward {
            header.insert(name.clone(), Value::from(vec![value.clone()]));
        }
        let mut out = serde_json::Map::new();
        out.insert("messageId".into(), self.id.clone().into());
        out.insert("url".into(), self.url.clone().into());
        out.insert("method".into(), self.spec.method.clone().into());
        out.insert("header".into(), Value::Object(header));
        out.insert("maxRetries".into(), self.spec.retries.into());
        out.insert("createdAt".into(), self.created_at.into());
        match std::str::from_utf8(&self.body) {
            Ok(text) => out.insert("body".into(), text.into()),
            Err(_) => out.insert("bodyBase64".into(), base64(&self.body).into()),
        };
        let optional = [
            ("topicName", self.url_group.clone()),
            ("endpointName", self.endpoint_name.clone()),
            ("queueName", self.queue.clone()),
            ("scheduleId", self.schedule_id.clone()),
            ("callback", self.spec.callback.clone()),
            ("failureCallback", self.spec.failure_callback.clone()),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                out.insert(name.into(), value.into());
            }
        }
        if let Some(at) = self.spec.not_before {
            out.insert("notBefore".into(), (at * 1000).into());
        }
        out
    }
}

/// One line of the event log (`GET /v2/events`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Event {
    pub(crate) time: u64,
    pub(crate) state: &'static str,
    pub(crate) message_id: String,
    pub(crate) url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) topic_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) next_delivery_time: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) response_status: Option<u16>,
}

/// A message whose every retry failed, with the destination's last answer.
#[derive(Debug, Clone)]
pub(crate) struct DeadLetter {
    pub(crate) dlq_id: String,
    pub(crate) message: Message,
    pub(crate) response_status: Option<u16>,
    pub(crate) response_body: String,
}

impl DeadLetter {
    pub(crate) fn json(&self) -> Value {
        let mut out = self.message.json();
        out.insert("dlqId".into(), self.dlq_id.clone().into());
        if let Some(status) = self.response_status {
            out.insert("responseStatus".into(), status.into());
        }
        out.insert("responseBody".into(), self.response_body.clone().into());
        Value::Object(out)
    }
}

/// An endpoint of a URL group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub(crate) struct Endpoint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) url: Option<String>,
}

/// A queue: its parallelism is the number of permits of its semaphore.
#[derive(Debug)]
pub(crate) struct Queue {
    pub(crate) parallelism: u32,
    pub(crate) paused: bool,
    pub(crate) lag: u64,
    pub(crate) created_at: u64,
    pub(crate) permits: Arc<Semaphore>,
}

/// A cron schedule: what it publishes and when it last and next runs.
#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    pub(crate) id: String,
    pub(crate) cron: String,
    pub(crate) destination: String,
    pub(crate) spec: Spec,
    pub(crate) body: Bytes,
    pub(crate) paused: bool,
    pub(crate) created_at: u64,
    pub(crate) last_run: Option<u64>,
    pub(crate) next_run: Option<u64>,
    /// Changed by every update, so the ticker of an older version stops.
    pub(crate) generation: u64,
}

impl Schedule {
    pub(crate) fn json(&self) -> Value {
        let mut header = serde_json::Map::new();
        for (name, value) in &self.spec.forward {
            header.insert(name.clone(), Value::from(vec![value.clone()]));
        }
        let mut out = serde_json::json!({
            "scheduleId": self.id,
            "cron": self.cron,
            "createdAt": self.created_at,
            "destination": self.destination,
            "method": self.spec.method,
            "header": header,
            "body": String::from_utf8_lossy(&self.body),
            "retries": self.spec.retries,
            "delay": self.spec.delay.as_secs(),
            "isPaused": self.paused,
        });
        let optional = [
            ("callback", self.spec.callback.clone().map(Value::from)),
            ("failureCallback", self.spec.failure_callback.clone().map(Value::from)),
            ("lastScheduleTime", self.last_run.map(Value::from)),
            ("nextScheduleTime", self.next_run.map(Value::from)),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                out[name] = value;
            }
        }
        out
    }
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub(crate) schedules: BTreeMap<String, Schedule>,
    pub(crate) flow_keys: BTreeMap<String, crate::flow::FlowKey>,
    pub(crate) messages: HashMap<String, Message>,
    pub(crate) dlq: Vec<DeadLetter>,
    pub(crate) events: Vec<Event>,
    pub(crate) url_groups: BTreeMap<String, (u64, Vec<Endpoint>)>,
    pub(crate) queues: BTreeMap<String, Queue>,
    pub(crate) deduplication: HashMap<String, (String, Instant)>,
    pub(crate) keys: crate::keys::SigningKeys,
}

/// The server's state, shared by the API handlers and the delivery tasks.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) settings: Settings,
    pub(crate) in_flight: Semaphore,
    pub(crate) max_in_flight: u64,
    pub(crate) http: reqwest::Client,
    inner: Mutex<Inner>,
}

impl State {
    pub(crate) fn new(settings: Settings, max_in_flight: usize) -> Self {
        State {
            settings,
            in_flight: Semaphore::new(max_in_flight),
            max_in_flight: max_in_flight as u64,
            // Destinations are the developer's own endpoints: never follow their redirects.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The state, even after a task panicked while holding it (the data is still usable).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds an event to the log.
    pub(crate) fn log(&self, message: &Message, state: &'static str, detail: impl FnOnce(&mut Event)) {
        let mut event = Event {
            time: now_millis(),
            state,
            message_id: message.id.clone(),
            url: message.url.clone(),
            topic_name: message.url_group.clone(),
            error: None,
            next_delivery_time: None,
            response_status: None,
        };
        detail(&mut event);
        let mut inner = self.lock();
        if inner.events.len() >= EVENTS_KEPT {
            inner.events.remove(0);
        }
        inner.events.push(event);
    }

    /// The id of an earlier message that `key` deduplicates against, or records `id` under it.
    pub(crate) fn deduplicate(&self, key: String, id: &str) -> Option<String> {
        let mut inner = self.lock();
        inner.deduplication.retain(|_, (_, at)| at.elapsed() < DEDUPLICATION_WINDOW);
        if let Some((earlier, _)) = inner.deduplication.get(&key) {
            return Some(earlier.clone());
        }
        inner.deduplication.insert(key, (id.to_owned(), Instant::now()));
        None
    }
}

/// Unix milliseconds now.
pub(crate) fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A fresh id with QStash's prefixes (`msg_…`, `dlq_…`): 24 random base62 characters.
pub(crate) fn new_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut bytes = [0u8; 24];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: the clock and a counter still give ids unique to this process.
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed) ^ now_millis();
        bytes[..8].copy_from_slice(&n.to_le_bytes());
    }
    let id: String = bytes.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect();
    format!("{prefix}_{id}")
}

/// Standard base64 (QStash's `bodyBase64`, the callbacks' `body`).
pub(crate) fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
