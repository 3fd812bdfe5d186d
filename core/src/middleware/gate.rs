//! [`Gate`]: the order of checks every middleware runs, with its configuration.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::fmt;
use core::future::Future;
use core::pin::Pin;

use tracing::Level;

use super::{Delivery, ExpectedSubject, Rejection, RequestHead, UrlPolicy, subject_matches_target};
use crate::replay::{ReplayGuard, replay_key};
use crate::{Request, SharedReceiver, Verified, VerifiedToken, VerifyError};

/// Bodies larger than this are refused with 413 unless configured otherwise (10 MiB).
pub const DEFAULT_BODY_LIMIT: usize = 10 * 1024 * 1024;

/// Keys, URL policy, body limit and rejection log level, and the checks that use them.
///
/// The steps, in order: [`Gate::verify_head`] before any of the body is read (signature,
/// claims, URL, declared length); the adapter streams the body into
/// [`VerifiedToken::body_hasher`] up to [`Gate::body_limit`]; [`BodyHasher::verify`]
/// compares the hash; [`Gate::delivery`] builds what the handler sees. Every refusal goes
/// through [`Gate::log_rejection`].
///
/// [`BodyHasher::verify`]: crate::BodyHasher::verify
#[derive(Clone)]
pub struct Gate {
    receiver: SharedReceiver,
    url_policy: UrlPolicy,
    body_limit: usize,
    log_level: Level,
    on_signature_failure: Option<Arc<dyn Fn() + Send + Sync>>,
    replay_guard: Option<Arc<dyn ReplayGuard>>,
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
            .field("replay_guard", &self.replay_guard.as_ref().map(|_| "set"))
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
            replay_guard: None,
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

    /// The replay check for a verified delivery, or `None` without a guard. Resolves to the
    /// rejection (logged) when the delivery is a replay or the store cannot answer.
    pub fn replay_check(&self, verified: &Verified) -> Option<ReplayCheck> {
        let guard = self.replay_guard.clone()?;
        let key = replay_key(verified, self.receiver.load().clock_tolerance())
            .map(|(jti, exp)| (alloc::string::String::from(jti), exp));
        Some(Box::pin(async move {
            let (jti, expires_at) = key.map_err(Rejection::from)?;
            guard.check_and_remember(&jti, expires_at).await.map_err(Rejection::from)
        }))
    }

    /// Calls `hook` whenever a delivery fails its signature check (reason `signature`), e.g.
    /// `KeyRefresher::hook` (feature `client`) to reload the keys after a rotation.
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
    /// refused before any of it is read.
    pub fn verify_head(&self, head: &impl RequestHead) -> Result<VerifiedToken, Rejection> {
        self.verify_head_at(head, crate::clock::now())
    }

    /// [`Gate::verify_head`] at an explicit time (Unix seconds).
    pub fn verify_head_at(&self, head: &impl RequestHead, now: i64) -> Result<VerifiedToken, Rejection> {
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
        self.check_declared_length(head)?;
        Ok(verified)
    }

    /// 413 when the declared `Content-Length` is already over the limit.
    fn check_declared_length(&self, head: &impl RequestHead) -> Result<(), Rejection> {
        let declared = head.header_str("content-length").and_then(|v| v.parse::<u64>().ok());
        match declared {
            Some(len) if len > self.body_limit as u64 => {
                Err(Rejection::PayloadTooLarge { limit: self.body_limit })
            }
            _ => Ok(()),
        }
    }

    /// What the handler sees of a verified delivery.
    pub fn delivery(&self, verified: Verified, head: &impl RequestHead) -> Delivery {
        Delivery::new(verified, head)
    }

    /// Logs a rejection at the configured level with its reason, the (unsigned)
    /// `Upstash-Message-Id` and the request path; never the token or keys.
    pub fn log_rejection(&self, rejection: &Rejection, head: &impl RequestHead) {
        if let (Rejection::Unauthorized(VerifyError::Signature), Some(hook)) =
            (rejection, &self.on_signature_failure)
        {
            hook();
        }
        let message_id = head.header_str("upstash-message-id").unwrap_or("-");
        let reason = rejection.reason();
        let target = head.path_and_query();
        let path = target.split_once('?').map_or(target, |(path, _)| path);
        match self.log_level {
            Level::ERROR => tracing::error!(reason, message_id, path, "QStash delivery rejected"),
            Level::WARN => tracing::warn!(reason, message_id, path, "QStash delivery rejected"),
            Level::INFO => tracing::info!(reason, message_id, path, "QStash delivery rejected"),
            Level::DEBUG => tracing::debug!(reason, message_id, path, "QStash delivery rejected"),
            Level::TRACE => tracing::trace!(reason, message_id, path, "QStash delivery rejected"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Receiver, Signer};

    struct Head<'a>(&'a str, &'a [(&'a str, &'a [u8])]);

    impl RequestHead for Head<'_> {
        fn header(&self, name: &str) -> Option<&[u8]> {
            self.1.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
        }
        fn path_and_query(&self) -> &str {
            self.0
        }
    }

    #[test]
    fn a_declared_length_over_the_limit_is_refused_after_the_token_verified() {
        let gate = Gate::new(Receiver::dev()).with_body_limit(10);
        let token = Signer::dev().token("https://a.example/h", b"").sign();
        let over = Head("/h", &[("upstash-signature", token.as_bytes()), ("content-length", b"11")]);
        assert_eq!(gate.verify_head(&over).unwrap_err(), Rejection::PayloadTooLarge { limit: 10 });
        // Without a valid token the reason is the token's, whatever the length.
        let unsigned = Head("/h", &[("content-length", b"11")]);
        assert_eq!(gate.verify_head(&unsigned).unwrap_err(), Rejection::Unauthorized(VerifyError::Missing));
        let within = Head("/h", &[("upstash-signature", token.as_bytes()), ("content-length", b"10")]);
        assert!(gate.verify_head(&within).is_ok());
    }

    #[test]
    fn path_and_query_policy_refuses_a_token_for_another_route() {
        let gate = Gate::new(Receiver::dev());
        let token = Signer::dev().token("https://a.example/h?x=1", b"").sign();
        let other = Head("/h?x=2", &[("upstash-signature", token.as_bytes())]);
        assert_eq!(gate.verify_head(&other).unwrap_err().reason(), "subject");
        let same = Head("/h?x=1", &[("upstash-signature", token.as_bytes())]);
        assert!(gate.verify_head(&same).is_ok());
    }
}
