//! What a verified delivery tells the caller.

use napi_derive::napi;
use qstash_gate::bindings::{ClaimsView, HostError};

/// The verified claims of a delivery.
#[napi(object)]
pub struct Claims {
    /// Always `"Upstash"`.
    pub iss: String,
    /// The destination URL QStash delivered to.
    pub sub: String,
    /// The unique token id (`jwt_…`), the key for replay protection.
    pub jti: Option<String>,
    /// Expiry, unix seconds.
    pub exp: f64,
    /// Not-before, unix seconds.
    pub nbf: f64,
    /// Issued-at, unix seconds, when present.
    pub iat: Option<f64>,
    /// `"current"` or `"next"`: which signing key matched.
    pub key: String,
    /// The region whose key pair verified the token (`"EU_CENTRAL_1"`, …), when one did.
    pub region: Option<String>,
}

impl From<&ClaimsView> for Claims {
    fn from(view: &ClaimsView) -> Self {
        Claims {
            iss: view.iss().to_owned(),
            sub: view.sub().to_owned(),
            jti: view.jti().map(str::to_owned),
            exp: view.exp(),
            nbf: view.nbf(),
            iat: view.iat(),
            key: view.key().to_owned(),
            region: view.region().map(str::to_owned),
        }
    }
}

/// The result of `Receiver.verifyOutcome` / `verifyAsync`: the claims, or why it failed.
#[napi(object)]
pub struct VerifyOutcome {
    /// The claims when the delivery verified.
    pub claims: Option<Claims>,
    /// The reason code when it did not (`expired`, `body`, …).
    pub reason: Option<String>,
    /// A human-readable message when it did not.
    pub message: Option<String>,
}

impl From<Result<ClaimsView, HostError>> for VerifyOutcome {
    fn from(result: Result<ClaimsView, HostError>) -> Self {
        match result {
            Ok(view) => VerifyOutcome { claims: Some(Claims::from(&view)), reason: None, message: None },
            Err(error) => VerifyOutcome {
                claims: None,
                reason: Some(error.code().to_owned()),
                message: Some(error.message().to_owned()),
            },
        }
    }
}
