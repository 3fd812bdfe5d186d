//! `Receiver`: verifies whole deliveries (token and body) with the account's keys.

use std::collections::HashMap;

use qstash_core::{KeyPair, ReceiverOptions, SharedReceiver};
use qstash_gate::bindings::{self, HostError, Number};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::{config_error, host_error, seconds};

/// A key pair in `config.regions`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Keys {
    current_signing_key: String,
    next_signing_key: String,
}

/// `new Receiver(config)` as the native build takes it.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Config {
    current_signing_key: Option<String>,
    next_signing_key: Option<String>,
    dev_mode: Option<bool>,
    #[serde(default)]
    regions: HashMap<String, Keys>,
    clock_tolerance: Option<f64>,
}

/// Verifies QStash deliveries. Keys can be replaced on a live receiver; they never print.
#[wasm_bindgen]
pub struct Receiver {
    shared: SharedReceiver,
    /// The region whose pair verified the last delivery, for `lastRegion()`.
    last_region: core::cell::Cell<Option<qstash_core::Region>>,
}

/// What `verify` answers when the current key of the pair verified.
const VERIFIED_CURRENT: u32 = 0;
/// What `verify` answers when the next key verified.
const VERIFIED_NEXT: u32 = 1;
/// Added to the answer when the pair was a region's (`lastRegion()` names it).
const VERIFIED_IN_REGION: u32 = 2;

/// A clock tolerance as JavaScript passes it, checked by the gate.
fn tolerance(seconds: Option<f64>) -> Result<Option<u64>, HostError> {
    seconds
        .map(|seconds| bindings::clock_tolerance(Number::Float(seconds)))
        .transpose()
        .map_err(HostError::from)
}

#[wasm_bindgen]
impl Receiver {
    /// `new Receiver(config, variables)`: `config` as the native build takes it
    /// (`currentSigningKey`, `nextSigningKey`, `devMode`, `regions`, `clockTolerance`); with
    /// no keys and no regions, the keys come from `variables`, the environment as an object
    /// (`QSTASH_CURRENT_SIGNING_KEY`, …, `QSTASH_REGION`), which the JavaScript wrapper reads
    /// where the runtime has one. Refuses empty keys and the public development keys unless
    /// development mode is on (`devMode: true`, or `QSTASH_DEV=1` in `variables` when
    /// `devMode` is not given); throws `{ code: "config", message }`.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, variables: JsValue) -> Result<Receiver, JsValue> {
        let config: Config = if config.is_undefined() || config.is_null() {
            Config::default()
        } else {
            serde_wasm_bindgen::from_value(config)
                .map_err(|e| config_error(&format!("invalid receiver options: {e}")))?
        };
        let variables: HashMap<String, String> =
            serde_wasm_bindgen::from_value(variables).unwrap_or_default();
        let options = ReceiverOptions {
            current: config.current_signing_key.as_deref(),
            next: config.next_signing_key.as_deref(),
            dev: config.dev_mode,
            regions: config
                .regions
                .iter()
                .map(|(name, keys)| {
                    (name.as_str(), keys.current_signing_key.as_str(), keys.next_signing_key.as_str())
                })
                .collect(),
            clock_tolerance: tolerance(config.clock_tolerance).map_err(host_error)?.unwrap_or(0),
        };
        let receiver = qstash_core::Receiver::from_options(&options, |name| variables.get(name).cloned())
            .map_err(host_error)?;
        Ok(Receiver { shared: SharedReceiver::new(receiver), last_region: core::cell::Cell::new(None) })
    }

    /// Replaces the default key pair (key rotation).
    #[wasm_bindgen(js_name = replaceKeys)]
    pub fn replace_keys(&self, current_signing_key: &str, next_signing_key: &str) -> Result<(), JsValue> {
        let keys = KeyPair::new(current_signing_key, next_signing_key).map_err(host_error)?;
        self.shared.replace_keys(keys);
        Ok(())
    }

    /// Verifies a whole delivery at `now` (Unix seconds): returns which key verified (0 the
    /// current, 1 the next, plus 2 when a region's pair did: `lastRegion()` names it), or
    /// throws `{ code, message }`. The claims are the token's own, which the wrapper reads
    /// from it when they are asked for: building them here costs more than verifying.
    pub fn verify(
        &self,
        signature: Option<String>,
        body: &[u8],
        url: Option<String>,
        region: Option<String>,
        clock_tolerance: Option<f64>,
        now: f64,
    ) -> Result<u32, JsValue> {
        let verified = tolerance(clock_tolerance).and_then(|tolerance| {
            let request = bindings::request(
                signature.as_deref().map(str::as_bytes),
                body,
                url.as_deref(),
                region.as_deref(),
                tolerance,
            );
            Ok(self.shared.verify_at(&request, seconds(now))?)
        });
        self.outcome(verified)
    }

    /// [`Receiver::verify`] with the body's SHA-256 computed by the caller: the JavaScript
    /// wrapper hands large bodies to the runtime's Web Crypto, whose SHA-256 uses the CPU's
    /// instructions where wasm cannot. The comparison and every other rule stay here.
    #[wasm_bindgen(js_name = verifyDigest)]
    pub fn verify_digest(
        &self,
        signature: Option<String>,
        digest: &[u8],
        url: Option<String>,
        region: Option<String>,
        clock_tolerance: Option<f64>,
        now: f64,
    ) -> Result<u32, JsValue> {
        let verified = tolerance(clock_tolerance).and_then(|tolerance| {
            let request = bindings::request(
                signature.as_deref().map(str::as_bytes),
                &[],
                url.as_deref(),
                region.as_deref(),
                tolerance,
            );
            let token = self.shared.verify_token_at(&request, seconds(now))?;
            let digest = <&[u8; 32]>::try_from(digest).map_err(|_| qstash_core::VerifyError::Body)?;
            Ok(token.verify_body_digest(digest)?)
        });
        self.outcome(verified)
    }

    /// The region whose pair verified the last delivery, when one did.
    #[wasm_bindgen(js_name = lastRegion)]
    pub fn last_region(&self) -> Option<String> {
        self.last_region.get().map(|region| region.as_str().to_owned())
    }

    /// `Receiver { keys: [REDACTED] }`: keys never print.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        format!("{:?}", self.shared.load())
    }
}

impl Receiver {
    pub(crate) fn shared(&self) -> &SharedReceiver {
        &self.shared
    }

    /// The answer of `verify` for a verification's result.
    fn outcome(&self, result: Result<qstash_core::Verified, HostError>) -> Result<u32, JsValue> {
        let verified = result.map_err(host_error)?;
        let key = if verified.key == qstash_core::KeyUsed::Next { VERIFIED_NEXT } else { VERIFIED_CURRENT };
        self.last_region.set(verified.region);
        Ok(if verified.region.is_some() { key + VERIFIED_IN_REGION } else { key })
    }
}
