//! Delivering one message: wait for its time, sign it, send it, retry it with QStash's
//! backoff, and on the last failure move it to the DLQ; callbacks follow either outcome.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::HeaderMap;
use qstash_client::MessageState;
use serde_json::{Value, json};

use crate::ids::{base64, new_id, now_millis};
use crate::spec::Spec;
use crate::state::{DeadLetter, Message, State};

/// The wait before retry number `retried` (1 for the first retry), as QStash documents it:
/// `min(86400, e^(2.5·retried))` seconds.
pub(crate) fn backoff(retried: u32) -> Duration {
    Duration::from_secs_f64((2.5 * f64::from(retried)).exp().min(MAX_BACKOFF_SECONDS as f64))
}

/// The longest wait between two attempts: a day, as QStash's backoff caps it.
const MAX_BACKOFF_SECONDS: u64 = 86_400;

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

    /// The destination's `Retry-After` in seconds, when it sent one, at most QStash's longest
    /// wait between retries (a day): any number a destination sends is bounded.
    fn retry_after(&self) -> Option<Duration> {
        let value = self.headers.get("retry-after")?.to_str().ok()?;
        value.trim().parse::<u64>().ok().map(|seconds| Duration::from_secs(seconds.min(MAX_BACKOFF_SECONDS)))
    }
}

/// Starts delivering `message` on the runtime.
pub(crate) fn spawn(state: Arc<State>, message: Message) {
    tokio::spawn(deliver(state, message));
}

async fn deliver(state: Arc<State>, message: Message) {
    wait_for_its_time(&message.spec).await;
    let queue_permit = match &message.queue {
        Some(name) => match queue_turn(&state, name).await {
            Some(permit) => Some(permit),
            None => return,
        },
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
        if answer.succeeded() {
            state.log(&message, MessageState::Delivered, |e| e.response_status = answer.status);
            state.lock().messages.remove(&message.id);
            if let Some(url) = &message.spec.callback {
                callback(&state, &message, url, &answer, retried, None);
            }
            finish_queue(&state, &message);
            drop(queue_permit);
            return;
        }
        let error = answer.error.clone().unwrap_or_else(|| format!("status {}", answer.status.unwrap_or(0)));
        if retried < message.spec.retries {
            let wait = answer
                .retry_after()
                .unwrap_or_else(|| backoff(retried + 1))
                .mul_f64(state.settings.retry_scale);
            state.log(&message, MessageState::Retry, |e| {
                e.error = Some(error.clone());
                e.response_status = answer.status;
                // From the event's own time, so the log shows exactly the wait chosen.
                e.next_delivery_time =
                    Some(e.time.saturating_add(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX)));
            });
            tokio::time::sleep(wait).await;
        } else {
            state.log(&message, MessageState::Error, |e| {
                e.error = Some(error.clone());
                e.response_status = answer.status;
            });
        }
        last = Some(answer);
    }
    let Some(answer) = last else { return };
    let dlq_id = new_id("dlq");
    state.log(&message, MessageState::Failed, |e| e.response_status = answer.status);
    {
        let mut inner = state.lock();
        inner.messages.remove(&message.id);
        inner.dlq.push(DeadLetter {
            dlq_id: dlq_id.clone(),
            message: message.clone(),
            response_status: answer.status,
            response_body: String::from_utf8_lossy(&answer.body).into_owned(),
        });
    }
    if let Some(url) = &message.spec.failure_callback {
        callback(&state, &message, url, &answer, message.spec.retries, Some(&dlq_id));
    }
    if let Some(url) = &message.spec.callback {
        callback(&state, &message, url, &answer, message.spec.retries, None);
    }
    finish_queue(&state, &message);
    drop(queue_permit);
}

async fn wait_for_its_time(spec: &Spec) {
    if !spec.delay.is_zero() {
        tokio::time::sleep(spec.delay).await;
    }
    if let Some(at) = spec.not_before {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        if at > now {
            tokio::time::sleep(Duration::from_secs(at - now)).await;
        }
    }
}

/// Waits for a free slot of the queue (its parallelism) while it is not paused; `None` when
/// the queue was deleted meanwhile.
async fn queue_turn(state: &State, name: &str) -> Option<tokio::sync::OwnedSemaphorePermit> {
    loop {
        let (permits, paused) = {
            let inner = state.lock();
            let queue = inner.queues.get(name)?;
            (queue.permits.clone(), queue.paused)
        };
        if !paused {
            if let Ok(permit) = permits.try_acquire_owned() {
                return Some(permit);
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
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
    url: &str,
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
    let spec = Spec {
        method: "POST".to_owned(),
        delay: Duration::ZERO,
        not_before: None,
        retries: source.spec.retries,
        timeout: None,
        callback: None,
        failure_callback: None,
        forward: vec![("content-type".to_owned(), "application/json".to_owned())],
        deduplication_id: None,
        content_based_deduplication: false,
        flow_control: None,
        labels: Vec::new(),
    };
    let message = Message {
        id: new_id("msg"),
        url: url.to_owned(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_the_documented_curve() {
        let seconds: Vec<u64> = (1..=6).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(seconds, [12, 148, 1808, 22026, 86400, 86400]);
    }
}
