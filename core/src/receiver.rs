//! The verifier: [`Receiver`], the [`Request`] it checks and what it returns.

use core::fmt;

use sha2::{Digest, Sha256};

use crate::claims::{self, Payload};
use crate::error::{ConfigError, VerifyError};
#[cfg(feature = "alloc")]
use crate::json::JsonStr;
use crate::keys::{KeyPair, KeyUsed, MAX_REGIONS, Region, Tag};
use crate::segment::{Scratch, Segments};

/// One delivery to verify: the `Upstash-Signature` value, the raw body bytes and, optionally,
/// the URL the token must name and the `Upstash-Region` header.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    token: Option<&'a [u8]>,
    body: &'a [u8],
    url: Option<&'a str>,
    region: Option<&'a str>,
    clock_tolerance: Option<u64>,
}

impl<'a> Request<'a> {
    /// A delivery with an `Upstash-Signature` header value and the raw body bytes.
    pub fn new(token: &'a str, body: &'a [u8]) -> Self {
        Self::from_header(Some(token.as_bytes()), body)
    }

    /// A delivery from raw header bytes; `None` when the header was absent. Header values
    /// that are not text are judged like any other malformed token, never as an I/O error.
    pub fn from_header(token: Option<&'a [u8]>, body: &'a [u8]) -> Self {
        Request { token, body, url: None, region: None, clock_tolerance: None }
    }

    /// The URL the token's `sub` claim must equal exactly (no normalisation; `""` is compared,
    /// not skipped). Without it the subject is only checked to be a string.
    #[must_use]
    pub fn url(mut self, url: &'a str) -> Self {
        self.url = Some(url);
        self
    }

    /// The `Upstash-Region` header value; it picks the region's key pair when one is configured.
    #[must_use]
    pub fn region(mut self, region: &'a str) -> Self {
        self.region = Some(region);
        self
    }

    /// Overrides the receiver's clock tolerance (seconds) for this delivery.
    #[must_use]
    pub fn clock_tolerance(mut self, seconds: u64) -> Self {
        self.clock_tolerance = Some(seconds);
        self
    }

    /// The raw body bytes.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }
}

// The token is a bearer credential for five minutes: keep it out of logs.
impl fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("token", &self.token.map(|_| "[REDACTED]"))
            .field("body_len", &self.body.len())
            .field("url", &self.url)
            .field("region", &self.region)
            .field("clock_tolerance", &self.clock_tolerance)
            .finish()
    }
}

/// The claims of a verified token. `sub` and `jti` (with `alloc`) are read with
/// [`Claims::sub`] and [`Claims::jti`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Claims {
    /// Always `"Upstash"` (anything else was rejected).
    pub iss: &'static str,
    /// Expiry, unix seconds (may be fractional).
    pub exp: f64,
    /// Not-before, unix seconds (may be negative: Go's zero time appears in real tokens).
    pub nbf: f64,
    /// Issued-at, unix seconds, when present.
    pub iat: Option<f64>,
    #[cfg(feature = "alloc")]
    text: ClaimText,
}

#[cfg(feature = "alloc")]
impl Claims {
    /// The destination URL QStash delivered to (`sub`).
    pub fn sub(&self) -> &str {
        self.text.as_str().get(..self.text.sub_len).unwrap_or_default()
    }

    /// The unique token id (`jwt_…`), when present; the key for replay protection.
    pub fn jti(&self) -> Option<&str> {
        self.text.has_jti.then(|| self.text.as_str().get(self.text.sub_len..).unwrap_or_default())
    }
}

/// `sub` and `jti` side by side: inline when they fit (any usual QStash URL with its `jti`),
/// else in one heap string. Verifying a usual token therefore allocates nothing at all, and
/// reading them back is free (an `ArrayString` is known to be UTF-8, so nothing is re-checked).
#[cfg(feature = "alloc")]
#[derive(Debug, Clone)]
struct ClaimText {
    text: Text,
    sub_len: usize,
    has_jti: bool,
}

#[cfg(feature = "alloc")]
const INLINE_TEXT: usize = 112;

// Equal texts compare equal however they are stored.
#[cfg(feature = "alloc")]
impl PartialEq for ClaimText {
    fn eq(&self, other: &Self) -> bool {
        (self.as_str(), self.sub_len, self.has_jti) == (other.as_str(), other.sub_len, other.has_jti)
    }
}

#[cfg(feature = "alloc")]
#[derive(Debug, Clone)]
enum Text {
    Inline(arrayvec::ArrayString<INLINE_TEXT>),
    Heap(alloc::string::String),
}

#[cfg(feature = "alloc")]
impl ClaimText {
    fn new<'a>(sub: Option<JsonStr<'a>>, jti: Option<JsonStr<'a>>) -> Self {
        let has_jti = jti.is_some();
        let plain = |s: Option<JsonStr<'a>>| s.map_or(Some(""), |s| s.as_plain());
        if let (Some(sub), Some(jti)) = (plain(sub), plain(jti)) {
            let mut text = arrayvec::ArrayString::new();
            if text.try_push_str(sub).is_ok() && text.try_push_str(jti).is_ok() {
                return ClaimText { text: Text::Inline(text), sub_len: sub.len(), has_jti };
            }
        }
        let capacity = |s: Option<JsonStr<'a>>| s.and_then(|s| s.as_plain()).map_or(0, str::len);
        let mut buf = alloc::string::String::with_capacity(capacity(sub) + capacity(jti));
        if let Some(sub) = sub {
            sub.push_to(&mut buf);
        }
        let sub_len = buf.len();
        if let Some(jti) = jti {
            jti.push_to(&mut buf);
        }
        ClaimText { text: Text::Heap(buf), sub_len, has_jti }
    }

    fn as_str(&self) -> &str {
        match &self.text {
            Text::Inline(s) => s,
            Text::Heap(s) => s,
        }
    }
}

/// A delivery that passed every check.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Verified {
    /// The verified claims.
    pub claims: Claims,
    /// Which key of the pair matched.
    pub key: KeyUsed,
    /// The region whose key pair was used; `None` for the default pair.
    pub region: Option<Region>,
}

/// A token whose signature and claims verified, waiting for the body (SPEC.md §3 step 9).
///
/// Middleware gets one of these from [`Receiver::verify_token_at`] before reading the body,
/// so unauthenticated requests are refused without buffering anything, then feeds the body
/// through [`VerifiedToken::body_hasher`] as it streams.
#[derive(Debug, Clone, PartialEq)]
#[must_use = "the body has not been checked yet"]
pub struct VerifiedToken {
    verified: Verified,
    body_digest: Option<[u8; 32]>,
}

impl VerifiedToken {
    /// The verified claims (the body is not checked yet).
    pub fn claims(&self) -> &Claims {
        &self.verified.claims
    }

    /// Checks the whole body at once.
    pub fn verify_body(self, body: &[u8]) -> Result<Verified, VerifyError> {
        self.verify_body_digest(&Sha256::digest(body).into())
    }

    /// A hasher for a body that arrives in chunks.
    pub fn body_hasher(&self) -> BodyHasher {
        BodyHasher(Sha256::new())
    }

    /// Checks the SHA-256 of the body, computed by the caller (e.g. with [`BodyHasher`]).
    pub fn verify_body_digest(self, digest: &[u8; 32]) -> Result<Verified, VerifyError> {
        // Not a secret comparison: the sender knows both the body and the claim.
        match self.body_digest {
            Some(expected) if expected == *digest => Ok(self.verified),
            _ => Err(VerifyError::Body),
        }
    }
}

/// SHA-256 of a body fed chunk by chunk; finish it with [`BodyHasher::verify`].
#[derive(Clone, Default)]
pub struct BodyHasher(Sha256);

impl BodyHasher {
    /// Feeds the next chunk of the body.
    pub fn update(&mut self, chunk: &[u8]) {
        self.0.update(chunk);
    }

    /// Checks the body fed so far against the token.
    pub fn verify(self, token: VerifiedToken) -> Result<Verified, VerifyError> {
        token.verify_body_digest(&self.0.finalize().into())
    }
}

impl fmt::Debug for BodyHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BodyHasher")
    }
}

/// Verifies `Upstash-Signature` tokens (SPEC.md §3) with a default key pair and/or
/// per-region pairs. Cheap to share: verification takes `&self` and never locks.
///
/// ```
/// use qstash_core::{KeyPair, Receiver, Request, Signer};
///
/// let receiver = Receiver::dev();
/// let token = Signer::dev().token("https://example.com/api/qstash", b"hello").sign_at(1_750_000_000);
/// let request = Request::new(&token, b"hello").url("https://example.com/api/qstash");
/// let verified = receiver.verify_at(&request, 1_750_000_010).unwrap();
/// assert_eq!(verified.claims.sub(), "https://example.com/api/qstash");
///
/// let tampered = Request::new(&token, b"HELLO").url("https://example.com/api/qstash");
/// assert_eq!(receiver.verify_at(&tampered, 1_750_000_010).unwrap_err().reason(), "body");
/// ```
#[derive(Clone)]
pub struct Receiver {
    default: Option<KeyPair>,
    regions: [Option<(Region, KeyPair)>; MAX_REGIONS],
    clock_tolerance: u64,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut regions = [""; MAX_REGIONS];
        for (name, slot) in regions.iter_mut().zip(self.regions.iter().flatten()) {
            *name = slot.0.as_str();
        }
        f.debug_struct("Receiver")
            .field("default", &self.default)
            .field("regions", &&regions[..self.regions.iter().flatten().count()])
            .field("clock_tolerance", &self.clock_tolerance)
            .finish()
    }
}

impl Receiver {
    /// A receiver with one key pair (the usual set-up). Refuses empty keys and the public
    /// development keys; see [`Receiver::dev`].
    pub fn new(current: &str, next: &str) -> Result<Self, ConfigError> {
        Ok(Self::builder().keys(KeyPair::new(current, next)?).build_unchecked())
    }

    /// A receiver with the public local-development keys (QStash CLI dev server, demo, tests).
    pub fn dev() -> Self {
        Self::builder().keys(KeyPair::dev()).build_unchecked()
    }

    /// A receiver with no key pair at all: every delivery is refused with `no_keys`. What a
    /// front end verifies with while the keys it reads when deliveries arrive are not there
    /// yet (SPEC.md §7.10); never what a service means to run with.
    pub fn without_keys() -> Self {
        Self::builder().build_unchecked()
    }

    /// Starts a receiver with regions, a clock tolerance or both.
    pub fn builder() -> ReceiverBuilder {
        ReceiverBuilder {
            receiver: Receiver { default: None, regions: Default::default(), clock_tolerance: 0 },
            error: None,
        }
    }

    /// The same configuration with a new default key pair (key rotation).
    #[must_use]
    pub fn with_keys(&self, keys: KeyPair) -> Self {
        Receiver { default: Some(keys), ..self.clone() }
    }

    /// The same configuration with `keys` as the pair of `region` (the pair an
    /// `Upstash-Region: {region}` delivery is verified with), added when the region had none:
    /// key rotation for a multi-region account. Fails when the region table is full.
    pub fn with_region_keys(&self, region: Region, keys: KeyPair) -> Result<Self, ConfigError> {
        let mut receiver = self.clone();
        let slots = &mut receiver.regions;
        let slot = match slots.iter().position(|s| s.as_ref().is_some_and(|(r, _)| *r == region)) {
            Some(i) => slots.get_mut(i),
            None => slots.iter_mut().find(|s| s.is_none()),
        };
        *slot.ok_or(ConfigError::TooManyRegions)? = Some((region, keys));
        Ok(receiver)
    }

    /// Whether `region` has a key pair of its own.
    pub fn has_region(&self, region: Region) -> bool {
        self.regions.iter().flatten().any(|(r, _)| *r == region)
    }

    /// Whether the receiver has a default key pair (used for requests of no configured region).
    pub fn has_default_keys(&self) -> bool {
        self.default.is_some()
    }

    /// The regions that have a key pair of their own, in the order they were added.
    pub fn regions(&self) -> impl Iterator<Item = &Region> {
        self.regions.iter().flatten().map(|(region, _)| region)
    }

    /// The clock tolerance in seconds applied when a request does not set its own.
    pub fn clock_tolerance(&self) -> u64 {
        self.clock_tolerance
    }

    /// Verifies a whole delivery at `now` (unix seconds): token, then body.
    pub fn verify_at(&self, request: &Request<'_>, now: i64) -> Result<Verified, VerifyError> {
        let mut scratch = Scratch::new();
        let token = self.check_token(request, now, &mut scratch)?;
        let digest: [u8; 32] = Sha256::digest(request.body).into();
        // Not a secret comparison: the sender knows both the body and the claim.
        if token.payload.body_digest() != Some(digest) {
            return Err(VerifyError::Body);
        }
        Ok(token.verified())
    }

    /// Verifies everything but the body (SPEC.md §3 steps 1–8); the request's body is not
    /// looked at. Finish with [`VerifiedToken::verify_body`] or a [`BodyHasher`].
    pub fn verify_token_at(&self, request: &Request<'_>, now: i64) -> Result<VerifiedToken, VerifyError> {
        let mut scratch = Scratch::new();
        let token = self.check_token(request, now, &mut scratch)?;
        Ok(VerifiedToken { body_digest: token.payload.body_digest(), verified: token.verified() })
    }

    /// Steps 1–8. The payload it returns borrows `scratch`, so nothing is copied or allocated
    /// until the caller builds its result.
    fn check_token<'s>(
        &self,
        request: &Request<'_>,
        now: i64,
        scratch: &'s mut Scratch,
    ) -> Result<CheckedToken<'s>, VerifyError> {
        let mut signature = Tag([0; 32]);
        let segments = Segments::split(request.token, &mut signature)?;
        let keys = self.keys_for(request.region);
        // The MAC is computed before the payload is decoded so that the CPU decodes while the
        // hash finishes; failures are still reported in SPEC.md order (malformed, no_keys,
        // signature).
        let current = keys.as_ref().ok().map(|(k, _)| k.current.tag(segments.signing_input));
        let decoded = segments.decode(scratch)?;
        let (keys, region) = keys?;
        let key = key_used(current, keys, segments.signing_input, &signature)?;

        // Authenticated from here on: only now is any of the sender's JSON read.
        if let Some(header) = &decoded.header {
            claims::check_header(header)?;
        }
        let payload = claims::parse_payload(decoded.payload)?;
        let tolerance = request.clock_tolerance.unwrap_or(self.clock_tolerance);
        check_claims(&payload, request.url, now, tolerance)?;
        Ok(CheckedToken { payload, key, region })
    }

    /// The pair for a request: its region's if configured, else the default pair.
    pub(crate) fn keys_for(&self, region: Option<&str>) -> Result<(&KeyPair, Option<Region>), VerifyError> {
        if let Some(region) = region.and_then(Region::parse) {
            if let Some((name, keys)) = self.regions.iter().flatten().find(|(name, _)| *name == region) {
                return Ok((keys, Some(*name)));
            }
        }
        self.default.as_ref().map(|keys| (keys, None)).ok_or(VerifyError::NoKeys)
    }
}

/// A token that passed steps 1–8, still borrowing its decoded payload.
struct CheckedToken<'s> {
    payload: Payload<'s>,
    key: KeyUsed,
    region: Option<Region>,
}

impl CheckedToken<'_> {
    fn verified(&self) -> Verified {
        let p = &self.payload;
        Verified {
            claims: Claims {
                iss: "Upstash",
                exp: p.exp,
                nbf: p.nbf,
                iat: p.iat,
                #[cfg(feature = "alloc")]
                text: ClaimText::new(p.sub, p.jti),
            },
            key: self.key,
            region: self.region,
        }
    }
}

/// Step 3: which key of the pair made `signature`; `current` is the current key's tag when
/// the caller has computed it already (the receiver starts it before decoding).
pub(crate) fn key_used(
    current: Option<Tag>,
    keys: &KeyPair,
    signing_input: &[u8],
    signature: &Tag,
) -> Result<KeyUsed, VerifyError> {
    let current = current.unwrap_or_else(|| keys.current.tag(signing_input));
    if current == *signature {
        Ok(KeyUsed::Current)
    } else if keys.next.tag(signing_input) == *signature {
        Ok(KeyUsed::Next)
    } else {
        Err(VerifyError::Signature)
    }
}

/// Steps 5–8, in order, on the authenticated payload.
fn check_claims(p: &Payload<'_>, url: Option<&str>, now: i64, tolerance: u64) -> Result<(), VerifyError> {
    check_issuer(p)?;
    check_expiry(p, now, tolerance)?;
    check_not_before(p, now, tolerance)?;
    check_subject(p, url)
}

/// Step 5: `iss` is exactly `"Upstash"`.
pub(crate) fn check_issuer(p: &Payload<'_>) -> Result<(), VerifyError> {
    if p.iss_ok { Ok(()) } else { Err(VerifyError::Issuer) }
}

/// Step 6: `exp` after `now - tolerance`. Times are compared as `f64`, which keeps every
/// realistic `now ± tolerance` exact and compares with fractional claims.
pub(crate) fn check_expiry(p: &Payload<'_>, now: i64, tolerance: u64) -> Result<(), VerifyError> {
    if p.exp <= now as f64 - tolerance as f64 { Err(VerifyError::Expired) } else { Ok(()) }
}

/// Step 7: `nbf` (and `iat`, when present) at or before `now + tolerance`.
pub(crate) fn check_not_before(p: &Payload<'_>, now: i64, tolerance: u64) -> Result<(), VerifyError> {
    let latest = now as f64 + tolerance as f64;
    if p.nbf > latest || p.iat.is_some_and(|iat| iat > latest) {
        Err(VerifyError::NotYetValid)
    } else {
        Ok(())
    }
}

/// Step 8: `sub` is a string, and the expected URL when one is given.
pub(crate) fn check_subject(p: &Payload<'_>, url: Option<&str>) -> Result<(), VerifyError> {
    match p.sub {
        Some(sub) if url.is_none_or(|url| sub.eq_str(url)) => Ok(()),
        _ => Err(VerifyError::Subject),
    }
}

/// Builds a [`Receiver`] with a default pair, region pairs and a clock tolerance.
#[derive(Debug)]
#[must_use]
pub struct ReceiverBuilder {
    receiver: Receiver,
    error: Option<ConfigError>,
}

impl ReceiverBuilder {
    /// The default key pair, used for requests without a configured region.
    pub fn keys(mut self, keys: KeyPair) -> Self {
        self.receiver.default = Some(keys);
        self
    }

    /// A key pair for one region (`US_EAST_1`, `eu-central-1`, …); replaces an earlier pair
    /// for the same region.
    pub fn region(mut self, region: &str, keys: KeyPair) -> Self {
        let Some(region) = Region::parse(region) else {
            self.error.get_or_insert(ConfigError::InvalidRegion);
            return self;
        };
        match self.receiver.with_region_keys(region, keys) {
            Ok(receiver) => self.receiver = receiver,
            Err(error) => {
                self.error.get_or_insert(error);
            }
        }
        self
    }

    /// Seconds of clock skew to forgive on `exp`, `nbf` and `iat` (default 0).
    pub fn clock_tolerance(mut self, seconds: u64) -> Self {
        self.receiver.clock_tolerance = seconds;
        self
    }

    /// The receiver, or the first configuration mistake.
    pub fn build(self) -> Result<Receiver, ConfigError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let r = self.receiver;
        if r.default.is_none() && r.regions.iter().all(Option::is_none) {
            return Err(ConfigError::NoKeys);
        }
        Ok(r)
    }

    fn build_unchecked(self) -> Receiver {
        self.receiver
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Minted independently (Python `hmac`), so this runs in every feature set, `no_std`
    /// without `alloc` included.
    const TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiIiLCJib2R5IjoiazZJNWNha1U1ZXJMOEtqU1VWVE5vd25Ed2NjdnU1a1UxSHhnODh0b0ZZZz0iLCJleHAiOjE3NTAwMDAzMDAsImlhdCI6MTc1MDAwMDAwMCwiaXNzIjoiVXBzdGFzaCIsImp0aSI6Imp3dF9BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBIiwibmJmIjoxNzUwMDAwMDAwLCJzdWIiOiJodHRwczovL2V4YW1wbGUuY29tL2FwaS9xc3Rhc2g_YT0xXHUwMDI2Yj1cdTAwM2MyXHUwMDNlIn0.5rL9xbCH6wHKeCwViW7xp58GWCU-gyPCur8-QITOOBY";
    const URL: &str = "https://example.com/api/qstash?a=1&b=<2>";

    fn receiver() -> Receiver {
        Receiver::new("sig_katCurrentKey000000000001", "sig_unrelated").unwrap()
    }

    #[test]
    fn verifies_a_known_token_in_every_feature_set() {
        let v = receiver()
            .verify_at(&Request::new(TOKEN, br#"{"hello":"world"}"#).url(URL), 1_750_000_001)
            .unwrap();
        assert_eq!(
            (v.key, v.claims.exp, v.claims.iat),
            (KeyUsed::Current, 1_750_000_300.0, Some(1_750_000_000.0))
        );
        #[cfg(feature = "alloc")]
        assert_eq!((v.claims.sub(), v.claims.jti()), (URL, Some("jwt_AAAAAAAAAAAAAAAAAAAAAAAAAAAA")));
    }

    #[test]
    fn rejects_a_tampered_body_in_every_feature_set() {
        let r = receiver().verify_at(&Request::new(TOKEN, b"{}").url(URL), 1_750_000_001);
        assert_eq!(r.unwrap_err(), VerifyError::Body);
    }
}
