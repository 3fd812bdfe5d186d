//! [`RedisReplayGuard`]: token ids remembered in Redis, shared by every instance of a service.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use core::time::Duration;

use redis::aio::ConnectionManager;

use super::{DEFAULT_STORE_TIMEOUT, GuardFuture, ReplayError, ReplayGuard};

/// Remembers accepted `jti`s in Redis with one round trip per delivery:
/// `SET <prefix><jti> 1 NX EXAT <exp>` (set only if absent, expire with the token).
///
/// The connection manager reconnects by itself after Redis restarts. When Redis cannot
/// answer within the timeout, the delivery is refused with `replay_store_unavailable` (503
/// from the middleware): fail closed, the default. [`RedisReplayGuard::fail_open`] accepts
/// such deliveries instead, with a warning, for services that prefer availability.
#[derive(Clone)]
pub struct RedisReplayGuard {
    connection: ConnectionManager,
    prefix: String,
    fail_open: bool,
    timeout: Duration,
}

impl core::fmt::Debug for RedisReplayGuard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisReplayGuard")
            .field("prefix", &self.prefix)
            .field("fail_open", &self.fail_open)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisReplayGuard {
    /// Connects to `url` (`redis://host:port/db`, `rediss://` for TLS is not built in); keys
    /// are prefixed with `qstash:jti:`. Fails when Redis cannot be reached now.
    pub async fn connect(url: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(DEFAULT_STORE_TIMEOUT)
            .set_response_timeout(DEFAULT_STORE_TIMEOUT)
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_with_config(client, config).await?;
        Ok(RedisReplayGuard {
            connection,
            prefix: "qstash:jti:".into(),
            fail_open: false,
            timeout: DEFAULT_STORE_TIMEOUT,
        })
    }

    /// Another key prefix (several services sharing one Redis).
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Accept deliveries when Redis cannot answer (logged as a warning) instead of refusing
    /// them with 503.
    #[must_use]
    pub fn fail_open(mut self, fail_open: bool) -> Self {
        self.fail_open = fail_open;
        self
    }

    /// How long to wait for Redis (default 1 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The key prefix.
    pub fn key_prefix(&self) -> &str {
        &self.prefix
    }

    /// Whether deliveries are accepted when Redis cannot answer.
    pub fn fails_open(&self) -> bool {
        self.fail_open
    }

    /// How long Redis is waited for.
    pub fn store_timeout(&self) -> Duration {
        self.timeout
    }

    async fn set_nx(&self, jti: &str, expires_at: i64) -> Result<(), ReplayError> {
        let mut connection = self.connection.clone();
        let key = alloc::format!("{}{jti}", self.prefix);
        let mut command = redis::cmd("SET");
        command.arg(&key).arg(1).arg("NX").arg("EXAT").arg(expires_at);
        let answer =
            tokio::time::timeout(self.timeout, command.query_async::<Option<String>>(&mut connection)).await;
        match answer {
            Ok(Ok(Some(_))) => Ok(()),
            Ok(Ok(None)) => Err(ReplayError::Replayed),
            Ok(Err(error)) => self.unavailable(&error.to_string()),
            Err(_) => self.unavailable("timed out"),
        }
    }

    fn unavailable(&self, why: &str) -> Result<(), ReplayError> {
        if self.fail_open {
            tracing::warn!(why, "replay store unavailable: accepting the delivery unchecked (fail open)");
            Ok(())
        } else {
            tracing::error!(why, "replay store unavailable: refusing the delivery (fail closed)");
            Err(ReplayError::StoreUnavailable)
        }
    }
}

impl ReplayGuard for RedisReplayGuard {
    fn check_and_remember<'a>(&'a self, jti: &'a str, expires_at: i64) -> GuardFuture<'a> {
        Box::pin(self.set_nx(jti, expires_at))
    }
}
