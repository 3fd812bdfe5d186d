//! `Gate`, `PendingDelivery`, `Rejection` and `Delivery`: `qstash-gate`'s request-to-verdict
//! sequence for the JavaScript helpers, which only move bytes. Every rule (options, head,
//! target, refusal, delivery) is the gate's `bindings` contract; this module converts JavaScript
//! values to and from it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::Object;
use napi::{Either, Env};
use napi_derive::napi;
use qstash_gate::bindings::{DeliveryView, GateOptions as Options, Number, Refusal};
use qstash_gate::replay::ReplayGuard;
use qstash_gate::{HEADERS_READ, IndexedHead};

use crate::body::{Body, bytes};
use crate::claims::Claims;
use crate::error::host_error;
use crate::receiver::Receiver;
use crate::replay::RedisReplayGuard;

/// The names of the headers `Gate.verifyHead` wants, in the order it wants their values.
#[napi]
pub fn header_names() -> Vec<&'static str> {
    HEADERS_READ.to_vec()
}

/// Options of `new Gate(receiver, options)`: at most one URL policy (SPEC.md §7.3) and the
/// body limit, checked by the gate.
#[napi(object)]
pub struct GateOptions {
    /// Compare `sub` with this exact URL.
    pub url: Option<String>,
    /// Compare `sub` with this public origin plus the request's path and query.
    pub public_base: Option<String>,
    /// Rebuild the URL from the proxy header family your proxy sets: `'x-forwarded'`
    /// (`X-Forwarded-Proto` and `X-Forwarded-Host`) or `'forwarded'` (RFC 7239).
    pub forwarded: Option<String>,
    /// How many trusted proxies append to those headers (default 1).
    pub trusted_proxies: Option<f64>,
    /// `false` skips the URL check.
    pub check_url: Option<bool>,
    /// Largest body accepted, in bytes (default 10 MiB).
    pub body_limit: Option<f64>,
    /// The logger method refusals are written with: `'error'`, `'warn'` (default), `'info'`
    /// or `'debug'`.
    pub log_level: Option<String>,
}

/// Why the gate refused a request, with everything the response needs.
#[napi]
pub struct Rejection {
    // Boxed: a refusal is a few strings, and results carrying one stay small.
    refusal: Box<Refusal>,
}

#[napi]
impl Rejection {
    /// 401, 413, 400 or 503.
    #[napi(getter)]
    pub fn status(&self) -> u32 {
        u32::from(self.refusal.status)
    }

    /// The stable reason code (`signature`, `expired`, `payload_too_large`, …).
    #[napi(getter)]
    pub fn reason(&self) -> &'static str {
        self.refusal.reason
    }

    /// The `error` member of the body: `invalid_signature` for every 401, else the reason.
    #[napi(getter)]
    pub fn error(&self) -> &'static str {
        self.refusal.error
    }

    /// The response body, JSON text: `{"error":…,"reason":…}`.
    #[napi(getter)]
    pub fn body(&self) -> String {
        self.refusal.body.clone()
    }

    /// The response headers (`content-type`, and `www-authenticate` on a 401).
    #[napi(getter)]
    pub fn headers(&self) -> HashMap<&'static str, &'static str> {
        self.refusal.headers.iter().copied().collect()
    }

    /// What to log: reason, message id and path, never the token, the keys or the query.
    #[napi(getter)]
    pub fn log_message(&self) -> String {
        self.refusal.log_message.clone()
    }

    /// The logger method to write `logMessage` with: the gate's `logLevel` (default `warn`).
    #[napi(getter)]
    pub fn log_level(&self) -> &'static str {
        self.refusal.log_level
    }

    /// The `Upstash-Message-Id` as the gate reads it (absent when it is not visible ASCII).
    #[napi(getter)]
    pub fn message_id(&self) -> Option<String> {
        self.refusal.message_id.clone()
    }
}

/// A verified delivery: the claims and the (unsigned) delivery headers QStash sets, absent
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

impl From<DeliveryView> for Delivery {
    fn from(view: DeliveryView) -> Self {
        Delivery {
            claims: Claims::from(&view.claims),
            message_id: view.message_id,
            retried: view.retried,
            region: view.region,
            schedule_id: view.schedule_id,
            topic_name: view.topic_name,
        }
    }
}

/// What a finished delivery resolves to: the delivery, or why it was refused.
type Outcome = Either<Delivery, Rejection>;

/// How `finishAsync`'s promise is settled on the JavaScript thread: with the outcome already
/// made, wherever it was made.
type Settle = Box<dyn FnOnce(Env) -> napi::Result<Outcome> + Send>;

fn settle(outcome: Outcome) -> Settle {
    Box::new(move |_| Ok(outcome))
}

/// Checks deliveries for one endpoint: keys, URL policy, body limit, replay protection.
#[napi]
pub struct Gate {
    gate: qstash_gate::Gate,
}

/// The head from the values of `headerNames()` in order (absent: `undefined` or `null`) and
/// the original target.
fn head_of(values: Vec<Option<String>>, target: &str) -> IndexedHead<'static> {
    let mut head = IndexedHead::new(qstash_gate::bindings::original_target(target).into_owned());
    for (name, value) in HEADERS_READ.iter().zip(values) {
        if let Some(value) = value {
            head.push(name, value.into_bytes().into());
        }
    }
    head
}

#[napi]
impl Gate {
    /// A gate over `receiver`'s keys, with its in-memory replay protection when it has one,
    /// or with `replayGuard` (Redis, shared by every process) when given. Without a receiver
    /// the keys are read from the environment (as `new Receiver()` reads them) when a delivery
    /// arrives; until they can be, deliveries are refused with `no_keys` (SPEC.md §7.10).
    #[napi(constructor)]
    pub fn new(
        receiver: Option<&Receiver>,
        options: Option<GateOptions>,
        replay_guard: Option<&RedisReplayGuard>,
    ) -> napi::Result<Self, &'static str> {
        let mut gate_options = Options::default();
        if let Some(options) = options {
            gate_options.url = options.url;
            gate_options.public_base = options.public_base;
            gate_options.forwarded = options.forwarded;
            gate_options.trusted_proxies = options.trusted_proxies.map(Number::Float);
            gate_options.check_url = options.check_url;
            gate_options.body_limit = options.body_limit.map(Number::Float);
            gate_options.log_level = options.log_level;
        }
        let store = replay_guard.map(|guard| guard.shared() as Arc<dyn ReplayGuard>);
        let gate = match receiver {
            Some(receiver) => gate_options.build(receiver.shared().clone(), receiver.replay_guard(), store),
            None => gate_options.build_on(
                qstash_gate::Gate::keys_later(Some(qstash_gate::bindings::environment_keys(
                    qstash_gate::bindings::Language::JavaScript,
                ))),
                None,
                store,
            ),
        }
        .map_err(host_error)?;
        Ok(Gate { gate })
    }

    /// Whether the replay check waits for a store (Redis): then finish with `finishAsync`.
    #[napi(getter)]
    pub fn waits_for_store(&self) -> bool {
        self.gate.replay_waits()
    }

    /// The largest body accepted, in bytes.
    #[napi(getter)]
    pub fn body_limit(&self) -> f64 {
        // Limits are at most 2^53 - 1 (the gate's option check), exact as a double.
        self.gate.body_limit() as f64
    }

    /// Checks the token, the URL and the declared length from the request head alone: the
    /// values of `headerNames()` in order (`undefined` when absent) and the original target
    /// (the raw path and query, or the absolute URL). Returns the `PendingDelivery` to feed
    /// the body to, or the `Rejection`.
    #[napi]
    pub fn verify_head(
        &self,
        #[napi(ts_arg_type = "Array<string | undefined | null>")] headers: Vec<Option<String>>,
        target: String,
    ) -> Either<PendingDelivery, Rejection> {
        let head = head_of(headers, &target);
        match self.gate.verify_head(&head) {
            Ok(pending) => Either::A(PendingDelivery {
                gate: self.gate.clone(),
                head: Arc::new(head),
                pending: Mutex::new(Some(pending)),
                claim: Mutex::new(None),
            }),
            Err(rejection) => {
                Either::B(Rejection { refusal: Box::new(self.gate.refusal(&rejection, &head)) })
            }
        }
    }

    /// The refusal for a body that could not be read (the client went away, broken framing).
    #[napi]
    pub fn unreadable(
        &self,
        #[napi(ts_arg_type = "Array<string | undefined | null>")] headers: Vec<Option<String>>,
        target: String,
    ) -> Rejection {
        let head = head_of(headers, &target);
        Rejection { refusal: Box::new(self.gate.refusal(&qstash_gate::Rejection::BadBody, &head)) }
    }
}

/// A delivery whose token verified, waiting for its body.
#[napi]
pub struct PendingDelivery {
    gate: qstash_gate::Gate,
    head: Arc<IndexedHead<'static>>,
    pending: Mutex<Option<qstash_gate::Pending>>,
    /// Set by `finish`: what an asynchronous replay store claims for the delivery.
    claim: Mutex<Option<Result<qstash_gate::bindings::StoreClaim, qstash_gate::Rejection>>>,
}

/// What an asynchronous replay store claims: the `jti` until `expiresAt` (Unix seconds).
#[napi(object)]
pub struct StoreClaim {
    /// The signed `jti`.
    pub id: String,
    /// Until when it must be remembered (the token's expiry plus the clock tolerance).
    pub expires_at: f64,
}

impl PendingDelivery {
    fn refuse(&self, rejection: &qstash_gate::Rejection) -> Rejection {
        Rejection { refusal: Box::new(self.gate.refusal(rejection, &*self.head)) }
    }

    /// The pending delivery, once; fed or finished after it was finished, nothing valid is
    /// left to check and the answer is the unreadable-body refusal.
    fn take(&self) -> Result<qstash_gate::Pending, Rejection> {
        let taken = self.pending.lock().ok().and_then(|mut slot| slot.take());
        taken.ok_or_else(|| self.refuse(&qstash_gate::Rejection::BadBody))
    }
}

#[napi]
impl PendingDelivery {
    /// Hashes the next chunk of the body; returns the `Rejection` (413) once the body is over
    /// the limit, else `null`.
    #[napi]
    pub fn update(&self, #[napi(ts_arg_type = "string | Uint8Array")] chunk: Body) -> Option<Rejection> {
        let Ok(mut slot) = self.pending.lock() else {
            return Some(self.refuse(&qstash_gate::Rejection::BadBody));
        };
        let Some(pending) = slot.as_mut() else { return Some(self.refuse(&qstash_gate::Rejection::BadBody)) };
        let rejection = pending.update(bytes(&chunk)).err()?;
        *slot = None;
        Some(self.refuse(&rejection))
    }

    /// Checks the body's hash, parses the delivery headers and checks for a replay with a
    /// guard that answers at once (in memory; a store that would make it wait refuses with
    /// 503: use `finishAsync`).
    #[napi(ts_return_type = "Delivery | Rejection")]
    pub fn finish(&self) -> Outcome {
        let finished = self.take().and_then(|pending| {
            self.gate.finish_now(pending, &*self.head).map_err(|rejection| self.refuse(&rejection))
        });
        match finished {
            Ok(delivery) => {
                if let Ok(mut claim) = self.claim.lock() {
                    *claim = Some(self.gate.store_claim(&delivery.claims));
                }
                Either::A(Delivery::from(DeliveryView::from(delivery)))
            }
            Err(rejection) => Either::B(rejection),
        }
    }

    /// After `finish`, what an asynchronous replay store (`replayStore`) claims for the
    /// delivery, or the `replayed` refusal for a token without a `jti`.
    #[napi(ts_return_type = "StoreClaim | Rejection")]
    pub fn store_claim(&self) -> Either<StoreClaim, Rejection> {
        let claim = self.claim.lock().ok().and_then(|mut c| c.take());
        match claim {
            Some(Ok(claim)) => Either::A(StoreClaim { id: claim.id, expires_at: claim.expires_at as f64 }),
            Some(Err(rejection)) => Either::B(self.refuse(&rejection)),
            None => Either::B(self.refuse(&qstash_gate::Rejection::BadBody)),
        }
    }

    /// The refusal once the replay store answered: `replayed`, or `replay_store_unavailable`
    /// when it could not answer in time.
    #[napi]
    pub fn store_refusal(&self, unavailable: bool) -> Rejection {
        let rejection = if unavailable {
            qstash_gate::Rejection::ReplayStoreUnavailable
        } else {
            qstash_gate::Rejection::Replayed
        };
        self.refuse(&rejection)
    }

    /// `finish` for a gate whose replay check waits for a store (Redis): the store is asked on
    /// its own thread and the promise settles through the event loop, so neither the loop nor
    /// libuv's thread pool waits for it; the store's timeout bounds the wait.
    #[napi(ts_return_type = "Promise<Delivery | Rejection>")]
    pub fn finish_async<'env>(&self, env: &'env Env) -> napi::Result<Object<'env>> {
        let (deferred, promise) = env.create_deferred::<Outcome, Settle>()?;
        let checked = self.take().and_then(|pending| {
            let delivery =
                self.gate.finish(pending, &*self.head).map_err(|rejection| self.refuse(&rejection))?;
            let check = self.gate.replay_check(&delivery);
            Ok((delivery, check))
        });
        match checked {
            Err(rejection) => deferred.resolve(settle(Either::B(rejection))),
            Ok((delivery, None)) => {
                deferred.resolve(settle(Either::A(Delivery::from(DeliveryView::from(delivery)))))
            }
            Ok((delivery, Some(check))) => {
                let (gate, head) = (self.gate.clone(), Arc::clone(&self.head));
                qstash_gate::replay::runtime::spawn(check, move |verdict| {
                    let outcome = match verdict {
                        Ok(()) => Either::A(Delivery::from(DeliveryView::from(delivery))),
                        Err(rejection) => {
                            Either::B(Rejection { refusal: Box::new(gate.refusal(&rejection, &*head)) })
                        }
                    };
                    deferred.resolve(settle(outcome));
                });
            }
        }
        Ok(promise)
    }
}
