//! `Gate` and `PendingDelivery`: the gate's verification (`qstash_gate::bindings::Verification`)
//! for the JavaScript core, which answers its steps. Options come in, and steps (`{ accepted }`,
//! `{ refusal }`, `{ claim }`) go out, as the gate serializes them, the same values the native
//! build hands over.

use qstash_gate::bindings::{self, Step, StoreReply, Verification};
use wasm_bindgen::prelude::*;

use crate::receiver::Receiver;
use crate::{host_error, seconds, to_js};

/// Checks deliveries for one endpoint: keys, URL policy and body limit. Edge isolates share
/// no memory: replay protection is an asynchronous store of the platform's (`replayStore`),
/// which the gate asks for through the step `{ claim }`.
#[wasm_bindgen]
pub struct Gate {
    gate: qstash_gate::Gate,
}

#[wasm_bindgen]
impl Gate {
    /// A gate over `receiver`'s keys with the gate options of `options` (`url`, `publicBase`,
    /// `forwarded`, `trustedProxies`, `checkUrl`, `bodyLimit`, `logLevel`, `replayStore`), each
    /// checked by the gate; throws `{ code, message }` (`config` or `type`).
    #[wasm_bindgen(constructor)]
    pub fn new(receiver: &Receiver, options: JsValue) -> Result<Gate, JsValue> {
        Self::build(Some(receiver), options)
    }

    /// A gate given no keys: it reads them when a delivery arrives, the JavaScript wrapper
    /// offering the environment (`offerEnvironment`) while `wantsKeys`; until they can be
    /// read, deliveries are refused with `no_keys` (SPEC.md §7.10).
    #[wasm_bindgen(js_name = keysLater)]
    pub fn keys_later(options: JsValue) -> Result<Gate, JsValue> {
        Self::build(None, options)
    }

    fn build(receiver: Option<&Receiver>, options: JsValue) -> Result<Gate, JsValue> {
        let options = if options.is_undefined() || options.is_null() {
            bindings::GateOptions::default()
        } else {
            bindings::options_from(serde_wasm_bindgen::Deserializer::from(options)).map_err(host_error)?
        };
        let gate = match receiver {
            Some(receiver) => options.build(receiver.shared().clone(), None, None),
            None => options.build_on(qstash_gate::Gate::keys_later(None), None, None),
        }
        .map_err(host_error)?;
        Ok(Gate { gate })
    }

    /// Whether the gate still waits for the keys it reads when deliveries arrive.
    #[wasm_bindgen(getter, js_name = wantsKeys)]
    pub fn wants_keys(&self) -> bool {
        self.gate.wants_keys()
    }

    /// The environment as an object (`QSTASH_CURRENT_SIGNING_KEY`, …), read by the wrapper
    /// before a delivery while `wantsKeys`: the keys are taken from it as `new Receiver()`
    /// takes them, or the reason they cannot be is kept for the `no_keys` refusals.
    #[wasm_bindgen(js_name = offerEnvironment)]
    pub fn offer_environment(&self, variables: JsValue) {
        let variables: std::collections::HashMap<String, String> =
            serde_wasm_bindgen::from_value(variables).unwrap_or_default();
        let made = bindings::receiver_from_variables(
            |name| variables.get(name).cloned(),
            bindings::Language::JavaScript,
        );
        self.gate.offer_keys(made);
    }

    /// The largest body accepted, in bytes.
    #[wasm_bindgen(getter, js_name = bodyLimit)]
    pub fn body_limit(&self) -> f64 {
        // Limits are at most 2^53 - 1 (the gate's option check), exact as a double.
        self.gate.body_limit() as f64
    }

    /// Checks the token, the URL and the declared length at `now` from the head alone: the
    /// values of `headerNames()` in order (`undefined` when absent) and the original target
    /// (the raw path and query, or the request's URL). Returns the `PendingDelivery` to feed
    /// the body to, or the step `{ refusal }`.
    #[wasm_bindgen(js_name = verifyHead)]
    pub fn verify_head(&self, headers: Vec<JsValue>, target: &str, now: f64) -> JsValue {
        match Verification::begin_at(
            &self.gate,
            bindings::head_of_values(headers.iter().map(JsValue::as_string), target),
            seconds(now),
        ) {
            Ok(verification) => PendingDelivery { verification }.into(),
            Err(refusal) => view(&Step::Refused(refusal)),
        }
    }

    /// The step `{ refusal }` for a body that could not be read (the client went away, broken
    /// framing).
    pub fn unreadable(&self, headers: Vec<JsValue>, target: &str) -> JsValue {
        view(&Step::Refused(Verification::unreadable(
            &self.gate,
            &bindings::head_of_values(headers.iter().map(JsValue::as_string), target),
        )))
    }
}

fn view(step: &Step) -> JsValue {
    to_js(&step.view())
}

/// A delivery whose token verified, waiting for its body, then for its replay check.
#[wasm_bindgen]
pub struct PendingDelivery {
    verification: Verification,
}

#[wasm_bindgen]
impl PendingDelivery {
    /// Hashes the next chunk of the body: the step `{ refusal }` (413) once the body is over
    /// the limit, else `undefined`.
    pub fn update(&mut self, chunk: &[u8]) -> JsValue {
        match self.verification.update(chunk) {
            Ok(()) => JsValue::UNDEFINED,
            Err(refusal) => view(&Step::Refused(refusal)),
        }
    }

    /// The body is complete, at `now`: the next step (`{ accepted }`, `{ refusal }`, or
    /// `{ claim }` for the `replayStore`, answered with `answer`).
    pub fn finish(&mut self, now: f64) -> JsValue {
        match self.verification.finish_at(seconds(now)) {
            // Edge gates have no store of the gate's own: a guard that had to wait is unavailable.
            Step::Wait(wait) => view(&wait.wait()),
            step => view(&step),
        }
    }

    /// The `replayStore`'s reply to the step `{ claim }`: what its `claim` resolved to, or
    /// `error` when it failed or did not answer in time. Returns the next step.
    pub fn answer(&mut self, fresh: JsValue, error: Option<String>) -> JsValue {
        let type_name = fresh.js_typeof().as_string().unwrap_or_default();
        view(&self.verification.answer(StoreReply::read(fresh.as_bool(), &type_name, error)))
    }
}
