//! Accepting a message for delivery: one per URL, or one per endpoint of a URL group,
//! deduplicated, logged and handed to delivery. What publish, enqueue, batch, the DLQ retry and
//! schedules share.

use axum::http::{HeaderMap, Uri};
use bytes::Bytes;
use qstash_client::{MessageState, PublishResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::delivery;
use crate::ids::{new_id, now_millis};
use crate::reply::{ApiError, AppState, Caller, bad_request, full, not_found};
use crate::spec::Spec;
use crate::state::{Message, Queue};

/// What a publish answers: one message for a URL, one per endpoint for a URL group.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum Accepted {
    /// Published to a URL.
    One(PublishResponse),
    /// Published to a URL group.
    Group(Vec<PublishResponse>),
}

/// The destination in a publish path, with the query that belongs to it.
pub(crate) fn destination(uri: &Uri, prefix_segments: usize) -> String {
    let path = uri.path();
    let mut rest = path;
    for _ in 0..prefix_segments {
        rest = rest.trim_start_matches('/');
        rest = rest.find('/').map_or("", |i| &rest[i..]);
    }
    let rest = rest.trim_start_matches('/');
    match uri.query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_owned(),
    }
}

/// Whether a destination is a URL (else it names a URL group).
pub(crate) fn is_url(destination: &str) -> bool {
    destination.starts_with("http://") || destination.starts_with("https://")
}

/// The longest queue or URL group name taken.
const MAX_NAME_LENGTH: usize = 100;

/// Whether `name` is a queue or URL group name QStash takes: letters, digits, `-`, `_` and `.`.
pub(crate) fn check_name(what: &str, name: &str) -> Result<(), ApiError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() || name.len() > MAX_NAME_LENGTH || !name.chars().all(allowed) {
        return Err(bad_request(format!(
            "invalid {what} name {name:?}: 1 to {MAX_NAME_LENGTH} letters, digits, '-', '_' or '.'"
        )));
    }
    Ok(())
}

/// Refuses what would make [`accept_spec`] fail, before anything is accepted: a batch is
/// checked whole first, so one bad entry delivers none.
pub(crate) fn check_target(state: &AppState, queue: Option<&str>, destination: &str) -> Result<(), ApiError> {
    if let Some(name) = queue {
        check_name("queue", name)?;
    }
    if !is_url(destination) && !state.lock().url_groups.contains_key(destination) {
        return Err(not_found("URL group", destination));
    }
    Ok(())
}

/// Accepts one message (or one per endpoint of a URL group): the publish, enqueue and batch
/// answer for it.
pub(crate) fn accept(
    state: &AppState,
    caller: Caller,
    queue: Option<&str>,
    destination: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Accepted, ApiError> {
    let mut spec = Spec::from_headers(headers).map_err(bad_request)?;
    spec.caller_ip = caller.0;
    accept_spec(state, queue, None, destination, spec, body)
}

fn answer(message_id: &str, url: Option<&str>, deduplicated: Option<bool>) -> PublishResponse {
    let mut answer = PublishResponse::default();
    answer.message_id = message_id.to_owned();
    answer.url = url.map(str::to_owned);
    answer.deduplicated = deduplicated;
    answer
}

/// What content-based deduplication compares, as QStash documents it: the destination, the
/// headers sent to it and the body.
fn content_hash(url: &str, spec: &Spec, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    for part in [url.as_bytes(), body] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    let mut headers = spec.forward.clone();
    headers.sort();
    for (name, value) in headers {
        for part in [name.as_bytes(), value.as_bytes()] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part);
        }
    }
    format!("{:x}", hash.finalize())
}

/// [`accept`] with the spec already read (a schedule keeps its own and names itself).
pub(crate) fn accept_spec(
    state: &AppState,
    queue: Option<&str>,
    schedule_id: Option<&str>,
    destination: &str,
    spec: Spec,
    body: Bytes,
) -> Result<Accepted, ApiError> {
    check_target(state, queue, destination)?;
    let targets: Vec<(String, Option<String>, Option<String>)> = if is_url(destination) {
        vec![(destination.to_owned(), None, None)]
    } else {
        let inner = state.lock();
        let (_, endpoints) =
            inner.url_groups.get(destination).ok_or_else(|| not_found("URL group", destination))?;
        endpoints
            .iter()
            .filter_map(|e| Some((e.url.clone()?, Some(destination.to_owned()), e.name.clone())))
            .collect()
    };
    {
        let limits = state.settings.limits;
        let mut inner = state.lock();
        if inner.messages.len().saturating_add(targets.len()) > limits.messages {
            return Err(full("messages waiting for delivery", limits.messages));
        }
        let adding = body.len().saturating_mul(targets.len());
        if inner.held_bytes().saturating_add(adding) > limits.stored_bytes {
            return Err(full("bytes of messages", limits.stored_bytes));
        }
        let deduplicates = spec.deduplication_id.is_some() || spec.content_based_deduplication;
        if deduplicates && inner.deduplication.len() >= limits.messages {
            return Err(full("deduplication ids", limits.messages));
        }
        if let Some(name) = queue {
            if !inner.queues.contains_key(name) && inner.queues.len() >= limits.queues {
                return Err(full("queues", limits.queues));
            }
            let queue = inner.queues.entry(name.to_owned()).or_insert_with(|| Queue::new(1, false));
            queue.lag += targets.len() as u64;
        }
    }
    let single = is_url(destination);
    let mut answers = Vec::new();
    for (url, url_group, endpoint_name) in targets {
        let id = new_id("msg");
        let key = match (&spec.deduplication_id, spec.content_based_deduplication) {
            (Some(dedup), _) => Some(format!("id:{dedup}:{url}")),
            (None, true) => Some(format!("content:{}", content_hash(&url, &spec, &body))),
            (None, false) => None,
        };
        let shown_url = (!single).then_some(url.as_str());
        if let Some(earlier) = key.and_then(|key| state.deduplicate(key, &id)) {
            answers.push(answer(&earlier, shown_url, Some(true)));
            continue;
        }
        answers.push(answer(&id, shown_url, Some(false)));
        let message = Message {
            id,
            url,
            url_group,
            endpoint_name,
            queue: queue.map(str::to_owned),
            schedule_id: schedule_id.map(str::to_owned),
            spec: spec.clone(),
            body: body.clone(),
            created_at: now_millis(),
        };
        state.lock().messages.insert(message.id.clone(), message.clone());
        state.log(&message, MessageState::Created, |_| {});
        delivery::spawn(state.clone(), message);
    }
    Ok(match (single, answers.pop()) {
        (true, Some(one)) if answers.is_empty() => Accepted::One(one),
        (_, last) => {
            answers.extend(last);
            Accepted::Group(answers)
        }
    })
}
