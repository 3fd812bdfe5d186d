//! `Signer`: mints tokens exactly as QStash does, for tests and local development.

use napi_derive::napi;

use crate::body::{Body, bytes};
use crate::error::host_error;

/// Overrides of the claims QStash would set.
#[napi(object)]
pub struct SignOptions {
    /// Unix seconds to sign at instead of the system clock.
    pub now: Option<i64>,
    /// Lifetime in seconds (default 300, as QStash).
    pub lifetime: Option<i64>,
    /// `nbf` (default: the signing time).
    pub not_before: Option<i64>,
    /// `exp` (default: signing time + lifetime).
    pub expires_at: Option<i64>,
    /// `jti` (default: `jwt_` + 28 random characters).
    pub jti: Option<String>,
    /// `iss` (default `"Upstash"`; change it only to test receivers).
    pub issuer: Option<String>,
}

/// Mints `Upstash-Signature` tokens with one signing key, byte-identical in shape to QStash's.
#[napi]
pub struct Signer {
    inner: qstash_core::Signer,
}

#[napi]
impl Signer {
    /// A signer with `key` (throws on empty keys and on the development keys: use `dev()`).
    #[napi(constructor)]
    pub fn new(key: String) -> napi::Result<Self, &'static str> {
        qstash_core::Signer::new(&key).map(|inner| Signer { inner }).map_err(host_error)
    }

    /// A signer with the public development current key (what `Receiver.dev()` accepts).
    #[napi(factory)]
    pub fn dev() -> Self {
        Signer { inner: qstash_core::Signer::dev() }
    }

    /// A signer with the public development next key.
    #[napi(factory)]
    pub fn dev_next() -> Self {
        Signer { inner: qstash_core::Signer::dev_next() }
    }

    /// A token for a delivery of `body` to `url`.
    #[napi]
    pub fn sign(
        &self,
        url: String,
        #[napi(ts_arg_type = "string | Uint8Array")] body: Body,
        options: Option<SignOptions>,
    ) -> String {
        let mut token = self.inner.token(&url, bytes(&body));
        let Some(options) = options.as_ref() else { return token.sign() };
        if let Some(lifetime) = options.lifetime {
            token = token.lifetime(lifetime);
        }
        if let Some(nbf) = options.not_before {
            token = token.not_before(nbf);
        }
        if let Some(exp) = options.expires_at {
            token = token.expires_at(exp);
        }
        if let Some(jti) = options.jti.as_deref() {
            token = token.jti(jti);
        }
        if let Some(issuer) = options.issuer.as_deref() {
            token = token.issuer(issuer);
        }
        match options.now {
            Some(now) => token.sign_at(now),
            None => token.sign(),
        }
    }

    /// `Signer { key: [REDACTED] }`.
    #[napi(js_name = "toString")]
    pub fn describe(&self) -> String {
        "Signer { key: [REDACTED] }".to_owned()
    }
}
