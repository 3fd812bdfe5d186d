//! [`Config`]: what a Rust framework's middleware and extractors carry.

use alloc::sync::Arc;
use core::fmt;

use qstash_core::{KeyPair, Receiver, SharedReceiver};
use tracing::Level;

use crate::outcome::Outcome;
use crate::replay::ReplayGuard;
use crate::{Gate, Rejection, UrlPolicy};

type Respond<R> = dyn Fn(&Rejection) -> R + Send + Sync;

/// The response a configuration builds for a refusal, set with [`Config::on_rejection`].
pub type Responder<R> = Arc<Respond<R>>;

/// Keys, URL policy, body limit, logging, replay guard and the response a refusal gets, in the
/// framework's response type `R`: `qstash_axum::QStashConfig` and `qstash_actix::QStashConfig`
/// are this type. Cheap to clone (one `Arc`); keys can be replaced at runtime through
/// [`Config::receiver`] without rebuilding the application.
///
/// ```
/// use qstash_core::Receiver;
/// use qstash_gate::{UrlPolicy, framework::Config};
///
/// let config: Config<String> = Config::new(Receiver::dev())
///     .url_policy(UrlPolicy::PublicBase("https://api.example.com".into()))
///     .body_limit(1024 * 1024)
///     .rejection_log_level(tracing::Level::INFO);
/// assert_eq!(config.limit(), 1024 * 1024);
/// ```
pub struct Config<R> {
    inner: Arc<Inner<R>>,
}

struct Inner<R> {
    gate: Gate,
    on_rejection: Option<Responder<R>>,
}

impl<R> Clone for Inner<R> {
    fn clone(&self) -> Self {
        Inner { gate: self.gate.clone(), on_rejection: self.on_rejection.clone() }
    }
}

impl<R> Clone for Config<R> {
    fn clone(&self) -> Self {
        Config { inner: Arc::clone(&self.inner) }
    }
}

impl<R> fmt::Debug for Config<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QStashConfig")
            .field("gate", &self.inner.gate)
            .field("on_rejection", &self.inner.on_rejection.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl<R> Config<R> {
    /// A configuration with the given keys, [`UrlPolicy::PathAndQuery`], a 10 MiB body limit
    /// and rejections logged at `WARN`.
    pub fn new(receiver: impl Into<SharedReceiver>) -> Self {
        Config { inner: Arc::new(Inner { gate: Gate::new(receiver), on_rejection: None }) }
    }

    /// Keys from `QSTASH_CURRENT_SIGNING_KEY` / `QSTASH_NEXT_SIGNING_KEY` (and regional keys),
    /// as [`Receiver::from_env`]; call it from your application's start-up (SPEC.md §7.10).
    pub fn from_env() -> Result<Self, qstash_core::ConfigError> {
        Receiver::from_env().map(Self::new)
    }

    fn with(mut self, change: impl FnOnce(&mut Inner<R>)) -> Self {
        // Builder calls happen before the config is shared, so this changes it in place.
        change(Arc::make_mut(&mut self.inner));
        self
    }

    fn with_gate(self, change: impl FnOnce(Gate) -> Gate) -> Self {
        self.with(|c| c.gate = change(c.gate.clone()))
    }

    /// How `sub` is matched against the request (default [`UrlPolicy::PathAndQuery`]).
    #[must_use]
    pub fn url_policy(self, policy: UrlPolicy) -> Self {
        self.with_gate(|gate| gate.with_url_policy(policy))
    }

    /// The largest body accepted, in bytes (default 10 MiB).
    #[must_use]
    pub fn body_limit(self, bytes: usize) -> Self {
        self.with_gate(|gate| gate.with_body_limit(bytes))
    }

    /// The `tracing` level rejections are logged at (default `WARN`).
    #[must_use]
    pub fn rejection_log_level(self, level: Level) -> Self {
        self.with_gate(|gate| gate.with_log_level(level))
    }

    /// Builds the response for a rejection (status, headers and body are yours to choose);
    /// the default is the middleware crate's `default_response`.
    #[must_use]
    pub fn on_rejection(self, respond: impl Fn(&Rejection) -> R + Send + Sync + 'static) -> Self {
        let respond: Responder<R> = Arc::new(respond);
        self.with(|c| c.on_rejection = Some(respond))
    }

    /// Calls `hook` whenever a delivery fails its signature check, e.g.
    /// `qstash_client::KeyRefresher::hook()` to reload the keys after a rotation.
    #[must_use]
    pub fn on_signature_failure(self, hook: impl Fn() + Send + Sync + 'static) -> Self {
        self.with_gate(|gate| gate.with_signature_failure_hook(hook))
    }

    /// Calls `hook` with the outcome of every delivery, accepted or refused, once each: the
    /// verdict, the reason, the key that verified it and the region (see
    /// [`crate::outcome`]). With the `metrics` feature the same outcomes are counted in
    /// `qstash_deliveries_total` without a hook.
    #[must_use]
    pub fn on_outcome(self, hook: impl Fn(&Outcome<'_>) + Send + Sync + 'static) -> Self {
        self.with_gate(|gate| gate.with_outcome_hook(hook))
    }

    /// Refuses replays of a delivery already accepted (reason `replayed`): a
    /// [`MemoryReplayGuard`](crate::replay::MemoryReplayGuard) for one instance, a
    /// `RedisReplayGuard` (feature `redis`) for several. A store that cannot answer refuses
    /// with 503 `replay_store_unavailable` unless it fails open.
    #[must_use]
    pub fn replay_guard(self, guard: impl ReplayGuard + 'static) -> Self {
        self.with_gate(|gate| gate.with_replay_guard(guard))
    }

    /// The shared receiver: replace keys on it at runtime and every request that starts
    /// afterwards verifies with them.
    pub fn receiver(&self) -> &SharedReceiver {
        self.inner.gate.receiver()
    }

    /// Shorthand for `config.receiver().replace_keys(keys)` (key rotation).
    pub fn replace_keys(&self, keys: KeyPair) {
        self.receiver().replace_keys(keys);
    }

    /// The configured body limit.
    pub fn limit(&self) -> usize {
        self.inner.gate.body_limit()
    }

    /// The framework-neutral checks this configuration runs.
    pub fn gate(&self) -> &Gate {
        &self.inner.gate
    }

    /// The response for a rejection: the one set with [`Config::on_rejection`], else
    /// `default`. The rejection was logged when it was made ([`super::verify_delivery`]).
    pub fn respond(&self, rejection: &Rejection, default: fn(&Rejection) -> R) -> R {
        match &self.inner.on_rejection {
            Some(respond) => respond(rejection),
            None => default(rejection),
        }
    }

    /// The responder set with [`Config::on_rejection`], for an error type that answers later.
    pub fn responder(&self) -> Option<Responder<R>> {
        self.inner.on_rejection.clone()
    }
}

impl<R> From<Receiver> for Config<R> {
    fn from(receiver: Receiver) -> Self {
        Self::new(receiver)
    }
}

impl<R> From<SharedReceiver> for Config<R> {
    fn from(receiver: SharedReceiver) -> Self {
        Self::new(receiver)
    }
}
