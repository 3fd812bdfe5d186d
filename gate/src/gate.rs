//! [`Gate`]: the order of checks every middleware runs, with its configuration.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::fmt;
use core::future::Future;
use core::pin::Pin;

use tracing::Level;

use super::{Delivery, ExpectedSubject, Rejection, RequestHead, UrlPolicy, subject_matches_target};
use crate::keys_later::{FIX, KeySource, KeysLater};
use crate::outcome::{Outcome, OutcomeHook, Verdict, emit};
use crate::replay::{ReplayGuard, replay_key};
use qstash_core::{BodyHasher, Claims, Request, SharedReceiver, VerifiedToken, VerifyError};

/// Bodies larger than this are refused with 413 unless configured otherwise (10 MiB).
pub const DEFAULT_BODY_LIMIT: usize = 10 * 1024 * 1024;

/// Keys, URL policy, body limit, replay guard and rejection log level, and the sequence of
/// checks that uses them (SPEC.md §7.1).
///
/// The steps, in order: [`Gate::verify_head`] before any of the body is read (signature,
/// claims, URL, declared length) gives a [`Pending`]; the adapter feeds it the body chunk by
/// chunk ([`Pending::update`] refuses past the limit); [`Gate::finish`] compares the hash,
/// parses the delivery headers and records the outcome; [`Gate::replay_check`], when a guard is set, is awaited
/// last. Every refusal goes through [`Gate::reject`], which logs it.
#[derive(Clone)]
pub struct Gate {
    receiver: SharedReceiver,
    url_policy: UrlPolicy,
    body_limit: usize,
    log_level: Level,
    on_signature_failure: Option<Arc<dyn Fn() + Send + Sync>>,
    on_outcome: Option<OutcomeHook>,
    replay_guard: Option<Arc<dyn ReplayGuard>>,
    keys_later: Option<Arc<KeysLater>>,
    host_store: Option<crate::bindings::HostStore>,
}

/// The replay check of one delivery, owned so a middleware future can hold it.
pub type ReplayCheck = Pin<Box<dyn Future<Output = Result<(), Rejection>> + Send + 'static>>;

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gate")
            .field("receiver", &self.receiver)
            .field("url_policy", &self.url_policy)
            .field("body_limit", &self.body_limit)
            .field("log_level", &self.log_level)
            .field("on_signature_failure", &self.on_signature_failure.as_ref().map(|_| "set"))
            .field("on_outcome", &self.on_outcome.as_ref().map(|_| "set"))
            .field("replay_guard", &self.replay_guard.as_ref().map(|_| "set"))
            .field("host_store", &self.host_store)
            .field(
                "keys_later",
                &self.keys_later.as_ref().map(|later| if later.wanted() { "wanted" } else { "read" }),
            )
            .finish()
    }
}

impl Gate {
    /// A gate with the given keys, [`UrlPolicy::PathAndQuery`], a 10 MiB body limit and
    /// rejections logged at `WARN`.
    pub fn new(receiver: impl Into<SharedReceiver>) -> Self {
        Gate {
            receiver: receiver.into(),
            url_policy: UrlPolicy::default(),
            body_limit: DEFAULT_BODY_LIMIT,
            log_level: Level::WARN,
            on_signature_failure: None,
            on_outcome: None,
            replay_guard: None,
            keys_later: None,
            host_store: None,
        }
    }

    /// A gate that is given no keys: it reads them through `source` when a delivery arrives
    /// (SPEC.md §7.10), and until it can, refuses every delivery with `no_keys`, its log line
    /// saying why and how to fix it; each delivery asks again. With `source` `None` the host
    /// offers the keys itself before each delivery ([`Gate::offer_keys`]), as a runtime whose
    /// environment only its own language can read does.
    pub fn keys_later(source: Option<KeySource>) -> Self {
        let mut gate = Gate::new(qstash_core::Receiver::without_keys());
        gate.keys_later = Some(Arc::new(KeysLater::new(source)));
        gate
    }

    /// Whether this gate still waits for its keys ([`Gate::keys_later`]).
    pub fn wants_keys(&self) -> bool {
        self.keys_later.as_ref().is_some_and(|later| later.wanted())
    }

    /// The keys a host read for a gate that waits for them (or why it could not), when its
    /// source is the host's ([`Gate::keys_later`] with `None`). Ignored once keys were read.
    pub fn offer_keys(&self, made: Result<qstash_core::Receiver, alloc::string::String>) {
        if let Some(later) = self.keys_later.as_ref().filter(|later| later.wanted()) {
            later.offer(&self.receiver, made);
        }
    }

    /// Refuses a delivery whose signed `jti` was already accepted (reason `replayed`, 401),
    /// checked after everything else verified. With a shared store (Redis) a replay is caught
    /// by any instance; a store that cannot answer refuses the delivery with 503
    /// (`replay_store_unavailable`) unless the store is set to fail open.
    #[must_use]
    pub fn with_replay_guard(mut self, guard: impl ReplayGuard + 'static) -> Self {
        self.replay_guard = Some(Arc::new(guard));
        self
    }

    /// Whether a replay guard is set.
    pub fn has_replay_guard(&self) -> bool {
        self.replay_guard.is_some()
    }

    /// Whether the replay check has to wait for a store (Redis) rather than answer at once.
    pub(crate) fn replay_waits(&self) -> bool {
        self.replay_guard.as_ref().is_some_and(|guard| !guard.answers_at_once())
    }

    /// The replay check for a verified delivery, or `None` without a guard. Resolves to the
    /// rejection when the delivery is a replay or the store cannot answer (pass it to
    /// [`Gate::reject`] to log it), and records the delivery as accepted when it passes.
    pub fn replay_check(&self, delivery: &Delivery) -> Option<ReplayCheck> {
        let check = self.replay_check_unrecorded(delivery)?;
        let (hook, signed_with, region) = (self.on_outcome.clone(), delivery.key, delivery.region);
        let message_id = delivery.message_id.clone();
        Some(Box::pin(async move {
            check.await?;
            record(hook.as_ref(), &accepted_outcome(signed_with, region.as_ref(), message_id.as_deref()));
            Ok(())
        }))
    }

    /// [`Gate::replay_check`] without the record, for a caller that records the outcome itself.
    pub(crate) fn replay_check_unrecorded(&self, delivery: &Delivery) -> Option<ReplayCheck> {
        let guard = self.replay_guard.clone()?;
        let key = replay_key(&delivery.claims, self.receiver.load().clock_tolerance())
            .map(|(jti, exp)| (alloc::string::String::from(jti), exp));
        Some(Box::pin(async move {
            let (jti, expires_at) = key.map_err(Rejection::from)?;
            guard.check_and_remember(&jti, expires_at).await.map_err(Rejection::from)
        }))
    }

    /// Calls `hook` with the outcome of every delivery, accepted or refused, once each (the
    /// bindings' `on_outcome` / `onOutcome`). It runs on the request's task: keep it short.
    #[must_use]
    pub fn with_outcome_hook(mut self, hook: impl Fn(&Outcome<'_>) + Send + Sync + 'static) -> Self {
        self.on_outcome = Some(Arc::new(hook));
        self
    }

    /// SPEC.md §3 step 9 on everything fed to the [`Pending`], then the delivery headers of
    /// `head`, parsed once (a bad value is absent, never an error), recording the delivery as
    /// accepted when no replay check follows (with a replay guard, [`Gate::replay_check`]
    /// records it once it passes): every accepted delivery is counted.
    pub fn finish(&self, pending: Pending, head: &impl RequestHead) -> Result<Delivery, Rejection> {
        let delivery = pending.finish(head)?;
        if self.replay_guard.is_none() {
            self.accepted(&delivery);
        }
        Ok(delivery)
    }

    /// Records `delivery` as accepted (the hook, `tracing`, the metrics) and hands back the
    /// outcome recorded.
    pub(crate) fn accepted<'d>(&self, delivery: &'d Delivery) -> Outcome<'d> {
        let outcome =
            accepted_outcome(delivery.key, delivery.region.as_ref(), delivery.message_id.as_deref());
        record(self.on_outcome.as_ref(), &outcome);
        outcome
    }

    /// Calls `hook` whenever a delivery fails its signature check (reason `signature`), e.g.
    /// `qstash_client::KeyRefresher::hook` to reload the keys after a rotation.
    #[must_use]
    pub fn with_signature_failure_hook(mut self, hook: impl Fn() + Send + Sync + 'static) -> Self {
        self.on_signature_failure = Some(Arc::new(hook));
        self
    }

    /// How `sub` is matched against the request.
    #[must_use]
    pub fn with_url_policy(mut self, policy: UrlPolicy) -> Self {
        self.url_policy = policy;
        self
    }

    /// The largest body accepted, in bytes.
    #[must_use]
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The `tracing` level rejections are logged at.
    #[must_use]
    pub fn with_log_level(mut self, level: Level) -> Self {
        self.log_level = level;
        self
    }

    /// The shared receiver: replace keys on it at runtime and every request that starts
    /// afterwards verifies with them.
    pub fn receiver(&self) -> &SharedReceiver {
        &self.receiver
    }

    /// The URL policy.
    pub fn url_policy(&self) -> &UrlPolicy {
        &self.url_policy
    }

    /// The body limit in bytes.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// The level rejections are logged at.
    pub fn log_level(&self) -> Level {
        self.log_level
    }

    /// SPEC.md §3 steps 1–8 plus the URL policy and the declared `Content-Length`, from the
    /// request head alone: nothing of the body is needed, so an unauthenticated request is
    /// refused before any of it is read. The rejection is not logged yet: pass it to
    /// [`Gate::reject`].
    pub fn verify_head(&self, head: &impl RequestHead) -> Result<Pending, Rejection> {
        self.verify_head_at(head, qstash_core::clock::now())
    }

    /// [`Gate::verify_head`] at an explicit time (Unix seconds).
    pub fn verify_head_at(&self, head: &impl RequestHead, now: i64) -> Result<Pending, Rejection> {
        if let Some(later) = &self.keys_later {
            later.ask(&self.receiver);
        }
        #[cfg(feature = "metrics")]
        let started = std::time::Instant::now();
        let token = self.verify_token_at(head, now);
        #[cfg(feature = "metrics")]
        metrics::histogram!(crate::outcome::VERIFY_SECONDS).record(started.elapsed().as_secs_f64());
        let token = token?;
        self.check_declared_length(head)?;
        Ok(Pending::new(token, self.body_limit))
    }

    fn verify_token_at(&self, head: &impl RequestHead, now: i64) -> Result<VerifiedToken, Rejection> {
        let check = self.url_policy.expected_subject(head);
        let mut request = Request::from_header(head.header("upstash-signature"), &[]);
        if let ExpectedSubject::Exact(url) = &check {
            request = request.url(url);
        }
        if let Some(region) = head.header_str("upstash-region") {
            request = request.region(region);
        }
        let verified = self.receiver.verify_token_at(&request, now).map_err(Rejection::Unauthorized)?;
        let subject_ok = match &check {
            ExpectedSubject::PathAndQuery(expected) => {
                subject_matches_target(verified.claims().sub(), expected)
            }
            ExpectedSubject::Unmatchable => false,
            ExpectedSubject::Exact(_) | ExpectedSubject::Skip => true,
        };
        if !subject_ok {
            return Err(Rejection::Unauthorized(VerifyError::Subject));
        }
        Ok(verified)
    }

    /// 413 when the declared `Content-Length` is already over the limit. A value that is not
    /// a length is left to the server, which frames the body.
    fn check_declared_length(&self, head: &impl RequestHead) -> Result<(), Rejection> {
        let declared = head.header("content-length").and_then(parse_length);
        match declared {
            Some(len) if len > self.body_limit as u64 => {
                Err(Rejection::PayloadTooLarge { limit: self.body_limit })
            }
            _ => Ok(()),
        }
    }

    /// The replay store of a host's own (a JavaScript `replayStore`) that
    /// [`bindings::Verification`](crate::bindings::Verification) asks, when one was configured.
    pub(crate) fn host_store(&self) -> Option<crate::bindings::HostStore> {
        self.host_store
    }

    pub(crate) fn with_host_store(mut self, store: crate::bindings::HostStore) -> Self {
        self.host_store = Some(store);
        self
    }

    /// The line a refusal is logged with: the reason, the (unsigned) `Upstash-Message-Id` and
    /// the request path, never the token, the keys or the query. For hosts that log through
    /// their own logger (Python's `logging`, a Node logger); [`Gate::log_rejection`] sends the
    /// same fields to `tracing`.
    pub fn log_line(&self, rejection: &Rejection, head: &impl RequestHead) -> alloc::string::String {
        let (reason, message_id, path) = log_fields(rejection, head);
        let line =
            alloc::format!("QStash delivery rejected: reason={reason} message_id={message_id} path={path}");
        match self.keys_missing(rejection) {
            Some(why) => alloc::format!("{line}: the signing keys cannot be read ({why}): {FIX}"),
            None => line,
        }
    }

    /// Why a `no_keys` refusal happened, when it is because the keys could not be read.
    fn keys_missing(&self, rejection: &Rejection) -> Option<alloc::string::String> {
        match rejection {
            Rejection::Unauthorized(VerifyError::NoKeys) => self.keys_later.as_ref()?.why_missing(),
            _ => None,
        }
    }

    /// Logs a refusal and hands it back, so an adapter answers with what was logged.
    pub fn reject(&self, rejection: Rejection, head: &impl RequestHead) -> Rejection {
        self.log_rejection(&rejection, head);
        rejection
    }

    /// What happens to every refusal whichever way it is logged: its outcome is recorded (and
    /// handed back), and a `signature` refusal calls the signature-failure hook.
    pub(crate) fn refused<'h>(&self, rejection: &Rejection, head: &'h impl RequestHead) -> Outcome<'h> {
        let outcome = Outcome {
            verdict: Verdict::Rejected,
            reason: rejection.reason(),
            key: None,
            region: None,
            message_id: head.header_str("upstash-message-id"),
        };
        record(self.on_outcome.as_ref(), &outcome);
        if let (Rejection::Unauthorized(VerifyError::Signature), Some(hook)) =
            (rejection, &self.on_signature_failure)
        {
            hook();
        }
        outcome
    }

    /// Logs a rejection to `tracing` at the configured level with its reason, the (unsigned)
    /// `Upstash-Message-Id` and the request path (and, when the keys cannot be read, why and
    /// how to fix it: SPEC.md §7.10); never the token, the keys or the query.
    /// A `signature` refusal also calls the signature-failure hook.
    pub fn log_rejection(&self, rejection: &Rejection, head: &impl RequestHead) {
        self.refused(rejection, head);
        let (reason, message_id, path) = log_fields(rejection, head);
        let missing = self.keys_missing(rejection);
        // tracing's macros take their level as a token, so each level is spelled once here.
        macro_rules! at {
            ($level:ident) => {
                match missing.as_deref() {
                    Some(why) => tracing::$level!(
                        reason,
                        message_id,
                        path,
                        why,
                        fix = FIX,
                        "QStash delivery rejected: the signing keys cannot be read"
                    ),
                    None => tracing::$level!(reason, message_id, path, "QStash delivery rejected"),
                }
            };
        }
        match self.log_level {
            Level::ERROR => at!(error),
            Level::WARN => at!(warn),
            Level::INFO => at!(info),
            Level::DEBUG => at!(debug),
            Level::TRACE => at!(trace),
        }
    }
}

/// The outcome of an accepted delivery.
fn accepted_outcome<'a>(
    key: qstash_core::KeyUsed,
    region: Option<&'a qstash_core::Region>,
    message_id: Option<&'a str>,
) -> Outcome<'a> {
    Outcome { verdict: Verdict::Accepted, reason: "none", key: Some(key), region, message_id }
}

/// Sends an outcome to `tracing`, the metrics and the hook.
fn record(hook: Option<&OutcomeHook>, outcome: &Outcome<'_>) {
    emit(outcome);
    if let Some(hook) = hook {
        hook(outcome);
    }
}

/// What a refusal is logged with: reason, message id (`-` when absent), path without query.
fn log_fields<'h>(rejection: &Rejection, head: &'h impl RequestHead) -> (&'static str, &'h str, &'h str) {
    let message_id = head.header_str("upstash-message-id").unwrap_or("-");
    let target = head.path_and_query();
    let path = target.split_once('?').map_or(target, |(path, _)| path);
    (rejection.reason(), message_id, path)
}

/// A `Content-Length` value as a number: ASCII digits only, at most 19 of them (so it fits a
/// `u64` without overflow checks).
fn parse_length(value: &[u8]) -> Option<u64> {
    let digits = value.trim_ascii();
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(digits.iter().fold(0, |n, &d| n * 10 + u64::from(d - b'0')))
}

/// A delivery whose token verified, waiting for its body: feed it every chunk as it arrives,
/// then [`Gate::finish`]. The body limit is enforced here, so no adapter can forget it.
pub struct Pending {
    // Boxed: the token and the hash state are a few hundred bytes, and a pending delivery is
    // moved through several futures while its body streams in; moving a pointer is cheaper
    // than copying them at every step.
    state: Box<PendingState>,
}

struct PendingState {
    token: VerifiedToken,
    hasher: BodyHasher,
    limit: usize,
    received: usize,
}

impl fmt::Debug for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending")
            .field("claims", self.state.token.claims())
            .field("limit", &self.state.limit)
            .field("received", &self.state.received)
            .finish_non_exhaustive()
    }
}

impl Pending {
    fn new(token: VerifiedToken, limit: usize) -> Self {
        let hasher = token.body_hasher();
        Pending { state: Box::new(PendingState { token, hasher, limit, received: 0 }) }
    }

    /// Hashes the next chunk of the body; 413 once the body has grown past the limit (the
    /// caller stops reading then).
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), Rejection> {
        let state = &mut *self.state;
        state.received = state.received.saturating_add(chunk.len());
        if state.received > state.limit {
            return Err(Rejection::PayloadTooLarge { limit: state.limit });
        }
        state.hasher.update(chunk);
        Ok(())
    }

    /// How many body bytes [`Pending::update`] has taken.
    pub fn received(&self) -> usize {
        self.state.received
    }

    /// The largest body accepted, in bytes.
    pub fn limit(&self) -> usize {
        self.state.limit
    }

    /// The verified claims (the body is not checked yet).
    pub fn claims(&self) -> &Claims {
        self.state.token.claims()
    }

    /// The hash and the delivery headers, with no outcome recorded: [`Gate::finish`] is the
    /// way in, so no front end can skip the record.
    pub(crate) fn finish(self, head: &impl RequestHead) -> Result<Delivery, Rejection> {
        let PendingState { token, hasher, .. } = *self.state;
        let verified = hasher.verify(token).map_err(Rejection::Unauthorized)?;
        Ok(Delivery::new(verified, head))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IndexedHead;
    use qstash_core::{Receiver, Signer};

    fn head<'a, const N: usize>(target: &'a str, headers: [(&'a str, &'a [u8]); N]) -> IndexedHead<'a> {
        IndexedHead::from_headers(target, headers)
    }

    #[test]
    fn a_declared_length_over_the_limit_is_refused_after_the_token_verified() {
        let gate = Gate::new(Receiver::dev()).with_body_limit(10);
        let token = Signer::dev().token("https://a.example/h", b"").sign();
        let over = head("/h", [("upstash-signature", token.as_bytes()), ("content-length", b"11")]);
        assert_eq!(gate.verify_head(&over).unwrap_err(), Rejection::PayloadTooLarge { limit: 10 });
        // Without a valid token the reason is the token's, whatever the length.
        let unsigned = head("/h", [("content-length", b"11")]);
        assert_eq!(gate.verify_head(&unsigned).unwrap_err(), Rejection::Unauthorized(VerifyError::Missing));
        let within = head("/h", [("upstash-signature", token.as_bytes()), ("content-length", b"10")]);
        assert!(gate.verify_head(&within).is_ok());
    }

    #[test]
    fn a_gate_given_no_keys_refuses_no_keys_until_its_source_has_them_then_keeps_them() {
        let available = Arc::new(std::sync::Mutex::new(false));
        let source_state = Arc::clone(&available);
        let gate = Gate::keys_later(Some(Arc::new(move || {
            if *source_state.lock().unwrap() {
                Ok(Receiver::dev())
            } else {
                Err("QSTASH_CURRENT_SIGNING_KEY is not set".into())
            }
        })));
        let token = Signer::dev().token("https://a.example/h", b"").sign();
        let signed = head("/h", [("upstash-signature", token.as_bytes()), ("upstash-message-id", b"m1")]);
        assert!(gate.wants_keys());
        let refused = gate.verify_head(&signed).unwrap_err();
        assert_eq!(refused.reason(), "no_keys");
        let line = gate.log_line(&refused, &signed);
        assert!(
            line.contains("reason=no_keys") && line.contains("QSTASH_CURRENT_SIGNING_KEY is not set"),
            "{line}"
        );
        assert!(line.contains("QSTASH_DEV=1"), "{line}");
        // The keys arrive: the next delivery reads them, no restart.
        *available.lock().unwrap() = true;
        assert!(gate.verify_head(&signed).is_ok());
        assert!(!gate.wants_keys());
        // Read once: a source that fails afterwards changes nothing.
        *available.lock().unwrap() = false;
        assert!(gate.verify_head(&signed).is_ok());
        // Another refusal's line says nothing about keys.
        let unsigned = head("/h", []);
        assert!(
            !gate.log_line(&gate.verify_head(&unsigned).unwrap_err(), &unsigned).contains("signing keys")
        );
    }

    #[test]
    fn keys_offered_by_the_host_are_taken_once() {
        let gate = Gate::keys_later(None);
        let token = Signer::dev().token("https://a.example/h", b"").sign();
        let signed = head("/h", [("upstash-signature", token.as_bytes())]);
        gate.offer_keys(Err("no environment".into()));
        assert_eq!(gate.verify_head(&signed).unwrap_err().reason(), "no_keys");
        gate.offer_keys(Ok(Receiver::dev()));
        assert!(gate.verify_head(&signed).is_ok());
        gate.offer_keys(Ok(Receiver::new("sig_other", "sig_other2").unwrap()));
        assert!(gate.verify_head(&signed).is_ok(), "keys read once are kept");
    }

    #[test]
    fn path_and_query_policy_refuses_a_token_for_another_route() {
        let gate = Gate::new(Receiver::dev());
        let token = Signer::dev().token("https://a.example/h?x=1", b"").sign();
        let other = head("/h?x=2", [("upstash-signature", token.as_bytes())]);
        assert_eq!(gate.verify_head(&other).unwrap_err().reason(), "subject");
        let same = head("/h?x=1", [("upstash-signature", token.as_bytes())]);
        assert!(gate.verify_head(&same).is_ok());
    }
}
