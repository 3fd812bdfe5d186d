//! The narrow way in for the fuzz targets and the Wycheproof tests (not API).

/// The MAC layer on its own (HMAC-SHA256 with a constant-time tag check), so its known-answer
/// tests run against exactly the code the verifier uses.
pub mod mac {
    use hmac::Mac as _;

    /// Whether `tag` is the full HMAC-SHA256 of `message` under `key`; truncated tags never are.
    pub fn verify(key: &[u8], message: &[u8], tag: &[u8]) -> bool {
        crate::keys::HmacSha256::new_from_slice(key)
            .is_ok_and(|mac| mac.chain_update(message).verify_slice(tag).is_ok())
    }

    /// The full HMAC-SHA256 tag of `message` under `key`.
    pub fn tag(key: &[u8], message: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        if let Ok(mac) = crate::keys::HmacSha256::new_from_slice(key) {
            out.copy_from_slice(&mac.chain_update(message).finalize().into_bytes());
        }
        out
    }
}

/// What a payload reader made of an authenticated payload (SPEC.md §3 step 4), owned so the
/// two readers' results can be compared.
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, PartialEq)]
pub struct PayloadReading {
    /// `iss` is exactly `"Upstash"`.
    pub iss_ok: bool,
    /// `sub`, unescaped, when it is a string.
    pub sub: Option<alloc::string::String>,
    /// `jti`, unescaped, when it is a string.
    pub jti: Option<alloc::string::String>,
    /// The digest the `body` claim names, when it names one.
    pub body_digest: Option<[u8; 32]>,
    /// `exp`.
    pub exp: f64,
    /// `nbf`.
    pub nbf: f64,
    /// `iat`, when present.
    pub iat: Option<f64>,
}

#[cfg(feature = "alloc")]
impl From<crate::claims::Payload<'_>> for PayloadReading {
    fn from(payload: crate::claims::Payload<'_>) -> Self {
        let text = |s: Option<crate::json::JsonStr<'_>>| s.map(|s| s.chars().collect());
        PayloadReading {
            iss_ok: payload.iss_ok,
            sub: text(payload.sub),
            jti: text(payload.jti),
            body_digest: payload.body_digest(),
            exp: payload.exp,
            nbf: payload.nbf,
            iat: payload.iat,
        }
    }
}

/// The fast path for payloads in QStash's own member order; `None` when the payload is not
/// in that layout (the verifier then uses the general reader).
#[cfg(feature = "alloc")]
pub fn read_payload_fast(payload: &[u8]) -> Option<PayloadReading> {
    crate::claims::parse_go_layout(payload).map(PayloadReading::from)
}

/// The general JSON reader of payloads.
#[cfg(feature = "alloc")]
pub fn read_payload(payload: &[u8]) -> Result<PayloadReading, crate::VerifyError> {
    crate::claims::parse_payload(payload).map(PayloadReading::from)
}
