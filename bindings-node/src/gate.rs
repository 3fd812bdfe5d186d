//! `Gate` and `PendingDelivery`: the gate's verification (`qstash_gate::bindings::Verification`)
//! for the JavaScript core, which answers its steps. Options come in, and steps (`{ accepted }`,
//! `{ refusal }`, `{ claim }`) go out, as the gate serializes them, the same values the
//! WebAssembly build hands over.

use std::sync::{Arc, Mutex};

use napi::De;
use napi::bindgen_prelude::{Buffer, Object, Unknown};
use napi::{Either, Env, JsValue, ValueType};
use napi_derive::napi;
use qstash_gate::HEADERS_READ;
use qstash_gate::bindings::{self, Step, StoreReply, Verification};
use qstash_gate::replay::ReplayGuard;

use crate::body::{Body, bytes};
use crate::error::host_error;
use crate::receiver::Receiver;
use crate::replay::RedisReplayGuard;

/// The names of the headers `Gate.verifyHead` wants, in the order it wants their values.
#[napi]
pub fn header_names() -> Vec<&'static str> {
    HEADERS_READ.to_vec()
}

/// Checks deliveries for one endpoint: keys, URL policy, body limit, replay protection.
#[napi]
pub struct Gate {
    gate: qstash_gate::Gate,
}

/// A step as the JavaScript object the gate serializes it to.
fn view<'env>(env: &Env, step: &Step) -> napi::Result<Unknown<'env>> {
    env.to_js_value(&step.view())
}

#[napi]
impl Gate {
    /// A gate over `receiver`'s keys (with its in-memory replay protection when it has one),
    /// or with `replayGuard` (Redis, shared by every process), and the gate options of
    /// `options` (`url`, `publicBase`, `forwarded`, `trustedProxies`, `checkUrl`,
    /// `bodyLimit`, `logLevel`, `replayStore`), each checked by the gate. Without a receiver
    /// the keys are read from the environment when a delivery arrives; until they can be,
    /// deliveries are refused with `no_keys` (SPEC.md §7.10).
    #[napi(constructor)]
    pub fn new(
        receiver: Option<&Receiver>,
        options: Option<Object>,
        replay_guard: Option<&RedisReplayGuard>,
    ) -> napi::Result<Self, &'static str> {
        let options = match &options {
            Some(given) => bindings::options_from(&mut De::new(given)).map_err(host_error)?,
            None => bindings::GateOptions::default(),
        };
        let store = replay_guard.map(|guard| guard.shared() as Arc<dyn ReplayGuard>);
        let gate = match receiver {
            Some(receiver) => options.build(receiver.shared().clone(), receiver.replay_guard(), store),
            None => options.build_on(
                qstash_gate::Gate::keys_later(Some(bindings::environment_keys(
                    bindings::Language::JavaScript,
                ))),
                None,
                store,
            ),
        }
        .map_err(host_error)?;
        Ok(Gate { gate })
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
    /// the body to, or the step `{ refusal }`.
    #[napi(ts_return_type = "PendingDelivery | { refusal: object }")]
    pub fn verify_head<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "Array<string | undefined | null>")] headers: Vec<Option<String>>,
        target: String,
    ) -> napi::Result<Either<PendingDelivery, Unknown<'env>>> {
        Ok(match Verification::begin(&self.gate, bindings::head_of_values(headers, &target)) {
            Ok(verification) => Either::A(PendingDelivery { verification: Mutex::new(verification) }),
            Err(refusal) => Either::B(view(env, &Step::Refused(refusal))?),
        })
    }

    /// An AWS Lambda HTTP event (API Gateway, function URL, load balancer) given as its JSON
    /// text, through the gate in one call: read, its head verified and its body fed. Gives the
    /// event's `shape` (for `lambdaResponse`), the `body` bytes, and the `pending` delivery to
    /// finish or the `refusal`; throws when it is not an HTTP event (a direct invocation,
    /// another trigger), which has no caller to answer.
    #[napi]
    pub fn verify_lambda(&self, event: String) -> napi::Result<LambdaVerification> {
        let bindings::LambdaVerification { shape, body, verification, .. } =
            bindings::lambda_event(&self.gate, event.as_bytes())
                .map_err(|e| napi::Error::new(napi::Status::InvalidArg, e.to_string()))?;
        let (pending, refusal) = match verification {
            Ok(verification) => (Some(PendingDelivery { verification: Mutex::new(verification) }), None),
            Err(refusal) => (
                None,
                Some(serde_json::to_value(&*refusal).map_err(|e| napi::Error::from_reason(e.to_string()))?),
            ),
        };
        Ok(LambdaVerification { shape: shape.name().to_owned(), body: body.into(), pending, refusal })
    }

    /// The step `{ refusal }` for a body that could not be read (the client went away, broken
    /// framing).
    #[napi(ts_return_type = "{ refusal: object }")]
    pub fn unreadable<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "Array<string | undefined | null>")] headers: Vec<Option<String>>,
        target: String,
    ) -> napi::Result<Unknown<'env>> {
        view(
            env,
            &Step::Refused(Verification::unreadable(&self.gate, &bindings::head_of_values(headers, &target))),
        )
    }
}

/// An AWS Lambda event through the gate (`Gate.verifyLambda`).
#[napi(object, object_from_js = false)]
pub struct LambdaVerification {
    /// `rest`, `http` (HTTP APIs and function URLs), `alb` or `alb-multi-value`.
    pub shape: String,
    /// The body bytes (decoded from base64 when the event says so).
    pub body: Buffer,
    /// The delivery, its body fed: finish it.
    pub pending: Option<PendingDelivery>,
    /// Why the head or the body was refused.
    #[napi(ts_type = "object | undefined")]
    pub refusal: Option<serde_json::Value>,
}

/// A delivery whose token verified, waiting for its body, then for its replay check.
#[napi]
pub struct PendingDelivery {
    verification: Mutex<Verification>,
}

impl PendingDelivery {
    /// Runs `step` on the verification (a poisoned lock, after a panic elsewhere, is refused as
    /// the gate refuses every call out of order).
    fn with<T>(&self, step: impl FnOnce(&mut Verification) -> T) -> napi::Result<T> {
        let mut verification =
            self.verification.lock().map_err(|_| napi::Error::from_reason("this delivery failed"))?;
        Ok(step(&mut verification))
    }
}

#[napi]
impl PendingDelivery {
    /// Hashes the next chunk of the body: the step `{ refusal }` (413) once the body is over
    /// the limit, else `undefined`.
    #[napi(ts_return_type = "{ refusal: object } | undefined")]
    pub fn update<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string | Uint8Array")] chunk: Body,
    ) -> napi::Result<Option<Unknown<'env>>> {
        match self.with(|verification| verification.update(bytes(&chunk)))? {
            Ok(()) => Ok(None),
            Err(refusal) => view(env, &Step::Refused(refusal)).map(Some),
        }
    }

    /// The body is complete: the next step (`{ accepted }`, `{ refusal }`, or `{ claim }` for
    /// the `replayStore`, answered with `answer`), or a promise of it when the replay check
    /// waits for Redis, which is asked on the store's own thread (neither the event loop nor
    /// libuv's thread pool waits; the store's timeout bounds the wait).
    #[napi(ts_return_type = "object")]
    pub fn finish<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
        let wait = match self.with(Verification::finish)? {
            Step::Wait(wait) => wait,
            step => return view(env, &step),
        };
        let (deferred, promise) = env.create_deferred::<serde_json::Value, Settle>()?;
        wait.spawn(move |step| {
            let value =
                serde_json::to_value(step.view()).map_err(|e| napi::Error::from_reason(e.to_string()));
            deferred.resolve(Box::new(move |_| value));
        });
        Ok(promise.to_unknown())
    }

    /// The `replayStore`'s reply to the step `{ claim }`: what its `claim` resolved to, or
    /// `error` when it failed or did not answer in time. Returns the next step.
    #[napi(ts_return_type = "object")]
    pub fn answer<'env>(
        &self,
        env: &'env Env,
        fresh: Unknown,
        error: Option<String>,
    ) -> napi::Result<Unknown<'env>> {
        let type_name = match fresh.get_type()? {
            ValueType::Boolean => "boolean",
            ValueType::Number => "number",
            ValueType::String => "string",
            ValueType::Undefined => "undefined",
            ValueType::Function => "function",
            ValueType::BigInt => "bigint",
            ValueType::Symbol => "symbol",
            _ => "object",
        };
        let fresh = if type_name == "boolean" { fresh.coerce_to_bool().ok() } else { None };
        let step =
            self.with(|verification| verification.answer(StoreReply::read(fresh, type_name, error)))?;
        view(env, &step)
    }
}

/// How `finish`'s promise is settled on the JavaScript thread: with the step the store's
/// thread made.
type Settle = Box<dyn FnOnce(Env) -> napi::Result<serde_json::Value> + Send>;
