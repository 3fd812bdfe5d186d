//! [`QStashConfig`]: keys, URL policy, body limit, logging and rejection responses, shared by
//! the middleware and the extractors.

use std::fmt;
use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use qstash_core::{KeyPair, Receiver, SharedReceiver};
use qstash_gate::{Gate, Rejection, UrlPolicy};
use tracing::Level;

use crate::error::{QStashError, RejectionResponder};
use crate::head::head;

/// Everything the middleware and the extractors need. Cheap to clone (one `Arc`); keys can be
/// replaced at runtime through [`QStashConfig::receiver`] without restarting the server.
///
/// The [`Verified`](crate::Verified) extractor finds it in the app data, registered either
/// as `App::app_data(config)` or as `App::app_data(web::Data::new(config))`.
///
/// ```
/// use qstash_actix::{QStashConfig, UrlPolicy};
/// use qstash_core::Receiver;
///
/// let config = QStashConfig::new(Receiver::dev())
///     .url_policy(UrlPolicy::PublicBase("https://api.example.com".into()))
///     .body_limit(1024 * 1024)
///     .rejection_log_level(tracing::Level::INFO);
/// # let _ = config;
/// ```
#[derive(Clone)]
pub struct QStashConfig {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    gate: Gate,
    on_rejection: Option<Arc<RejectionResponder>>,
}

impl fmt::Debug for QStashConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QStashConfig")
            .field("gate", &self.inner.gate)
            .field("on_rejection", &self.inner.on_rejection.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl QStashConfig {
    /// A configuration with the given keys, [`UrlPolicy::PathAndQuery`], a 10 MiB body limit
    /// and rejections logged at `WARN`.
    pub fn new(receiver: impl Into<SharedReceiver>) -> Self {
        QStashConfig { inner: Arc::new(Inner { gate: Gate::new(receiver), on_rejection: None }) }
    }

    /// Keys from `QSTASH_CURRENT_SIGNING_KEY` / `QSTASH_NEXT_SIGNING_KEY` (and regional keys),
    /// as [`Receiver::from_env`].
    pub fn from_env() -> Result<Self, qstash_core::ConfigError> {
        Receiver::from_env().map(Self::new)
    }

    fn with(mut self, change: impl FnOnce(&mut Inner)) -> Self {
        // Builder calls happen before the config is shared, so this changes it in place.
        change(Arc::make_mut(&mut self.inner));
        self
    }

    /// How `sub` is matched against the request (default [`UrlPolicy::PathAndQuery`]).
    #[must_use]
    pub fn url_policy(self, policy: UrlPolicy) -> Self {
        self.with(|c| c.gate = c.gate.clone().with_url_policy(policy))
    }

    /// The largest body accepted, in bytes (default 10 MiB).
    #[must_use]
    pub fn body_limit(self, bytes: usize) -> Self {
        self.with(|c| c.gate = c.gate.clone().with_body_limit(bytes))
    }

    /// The `tracing` level rejections are logged at (default `WARN`).
    #[must_use]
    pub fn rejection_log_level(self, level: Level) -> Self {
        self.with(|c| c.gate = c.gate.clone().with_log_level(level))
    }

    /// Builds the response for a rejection (status, headers and body are yours to choose);
    /// the default is [`default_response`](crate::default_response).
    #[must_use]
    pub fn on_rejection(self, respond: impl Fn(&Rejection) -> HttpResponse + Send + Sync + 'static) -> Self {
        let respond: Arc<RejectionResponder> = Arc::new(respond);
        self.with(|c| c.on_rejection = Some(respond))
    }

    /// Calls `hook` whenever a delivery fails its signature check, e.g.
    /// `qstash_client::KeyRefresher::hook()` to reload the keys after a rotation.
    #[must_use]
    pub fn on_signature_failure(self, hook: impl Fn() + Send + Sync + 'static) -> Self {
        self.with(|c| c.gate = c.gate.clone().with_signature_failure_hook(hook))
    }

    /// Calls `hook` with the outcome of every delivery, accepted or refused, once each: the
    /// verdict, the reason, the key that verified it and the region (see
    /// `qstash_gate::outcome`). With the `metrics` feature the same outcomes are counted in
    /// `qstash_deliveries_total` without a hook.
    #[must_use]
    pub fn on_outcome(
        self,
        hook: impl Fn(&qstash_gate::outcome::Outcome<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.with(|c| c.gate = c.gate.clone().with_outcome_hook(hook))
    }

    /// Refuses replays of a delivery already accepted (reason `replayed`): a
    /// `qstash_gate::replay::MemoryReplayGuard` for one instance, a `RedisReplayGuard`
    /// (feature `redis` of `qstash-gate`) for several. A store that cannot answer refuses
    /// with 503 `replay_store_unavailable` unless it fails open.
    #[must_use]
    pub fn replay_guard(self, guard: impl qstash_gate::replay::ReplayGuard + 'static) -> Self {
        self.with(|c| c.gate = c.gate.clone().with_replay_guard(guard))
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

    /// The framework-neutral checks this configuration runs.
    pub fn gate(&self) -> &Gate {
        &self.inner.gate
    }

    /// Logs the rejection (reason and message id, never the token) and wraps it as the error
    /// whose response the configuration builds.
    pub(crate) fn reject(&self, rejection: Rejection, req: &HttpRequest) -> QStashError {
        self.inner.gate.log_rejection(&rejection, &head(req));
        QStashError::new(rejection, self.inner.on_rejection.clone())
    }

    /// The configuration registered in the app data, plain or in `web::Data`.
    pub(crate) fn of(req: &HttpRequest) -> Option<QStashConfig> {
        req.app_data::<QStashConfig>()
            .cloned()
            .or_else(|| req.app_data::<web::Data<QStashConfig>>().map(|data| data.get_ref().clone()))
    }
}

impl From<Receiver> for QStashConfig {
    fn from(receiver: Receiver) -> Self {
        Self::new(receiver)
    }
}

impl From<SharedReceiver> for QStashConfig {
    fn from(receiver: SharedReceiver) -> Self {
        Self::new(receiver)
    }
}
