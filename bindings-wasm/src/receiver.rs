//! `Receiver`: verifies whole deliveries (token and body) with the account's keys.

use std::collections::HashMap;

use qstash_core::{KeyPair, ReceiverOptions, Request, SharedReceiver};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::{Claims, seconds, to_js};

/// Why a verification failed: the reason code and a message, thrown as a plain object that
/// the JavaScript wrapper turns into a `SignatureError`.
#[derive(Serialize)]
struct Failure {
    reason: &'static str,
    message: String,
}

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
    clock_tolerance: Option<u32>,
}

/// Verifies QStash deliveries. Keys can be replaced on a live receiver; they never print.
#[wasm_bindgen]
pub struct Receiver {
    shared: SharedReceiver,
}

/// A configuration mistake, thrown as an `Error` whose message starts with `config: `.
fn config_error(error: &qstash_core::ConfigError) -> JsError {
    JsError::new(&format!("config: {error}"))
}

#[wasm_bindgen]
impl Receiver {
    /// `new Receiver(config, variables)`: `config` as the native build takes it
    /// (`currentSigningKey`, `nextSigningKey`, `devMode`, `regions`, `clockTolerance`); with
    /// no keys and no regions, the keys come from `variables`, the environment as an object
    /// (`QSTASH_CURRENT_SIGNING_KEY`, …, `QSTASH_REGION`), which the JavaScript wrapper reads
    /// where the runtime has one. Refuses empty keys and the public development keys.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, variables: JsValue) -> Result<Receiver, JsError> {
        let config: Config = if config.is_undefined() || config.is_null() {
            Config::default()
        } else {
            serde_wasm_bindgen::from_value(config).map_err(|e| JsError::new(&format!("config: {e}")))?
        };
        let variables: HashMap<String, String> =
            serde_wasm_bindgen::from_value(variables).unwrap_or_default();
        let options = ReceiverOptions {
            current: config.current_signing_key.as_deref(),
            next: config.next_signing_key.as_deref(),
            dev: config.dev_mode == Some(true),
            regions: config
                .regions
                .iter()
                .map(|(name, keys)| {
                    (name.as_str(), keys.current_signing_key.as_str(), keys.next_signing_key.as_str())
                })
                .collect(),
            clock_tolerance: u64::from(config.clock_tolerance.unwrap_or(0)),
        };
        let receiver = qstash_core::Receiver::from_options(&options, |name| variables.get(name).cloned())
            .map_err(|e| config_error(&e))?;
        Ok(Receiver { shared: SharedReceiver::new(receiver) })
    }

    /// A receiver with the public local-development keys (QStash CLI dev server, tests).
    pub fn dev() -> Receiver {
        Receiver { shared: SharedReceiver::new(qstash_core::Receiver::dev()) }
    }

    /// Replaces the default key pair (key rotation).
    #[wasm_bindgen(js_name = replaceKeys)]
    pub fn replace_keys(&self, current_signing_key: &str, next_signing_key: &str) -> Result<(), JsError> {
        let keys = KeyPair::new(current_signing_key, next_signing_key).map_err(|e| config_error(&e))?;
        self.shared.replace_keys(keys);
        Ok(())
    }

    /// Verifies a whole delivery at `now` (Unix seconds): returns the claims, or throws
    /// `{ reason, message }`.
    pub fn verify(
        &self,
        signature: Option<String>,
        body: &[u8],
        url: Option<String>,
        region: Option<String>,
        clock_tolerance: Option<u32>,
        now: f64,
    ) -> Result<JsValue, JsValue> {
        let request = request(signature.as_deref(), body, url.as_deref(), region.as_deref(), clock_tolerance);
        outcome(self.shared.verify_at(&request, seconds(now)))
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
        clock_tolerance: Option<u32>,
        now: f64,
    ) -> Result<JsValue, JsValue> {
        let request = request(signature.as_deref(), &[], url.as_deref(), region.as_deref(), clock_tolerance);
        let verified =
            self.shared.verify_token_at(&request, seconds(now)).and_then(
                |token| match <&[u8; 32]>::try_from(digest) {
                    Ok(digest) => token.verify_body_digest(digest),
                    Err(_) => Err(qstash_core::VerifyError::Body),
                },
            );
        outcome(verified)
    }

    /// `Receiver { keys: [REDACTED] }`: keys never print.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        "Receiver { keys: [REDACTED] }".to_owned()
    }
}

fn request<'a>(
    signature: Option<&'a str>,
    body: &'a [u8],
    url: Option<&'a str>,
    region: Option<&'a str>,
    clock_tolerance: Option<u32>,
) -> Request<'a> {
    let mut request = Request::from_header(signature.map(str::as_bytes), body);
    if let Some(url) = url {
        request = request.url(url);
    }
    if let Some(region) = region {
        request = request.region(region);
    }
    if let Some(seconds) = clock_tolerance {
        request = request.clock_tolerance(u64::from(seconds));
    }
    request
}

fn outcome(result: Result<qstash_core::Verified, qstash_core::VerifyError>) -> Result<JsValue, JsValue> {
    match result {
        Ok(verified) => Ok(to_js(&Claims::new(verified.claims, verified.key, verified.region))),
        Err(error) => Err(to_js(&Failure { reason: error.reason(), message: error.to_string() })),
    }
}

impl Receiver {
    pub(crate) fn shared(&self) -> &SharedReceiver {
        &self.shared
    }
}
