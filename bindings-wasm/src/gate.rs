//! `Gate` and `PendingDelivery`: `qstash-gate`'s sequence for the fetch helpers, which only
//! move bytes. Every rule (options, head, target, refusal, delivery) is the gate's `bindings`
//! contract; refusals are thrown as the gate's `Refusal`, plain objects with everything the
//! response needs.

use qstash_gate::bindings::{DeliveryView, GateOptions};
use qstash_gate::{HEADERS_READ, IndexedHead, Rejection};
use wasm_bindgen::prelude::*;

use crate::receiver::Receiver;
use crate::{host_error, seconds, to_js};

/// The head from the values of `headerNames()` in order (absent: `undefined`) and the
/// original target.
fn head_of(values: Vec<JsValue>, target: &str) -> IndexedHead<'static> {
    let mut head = IndexedHead::new(qstash_gate::bindings::original_target(target).into_owned());
    for (name, value) in HEADERS_READ.iter().zip(values) {
        if let Some(value) = value.as_string() {
            head.push(name, value.into_bytes().into());
        }
    }
    head
}

/// Checks deliveries for one endpoint: keys, URL policy and body limit. Edge isolates share
/// no memory: replay protection is an asynchronous store of the platform's (`replayStore`),
/// asked by the JavaScript core with the claim `storeClaim` gives.
#[wasm_bindgen]
pub struct Gate {
    gate: qstash_gate::Gate,
}

#[wasm_bindgen]
impl Gate {
    /// A gate over `receiver`'s keys with the options of every front end (`url`,
    /// `publicBase`, `forwarded`, `trustedProxies`, `checkUrl`, `bodyLimit`), each checked by
    /// the gate; throws `{ code: "config", message }`.
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
        let options: GateOptions = if options.is_undefined() || options.is_null() {
            GateOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options)
                .map_err(|e| crate::config_error(&format!("invalid gate options: {e}")))?
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
        let made = qstash_gate::bindings::receiver_from_variables(
            |name| variables.get(name).cloned(),
            qstash_gate::bindings::Language::JavaScript,
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
    /// the body to, or throws the refusal.
    #[wasm_bindgen(js_name = verifyHead)]
    pub fn verify_head(
        &self,
        headers: Vec<JsValue>,
        target: &str,
        now: f64,
    ) -> Result<PendingDelivery, JsValue> {
        let head = head_of(headers, target);
        match self.gate.verify_head_at(&head, seconds(now)) {
            Ok(pending) => {
                Ok(PendingDelivery { gate: self.gate.clone(), head, pending: Some(pending), claim: None })
            }
            Err(rejection) => Err(to_js(&self.gate.refusal(&rejection, &head))),
        }
    }

    /// The refusal for a body that could not be read (the client went away, broken framing).
    pub fn unreadable(&self, headers: Vec<JsValue>, target: &str) -> JsValue {
        to_js(&self.gate.refusal(&Rejection::BadBody, &head_of(headers, target)))
    }
}

/// A delivery whose token verified, waiting for its body.
#[wasm_bindgen]
pub struct PendingDelivery {
    gate: qstash_gate::Gate,
    head: IndexedHead<'static>,
    pending: Option<qstash_gate::Pending>,
    /// Set by `finish`: what an asynchronous replay store claims for the delivery.
    claim: Option<Result<qstash_gate::bindings::StoreClaim, Rejection>>,
}

impl PendingDelivery {
    fn refuse(&self, rejection: &Rejection) -> JsValue {
        to_js(&self.gate.refusal(rejection, &self.head))
    }
}

#[wasm_bindgen]
impl PendingDelivery {
    /// Hashes the next chunk of the body; throws the refusal (413) once the body is over the
    /// limit.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        let Some(pending) = self.pending.as_mut() else { return Err(self.refuse(&Rejection::BadBody)) };
        if let Err(rejection) = pending.update(chunk) {
            self.pending = None;
            return Err(self.refuse(&rejection));
        }
        Ok(())
    }

    /// Checks the body's hash and parses the delivery headers: returns the delivery, or
    /// throws the refusal.
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        let Some(pending) = self.pending.take() else { return Err(self.refuse(&Rejection::BadBody)) };
        match self.gate.finish(pending, &self.head) {
            Ok(delivery) => {
                self.claim = Some(self.gate.store_claim(&delivery.claims));
                Ok(to_js(&DeliveryView::from(delivery)))
            }
            Err(rejection) => Err(self.refuse(&rejection)),
        }
    }

    /// After `finish`, what an asynchronous replay store (`replayStore`) claims for the
    /// delivery (`{ id, expiresAt }`); throws the `replayed` refusal for a token without a
    /// `jti`.
    #[wasm_bindgen(js_name = storeClaim)]
    pub fn store_claim(&mut self) -> Result<JsValue, JsValue> {
        match self.claim.take() {
            Some(Ok(claim)) => Ok(to_js(&claim)),
            Some(Err(rejection)) => Err(self.refuse(&rejection)),
            None => Err(self.refuse(&Rejection::BadBody)),
        }
    }

    /// The refusal once the replay store answered: `replayed`, or `replay_store_unavailable`
    /// when it could not answer in time.
    #[wasm_bindgen(js_name = storeRefusal)]
    pub fn store_refusal(&self, unavailable: bool) -> JsValue {
        self.refuse(if unavailable { &Rejection::ReplayStoreUnavailable } else { &Rejection::Replayed })
    }
}
