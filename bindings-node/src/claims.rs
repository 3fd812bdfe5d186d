//! What a verified delivery tells the caller.

use napi_derive::napi;
use qstash_core::{KeyUsed, Region, Verified};

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

impl From<Verified> for Claims {
    fn from(verified: Verified) -> Self {
        Claims::from_parts(verified.claims, verified.key, verified.region)
    }
}

impl Claims {
    pub(crate) fn from_parts(claims: qstash_core::Claims, key: KeyUsed, region: Option<Region>) -> Self {
        Claims {
            iss: claims.iss.to_owned(),
            sub: claims.sub().to_owned(),
            jti: claims.jti().map(str::to_owned),
            exp: claims.exp,
            nbf: claims.nbf,
            iat: claims.iat,
            key: key.as_str().to_owned(),
            region: region.as_ref().map(|r| r.as_str().to_owned()),
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

impl From<Result<Verified, qstash_core::VerifyError>> for VerifyOutcome {
    fn from(result: Result<Verified, qstash_core::VerifyError>) -> Self {
        match result {
            Ok(verified) => VerifyOutcome { claims: Some(verified.into()), reason: None, message: None },
            Err(error) => VerifyOutcome {
                claims: None,
                reason: Some(error.reason().to_owned()),
                message: Some(error.to_string()),
            },
        }
    }
}
