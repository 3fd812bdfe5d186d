//! [`RedisReplayGuard`]: token ids remembered in Redis, shared by every instance of a service.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use core::time::Duration;

use redis::aio::ConnectionManager;
use redis::cluster_async::ClusterConnection;

use super::{DEFAULT_STORE_TIMEOUT, GuardFuture, ReplayError, ReplayGuard};

/// Remembers accepted `jti`s in Redis with one round trip per delivery:
/// `SET <prefix><jti> 1 NX EXAT <exp>` (set only if absent, expire with the token).
///
/// One server ([`RedisReplayGuard::connect`], `redis://` or `rediss://` for TLS, with the
/// user name and password of the URL) or a Redis Cluster
/// ([`RedisReplayGuard::connect_cluster`]); [`RedisTls`] trusts a CA of your own and presents
/// a client certificate. The connection reconnects by itself after Redis restarts. When Redis
/// cannot answer within the timeout, the delivery is refused with `replay_store_unavailable`
/// (503 from the middleware): fail closed, the default. [`RedisReplayGuard::fail_open`] accepts
/// such deliveries instead, with a warning, for services that prefer availability.
#[derive(Clone)]
pub struct RedisReplayGuard {
    connection: Connection,
    prefix: String,
    fail_open: bool,
    timeout: Duration,
}

/// One server's connection manager, or a cluster's connection (which follows the slots).
#[derive(Clone)]
enum Connection {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

/// TLS for `rediss://` beyond the system's trust store: the CA that signed the server's
/// certificate (PEM; the system's roots when absent) and a client certificate and key (PEM)
/// for servers that ask for one. The key never prints.
#[derive(Clone, Default)]
pub struct RedisTls {
    /// The CA certificate(s) to trust instead of the system's roots, PEM.
    pub ca_pem: Option<Vec<u8>>,
    /// A client certificate, PEM (with `client_key_pem`).
    pub client_cert_pem: Option<Vec<u8>>,
    /// The client certificate's private key, PEM.
    pub client_key_pem: Option<Vec<u8>>,
}

impl core::fmt::Debug for RedisTls {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisTls")
            .field("ca_pem", &self.ca_pem.as_ref().map(|_| "set"))
            .field("client_cert_pem", &self.client_cert_pem.as_ref().map(|_| "set"))
            .field("client_key_pem", &self.client_key_pem.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

impl RedisTls {
    /// The certificates as the `redis` crate takes them; a certificate without its key (or
    /// the reverse) is a configuration error.
    fn certificates(&self) -> Result<redis::TlsCertificates, redis::RedisError> {
        let client_tls = match (&self.client_cert_pem, &self.client_key_pem) {
            (Some(cert), Some(key)) => {
                Some(redis::ClientTlsConfig { client_cert: cert.clone(), client_key: key.clone() })
            }
            (None, None) => None,
            _ => {
                return Err(redis::RedisError::from((
                    redis::ErrorKind::InvalidClientConfig,
                    "a client certificate needs its key, and a key its certificate",
                )));
            }
        };
        Ok(redis::TlsCertificates { client_tls, root_cert: self.ca_pem.clone() })
    }
}

/// rustls needs a process-wide crypto provider; ring's, unless the application chose one.
fn crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl core::fmt::Debug for RedisReplayGuard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let topology = match self.connection {
            Connection::Single(_) => "single",
            Connection::Cluster(_) => "cluster",
        };
        f.debug_struct("RedisReplayGuard")
            .field("topology", &topology)
            .field("prefix", &self.prefix)
            .field("fail_open", &self.fail_open)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisReplayGuard {
    /// Connects to one server at `url`: `redis://host:port/db`, or `rediss://` for TLS
    /// against the system's trust store; `redis://user:password@host` authenticates (ACL or
    /// `requirepass`). Keys are prefixed with `qstash:jti:`. Fails when Redis cannot be
    /// reached now.
    pub async fn connect(url: &str) -> Result<Self, redis::RedisError> {
        Self::single(Self::client(url, None)?).await
    }

    /// [`RedisReplayGuard::connect`] for a `rediss://` URL with `tls`: a CA of your own and,
    /// optionally, a client certificate.
    pub async fn connect_tls(url: &str, tls: &RedisTls) -> Result<Self, redis::RedisError> {
        Self::single(Self::client(url, Some(tls))?).await
    }

    /// Connects to a Redis Cluster through any of its `nodes` (`redis://` or `rediss://`
    /// URLs, credentials in them; `tls` for a CA of your own); each key goes to the node
    /// serving its slot, and the cluster's moves and failovers are followed.
    pub async fn connect_cluster(nodes: &[&str], tls: Option<&RedisTls>) -> Result<Self, redis::RedisError> {
        if nodes.iter().any(|n| n.starts_with("rediss://")) {
            crypto_provider();
        }
        let mut builder = redis::cluster::ClusterClientBuilder::new(nodes.to_vec())
            .connection_timeout(DEFAULT_STORE_TIMEOUT)
            .response_timeout(CONNECTION_RESPONSE_TIMEOUT)
            .retries(1);
        if let Some(tls) = tls {
            builder = builder.certs(tls.certificates()?);
        }
        let tls_url = nodes.iter().find(|n| n.starts_with("rediss://")).copied();
        let connection =
            builder.build()?.get_async_connection().await.map_err(|e| with_tls_hint(e, tls_url))?;
        Ok(Self::with_connection(Connection::Cluster(connection)))
    }

    fn client<'u>(
        url: &'u str,
        tls: Option<&RedisTls>,
    ) -> Result<(redis::Client, Option<&'u str>), redis::RedisError> {
        if url.starts_with("rediss://") {
            crypto_provider();
        }
        let client = match tls {
            Some(tls) => redis::Client::build_with_tls(url, tls.certificates()?),
            None => redis::Client::open(url),
        }?;
        Ok((client, url.starts_with("rediss://").then_some(url)))
    }

    async fn single((client, tls_url): (redis::Client, Option<&str>)) -> Result<Self, redis::RedisError> {
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(DEFAULT_STORE_TIMEOUT)
            .set_response_timeout(CONNECTION_RESPONSE_TIMEOUT)
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| with_tls_hint(e, tls_url))?;
        Ok(Self::with_connection(Connection::Single(connection)))
    }

    fn with_connection(connection: Connection) -> Self {
        RedisReplayGuard {
            connection,
            prefix: "qstash:jti:".into(),
            fail_open: false,
            timeout: DEFAULT_STORE_TIMEOUT,
        }
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

    /// How long to wait for Redis (default 1 s): this bounds every check, whatever its length
    /// (the connection's own reply timeout is longer than any a binding accepts).
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
        let key = alloc::format!("{}{jti}", self.prefix);
        let mut command = redis::cmd("SET");
        command.arg(&key).arg(1).arg("NX").arg("EXAT").arg(expires_at);
        let query = async {
            match self.connection.clone() {
                Connection::Single(mut c) => command.query_async::<redis::Value>(&mut c).await,
                Connection::Cluster(mut c) => command.query_async::<redis::Value>(&mut c).await,
            }
        };
        let answer = tokio::time::timeout(self.timeout, query).await;
        match answer {
            Ok(Ok(reply)) => match read_set_nx(&reply) {
                Some(verdict) => verdict,
                None => self.unavailable(&alloc::format!(
                    "Redis answered SET NX with {reply:?}, which is neither OK (first seen) nor nil (seen before)"
                )),
            },
            Ok(Err(error)) => self.unavailable(&error.to_string()),
            Err(_) => self.unavailable(&alloc::format!("no answer within {:?}", self.timeout)),
        }
    }

    pub(super) fn unavailable(&self, why: &str) -> Result<(), ReplayError> {
        if self.fail_open {
            tracing::warn!(why, "replay store unavailable: accepting the delivery unchecked (fail open)");
            Ok(())
        } else {
            tracing::error!(why, "replay store unavailable: refusing the delivery (fail closed)");
            Err(ReplayError::StoreUnavailable)
        }
    }
}

/// The verdict of `SET … NX` (SPEC.md §6): `OK` stored the id (first seen), nil found it
/// (seen before); any other reply (`:1`, `+QUEUED` from a transaction, an error) says neither,
/// and the store counts as unable to answer rather than either verdict being guessed.
fn read_set_nx(reply: &redis::Value) -> Option<Result<(), ReplayError>> {
    match reply {
        redis::Value::Okay => Some(Ok(())),
        redis::Value::SimpleString(text) if text == "OK" => Some(Ok(())),
        redis::Value::BulkString(bytes) if bytes == b"OK" => Some(Ok(())),
        redis::Value::Nil => Some(Err(ReplayError::Replayed)),
        _ => None,
    }
}

/// How long the connection itself waits for a reply: longer than any guard's timeout
/// (`bindings::MAX_STORE_TIMEOUT`), so that the guard's own [`RedisReplayGuard::timeout`]
/// is what bounds a check, above one second as well as below.
const CONNECTION_RESPONSE_TIMEOUT: Duration = crate::bindings::MAX_STORE_TIMEOUT;

/// A failure to connect to a `rediss://` URL says what most often causes it: a plain Redis
/// port, which never answers a TLS handshake (the client then waits for its timeout).
fn with_tls_hint(error: redis::RedisError, tls_url: Option<&str>) -> redis::RedisError {
    match tls_url {
        Some(_) if error.is_timeout() || error.is_io_error() || error.is_connection_dropped() => {
            redis::RedisError::from((
                error.kind(),
                "no TLS handshake with the server",
                alloc::format!(
                    "{error}; a rediss:// URL speaks TLS: the port must be the server's TLS port \
                     (redis-server --tls-port), not its plain one"
                ),
            ))
        }
        _ => error,
    }
}

impl ReplayGuard for RedisReplayGuard {
    fn check_and_remember<'a>(&'a self, jti: &'a str, expires_at: i64) -> GuardFuture<'a> {
        Box::pin(self.set_nx(jti, expires_at))
    }
}
