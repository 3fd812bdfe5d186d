//! Everything the server remembers, in memory: messages in flight, the DLQ, the event log,
//! URL groups and queues.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use qstash_client::{DlqMessage, Endpoint, LogEvent, MessageState, UrlGroup};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, Semaphore, watch};

use crate::flow_key::FlowKey;
use crate::ids::{base64, now_millis};
use crate::limits::Limits;
use crate::signing_keys::AccountKeys;
use crate::spec::{Spec, headers_map};
use crate::users::DevUser;

/// How long a deduplication id (or a body hash) keeps a second copy out.
const DEDUPLICATION_WINDOW: Duration = Duration::from_secs(600);

/// How many bulk actions are kept (the oldest go first).
pub(crate) const BULK_ACTIONS_KEPT: usize = 1000;

/// The largest body (a message's, a destination's answer) copied into each log event, as
/// the API shows them; a larger one is left out of the log, which keeps 10 000 events.
pub(crate) const LOGGED_BODY_MAX: usize = 8 * 1024;

/// How many events the log keeps (the oldest go first).
const EVENTS_KEPT: usize = 10_000;

/// A message waiting for delivery or being delivered.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Message {
    pub(crate) id: String,
    pub(crate) url: String,
    pub(crate) url_group: Option<String>,
    pub(crate) endpoint_name: Option<String>,
    pub(crate) queue: Option<String>,
    pub(crate) schedule_id: Option<String>,
    pub(crate) spec: Spec,
    #[serde(with = "crate::saved_body")]
    pub(crate) body: Bytes,
    pub(crate) created_at: u64,
}

impl Message {
    /// The message as `GET /v2/messages/{id}` shows it.
    pub(crate) fn view(&self) -> qstash_client::Message {
        let mut view = qstash_client::Message::default();
        view.message_id.clone_from(&self.id);
        view.url = Some(self.url.clone());
        view.url_group.clone_from(&self.url_group);
        view.endpoint_name.clone_from(&self.endpoint_name);
        view.method = Some(self.spec.method.clone());
        view.header = self.spec.forwarded_headers();
        match std::str::from_utf8(&self.body) {
            Ok(text) => view.body = Some(text.to_owned()),
            Err(_) => view.body_base64 = Some(base64(&self.body)),
        }
        view.max_retries = Some(self.spec.retries);
        view.retry_delay_expression = self.spec.retry_delay.as_ref().map(|d| d.text().to_owned());
        view.not_before = self.spec.not_before.map(|at| at.saturating_mul(1000));
        view.created_at = Some(self.created_at);
        view.callback = self.spec.callback.as_ref().map(|c| c.url.clone());
        view.failure_callback = self.spec.failure_callback.as_ref().map(|c| c.url.clone());
        view.caller_ip.clone_from(&self.spec.caller_ip);
        view.queue_name.clone_from(&self.queue);
        view.schedule_id.clone_from(&self.schedule_id);
        view.label = self.spec.labels.first().cloned();
        view.labels.clone_from(&self.spec.labels);
        (view.flow_control_key, view.parallelism, view.rate, view.period) = self.spec.flow_fields();
        view
    }
}

/// A message whose every retry failed, with the destination's last answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeadLetter {
    pub(crate) dlq_id: String,
    pub(crate) message: Message,
    pub(crate) response_status: Option<u16>,
    #[serde(default)]
    pub(crate) response_headers: BTreeMap<String, Vec<String>>,
    pub(crate) response_body: String,
}

impl DeadLetter {
    /// The message as the DLQ shows it, with the destination's last answer.
    pub(crate) fn view(&self) -> DlqMessage {
        let mut view = DlqMessage::default();
        view.dlq_id.clone_from(&self.dlq_id);
        view.message = self.message.view();
        view.response_status = self.response_status;
        view.response_header.clone_from(&self.response_headers);
        view.response_body = Some(self.response_body.clone());
        view
    }
}

/// A queue: its parallelism is the number of permits of its semaphore, and its messages start
/// in the order they joined its line (FIFO, as QStash's queues deliver).
#[derive(Debug)]
pub(crate) struct Queue {
    pub(crate) parallelism: u32,
    pub(crate) paused: bool,
    pub(crate) lag: u64,
    pub(crate) created_at: u64,
    pub(crate) permits: Arc<Semaphore>,
    /// The ids of the messages waiting for their turn, first in line first.
    pub(crate) line: VecDeque<String>,
    /// Woken whenever a waiting message's turn may have come: a permit given back, the line
    /// moved, the queue resumed, changed or deleted.
    pub(crate) turn: Arc<Notify>,
}

impl Queue {
    /// A queue delivering `parallelism` messages at once (at least one).
    pub(crate) fn new(parallelism: u32, paused: bool) -> Self {
        let parallelism = parallelism.max(1);
        Queue {
            parallelism,
            paused,
            lag: 0,
            created_at: now_millis(),
            permits: Arc::new(Semaphore::new(parallelism as usize)),
            line: VecDeque::new(),
            turn: Arc::new(Notify::new()),
        }
    }

    /// The queue named `name` as the API shows it.
    pub(crate) fn view(&self, name: &str) -> qstash_client::Queue {
        let mut view = qstash_client::Queue::default();
        view.name = name.to_owned();
        view.parallelism = self.parallelism;
        view.lag = self.lag;
        view.paused = self.paused;
        view.created_at = Some(self.created_at);
        view.updated_at = Some(self.created_at);
        view
    }
}

/// A URL group named `name`, created at `created_at`, as the API shows it.
pub(crate) fn url_group_view(name: &str, created_at: u64, endpoints: &[Endpoint]) -> UrlGroup {
    let mut view = UrlGroup::default();
    view.name = name.to_owned();
    view.endpoints = endpoints.to_vec();
    view.created_at = Some(created_at);
    view.updated_at = Some(created_at);
    view
}

/// A cron schedule: what it publishes and when it last and next runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Schedule {
    pub(crate) id: String,
    pub(crate) cron: String,
    pub(crate) destination: String,
    /// `Upstash-Queue-Name`: each run is enqueued there instead of published.
    pub(crate) queue: Option<String>,
    pub(crate) spec: Spec,
    #[serde(with = "crate::saved_body")]
    pub(crate) body: Bytes,
    pub(crate) paused: bool,
    pub(crate) created_at: u64,
    pub(crate) last_run: Option<u64>,
    pub(crate) next_run: Option<u64>,
    /// Changed by every update, so the ticker of an older version stops.
    pub(crate) generation: u64,
}

impl Schedule {
    /// The schedule as `GET /v2/schedules/{id}` shows it.
    pub(crate) fn view(&self) -> qstash_client::Schedule {
        let mut view = qstash_client::Schedule::default();
        view.schedule_id.clone_from(&self.id);
        view.cron.clone_from(&self.cron);
        view.created_at = Some(self.created_at);
        view.destination.clone_from(&self.destination);
        view.method = Some(self.spec.method.clone());
        view.header = self.spec.forwarded_headers();
        view.body = Some(String::from_utf8_lossy(&self.body).into_owned());
        view.retries = Some(self.spec.retries);
        view.delay = Some(self.spec.delay.as_secs());
        view.callback = self.spec.callback.as_ref().map(|c| c.url.clone());
        view.failure_callback = self.spec.failure_callback.as_ref().map(|c| c.url.clone());
        view.retry_delay_expression = self.spec.retry_delay.as_ref().map(|d| d.text().to_owned());
        view.queue_name.clone_from(&self.queue);
        view.caller_ip.clone_from(&self.spec.caller_ip);
        view.label = self.spec.labels.first().cloned();
        view.labels.clone_from(&self.spec.labels);
        (view.flow_control_key, view.parallelism, view.rate, view.period) = self.spec.flow_fields();
        view.is_paused = self.paused;
        view.last_schedule_time = self.last_run;
        view.next_schedule_time = self.next_run;
        view
    }
}

/// How deliveries are timed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Multiplies every retry wait (1 in real time; small in tests).
    pub(crate) retry_scale: f64,
    /// How long an attempt may take when the message sets no `Upstash-Timeout`.
    pub(crate) default_timeout: Duration,
    /// What bounds each account's memory.
    pub(crate) limits: Limits,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub(crate) schedules: BTreeMap<String, Schedule>,
    pub(crate) flow_keys: BTreeMap<String, FlowKey>,
    pub(crate) messages: HashMap<String, Message>,
    pub(crate) dlq: Vec<DeadLetter>,
    pub(crate) events: Vec<LogEvent>,
    pub(crate) url_groups: BTreeMap<String, (u64, Vec<Endpoint>)>,
    pub(crate) queues: BTreeMap<String, Queue>,
    pub(crate) deduplication: HashMap<String, (String, Instant)>,
    /// The background cancels asked for, oldest first (the newest [`BULK_ACTIONS_KEPT`]).
    pub(crate) bulk_actions: Vec<qstash_client::BulkAction>,
    pub(crate) keys: AccountKeys,
}

impl Inner {
    /// The bytes of message bodies held: waiting messages and the DLQ.
    pub(crate) fn held_bytes(&self) -> usize {
        let waiting: usize = self.messages.values().map(|m| m.body.len()).sum();
        waiting + self.dlq.iter().map(|d| d.message.body.len()).sum::<usize>()
    }
}

/// The server's state, shared by the API handlers and the delivery tasks.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) settings: Settings,
    pub(crate) in_flight: Semaphore,
    pub(crate) max_in_flight: u64,
    pub(crate) http: reqwest::Client,
    inner: Mutex<Inner>,
    /// Set by every [`State::lock`]: the state may have changed since it was last saved.
    changed: AtomicBool,
    /// `true` once the server stops: every delivery and schedule task ends then.
    stop: watch::Sender<bool>,
}

impl State {
    /// An empty account of `user`, signing with its keys.
    pub(crate) fn new(settings: Settings, max_in_flight: usize, user: &DevUser) -> Self {
        State {
            settings,
            in_flight: Semaphore::new(max_in_flight),
            max_in_flight: max_in_flight as u64,
            // Destinations are the developer's own endpoints: never follow their redirects.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            inner: Mutex::new(Inner { keys: AccountKeys::of(user), ..Inner::default() }),
            changed: AtomicBool::new(false),
            stop: watch::channel(false).0,
        }
    }

    /// The state, even after a task panicked while holding it (the data is still usable);
    /// marked as possibly changed, for `--data`.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.changed.store(true, Ordering::Relaxed);
        self.read()
    }

    /// The state, to read it without marking it changed (saving it).
    pub(crate) fn read(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the state may have changed since the last call.
    #[cfg(feature = "persist")]
    pub(crate) fn take_changed(&self) -> bool {
        self.changed.swap(false, Ordering::Relaxed)
    }

    /// Runs `task` on the runtime until it ends or the server stops.
    pub(crate) fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut stop = self.stop.subscribe();
        tokio::spawn(async move {
            tokio::select! {
                () = task => {}
                _ = stop.wait_for(|stopped| *stopped) => {}
            }
        });
    }

    /// Ends every delivery and schedule task of this account.
    pub(crate) fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Adds an event to the log.
    pub(crate) fn log(&self, message: &Message, state: MessageState, detail: impl FnOnce(&mut LogEvent)) {
        let mut event = LogEvent::default();
        event.time = now_millis();
        event.state = state;
        event.message_id.clone_from(&message.id);
        event.url = Some(message.url.clone());
        event.url_group.clone_from(&message.url_group);
        event.endpoint_name.clone_from(&message.endpoint_name);
        event.queue_name.clone_from(&message.queue);
        event.schedule_id.clone_from(&message.schedule_id);
        event.label = message.spec.labels.first().cloned();
        event.labels.clone_from(&message.spec.labels);
        let spec = &message.spec;
        event.header = spec
            .forwarded_headers()
            .into_iter()
            .map(|(name, values)| (name, serde_json::Value::from(values)))
            .collect();
        event.body = (message.body.len() <= LOGGED_BODY_MAX).then(|| base64(&message.body));
        event.method = Some(spec.method.clone());
        event.max_retries = Some(spec.retries);
        event.retry_delay_expression = spec.retry_delay.as_ref().map(|d| d.text().to_owned());
        let timeout = spec.timeout.unwrap_or(self.settings.default_timeout);
        event.timeout = Some(u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX));
        if let Some(callback) = &spec.callback {
            event.callback = Some(callback.url.clone());
            event.callback_headers = headers_map(&callback.forward);
        }
        if let Some(callback) = &spec.failure_callback {
            event.failure_callback = Some(callback.url.clone());
            event.failure_callback_headers = headers_map(&callback.forward);
        }
        detail(&mut event);
        let mut inner = self.lock();
        if inner.events.len() >= EVENTS_KEPT {
            inner.events.remove(0);
        }
        inner.events.push(event);
    }

    /// Adds a message whose every attempt failed to the DLQ; past the DLQ's bounds (entries,
    /// bytes held) its oldest entries are dropped, as QStash's DLQ lets them expire.
    pub(crate) fn bury(&self, dead: DeadLetter) {
        let limits = self.settings.limits;
        let mut inner = self.lock();
        inner.dlq.push(dead);
        let mut held = inner.held_bytes();
        let mut dropped = 0;
        while inner.dlq.len() - dropped > limits.dead_letters
            || (held > limits.stored_bytes && inner.dlq.len() - dropped > 1)
        {
            held -= inner.dlq[dropped].message.body.len();
            dropped += 1;
        }
        if dropped > 0 {
            inner.dlq.drain(..dropped);
            tracing::warn!(dropped, "the DLQ is full: its oldest messages were dropped");
        }
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
