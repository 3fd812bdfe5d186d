//! `Receiver`: verifies deliveries; keys from options, the environment, or `dev()`.

use std::cell::RefCell;
use std::collections::HashMap;

use napi::bindgen_prelude::{ArrayBuffer, AsyncTask, External, Null};
use napi::{Either, Env, Task};
use napi_derive::napi;
use std::sync::Arc;

use qstash_core::{KeyPair, Region, SharedReceiver, VerifyError};
use qstash_gate::bindings::{self, ClaimsView, HostError, Number, TokenBody};
use qstash_gate::replay::MemoryReplayGuard;

use crate::body::{Body, bytes};
use crate::claims::VerifyOutcome;
use crate::error::host_error;
use crate::pending::PendingBody;

/// A key pair (a region's, in `ReceiverConfig.regions`), as `qstash_core::KeyPair` holds it.
#[napi(object, js_name = "KeyPair")]
pub struct KeyPairObject {
    /// The current signing key (`sig_…`).
    pub current_signing_key: String,
    /// The next signing key (`sig_…`).
    pub next_signing_key: String,
}

/// How to build a `Receiver`. Without keys, they come from `QSTASH_CURRENT_SIGNING_KEY` /
/// `QSTASH_NEXT_SIGNING_KEY` (and, when `QSTASH_REGION` is set, the
/// `{REGION}_QSTASH_*_SIGNING_KEY` pairs), as in the official SDK.
#[napi(object)]
pub struct ReceiverConfig {
    /// The current signing key.
    pub current_signing_key: Option<String>,
    /// The next signing key.
    pub next_signing_key: Option<String>,
    /// Use the public local-development keys (QStash CLI dev server): `true` does, `false`
    /// never does; not given, `QSTASH_DEV=1` (or `true`) in the environment does, as in the
    /// official SDK.
    pub dev_mode: Option<bool>,
    /// Key pairs per region (`{ EU_CENTRAL_1: { currentSigningKey, nextSigningKey } }`),
    /// picked by the `upstashRegion` of a request.
    pub regions: Option<HashMap<String, KeyPairObject>>,
    /// Clock tolerance in seconds for requests that do not set their own (default 0).
    pub clock_tolerance: Option<f64>,
    /// Refuse a token whose `jti` this receiver already accepted (reason `replayed`).
    pub replay_protection: Option<bool>,
    /// How many token ids the replay guard remembers at most (default 100 000).
    pub replay_capacity: Option<f64>,
}

/// One delivery to verify.
#[napi(object)]
pub struct VerifyRequest {
    /// The `Upstash-Signature` header (absent or empty: reason `missing`).
    pub signature: Option<Either<String, Null>>,
    /// The raw body: a string (hashed as UTF-8), a `Buffer` or a `Uint8Array`.
    #[napi(ts_type = "string | Uint8Array")]
    pub body: Body,
    /// The URL the token must name (`sub`); omitted: not checked.
    pub url: Option<Either<String, Null>>,
    /// Seconds of clock difference to accept on `exp` / `nbf`.
    pub clock_tolerance: Option<Either<f64, Null>>,
    /// The `Upstash-Region` header, for multi-region accounts.
    pub upstash_region: Option<Either<String, Null>>,
    /// Unix seconds to verify at instead of the system clock (tests, replays of old logs).
    pub now: Option<Either<i64, Null>>,
}

/// A delivery's head, verified before its body is read (framework helpers).
#[napi(object)]
pub struct TokenRequest {
    /// The `Upstash-Signature` header.
    pub signature: Option<Either<String, Null>>,
    /// The URL the token must name exactly.
    pub url: Option<Either<String, Null>>,
    /// The request's path and query (`/hook?x=1`): the token's must be the same.
    pub path_and_query: Option<Either<String, Null>>,
    /// Seconds of clock difference to accept.
    pub clock_tolerance: Option<Either<f64, Null>>,
    /// The `Upstash-Region` header.
    pub upstash_region: Option<Either<String, Null>>,
    /// Unix seconds to verify at instead of the system clock.
    pub now: Option<Either<i64, Null>>,
}

/// Verifies QStash deliveries natively. Keys can be replaced on a live receiver.
#[napi]
pub struct Receiver {
    inner: SharedReceiver,
    replay: Option<Arc<MemoryReplayGuard>>,
}

impl Receiver {
    /// The keys, shared with every gate built on this receiver.
    pub(crate) fn shared(&self) -> &SharedReceiver {
        &self.inner
    }

    /// The replay guard of `replayProtection: true`, shared with the gates built on it.
    pub(crate) fn replay_guard(&self) -> Option<Arc<MemoryReplayGuard>> {
        self.replay.clone()
    }
}

/// Checks a verified delivery against the replay guard, if there is one.
fn check_replay(
    replay: &Option<Arc<MemoryReplayGuard>>,
    receiver: &SharedReceiver,
    verified: &qstash_core::Verified,
    clock_tolerance: Option<u64>,
) -> Result<(), HostError> {
    let Some(guard) = replay else { return Ok(()) };
    let tolerance = clock_tolerance.unwrap_or_else(|| receiver.load().clock_tolerance());
    guard.check_verified(verified, tolerance).map_err(HostError::from)
}

/// A per-call clock tolerance, checked by the gate.
fn tolerance(value: Option<&f64>) -> Result<Option<u64>, HostError> {
    value
        .map(|&seconds| bindings::clock_tolerance(Number::Float(seconds)))
        .transpose()
        .map_err(HostError::from)
}

/// A JS value that may be `undefined` or `null`, as the official SDK's users pass either.
fn given<T>(value: &Option<Either<T, Null>>) -> Option<&T> {
    match value {
        Some(Either::A(value)) => Some(value),
        _ => None,
    }
}

fn text(value: &Option<Either<String, Null>>) -> Option<&str> {
    given(value).map(String::as_str)
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn pair(current: &str, next: &str) -> napi::Result<KeyPair, &'static str> {
    KeyPair::new(current, next).map_err(host_error)
}

#[napi]
impl Receiver {
    /// `new Receiver({ currentSigningKey, nextSigningKey })`, as the official SDK; without
    /// keys they are read from the environment. Throws on empty keys and on the public
    /// development keys unless development mode is on (`devMode: true`, `Receiver.dev()`, or
    /// `QSTASH_DEV=1` in the environment).
    #[napi(constructor)]
    pub fn new(config: Option<ReceiverConfig>) -> napi::Result<Self, &'static str> {
        let config = config.unwrap_or(ReceiverConfig {
            current_signing_key: None,
            next_signing_key: None,
            dev_mode: None,
            regions: None,
            clock_tolerance: None,
            replay_protection: None,
            replay_capacity: None,
        });
        let capacity = config.replay_capacity.map(Number::Float);
        let replay =
            bindings::memory_guard(config.replay_protection == Some(true), capacity).map_err(host_error)?;
        let clock_tolerance = tolerance(config.clock_tolerance.as_ref()).map_err(host_error)?;
        let regions = config.regions.unwrap_or_default();
        let options = qstash_core::ReceiverOptions {
            current: config.current_signing_key.as_deref(),
            next: config.next_signing_key.as_deref(),
            dev: config.dev_mode,
            regions: regions
                .iter()
                .map(|(name, keys)| {
                    (name.as_str(), keys.current_signing_key.as_str(), keys.next_signing_key.as_str())
                })
                .collect(),
            clock_tolerance: clock_tolerance.unwrap_or(0),
        };
        let receiver = qstash_core::Receiver::from_options(&options, |name| std::env::var(name).ok())
            .map_err(host_error)?;
        Ok(Receiver { inner: receiver.into(), replay })
    }

    /// A receiver with the public local-development keys (QStash CLI dev server, tests).
    #[napi(factory)]
    pub fn dev() -> Self {
        Receiver { inner: qstash_core::Receiver::dev().into(), replay: None }
    }

    /// The receiver as the handle `verifyPacked` takes: an external crosses N-API for less than
    /// a class instance (no private property to look up), and it shares this receiver's keys
    /// (a rotation reaches it) and replay guard.
    #[napi(ts_return_type = "ExternalObject<'Verifier'>")]
    pub fn verifier(&self) -> External<Verifier> {
        External::new(Verifier { inner: self.inner.clone(), replay: self.replay.clone() })
    }

    /// Verifies on the libuv thread pool (large bodies: the event loop keeps running while
    /// they are hashed); resolves to the outcome, never rejects.
    #[napi(ts_return_type = "Promise<VerifyOutcome>")]
    pub fn verify_async(&self, request: VerifyRequest) -> AsyncTask<VerifyTask> {
        AsyncTask::new(VerifyTask {
            receiver: self.inner.clone(),
            replay: self.replay.clone(),
            request: Some(request),
        })
    }

    /// Verifies the token (signature, claims, URL) before the body is read; feed the body to
    /// the returned `PendingBody`.
    #[napi]
    pub fn verify_token(&self, request: TokenRequest) -> napi::Result<PendingBody, &'static str> {
        let now = given(&request.now).copied().unwrap_or_else(unix_now);
        let tolerance = tolerance(given(&request.clock_tolerance)).map_err(host_error)?;
        let head = bindings::request(
            text(&request.signature).map(str::as_bytes),
            &[],
            text(&request.url),
            text(&request.upstash_region),
            tolerance,
        );
        let token = self.inner.verify_token_at(&head, now).map_err(host_error)?;
        if let Some(target) = text(&request.path_and_query) {
            if !qstash_gate::subject_matches_target(token.claims().sub(), target) {
                return Err(host_error(VerifyError::Subject));
            }
        }
        let tolerance = tolerance.unwrap_or_else(|| self.inner.load().clock_tolerance());
        Ok(PendingBody::new(TokenBody::new(token, self.replay.clone(), tolerance)))
    }

    /// Replaces the default key pair (key rotation); verifications that start afterwards use
    /// the new keys.
    #[napi]
    pub fn replace_keys(
        &self,
        current_signing_key: String,
        next_signing_key: String,
    ) -> napi::Result<(), &'static str> {
        self.inner.replace_keys(pair(&current_signing_key, &next_signing_key)?);
        Ok(())
    }

    /// `Receiver { keys: [REDACTED] }`: keys never print.
    #[napi(js_name = "toString")]
    pub fn describe(&self) -> String {
        format!("{:?}", self.inner.load())
    }
}

/// The keys and replay guard of a `Receiver`, as `verifyPacked` takes them.
pub struct Verifier {
    inner: SharedReceiver,
    replay: Option<Arc<MemoryReplayGuard>>,
}

/// What `verifyPacked` answers when the current key of the pair verified.
#[napi]
pub const VERIFIED_CURRENT: i32 = 0;

/// What `verifyPacked` answers when the next key of the pair verified.
#[napi]
pub const VERIFIED_NEXT: i32 = 1;

/// Added to the answer when the pair was a region's (`lastRegion()` names it).
#[napi]
pub const VERIFIED_IN_REGION: i32 = 2;

/// What `verifyPacked` answers when the delivery did not verify (`lastFailure()` says why).
#[napi]
pub const VERIFY_FAILED: i32 = -1;

thread_local! {
    /// The failure and the region of this thread's last `verifyPacked`: handing them back
    /// only when asked keeps the answer a number, the cheapest value to cross N-API.
    static LAST: RefCell<(Option<HostError>, Option<Region>)> = const { RefCell::new((None, None)) };
}

/// Why the last `verifyPacked` of this thread failed: the code (a reason, or `config`), a NUL
/// and the message.
#[napi]
pub fn last_failure() -> String {
    LAST.with_borrow_mut(|last| last.0.take())
        .map_or_else(String::new, |error| format!("{}\0{}", error.code(), error.message()))
}

/// The region whose pair verified the last `verifyPacked` of this thread, if one did.
#[napi]
pub fn last_region() -> Option<String> {
    LAST.with_borrow_mut(|last| last.1.take()).map(|region| region.as_str().to_owned())
}

/// The fast path behind `verifySync` and `verify` (`lib/native.js`), shaped by what N-API
/// conversions cost: the request comes in one reused scratch `ArrayBuffer` (no copy, no new
/// object per call), the receiver as an external, and a number comes back.
///
/// `scratch` starts with a header of [`PACKED_HEADER`] bytes written through typed-array
/// views (native byte order): `i32` lengths of the signature, the URL and the region (`-1` =
/// absent), the `i32` offset where the text ends, `i32` flags (1: a clock tolerance is given,
/// 2: `now` is given), four unused bytes, then the clock tolerance and `now` as `f64`s. After
/// the header come the UTF-8 of the signature, the URL and the region back to back, then, up to
/// the end offset, the body. Each number is one typed-array store in JS instead of one N-API
/// conversion here, and the tolerance is checked here, by the gate.
///
/// Returns [`VERIFIED_CURRENT`] or [`VERIFIED_NEXT`] (plus [`VERIFIED_IN_REGION`] when a
/// region's pair verified: `lastRegion()` names it), or [`VERIFY_FAILED`] (`lastFailure()` says
/// why). The claims are the token's own, which the wrapper reads from it when they are asked
/// for: building them here would cost more than the rest of the crossing.
#[napi]
pub fn verify_packed(
    #[napi(ts_arg_type = "ExternalObject<'Verifier'>")] verifier: &External<Verifier>,
    scratch: ArrayBuffer<'_>,
) -> i32 {
    verifier.verify_fields(&scratch, None)
}

/// [`verify_packed`] with a binary body (`Buffer`, `Uint8Array`) that is not in the scratch.
#[napi]
pub fn verify_packed_body(
    #[napi(ts_arg_type = "ExternalObject<'Verifier'>")] verifier: &External<Verifier>,
    scratch: ArrayBuffer<'_>,
    body: &[u8],
) -> i32 {
    verifier.verify_fields(&scratch, Some(body))
}

impl Verifier {
    /// The request laid out in `scratch` (see [`verify_packed`]), verified.
    fn verify_fields(&self, scratch: &[u8], body: Option<&[u8]>) -> i32 {
        let verified = (|| -> Result<qstash_core::Verified, HostError> {
            let malformed = || HostError::from(VerifyError::Malformed { what: "request fields" });
            let header = PackedHeader::read(scratch).ok_or_else(malformed)?;
            let mut rest = scratch.get(HEADER..header.end).unwrap_or_default();
            let signature = take_field(&mut rest, header.signature_len)?;
            let url = take_field(&mut rest, header.url_len)?
                .map(std::str::from_utf8)
                .transpose()
                .map_err(|_| VerifyError::Subject)?;
            let region = take_field(&mut rest, header.region_len)?.and_then(|r| std::str::from_utf8(r).ok());
            let tolerance = tolerance(header.clock_tolerance.as_ref())?;
            // What is left of the scratch up to the end offset is the body when it was a string.
            let request = bindings::request(signature, body.unwrap_or(rest), url, region, tolerance);
            let verified = self.inner.verify_at(&request, header.now.unwrap_or_else(unix_now))?;
            check_replay(&self.replay, &self.inner, &verified, tolerance)?;
            Ok(verified)
        })();
        match verified {
            Ok(verified) => {
                let key =
                    if verified.key == qstash_core::KeyUsed::Next { VERIFIED_NEXT } else { VERIFIED_CURRENT };
                if verified.region.is_none() {
                    return key;
                }
                LAST.with_borrow_mut(|last| last.1 = verified.region);
                key + VERIFIED_IN_REGION
            }
            Err(error) => {
                LAST.with_borrow_mut(|last| last.0 = Some(error));
                VERIFY_FAILED
            }
        }
    }
}

/// The work of `verifyAsync`, run on the libuv thread pool.
pub struct VerifyTask {
    receiver: SharedReceiver,
    replay: Option<Arc<MemoryReplayGuard>>,
    request: Option<VerifyRequest>,
}

impl Task for VerifyTask {
    type Output = VerifyOutcome;
    type JsValue = VerifyOutcome;

    fn compute(&mut self) -> napi::Result<VerifyOutcome> {
        let Some(r) = self.request.take() else {
            return Ok(Err::<ClaimsView, _>(HostError::from(VerifyError::Missing)).into());
        };
        let verified = tolerance(given(&r.clock_tolerance)).and_then(|tolerance| {
            let request = bindings::request(
                text(&r.signature).map(str::as_bytes),
                bytes(&r.body),
                text(&r.url),
                text(&r.upstash_region),
                tolerance,
            );
            let verified =
                self.receiver.verify_at(&request, given(&r.now).copied().unwrap_or_else(unix_now))?;
            check_replay(&self.replay, &self.receiver, &verified, tolerance)?;
            Ok(ClaimsView::from(verified))
        });
        Ok(verified.into())
    }

    fn resolve(&mut self, _: Env, output: VerifyOutcome) -> napi::Result<VerifyOutcome> {
        Ok(output)
    }
}

/// Bytes of `verifyPacked`'s header (see there); the text starts after it.
#[napi]
pub const PACKED_HEADER: u32 = 40;

const HEADER: usize = PACKED_HEADER as usize;

/// `verifyPacked`'s header, read.
struct PackedHeader {
    signature_len: i32,
    url_len: i32,
    region_len: i32,
    end: usize,
    clock_tolerance: Option<f64>,
    now: Option<i64>,
}

impl PackedHeader {
    fn read(scratch: &[u8]) -> Option<Self> {
        let header = scratch.first_chunk::<HEADER>()?;
        let int = |i: usize| Some(i32::from_ne_bytes(header.get(i * 4..i * 4 + 4)?.try_into().ok()?));
        let float = |at: usize| Some(f64::from_ne_bytes(header.get(at..at + 8)?.try_into().ok()?));
        let flags = int(4)?;
        let now = float(32)?;
        Some(PackedHeader {
            signature_len: int(0)?,
            url_len: int(1)?,
            region_len: int(2)?,
            end: usize::try_from(int(3)?).ok()?,
            clock_tolerance: if flags & 1 != 0 { Some(float(24)?) } else { None },
            // What N-API's int64 conversion gives: truncated, and 0 for NaN or infinities.
            now: (flags & 2 != 0).then_some(if now.is_finite() { now as i64 } else { 0 }),
        })
    }
}

/// The next `len` bytes of the packed request fields (`None` for `-1`, an absent field).
fn take_field<'a>(rest: &mut &'a [u8], len: i32) -> Result<Option<&'a [u8]>, HostError> {
    let Ok(len) = usize::try_from(len) else { return Ok(None) };
    let (field, tail) = rest
        .split_at_checked(len)
        .ok_or_else(|| HostError::from(VerifyError::Malformed { what: "request fields" }))?;
    *rest = tail;
    Ok(Some(field))
}
