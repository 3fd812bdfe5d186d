//! [`Signer`]: mints tokens exactly as QStash does, for tests, demos and local development.

use alloc::string::String;
use core::fmt::{self, Write as _};

use hmac::Mac as _;
use sha2::{Digest, Sha256};

use crate::base64url::encode_append;
use crate::error::ConfigError;
use crate::keys::{KeyPair, SigningKey};
use crate::segment::QSTASH_HEADER_B64;

/// Lifetime QStash gives every token.
pub const TOKEN_LIFETIME_SECS: i64 = 300;

/// Mints `Upstash-Signature` tokens byte for byte in QStash's shape: header
/// `{"alg":"HS256","typ":"JWT"}`, payload members in alphabetical order with `"aud":""`, a
/// padded `body` claim, a `jwt_` + 28-character `jti` and a five-minute lifetime, each of which
/// can be overridden. Prints as `[REDACTED]`.
///
/// ```
/// use qstash_core::Signer;
///
/// let token = Signer::dev()
///     .token("https://example.com/hook", b"{}")
///     .jti("jwt_docsdocsdocsdocsdocsdocsdocs")
///     .sign_at(1_750_000_000);
/// assert_eq!(token.split('.').count(), 3);
/// ```
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signer { key: [REDACTED] }")
    }
}

impl Signer {
    /// A signer for one key string. Refuses the empty key and the public development keys
    /// (use [`Signer::dev`] / [`Signer::dev_next`] for those).
    pub fn new(key: &str) -> Result<Self, ConfigError> {
        let keys = KeyPair::new(key, key)?;
        Ok(Signer { key: keys.current })
    }

    /// Signs with the public development current key, as the QStash CLI dev server does.
    pub fn dev() -> Self {
        Signer { key: KeyPair::dev().current }
    }

    /// Signs with the public development next key (to exercise key rotation).
    pub fn dev_next() -> Self {
        Signer { key: KeyPair::dev().next }
    }

    /// Starts a token for a delivery of `body` to `url` (the `sub` claim).
    pub fn token<'a>(&'a self, url: &'a str, body: &'a [u8]) -> TokenBuilder<'a> {
        TokenBuilder {
            signer: self,
            sub: url,
            body,
            issued_at: None,
            not_before: None,
            expires_at: None,
            lifetime: TOKEN_LIFETIME_SECS,
            jti: None,
            issuer: "Upstash",
        }
    }
}

/// A token being minted; finish with [`TokenBuilder::sign_at`] (or `sign` with `std`).
#[derive(Debug, Clone)]
#[must_use]
pub struct TokenBuilder<'a> {
    signer: &'a Signer,
    sub: &'a str,
    body: &'a [u8],
    issued_at: Option<i64>,
    not_before: Option<i64>,
    expires_at: Option<i64>,
    lifetime: i64,
    jti: Option<&'a str>,
    issuer: &'a str,
}

impl<'a> TokenBuilder<'a> {
    /// `iat`; defaults to the time passed to `sign_at`.
    pub fn issued_at(mut self, iat: i64) -> Self {
        self.issued_at = Some(iat);
        self
    }

    /// `nbf`; defaults to `iat`.
    pub fn not_before(mut self, nbf: i64) -> Self {
        self.not_before = Some(nbf);
        self
    }

    /// `exp`; defaults to `iat` + lifetime.
    pub fn expires_at(mut self, exp: i64) -> Self {
        self.expires_at = Some(exp);
        self
    }

    /// Lifetime in seconds when `exp` is not set (default 300, as QStash).
    pub fn lifetime(mut self, seconds: i64) -> Self {
        self.lifetime = seconds;
        self
    }

    /// `jti`; defaults to `jwt_` + 28 random characters (derived from the token with no `std`).
    pub fn jti(mut self, jti: &'a str) -> Self {
        self.jti = Some(jti);
        self
    }

    /// `iss`; defaults to `"Upstash"` (set it only to test receivers).
    pub fn issuer(mut self, iss: &'a str) -> Self {
        self.issuer = iss;
        self
    }

    /// Mints the token as if issued at `now` (unix seconds) unless `issued_at` was set.
    pub fn sign_at(self, now: i64) -> String {
        let iat = self.issued_at.unwrap_or(now);
        let nbf = self.not_before.unwrap_or(iat);
        let exp = self.expires_at.unwrap_or(iat.saturating_add(self.lifetime));
        let body_hash = Sha256::digest(self.body);
        let generated;
        let jti = match self.jti {
            Some(jti) => jti,
            None => {
                generated = random_jti(&body_hash, self.sub, iat);
                &generated
            }
        };

        // Go's encoding/json order and escaping, so the bytes match what QStash sends.
        let mut payload = String::with_capacity(160 + self.sub.len());
        payload.push_str("{\"aud\":\"\",\"body\":\"");
        encode_append(&body_hash, &mut payload);
        payload.push_str("=\",");
        let _ = write!(payload, "\"exp\":{exp},\"iat\":{iat},\"iss\":");
        push_go_json_string(&mut payload, self.issuer);
        payload.push_str(",\"jti\":");
        push_go_json_string(&mut payload, jti);
        let _ = write!(payload, ",\"nbf\":{nbf},\"sub\":");
        push_go_json_string(&mut payload, self.sub);
        payload.push('}');

        let mut token = String::with_capacity(QSTASH_HEADER_B64.len() + payload.len() * 4 / 3 + 50);
        token.push_str(QSTASH_HEADER_B64);
        token.push('.');
        encode_append(payload.as_bytes(), &mut token);
        let mut mac = self.signer.key.mac();
        mac.update(token.as_bytes());
        let signature = mac.finalize().into_bytes();
        token.push('.');
        encode_append(&signature, &mut token);
        token
    }

    /// Mints the token as if issued now, by the system clock.
    #[cfg(feature = "std")]
    pub fn sign(self) -> String {
        self.sign_at(crate::clock::now())
    }
}

/// `jwt_` + 28 characters: random with `std`; without an OS, derived from the token's contents
/// (unique per body, URL and second, which is what replay guards key on).
fn random_jti(body_hash: &[u8], sub: &str, iat: i64) -> String {
    let mut seed = [0u8; 21];
    #[cfg(feature = "std")]
    let random = getrandom::fill(&mut seed).is_ok();
    #[cfg(not(feature = "std"))]
    let random = false;
    if !random {
        let derived = Sha256::new()
            .chain_update(body_hash)
            .chain_update(sub)
            .chain_update(iat.to_be_bytes())
            .finalize();
        for (s, d) in seed.iter_mut().zip(derived) {
            *s = d;
        }
    }
    let mut jti = String::from("jwt_");
    encode_append(&seed, &mut jti);
    jti
}

/// Writes `s` as a JSON string the way Go's `encoding/json` does: `<`, `>`, `&`, U+2028 and
/// U+2029 as `\u` escapes, `\n`, `\r`, `\t` short, other control characters as `\u00XX`.
fn push_go_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\0'..='\u{1f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_like_go_encoding_json() {
        let mut out = String::new();
        push_go_json_string(&mut out, "a<b>&\"\\\n\u{1}\u{2028}é");
        assert_eq!(out, r#""a\u003cb\u003e\u0026\"\\\n\u0001\u2028é""#);
    }

    #[test]
    fn generated_jti_has_the_qstash_shape() {
        let jti = random_jti(&[0; 32], "u", 1);
        assert!(jti.starts_with("jwt_"));
        assert_eq!(jti.len(), 4 + 28);
    }
}
