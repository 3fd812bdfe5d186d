//! Delivering one message: wait for its time, sign it, send it, retry it with QStash's
//! backoff, and on the last failure move it to the DLQ; callbacks follow either outcome.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use qstash_client::{LogEvent, MessageState};
use serde_json::{Value, json};

use crate::ids::{base64, new_id, now_millis};
use crate::spec::{CallbackSpec, Spec, headers_map};
use crate::state::{DeadLetter, LOGGED_BODY_MAX, Message, State};
use crate::waits::{self, backoff};

/// What one attempt got back.
struct Answer {
    status: Option<u16>,
    headers: HeaderMap,
    body: bytes::Bytes,
    error: Option<String>,
}

impl Answer {
    fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// The destination's answer in a log event: status, headers and body (base64, when small
    /// enough to log).
    fn describe(&self, event: &mut LogEvent) {
        event.response_status = self.status;
        event.response_body = (self.body.len() <= LOGGED_BODY_MAX).then(|| base64(&self.body));
        event.response_headers = self.headers_map();
    }

    /// The destination's headers as the API shows them.
    fn headers_map(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        let pairs: Vec<(String, String)> = self
            .headers
            .iter()
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_owned())))
            .collect();
        headers_map(&pairs)
    }

    /// The destination's `Retry-After`, when it sent one QStash reads.
    fn retry_after(&self) -> Option<Duration> {
        waits::retry_after(self.headers.get("retry-after")?.to_str().ok()?, SystemTime::now())
    }
}

/// Starts delivering `message` on the runtime. A queued message due now joins its queue's
/// line before this returns, so messages enqueued one after another start in that order
/// whatever order their tasks run in.
pub(crate) fn spawn(state: Arc<State>, message: Message) {
    let in_line = match &message.queue {
        Some(name) if is_due(&message.spec) => join_line(&state, name, &message.id),
        _ => false,
    };
    state.clone().spawn(deliver(state, message, in_line));
}

async fn deliver(state: Arc<State>, message: Message, in_line: bool) {
    wait_for_its_time(&message.spec).await;
    let queue_permit = match &message.queue {
        Some(name) => {
            if !in_line {
                join_line(&state, name, &message.id);
            }
            match queue_turn(&state, name, &message.id).await {
                Some(permit) => Some(permit),
                None => return,
            }
        }
        None => None,
    };
    let mut last = None;
    for retried in 0..=message.spec.retries {
        // Cancelled meanwhile: nothing more to do.
        if !state.lock().messages.contains_key(&message.id) {
            return;
        }
        let flow = match &message.spec.flow_control {
            Some(flow) => Some(crate::flow::slot(&state, flow).await),
            None => None,
        };
        state.log(&message, MessageState::Active, |_| {});
        let answer = attempt(&state, &message, retried).await;
        drop(flow);
        // QStash calls the callback after every attempt, with that attempt's answer.
        if let Some(to) = &message.spec.callback {
            callback(&state, &message, to, &answer, retried, None);
        }
        if answer.succeeded() {
            state.log(&message, MessageState::Delivered, |e| answer.describe(e));
            state.lock().messages.remove(&message.id);
            finish_queue(&state, &message);
            drop(queue_permit);
            return;
        }
        let error = answer.error.clone().unwrap_or_else(|| format!("status {}", answer.status.unwrap_or(0)));
        if retried < message.spec.retries {
            let wait = answer
                .retry_after()
                .or_else(|| message.spec.retry_delay.as_ref().and_then(|delay| delay.wait(retried)))
                .unwrap_or_else(|| backoff(retried + 1))
                .mul_f64(state.settings.retry_scale);
            state.log(&message, MessageState::Retry, |e| {
                e.error = Some(error.clone());
                answer.describe(e);
                // From the event's own time, so the log shows exactly the wait chosen.
                e.next_delivery_time =
                    Some(e.time.saturating_add(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX)));
            });
            tokio::time::sleep(wait).await;
        } else {
            state.log(&message, MessageState::Error, |e| {
                e.error = Some(error.clone());
                answer.describe(e);
            });
        }
        last = Some(answer);
    }
    let Some(answer) = last else { return };
    let dlq_id = new_id("dlq");
    state.log(&message, MessageState::Failed, |e| answer.describe(e));
    state.lock().messages.remove(&message.id);
    state.bury(DeadLetter {
        dlq_id: dlq_id.clone(),
        message: message.clone(),
        response_status: answer.status,
        response_headers: answer.headers_map(),
        response_body: String::from_utf8_lossy(&answer.body).into_owned(),
    });
    if let Some(to) = &message.spec.failure_callback {
        callback(&state, &message, to, &answer, message.spec.retries, Some(&dlq_id));
    }
    finish_queue(&state, &message);
    drop(queue_permit);
}

/// Whether nothing (a delay, a not-before time) holds the message back.
fn is_due(spec: &Spec) -> bool {
    spec.delay.is_zero() && spec.not_before.is_none_or(|at| at <= now_seconds())
}

fn now_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

async fn wait_for_its_time(spec: &Spec) {
    if !spec.delay.is_zero() {
        tokio::time::sleep(spec.delay).await;
    }
    if let Some(at) = spec.not_before {
        let now = now_seconds();
        if at > now {
            tokio::time::sleep(Duration::from_secs(at - now)).await;
        }
    }
}

/// Puts message `id` at the end of queue `name`'s line; `false` when there is no such queue.
fn join_line(state: &State, name: &str, id: &str) -> bool {
    let mut inner = state.lock();
    let Some(queue) = inner.queues.get_mut(name) else { return false };
    queue.line.push_back(id.to_owned());
    true
}

/// A queue slot held by a delivery; giving it back wakes the line.
pub(crate) struct QueueSlot {
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
    turn: Arc<tokio::sync::Notify>,
}

impl Drop for QueueSlot {
    fn drop(&mut self) {
        // The slot is free before the line wakes: a waiter woken first would find it still
        // taken and wait for a wake-up that never comes.
        drop(self.permit.take());
        self.turn.notify_waiters();
    }
}

/// Waits until message `id` is first in its queue's line, the queue is not paused and one of
/// its parallelism's slots is free; `None` when the queue was deleted meanwhile.
async fn queue_turn(state: &State, name: &str, id: &str) -> Option<QueueSlot> {
    loop {
        let turn = state.lock().queues.get(name)?.turn.clone();
        // Registered before the check, so a wake-up between the check and the wait is kept.
        let woken = turn.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        {
            let mut inner = state.lock();
            let queue = inner.queues.get_mut(name)?;
            if !queue.paused && queue.line.front().is_some_and(|first| first == id) {
                if let Ok(permit) = queue.permits.clone().try_acquire_owned() {
                    queue.line.pop_front();
                    // The next in line may have a free slot too (parallelism above 1).
                    queue.turn.notify_waiters();
                    return Some(QueueSlot { permit: Some(permit), turn: queue.turn.clone() });
                }
            }
        }
        woken.await;
    }
}

fn finish_queue(state: &State, message: &Message) {
    if let Some(name) = &message.queue {
        if let Some(queue) = state.lock().queues.get_mut(name) {
            queue.lag = queue.lag.saturating_sub(1);
        }
    }
}

/// One signed request to the destination.
async fn attempt(state: &State, message: &Message, retried: u32) -> Answer {
    let Ok(_slot) = state.in_flight.acquire().await else {
        return Answer {
            status: None,
            headers: HeaderMap::new(),
            body: bytes::Bytes::new(),
            error: Some("server stopping".into()),
        };
    };
    let signer = state.lock().keys.signer();
    let token = signer.token(&message.url, &message.body).sign();
    let method = reqwest::Method::from_bytes(message.spec.method.as_bytes()).unwrap_or(reqwest::Method::POST);
    let mut request = state
        .http
        .request(method, &message.url)
        .timeout(message.spec.timeout.unwrap_or(state.settings.default_timeout))
        .header("upstash-signature", token)
        .header("upstash-message-id", &message.id)
        .header("upstash-retried", retried.to_string());
    for (name, value) in &message.spec.forward {
        request = request.header(name.as_str(), value.as_str());
    }
    if let Some(group) = &message.url_group {
        request = request.header("upstash-topic-name", group.as_str());
    }
    if let Some(schedule) = &message.schedule_id {
        request = request.header("upstash-schedule-id", schedule.as_str());
    }
    match request.body(message.body.clone()).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await.unwrap_or_default();
            Answer { status: Some(status), headers, body, error: None }
        }
        Err(error) => Answer {
            status: None,
            headers: HeaderMap::new(),
            body: bytes::Bytes::new(),
            error: Some(error.to_string()),
        },
    }
}

/// Publishes the callback QStash documents: a JSON message to `url` with the destination's
/// answer and the source message, delivered (and signed) like any other message.
fn callback(
    state: &Arc<State>,
    source: &Message,
    to: &CallbackSpec,
    answer: &Answer,
    retried: u32,
    dlq_id: Option<&str>,
) {
    let mut header = serde_json::Map::new();
    for (name, value) in &answer.headers {
        if let Ok(value) = value.to_str() {
            header.insert(name.to_string(), Value::from(vec![value.to_owned()]));
        }
    }
    let mut body = json!({
        "status": answer.status.unwrap_or(0),
        "header": header,
        "body": base64(&answer.body),
        "retried": retried,
        "maxRetries": source.spec.retries,
        "sourceMessageId": source.id,
        "url": source.url,
        "method": source.spec.method,
        "sourceBody": base64(&source.body),
        "createdAt": source.created_at,
    });
    if let Some(group) = &source.url_group {
        body["topicName"] = group.clone().into();
    }
    if let Some(id) = dlq_id {
        body["dlqId"] = id.into();
    }
    let mut forward = to.forward.clone();
    forward.push(("content-type".to_owned(), "application/json".to_owned()));
    let spec = Spec {
        method: to.method.clone(),
        delay: to.delay,
        not_before: None,
        retries: to.retries,
        retry_delay: to.retry_delay.clone(),
        timeout: to.timeout,
        callback: None,
        failure_callback: None,
        forward,
        deduplication_id: None,
        content_based_deduplication: false,
        flow_control: None,
        labels: Vec::new(),
        caller_ip: None,
    };
    let message = Message {
        id: new_id("msg"),
        url: to.url.clone(),
        url_group: None,
        endpoint_name: None,
        queue: None,
        schedule_id: None,
        spec,
        body: bytes::Bytes::from(body.to_string()),
        created_at: now_millis(),
    };
    state.lock().messages.insert(message.id.clone(), message.clone());
    state.log(&message, MessageState::Created, |_| {});
    spawn(state.clone(), message);
}
