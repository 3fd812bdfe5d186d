//! The bindings' contract: what every adapter between another language and the
//! [`Gate`] calls, so that each rule the front ends share exists once, here.
//!
//! - **Options**: [`GateOptions`] turns the options every front end takes (`url`,
//!   `public_base`, `forwarded`, `trusted_proxies`, `check_url`, `body_limit`, the replay
//!   guards) into a [`Gate`], checking each one; [`body_limit`], [`replay_capacity`],
//!   [`clock_tolerance`], [`trusted_proxies`] and [`store_timeout`] are the one check of each
//!   number a host hands over, whatever its type there.
//! - **The request**: [`IndexedHead`](crate::IndexedHead) collects the head from any header
//!   lookup; [`original_target`] is the target the URL policies compare.
//! - **The answer**: [`Refusal`] is everything a host answers and logs a refusal with;
//!   [`ClaimsView`] and [`DeliveryView`] are what it hands its handlers (with `Serialize`
//!   under the `serde` feature).
//! - **Errors**: [`HostError`] is the one convention of the Python, Node and WebAssembly
//!   bindings: a code (a reason of [`Rejection::reason_codes`] for a delivery that did not
//!   verify, `config` for a configuration that cannot work) and a message.
//!
//! The Rust front ends (`qstash-axum`, `qstash-actix`) need none of the conversions and use
//! [`Gate`] directly; another language's binding uses all of them.

mod token_body;
mod verification;

pub use token_body::TokenBody;
#[cfg(feature = "serde")]
pub use verification::StepView;
pub use verification::{
    Accepted, HostStore, LogLine, OutcomeView, Step, StoreClaim, StoreReply, StoreWait, Verification,
};

/// The core's request from what a drop-in receiver's `verify` is given, each part optional as
/// the official SDKs take them: the signature header, the body, the URL, the region and the
/// clock tolerance (seconds).
pub fn request<'a>(
    signature: Option<&'a [u8]>,
    body: &'a [u8],
    url: Option<&'a str>,
    region: Option<&'a str>,
    clock_tolerance: Option<u64>,
) -> qstash_core::Request<'a> {
    let mut request = qstash_core::Request::from_header(signature, body);
    if let Some(url) = url {
        request = request.url(url);
    }
    if let Some(region) = region {
        request = request.region(region);
    }
    if let Some(seconds) = clock_tolerance {
        request = request.clock_tolerance(seconds);
    }
    request
}

use alloc::borrow::Cow;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use core::fmt;
use core::num::NonZeroU8;
use core::time::Duration;

use qstash_core::{Claims, ConfigError, KeyUsed, Region, SharedReceiver, Verified, VerifyError};

use crate::replay::{DEFAULT_MEMORY_CAPACITY, MemoryReplayGuard, ReplayError, ReplayGuard};
use crate::{
    DEFAULT_BODY_LIMIT, Delivery, Gate, ProxyHeaders, Rejection, RequestHead, UrlPolicy, path_and_query_of,
};

/// A number as a host language hands it over: Python's integers are unbounded and
/// JavaScript's numbers are doubles, so neither is a Rust integer yet. Deserialized (feature
/// `serde`) from a JavaScript number, as a double.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(from = "f64"))]
pub enum Number {
    /// An integer (Python `int` within ±2¹²⁷).
    Int(i128),
    /// A double (a JavaScript `number`, a Python `float`).
    Float(f64),
}

impl From<i128> for Number {
    fn from(value: i128) -> Self {
        Number::Int(value)
    }
}

impl From<f64> for Number {
    fn from(value: f64) -> Self {
        Number::Float(value)
    }
}

impl Number {
    /// The value as a double (an integer beyond 2⁵³ rounded: only for range checks).
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(n) => n as f64,
            Number::Float(x) => x,
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(n) => write!(f, "{n}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

/// An option value a gate or a receiver cannot work with: its message names the option in
/// words (the spelling differs between languages) and says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionError {
    message: String,
}

impl OptionError {
    pub(crate) fn new(message: String) -> Self {
        OptionError { message }
    }
}

impl fmt::Display for OptionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for OptionError {}

/// The largest integer every host represents exactly (JavaScript's `Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// `value` as a whole number from `min` to `max`, or an error naming `what` and the range.
/// Fractions, NaN, infinities, negative and out-of-range values are refused, never wrapped,
/// truncated or clamped.
fn whole(what: &str, value: Number, min: u64, max: u64) -> Result<u64, OptionError> {
    let whole = match value {
        Number::Int(n) => u64::try_from(n).ok(),
        // Every double from 0 to 2⁵³ that has no fraction is an integer a u64 holds exactly.
        Number::Float(x) if x.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER as f64).contains(&x) => {
            Some(x as u64)
        }
        Number::Float(_) => None,
    };
    whole.filter(|n| (min..=max).contains(n)).ok_or_else(|| {
        OptionError::new(alloc::format!("{what} must be a whole number from {min} to {max}, got {value}"))
    })
}

/// The body limit in bytes: 0 to 2⁵³ − 1 (or what this platform's memory can address).
pub fn body_limit(value: Number) -> Result<usize, OptionError> {
    let max = u64::try_from(usize::MAX).map_or(MAX_SAFE_INTEGER, |max| max.min(MAX_SAFE_INTEGER));
    let bytes = whole("the body limit (bytes)", value, 0, max)?;
    usize::try_from(bytes).map_err(|_| OptionError::new("the body limit does not fit this platform".into()))
}

/// The most token ids an in-memory replay guard may be asked to remember (about 40 bytes
/// each: 400 MB).
pub const MAX_REPLAY_CAPACITY: u64 = 10_000_000;

/// How many token ids the in-memory replay guard remembers: 1 to [`MAX_REPLAY_CAPACITY`].
pub fn replay_capacity(value: Number) -> Result<usize, OptionError> {
    let ids = whole("the replay capacity (token ids)", value, 1, MAX_REPLAY_CAPACITY)?;
    usize::try_from(ids)
        .map_err(|_| OptionError::new("the replay capacity does not fit this platform".into()))
}

/// The clock tolerance in seconds: 0 to 2³² − 1 (SPEC.md §3.3).
pub fn clock_tolerance(value: Number) -> Result<u64, OptionError> {
    whole("the clock tolerance (seconds)", value, 0, u64::from(u32::MAX))
}

/// The most trusted proxies [`UrlPolicy::Forwarded`] counts from the end.
pub const MAX_TRUSTED_PROXIES: u8 = 32;

/// How many trusted proxies append to the forwarded headers: 1 to [`MAX_TRUSTED_PROXIES`].
pub fn trusted_proxies(value: Number) -> Result<NonZeroU8, OptionError> {
    let hops = whole("the number of trusted proxies", value, 1, u64::from(MAX_TRUSTED_PROXIES))?;
    u8::try_from(hops)
        .ok()
        .and_then(NonZeroU8::new)
        .ok_or_else(|| OptionError::new("the number of trusted proxies is out of range".into()))
}

/// The longest a replay store may be waited for: an hour.
pub const MAX_STORE_TIMEOUT: Duration = Duration::from_secs(3600);

/// How long to wait for a replay store, in seconds: more than 0, at most an hour.
pub fn store_timeout(seconds: Number) -> Result<Duration, OptionError> {
    Duration::try_from_secs_f64(seconds.as_f64())
        .ok()
        .filter(|timeout| !timeout.is_zero() && *timeout <= MAX_STORE_TIMEOUT)
        .ok_or_else(|| {
            OptionError::new(alloc::format!(
                "the replay store timeout must be more than 0 and at most {} seconds, got {seconds}",
                MAX_STORE_TIMEOUT.as_secs()
            ))
        })
}

/// The levels a host's logger writes refusals at (SPEC.md §7.6), by the names its loggers give
/// their methods.
const LOG_LEVELS: [(&str, tracing::Level); 4] = [
    ("error", tracing::Level::ERROR),
    ("warn", tracing::Level::WARN),
    ("info", tracing::Level::INFO),
    ("debug", tracing::Level::DEBUG),
];

/// The level named `name`: `error`, `warn`, `info` or `debug`.
pub fn log_level(name: &str) -> Result<tracing::Level, OptionError> {
    LOG_LEVELS.iter().find(|(known, _)| *known == name).map(|&(_, level)| level).ok_or_else(|| {
        OptionError::new(alloc::format!(
            "the log level must be \"error\", \"warn\", \"info\" or \"debug\", got {name:?}"
        ))
    })
}

/// The name of `level` as [`log_level`] reads it (`trace`, which only Rust sets, is written
/// as `debug`: a host's logger may have no level below it).
fn log_level_name(level: tracing::Level) -> &'static str {
    LOG_LEVELS.iter().find(|&&(_, known)| known == level).map_or("debug", |&(name, _)| name)
}

/// The in-memory replay guard a receiver's `replay_protection` option asks for, holding
/// `capacity` ids ([`DEFAULT_MEMORY_CAPACITY`] when not given); `None` when not asked for.
pub fn memory_guard(
    enabled: bool,
    capacity: Option<Number>,
) -> Result<Option<Arc<MemoryReplayGuard>>, OptionError> {
    let capacity = capacity.map(replay_capacity).transpose()?.unwrap_or(DEFAULT_MEMORY_CAPACITY);
    Ok(enabled.then(|| Arc::new(MemoryReplayGuard::new(capacity))))
}

/// The options every front end takes, as a host hands them over (names in Python's
/// spelling; the JavaScript ones are their camelCase, as they deserialize with feature `serde`).
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(rename_all = "camelCase", default))]
#[non_exhaustive]
pub struct GateOptions {
    /// `url`: `sub` must be exactly this URL.
    #[cfg_attr(feature = "serde", serde(deserialize_with = "text"))]
    pub url: Option<String>,
    /// `public_base`: `sub` must be this origin plus the request's path and query.
    #[cfg_attr(feature = "serde", serde(deserialize_with = "text"))]
    pub public_base: Option<String>,
    /// `forwarded`: the proxy header family, `"forwarded"` or `"x-forwarded"` (a value of
    /// another type arrives as its text, to be refused with a message that says why).
    #[cfg_attr(feature = "serde", serde(deserialize_with = "text"))]
    pub forwarded: Option<String>,
    /// `trusted_proxies`: how many proxies append to the forwarded headers (default 1).
    pub trusted_proxies: Option<Number>,
    /// `check_url`: `false` skips the URL check.
    pub check_url: Option<bool>,
    /// `body_limit`: the largest body accepted, in bytes.
    pub body_limit: Option<Number>,
    /// `log_level`: the level refusals are logged at, for a host that logs them through a
    /// logger of its language (`"error"`, `"warn"`, `"info"` or `"debug"`; default `"warn"`).
    #[cfg_attr(feature = "serde", serde(deserialize_with = "text"))]
    pub log_level: Option<String>,
    /// `replayStore` (JavaScript): the settings of a replay store of the host's own, which
    /// the gate asks through [`Step::Ask`].
    pub replay_store: Option<StoreOptions>,
}

/// The settings of a host's own replay store, as its options give them.
#[derive(Debug, Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(rename_all = "camelCase", default))]
#[non_exhaustive]
pub struct StoreOptions {
    /// `timeoutMs`: how long to wait for an answer (default 1000, at most an hour).
    pub timeout_ms: Option<Number>,
    /// `failOpen`: accept unchecked when the store cannot answer (default: refuse with 503).
    pub fail_open: Option<bool>,
}

impl StoreOptions {
    /// The store these settings describe, each checked.
    pub fn host_store(&self) -> Result<HostStore, OptionError> {
        let timeout = match self.timeout_ms {
            Some(ms) => store_timeout(Number::Float(ms.as_f64() / 1000.0))?,
            None => Duration::from_secs(1),
        };
        Ok(HostStore { timeout, fail_open: self.fail_open.unwrap_or(false) })
    }
}

impl GateOptions {
    /// The URL policy the options name (SPEC.md §7.3): at most one of `url`, `public_base`,
    /// `forwarded` and `check_url = false`; path and query when none is given.
    pub fn url_policy(&self) -> Result<UrlPolicy, OptionError> {
        let skip = self.check_url == Some(false);
        let chosen = [self.url.is_some(), self.public_base.is_some(), self.forwarded.is_some(), skip];
        if chosen.iter().filter(|&&c| c).count() > 1 {
            return Err(OptionError::new(
                "choose one URL policy: url, public base, forwarded or no URL check".into(),
            ));
        }
        if self.trusted_proxies.is_some() && self.forwarded.is_none() {
            return Err(OptionError::new(
                "trusted proxies count the proxies of the forwarded URL policy: name the header \
                 family with forwarded too"
                    .into(),
            ));
        }
        Ok(match (&self.url, &self.public_base, &self.forwarded) {
            (Some(url), _, _) => UrlPolicy::Exact(url.clone()),
            (_, Some(base), _) => UrlPolicy::PublicBase(base.clone()),
            (_, _, Some(family)) => {
                let headers = ProxyHeaders::parse(family).ok_or_else(|| {
                    OptionError::new(alloc::format!(
                        "forwarded names the header family your proxy sets: \"forwarded\" (RFC 7239) \
                         or \"x-forwarded\" (X-Forwarded-Proto and X-Forwarded-Host), got {family:?}"
                    ))
                })?;
                let hops = self.trusted_proxies.map(trusted_proxies).transpose()?.unwrap_or(NonZeroU8::MIN);
                UrlPolicy::Forwarded { headers, hops }
            }
            _ if skip => UrlPolicy::Skip,
            _ => UrlPolicy::PathAndQuery,
        })
    }

    /// The gate over `receiver` these options describe, with the receiver's own in-memory
    /// replay guard (`replay_protection`) or a shared store's guard (`replay_guard`): one at
    /// most, since each would remember what the other does not.
    pub fn build(
        &self,
        receiver: SharedReceiver,
        receiver_guard: Option<Arc<MemoryReplayGuard>>,
        store_guard: Option<Arc<dyn ReplayGuard>>,
    ) -> Result<Gate, OptionError> {
        self.build_on(Gate::new(receiver), receiver_guard, store_guard)
    }

    /// [`GateOptions::build`] on a gate that already has its keys or reads them later
    /// ([`Gate::keys_later`]): the options are checked now either way.
    pub fn build_on(
        &self,
        gate: Gate,
        receiver_guard: Option<Arc<MemoryReplayGuard>>,
        store_guard: Option<Arc<dyn ReplayGuard>>,
    ) -> Result<Gate, OptionError> {
        let limit = self.body_limit.map(body_limit).transpose()?.unwrap_or(DEFAULT_BODY_LIMIT);
        let level = self.log_level.as_deref().map(log_level).transpose()?.unwrap_or(tracing::Level::WARN);
        let gate = gate.with_url_policy(self.url_policy()?).with_body_limit(limit).with_log_level(level);
        if let Some(store) = &self.replay_store {
            let store = store.host_store()?;
            if receiver_guard.is_some() || store_guard.is_some() {
                return Err(OptionError::new(
                    "give a replay store or another replay guard (replayGuard, replay protection), not \
                     both: each would remember what the other does not"
                        .into(),
                ));
            }
            return Ok(gate.with_host_store(store));
        }
        Ok(match (receiver_guard, store_guard) {
            (Some(_), Some(_)) => {
                return Err(OptionError::new(
                    "the receiver already has in-memory replay protection: give a replay guard or \
                     replay protection, not both"
                        .into(),
                ));
            }
            (Some(memory), None) => gate.with_replay_guard(memory),
            (None, Some(store)) => gate.with_replay_guard(store),
            (None, None) => gate,
        })
    }
}

/// A text option as JavaScript hands it over: a string, or the text of a number or a boolean,
/// which the option's own check then refuses with a message that shows it.
#[cfg(feature = "serde")]
fn text<'de, D: serde::Deserializer<'de>>(value: D) -> Result<Option<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Given {
        Text(String),
        Number(f64),
        Flag(bool),
    }
    Ok(<Option<Given> as serde::Deserialize>::deserialize(value)?.map(|given| match given {
        Given::Text(text) => text,
        Given::Number(number) => alloc::format!("{number}"),
        Given::Flag(flag) => alloc::format!("{flag}"),
    }))
}

/// The gate options of a JavaScript binding, read from its options object (camelCase names;
/// other members are left alone): a value of the wrong type is a `type` error naming the
/// option.
#[cfg(feature = "serde")]
pub fn options_from<'de, D: serde::Deserializer<'de>>(options: D) -> Result<GateOptions, HostError> {
    serde_path_to_error::deserialize(options).map_err(|error| HostError {
        code: "type",
        message: alloc::format!("the option {} has the wrong type: {}", error.path(), error.inner()),
        dev_key: false,
    })
}

/// The head of a request as a JavaScript binding hands it over: the values of
/// [`HEADERS_READ`](crate::HEADERS_READ) in that order (`None` when absent) and the original
/// target ([`original_target`]).
pub fn head_of_values(
    values: impl IntoIterator<Item = Option<String>>,
    target: &str,
) -> crate::IndexedHead<'static> {
    let mut head = crate::IndexedHead::new(original_target(target).into_owned());
    for (name, value) in crate::HEADERS_READ.iter().zip(values) {
        if let Some(value) = value {
            head.push(name, value.into_bytes().into());
        }
    }
    head
}

/// An AWS Lambda HTTP event through the gate in one call (SPEC.md §7): read from its JSON text,
/// its head verified and its body fed, so the binding only finishes the verification (or
/// answers the refusal). Gives the event's shape, for the answer, and the body bytes; an event
/// that is not an HTTP event is an error of the function, not a refusal.
#[cfg(feature = "lambda")]
pub fn lambda_event(gate: &Gate, event: &[u8]) -> Result<LambdaVerification, crate::lambda::EventError> {
    let request = crate::lambda::LambdaRequest::from_event(event)?;
    let mut head = crate::IndexedHead::new(request.target);
    for (name, value) in request.headers {
        head.push(&name, value.into());
    }
    let verification = Verification::begin(gate, head).and_then(|mut verification| {
        verification.update(&request.body)?;
        Ok(verification)
    });
    Ok(LambdaVerification { shape: request.shape, body: request.body, verification })
}

/// An AWS Lambda event through the gate ([`lambda_event`]).
#[cfg(feature = "lambda")]
#[derive(Debug)]
#[non_exhaustive]
pub struct LambdaVerification {
    /// The event's shape, which its answer takes.
    pub shape: crate::lambda::EventShape,
    /// The body bytes (decoded from base64 when the event says so).
    pub body: alloc::vec::Vec<u8>,
    /// The verification, its body fed, or the refusal of its head or body.
    pub verification: Result<Verification, alloc::boxed::Box<Refusal>>,
}

#[cfg(feature = "lambda")]
impl Refusal {
    /// The refusal as the proxy response (JSON text) of an event of `shape`.
    pub fn lambda_response(&self, shape: crate::lambda::EventShape) -> String {
        let headers: alloc::vec::Vec<(String, String)> =
            self.headers.iter().map(|&(name, value)| (name.into(), value.into())).collect();
        crate::lambda::proxy_response(shape, self.status, &headers, &self.body)
    }
}

/// The request target the URL policies compare, from what a host has: the raw target of the
/// request line (`/hook?x=1`), or an absolute URL (a fetch `Request`'s `url`, an absolute-form
/// request line), whose path and query it is. An empty target is `/`.
pub fn original_target(raw: &str) -> Cow<'_, str> {
    if raw.is_empty() {
        return Cow::Borrowed("/");
    }
    if raw.starts_with('/') {
        return Cow::Borrowed(raw);
    }
    path_and_query_of(raw).unwrap_or(Cow::Borrowed(raw))
}

/// The receiver a binding's `Receiver()` makes of the variables `lookup` reads (the keys of
/// SPEC.md §4.3, `QSTASH_DEV`), or why it cannot, in `language`'s words: what a gate given no
/// keys takes when a delivery arrives ([`Gate::keys_later`], SPEC.md §7.10).
pub fn receiver_from_variables(
    lookup: impl Fn(&str) -> Option<String>,
    language: Language,
) -> Result<qstash_core::Receiver, String> {
    qstash_core::Receiver::from_options(&qstash_core::ReceiverOptions::default(), lookup)
        .map_err(|e| HostError::from(e).in_language(language).message().to_owned())
}

/// Where a binding's gate given no keys reads them: the process environment, when a delivery
/// arrives ([`receiver_from_variables`]).
pub fn environment_keys(language: Language) -> crate::KeySource {
    Arc::new(move || receiver_from_variables(|name| std::env::var(name).ok(), language))
}

/// Everything a host answers and logs a refusal with (SPEC.md §7.2, §7.6).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct Refusal {
    /// 401, 413, 400 or 503.
    pub status: u16,
    /// The stable reason code.
    pub reason: &'static str,
    /// The `error` member of the body.
    pub error: &'static str,
    /// The response body, JSON text.
    pub body: String,
    /// The response headers, names in lower case.
    pub headers: &'static [(&'static str, &'static str)],
    /// The line to log: reason, message id and path; never the token, the keys or the query.
    pub log_message: String,
    /// The level to log it at: the gate's (`log_level` option, default `warn`).
    pub log_level: &'static str,
    /// The `Upstash-Message-Id`, as the gate reads it: absent when it is not visible ASCII
    /// (SPEC.md §7.4). For the outcome hooks; never a metric label.
    pub message_id: Option<String>,
    /// The outcome recorded, for outcome hooks of the host's language.
    pub outcome: OutcomeView,
    /// A line to log before the refusal's own: why the host's replay store could not answer.
    pub note: Option<LogLine>,
}

impl Gate {
    /// The refusal a host answers with, for a logger of its own (Python's `logging`, a Node
    /// logger); the signature-failure hook runs as it does for [`Gate::reject`].
    pub fn refusal(&self, rejection: &Rejection, head: &impl RequestHead) -> Refusal {
        let outcome = OutcomeView::from(&self.refused(rejection, head));
        Refusal {
            outcome,
            note: None,
            status: rejection.status(),
            reason: rejection.reason(),
            error: rejection.error(),
            body: rejection.json_body(),
            headers: rejection.headers(),
            log_message: self.log_line(rejection, head),
            log_level: log_level_name(self.log_level()),
            message_id: head.header_str("upstash-message-id").map(String::from),
        }
    }
}

/// The verified claims as every binding hands them over (SPEC.md §3.1): `iss`, `sub`, `jti`,
/// `exp`, `nbf`, `iat`, `key` (`"current"` or `"next"`) and `region` (whose key pair
/// verified, if a region's). It keeps the claims as the verifier made them, so handing them
/// over allocates nothing until a binding asks for a field.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimsView {
    claims: Claims,
    key: KeyUsed,
    region: Option<Region>,
}

impl ClaimsView {
    /// Always `"Upstash"`.
    pub fn iss(&self) -> &'static str {
        self.claims.iss
    }

    /// The destination URL QStash delivered to.
    pub fn sub(&self) -> &str {
        self.claims.sub()
    }

    /// The unique token id (`jwt_…`), when present.
    pub fn jti(&self) -> Option<&str> {
        self.claims.jti()
    }

    /// Expiry, Unix seconds.
    pub fn exp(&self) -> f64 {
        self.claims.exp
    }

    /// Not-before, Unix seconds.
    pub fn nbf(&self) -> f64 {
        self.claims.nbf
    }

    /// Issued-at, Unix seconds, when present.
    pub fn iat(&self) -> Option<f64> {
        self.claims.iat
    }

    /// `"current"` or `"next"`: which key matched.
    pub fn key(&self) -> &'static str {
        self.key.as_str()
    }

    /// The region whose key pair verified the token, when one did.
    pub fn region(&self) -> Option<&str> {
        self.region.as_ref().map(Region::as_str)
    }
}

impl From<Verified> for ClaimsView {
    fn from(verified: Verified) -> Self {
        ClaimsView { claims: verified.claims, key: verified.key, region: verified.region }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ClaimsView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut fields = serializer.serialize_struct("Claims", 8)?;
        fields.serialize_field("iss", self.iss())?;
        fields.serialize_field("sub", self.sub())?;
        fields.serialize_field("jti", &self.jti())?;
        fields.serialize_field("exp", &self.exp())?;
        fields.serialize_field("nbf", &self.nbf())?;
        fields.serialize_field("iat", &self.iat())?;
        fields.serialize_field("key", self.key())?;
        fields.serialize_field("region", &self.region())?;
        fields.end()
    }
}

/// A verified delivery as every binding hands it over: the claims and the (unsigned)
/// delivery headers (SPEC.md §7.5), `None` when absent or not valid. `region` is the
/// `Upstash-Region` header as sent; the region whose keys verified is `claims.region()`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct DeliveryView {
    /// The verified claims.
    pub claims: ClaimsView,
    /// `Upstash-Message-Id`.
    pub message_id: Option<String>,
    /// `Upstash-Retried`.
    pub retried: Option<u32>,
    /// `Upstash-Region` as sent.
    pub region: Option<String>,
    /// `Upstash-Schedule-Id`.
    pub schedule_id: Option<String>,
    /// `Upstash-Topic-Name` (URL group).
    pub topic_name: Option<String>,
}

impl From<Delivery> for DeliveryView {
    fn from(delivery: Delivery) -> Self {
        DeliveryView {
            claims: ClaimsView { claims: delivery.claims, key: delivery.key, region: delivery.region },
            message_id: delivery.message_id,
            retried: delivery.retried,
            region: delivery.region_header,
            schedule_id: delivery.schedule_id,
            topic_name: delivery.topic_name,
        }
    }
}

/// An error on its way into another language: the code its wrapper maps to an error class
/// and the message. A code of [`Rejection::reason_codes`] is a delivery that did not verify
/// (`SignatureError` in Python and JavaScript); `config` is a configuration that cannot work
/// (`ConfigError`): bad keys, a bad option value; `type` an option of the wrong type
/// (`TypeError`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct HostError {
    code: &'static str,
    message: String,
    /// The development keys were refused: the message ends with the way to opt in in code,
    /// which [`HostError::in_language`] words for the binding.
    #[cfg_attr(feature = "serde", serde(skip))]
    dev_key: bool,
}

/// The language of a binding, for the messages that name code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Python (`qstash_verify`).
    Python,
    /// JavaScript (`qstash-verify`, native and WebAssembly).
    JavaScript,
}

impl HostError {
    /// The code: a reason code, or `config`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The message, for people; never key material or the token.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether this is a delivery that did not verify (rather than a configuration error).
    pub fn is_verification(&self) -> bool {
        !matches!(self.code, "config" | "type")
    }

    /// The error as a binding in `language` shows it: a message naming code names it in that
    /// language (the development keys' opt-in: `Receiver.dev()`, `devMode: true`).
    #[must_use]
    pub fn in_language(mut self, language: Language) -> Self {
        if self.dev_key {
            let in_code = match language {
                Language::Python => "use Receiver.dev() / Signer.dev()",
                Language::JavaScript => "pass devMode: true (or use Receiver.dev() / Signer.dev())",
            };
            self.message = alloc::format!("{}{in_code}", qstash_core::DEV_KEYS_REFUSED);
        }
        self
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for HostError {}

impl From<VerifyError> for HostError {
    fn from(error: VerifyError) -> Self {
        HostError { code: error.reason(), message: error.to_string(), dev_key: false }
    }
}

impl From<ReplayError> for HostError {
    fn from(error: ReplayError) -> Self {
        HostError { code: error.reason(), message: error.to_string(), dev_key: false }
    }
}

impl From<ConfigError> for HostError {
    fn from(error: ConfigError) -> Self {
        HostError { code: error.reason(), message: error.to_string(), dev_key: error == ConfigError::DevKey }
    }
}

impl From<OptionError> for HostError {
    fn from(error: OptionError) -> Self {
        HostError { code: "config", message: error.message, dev_key: false }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qstash_core::Receiver;

    #[test]
    fn numbers_are_refused_rather_than_wrapped_truncated_or_clamped() {
        assert_eq!(body_limit(Number::Float(0.0)), Ok(0));
        assert_eq!(body_limit(Number::Float(5.0 * 1024.0 * 1024.0 * 1024.0)), Ok(5 << 30));
        assert_eq!(body_limit(Number::Int(1 << 32)), Ok(1 << 32));
        for bad in [
            Number::Float(f64::INFINITY),
            Number::Float(f64::NAN),
            Number::Float(-1.0),
            Number::Float(1.5),
            Number::Float(2f64.powi(53)),
            Number::Int(-1),
            Number::Int(i128::MAX),
        ] {
            let error = body_limit(bad).unwrap_err().to_string();
            assert!(error.starts_with("the body limit (bytes) must be a whole number from 0 to "), "{error}");
        }
        assert!(replay_capacity(Number::Int(0)).is_err());
        assert_eq!(replay_capacity(Number::Int(10)), Ok(10));
        assert!(replay_capacity(Number::Int(10_000_001)).is_err());
        assert!(clock_tolerance(Number::Float(-1.0)).is_err());
        assert_eq!(clock_tolerance(Number::Float(4_294_967_295.0)), Ok(u64::from(u32::MAX)));
        assert!(clock_tolerance(Number::Float(4_294_967_296.0)).is_err());
        assert!(trusted_proxies(Number::Int(0)).is_err());
        assert!(trusted_proxies(Number::Int(33)).is_err());
        assert_eq!(trusted_proxies(Number::Float(2.0)).map(NonZeroU8::get), Ok(2));
        assert_eq!(store_timeout(Number::Float(0.25)), Ok(Duration::from_millis(250)));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 3601.0] {
            assert!(store_timeout(Number::Float(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn gate_options_name_one_url_policy_and_say_what_is_wrong() {
        let options = |f: fn(&mut GateOptions)| {
            let mut options = GateOptions::default();
            f(&mut options);
            options.url_policy()
        };
        assert_eq!(options(|_| {}), Ok(UrlPolicy::PathAndQuery));
        assert_eq!(options(|o| o.check_url = Some(false)), Ok(UrlPolicy::Skip));
        assert_eq!(
            options(|o| o.public_base = Some("https://a".into())),
            Ok(UrlPolicy::PublicBase("https://a".into()))
        );
        assert_eq!(
            options(|o| o.forwarded = Some("x-forwarded".into())),
            Ok(UrlPolicy::forwarded(ProxyHeaders::XForwarded))
        );
        assert_eq!(
            options(|o| {
                o.forwarded = Some("forwarded".into());
                o.trusted_proxies = Some(Number::Float(2.0));
            }),
            Ok(UrlPolicy::Forwarded { headers: ProxyHeaders::Forwarded, hops: NonZeroU8::new(2).unwrap() })
        );
        let refused = [
            options(|o| {
                o.url = Some("u".into());
                o.check_url = Some(false);
            }),
            options(|o| {
                o.url = Some("u".into());
                o.public_base = Some("b".into());
            }),
            options(|o| o.forwarded = Some("1".into())),
            options(|o| o.trusted_proxies = Some(Number::Int(1))),
            options(|o| {
                o.forwarded = Some("forwarded".into());
                o.trusted_proxies = Some(Number::Float(-1.0));
            }),
        ];
        for error in refused {
            assert!(error.is_err(), "{error:?}");
        }
        let error = options(|o| o.forwarded = Some("1".into())).unwrap_err().to_string();
        assert!(error.contains("\"forwarded\" (RFC 7239) or \"x-forwarded\""), "{error}");
    }

    #[test]
    fn a_gate_takes_one_replay_guard_at_most() {
        let receiver = || SharedReceiver::new(Receiver::dev());
        let memory = memory_guard(true, None).unwrap();
        let store: Arc<dyn ReplayGuard> = Arc::new(MemoryReplayGuard::new(10));
        let options = GateOptions { body_limit: Some(Number::Int(7)), ..GateOptions::default() };
        let gate = options.build(receiver(), memory.clone(), None).unwrap();
        assert!(gate.has_replay_guard());
        assert_eq!(gate.body_limit(), 7);
        assert!(!options.build(receiver(), None, None).unwrap().has_replay_guard());
        assert!(options.build(receiver(), memory, Some(store)).is_err());
        assert_eq!(memory_guard(false, Some(Number::Int(5))).unwrap().map(|_| ()), None);
        assert!(memory_guard(true, Some(Number::Int(0))).is_err());
    }

    #[test]
    fn a_refusal_is_logged_at_the_level_the_options_name_warn_by_default() {
        let head = crate::IndexedHead::new("/h");
        let refused = |level: Option<&str>| {
            let options = GateOptions { log_level: level.map(String::from), ..GateOptions::default() };
            let gate = options.build(SharedReceiver::new(Receiver::dev()), None, None).unwrap();
            gate.refusal(&Rejection::BadBody, &head).log_level
        };
        assert_eq!(refused(None), "warn");
        for level in ["error", "warn", "info", "debug"] {
            assert_eq!(refused(Some(level)), level);
        }
        for bad in ["warning", "WARN", "trace", ""] {
            let options = GateOptions { log_level: Some(bad.into()), ..GateOptions::default() };
            let error = options.build(SharedReceiver::new(Receiver::dev()), None, None).unwrap_err();
            assert!(HostError::from(error).message().contains("the log level must be"), "{bad:?}");
        }
    }

    #[test]
    fn the_original_target_is_the_path_and_query_of_what_the_host_has() {
        assert_eq!(original_target("/a?b"), "/a?b");
        assert_eq!(original_target(""), "/");
        assert_eq!(original_target("https://h.example/a?b#c"), "/a?b");
        assert_eq!(original_target("http://h.example"), "/");
        assert_eq!(original_target("*"), "*");
    }

    #[test]
    fn host_errors_carry_the_reason_or_config() {
        assert_eq!(HostError::from(VerifyError::Expired).code(), "expired");
        assert_eq!(HostError::from(ReplayError::Replayed).code(), "replayed");
        let config = HostError::from(ConfigError::DevKey);
        assert_eq!(config.code(), "config");
        assert!(!config.is_verification());
        assert!(HostError::from(body_limit(Number::Int(-1)).unwrap_err()).message().contains("body limit"));
    }

    #[test]
    fn the_development_keys_opt_in_is_worded_in_each_language() {
        let refused = || HostError::from(ConfigError::DevKey);
        assert!(refused().message().ends_with("use Receiver::dev() / Signer::dev()"));
        let python = refused().in_language(Language::Python);
        assert!(
            python.message().contains("QSTASH_DEV=1")
                && python.message().ends_with("use Receiver.dev() / Signer.dev()")
        );
        let js = refused().in_language(Language::JavaScript).message().to_owned();
        assert!(js.contains("QSTASH_DEV=1") && js.contains("devMode: true") && !js.contains("::"));
        // Other errors keep their words.
        let empty = HostError::from(ConfigError::EmptyKey { which: "next" });
        assert_eq!(empty.clone().in_language(Language::Python), empty);
    }
}
