//! `Gate` and `PendingDelivery`: `qstash-gate`'s sequence for the fetch helpers, which only
//! move bytes. Refusals are thrown as plain objects with everything the response needs.

use qstash_gate::{HeadValues, UrlPolicy};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::receiver::Receiver;
use crate::{Claims, seconds, to_js};

/// A refusal: status, reason, the JSON body text, the headers and the line to log.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rejection {
    status: u16,
    reason: &'static str,
    error: &'static str,
    body: String,
    headers: Vec<(&'static str, &'static str)>,
    log_message: String,
}

fn reject(gate: &qstash_gate::Gate, rejection: &qstash_gate::Rejection, head: &HeadValues) -> JsValue {
    let mut headers = vec![("content-type", "application/json")];
    if let Some(scheme) = rejection.www_authenticate() {
        headers.push(("www-authenticate", scheme));
    }
    to_js(&Rejection {
        status: rejection.status(),
        reason: rejection.reason(),
        error: rejection.error(),
        body: rejection.json_body(),
        headers,
        log_message: gate.log_line(rejection, head),
    })
}

/// A verified delivery: the claims and the (unsigned) delivery headers QStash sets.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Delivery {
    claims: Claims,
    message_id: Option<String>,
    retried: Option<u32>,
    region: Option<String>,
    schedule_id: Option<String>,
    topic_name: Option<String>,
}

fn head_of(values: Vec<JsValue>, target: String) -> HeadValues {
    let mut head = HeadValues { target, ..HeadValues::default() };
    for (slot, value) in head.values.iter_mut().zip(values) {
        *slot = value.as_string().map(String::into_bytes);
    }
    head
}

/// Checks deliveries for one endpoint: keys, URL policy and body limit. Edge isolates share
/// no memory, so replay protection is not offered here.
#[wasm_bindgen]
pub struct Gate {
    gate: qstash_gate::Gate,
}

#[wasm_bindgen]
impl Gate {
    /// A gate over `receiver`'s keys with at most one URL policy (`url`, `publicBase`,
    /// `forwarded` hops, or `checkUrl: false`) and the body limit (default 10 MiB).
    #[wasm_bindgen(constructor)]
    pub fn new(
        receiver: &Receiver,
        url: Option<String>,
        public_base: Option<String>,
        forwarded: Option<u32>,
        check_url: Option<bool>,
        body_limit: Option<u32>,
    ) -> Result<Gate, JsError> {
        let policy = UrlPolicy::from_options(
            url,
            public_base,
            forwarded.map(|hops| hops as usize),
            check_url != Some(false),
        )
        .map_err(JsError::new)?;
        let mut gate = qstash_gate::Gate::new(receiver.shared().clone()).with_url_policy(policy);
        if let Some(limit) = body_limit {
            gate = gate.with_body_limit(limit as usize);
        }
        Ok(Gate { gate })
    }

    /// The largest body accepted, in bytes.
    #[wasm_bindgen(getter, js_name = bodyLimit)]
    pub fn body_limit(&self) -> u32 {
        u32::try_from(self.gate.body_limit()).unwrap_or(u32::MAX)
    }

    /// Checks the token, the URL and the declared length at `now` from the head alone: the
    /// values of `headerNames()` in order (`undefined` when absent) and the raw path and
    /// query. Returns the `PendingDelivery` to feed the body to, or throws the rejection.
    #[wasm_bindgen(js_name = verifyHead)]
    pub fn verify_head(
        &self,
        headers: Vec<JsValue>,
        target: String,
        now: f64,
    ) -> Result<PendingDelivery, JsValue> {
        let head = head_of(headers, target);
        match self.gate.verify_head_at(&head, seconds(now)) {
            Ok(pending) => Ok(PendingDelivery { gate: self.gate.clone(), head, pending: Some(pending) }),
            Err(rejection) => Err(reject(&self.gate, &rejection, &head)),
        }
    }

    /// The refusal for a body that could not be read (the client went away, broken framing).
    pub fn unreadable(&self, headers: Vec<JsValue>, target: String) -> JsValue {
        reject(&self.gate, &qstash_gate::Rejection::BadBody, &head_of(headers, target))
    }
}

/// A delivery whose token verified, waiting for its body.
#[wasm_bindgen]
pub struct PendingDelivery {
    gate: qstash_gate::Gate,
    head: HeadValues,
    pending: Option<qstash_gate::Pending>,
}

#[wasm_bindgen]
impl PendingDelivery {
    /// Hashes the next chunk of the body; throws the rejection (413) once the body is over
    /// the limit.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        let Some(pending) = self.pending.as_mut() else {
            return Err(reject(&self.gate, &qstash_gate::Rejection::BadBody, &self.head));
        };
        if let Err(rejection) = pending.update(chunk) {
            self.pending = None;
            return Err(reject(&self.gate, &rejection, &self.head));
        }
        Ok(())
    }

    /// Checks the body's hash and parses the delivery headers: returns the delivery, or
    /// throws the rejection.
    pub fn finish(&mut self) -> Result<JsValue, JsValue> {
        let Some(pending) = self.pending.take() else {
            return Err(reject(&self.gate, &qstash_gate::Rejection::BadBody, &self.head));
        };
        match pending.finish(&self.head) {
            Ok(delivery) => Ok(to_js(&Delivery {
                claims: Claims::new(delivery.claims, delivery.key, delivery.region),
                message_id: delivery.message_id,
                retried: delivery.retried,
                region: delivery.region_header,
                schedule_id: delivery.schedule_id,
                topic_name: delivery.topic_name,
            })),
            Err(rejection) => Err(reject(&self.gate, &rejection, &self.head)),
        }
    }
}
