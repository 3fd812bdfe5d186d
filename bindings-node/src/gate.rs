//! `Gate`, `PendingDelivery` and `Rejection`: `qstash-gate`'s request-to-verdict sequence for
//! the Express and fetch helpers, which only move bytes.

use std::collections::HashMap;
use std::sync::Mutex;

use napi::bindgen_prelude::AsyncTask;
use napi::{Either, Env, Task};
use napi_derive::napi;
use qstash_gate::{HEADERS_READ, HeadValues, UrlPolicy};

use crate::body::{Body, bytes};
use crate::claims::Claims;
use crate::receiver::Receiver;
use crate::replay::RedisReplayGuard;

/// The names of the headers `Gate.verifyHead` wants, in the order it wants their values.
#[napi]
pub fn header_names() -> Vec<&'static str> {
    HEADERS_READ.to_vec()
}

/// Options of `new Gate(receiver, options)`: at most one URL policy (SPEC.md §7.3) and the
/// body limit.
#[napi(object)]
pub struct GateOptions {
    /// Compare `sub` with this exact URL.
    pub url: Option<String>,
    /// Compare `sub` with this public origin plus the request's path and query.
    pub public_base: Option<String>,
    /// Rebuild the URL from the `Forwarded` / `X-Forwarded-*` headers of this many trusted proxies.
    pub forwarded: Option<u32>,
    /// `false` skips the URL check.
    pub check_url: Option<bool>,
    /// Largest body accepted, in bytes (default 10 MiB).
    pub body_limit: Option<u32>,
}

/// Why the gate refused a request, with everything the response needs.
#[napi]
pub struct Rejection {
    rejection: qstash_gate::Rejection,
    log_message: String,
}

#[napi]
impl Rejection {
    /// 401, 413, 400 or 503.
    #[napi(getter)]
    pub fn status(&self) -> u32 {
        u32::from(self.rejection.status())
    }

    /// The stable reason code (`signature`, `expired`, `payload_too_large`, …).
    #[napi(getter)]
    pub fn reason(&self) -> &'static str {
        self.rejection.reason()
    }

    /// The `error` member of the body: `invalid_signature` for every 401, else the reason.
    #[napi(getter)]
    pub fn error(&self) -> &'static str {
        self.rejection.error()
    }

    /// The response body, JSON text: `{"error":…,"reason":…}`.
    #[napi(getter)]
    pub fn body(&self) -> String {
        self.rejection.json_body()
    }

    /// The response headers (`content-type`, and `www-authenticate` on a 401).
    #[napi(getter)]
    pub fn headers(&self) -> HashMap<&'static str, &'static str> {
        let mut headers = HashMap::from([("content-type", "application/json")]);
        if let Some(scheme) = self.rejection.www_authenticate() {
            headers.insert("www-authenticate", scheme);
        }
        headers
    }

    /// What to log: reason, message id and path, never the token, the keys or the query.
    #[napi(getter)]
    pub fn log_message(&self) -> String {
        self.log_message.clone()
    }
}

/// A verified delivery: the claims and the (unsigned) delivery headers QStash sets, `null`
/// when missing or not valid.
#[napi(object)]
pub struct Delivery {
    /// The verified claims.
    pub claims: Claims,
    /// `Upstash-Message-Id`.
    pub message_id: Option<String>,
    /// `Upstash-Retried`: how many times QStash retried this message.
    pub retried: Option<u32>,
    /// `Upstash-Region` as sent.
    pub region: Option<String>,
    /// `Upstash-Schedule-Id`.
    pub schedule_id: Option<String>,
    /// `Upstash-Topic-Name` (URL group).
    pub topic_name: Option<String>,
}

/// Checks deliveries for one endpoint: keys, URL policy, body limit, replay protection.
#[napi]
pub struct Gate {
    gate: qstash_gate::Gate,
}

fn reject(gate: &qstash_gate::Gate, rejection: qstash_gate::Rejection, head: &HeadValues) -> Rejection {
    let log_message = gate.log_line(&rejection, head);
    Rejection { rejection, log_message }
}

fn head_of(values: Vec<Option<String>>, target: String) -> HeadValues {
    let mut head = HeadValues { target, ..HeadValues::default() };
    for (slot, value) in head.values.iter_mut().zip(values) {
        *slot = value.map(String::into_bytes);
    }
    head
}

#[napi]
impl Gate {
    /// A gate over `receiver`'s keys, with its in-memory replay protection when it has one,
    /// or with `replayGuard` (Redis, shared by every process) when given.
    #[napi(constructor)]
    pub fn new(
        receiver: &Receiver,
        options: Option<GateOptions>,
        replay_guard: Option<&RedisReplayGuard>,
    ) -> napi::Result<Self> {
        let options = options.unwrap_or(GateOptions {
            url: None,
            public_base: None,
            forwarded: None,
            check_url: None,
            body_limit: None,
        });
        let policy = UrlPolicy::from_options(
            options.url,
            options.public_base,
            options.forwarded.map(|hops| hops as usize),
            options.check_url != Some(false),
        )
        .map_err(|e| napi::Error::new(napi::Status::InvalidArg, e))?;
        let mut gate = qstash_gate::Gate::new(receiver.shared().clone()).with_url_policy(policy);
        if let Some(limit) = options.body_limit {
            gate = gate.with_body_limit(limit as usize);
        }
        match (receiver.replay_guard(), replay_guard) {
            (Some(_), Some(_)) => {
                return Err(napi::Error::new(
                    napi::Status::InvalidArg,
                    "the receiver already has in-memory replay protection: pass replayGuard or \
                     replayProtection: true, not both",
                ));
            }
            (Some(memory), None) => gate = gate.with_replay_guard(memory),
            (None, Some(redis)) => gate = gate.with_replay_guard(redis.shared()),
            (None, None) => {}
        }
        Ok(Gate { gate })
    }

    /// Whether the replay check waits for a store (Redis): then finish with `finishAsync`.
    #[napi(getter)]
    pub fn waits_for_store(&self) -> bool {
        self.gate.replay_waits()
    }

    /// The largest body accepted, in bytes.
    #[napi(getter)]
    pub fn body_limit(&self) -> u32 {
        u32::try_from(self.gate.body_limit()).unwrap_or(u32::MAX)
    }

    /// Checks the token, the URL and the declared length from the request head alone: the
    /// values of `headerNames()` in order (`undefined` when absent) and the raw path and query.
    /// Returns the `PendingDelivery` to feed the body to, or the `Rejection`.
    #[napi]
    pub fn verify_head(
        &self,
        #[napi(ts_arg_type = "Array<string | undefined | null>")] headers: Vec<Option<String>>,
        target: String,
    ) -> Either<PendingDelivery, Rejection> {
        let head = head_of(headers, target);
        match self.gate.verify_head(&head) {
            Ok(pending) => Either::A(PendingDelivery {
                gate: self.gate.clone(),
                head,
                pending: Mutex::new(Some(pending)),
            }),
            Err(rejection) => Either::B(reject(&self.gate, rejection, &head)),
        }
    }

    /// The refusal for a body that could not be read (the client went away, broken framing).
    #[napi]
    pub fn unreadable(
        &self,
        #[napi(ts_arg_type = "Array<string | undefined | null>")] headers: Vec<Option<String>>,
        target: String,
    ) -> Rejection {
        reject(&self.gate, qstash_gate::Rejection::BadBody, &head_of(headers, target))
    }
}

/// A delivery whose token verified, waiting for its body.
#[napi]
pub struct PendingDelivery {
    gate: qstash_gate::Gate,
    head: HeadValues,
    pending: Mutex<Option<qstash_gate::Pending>>,
}

impl PendingDelivery {
    fn finished(&self) -> Rejection {
        // Fed or finished after it was already finished: nothing valid is left to check.
        reject(&self.gate, qstash_gate::Rejection::BadBody, &self.head)
    }
}

#[napi]
impl PendingDelivery {
    /// Hashes the next chunk of the body; returns the `Rejection` (413) once the body is over
    /// the limit, else `null`.
    #[napi]
    pub fn update(&self, #[napi(ts_arg_type = "string | Uint8Array")] chunk: Body) -> Option<Rejection> {
        let Ok(mut slot) = self.pending.lock() else { return Some(self.finished()) };
        let Some(pending) = slot.as_mut() else { return Some(self.finished()) };
        let rejection = pending.update(bytes(&chunk)).err()?;
        *slot = None;
        Some(reject(&self.gate, rejection, &self.head))
    }

    /// Checks the body's hash, parses the delivery headers and checks for a replay with a
    /// guard that answers at once (in memory; a store that would make it wait refuses with 503).
    #[napi]
    pub fn finish(&self) -> Either<Delivery, Rejection> {
        let taken = self.pending.lock().ok().and_then(|mut slot| slot.take());
        let Some(pending) = taken else { return Either::B(self.finished()) };
        outcome(&self.gate, &self.head, self.gate.finish_now(pending, &self.head))
    }

    /// `finish` for a gate whose replay check waits for a store (Redis): the round trip runs on
    /// the libuv thread pool, so the event loop goes on meanwhile.
    #[napi(ts_return_type = "Promise<Delivery | Rejection>")]
    pub fn finish_async(&self) -> AsyncTask<FinishTask> {
        let pending = self.pending.lock().ok().and_then(|mut slot| slot.take());
        AsyncTask::new(FinishTask { gate: self.gate.clone(), head: self.head.clone(), pending })
    }
}

fn outcome(
    gate: &qstash_gate::Gate,
    head: &HeadValues,
    result: Result<qstash_gate::Delivery, qstash_gate::Rejection>,
) -> Either<Delivery, Rejection> {
    match result {
        Ok(delivery) => {
            let qstash_gate::Delivery {
                claims,
                key,
                region,
                message_id,
                retried,
                region_header,
                schedule_id,
                topic_name,
                ..
            } = delivery;
            Either::A(Delivery {
                claims: Claims::from_parts(claims, key, region),
                message_id,
                retried,
                region: region_header,
                schedule_id,
                topic_name,
            })
        }
        Err(rejection) => Either::B(reject(gate, rejection, head)),
    }
}

/// The work of `finishAsync`.
pub struct FinishTask {
    gate: qstash_gate::Gate,
    head: HeadValues,
    pending: Option<qstash_gate::Pending>,
}

impl Task for FinishTask {
    type Output = Result<qstash_gate::Delivery, qstash_gate::Rejection>;
    type JsValue = Either<Delivery, Rejection>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        // Already finished: nothing valid is left to check.
        let Some(pending) = self.pending.take() else { return Ok(Err(qstash_gate::Rejection::BadBody)) };
        let delivery = match pending.finish(&self.head) {
            Ok(delivery) => delivery,
            Err(rejection) => return Ok(Err(rejection)),
        };
        if let Some(check) = self.gate.replay_check(&delivery) {
            if let Err(rejection) = qstash_gate::replay::blocking::wait(check) {
                return Ok(Err(rejection));
            }
        }
        Ok(Ok(delivery))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(outcome(&self.gate, &self.head, output))
    }
}
