//! A local QStash for development and tests: the QStash REST API in memory, with the public
//! development token and signing keys of the official dev server, delivering real requests
//! signed by `qstash-core`'s [`Signer`](qstash_core::Signer). A test starts one, points its
//! client at [`DevServer::url`] and its endpoint's verifier at the development keys, and the
//! whole loop (publish, signed delivery, verification, retries, DLQ) runs on loopback.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let dev = qstash_dev::DevServer::builder().fast_retries().start().await?;
//! println!("QSTASH_URL={} QSTASH_TOKEN={}", dev.url(), dev.token());
//! dev.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! What it covers: publish to a URL or a URL group, enqueue (first in, first out), batch;
//! `Upstash-Delay`, `Upstash-Not-Before`, `Upstash-Method`, `Upstash-Timeout`, forwarded
//! headers; retries with QStash's backoff (`min(86400, e^(2.5·n))` seconds, scaled down by
//! [`DevServerBuilder::fast_retries`]) or an `Upstash-Retry-Delay` expression, that honour a
//! destination's `Retry-After`; the `Upstash-Retried` count; the DLQ after the last retry; a
//! callback after each attempt and a failure callback, with their own headers; the official
//! dev server's test users ([`DEV_USERS`]), each an account of its own; bounded memory
//! ([`Limits`]); state kept across restarts in SQLite ([`DevServerBuilder::data`]);
//! deduplication by id and by content; messages, URL groups, queues, logs and the signing keys
//! (with QStash's rotation, to test a verifier's); schedules with cron (in UTC, or in the zone
//! a leading `CRON_TZ=` names; a sixth, leading seconds field is accepted so a test need not
//! wait a minute); flow control (parallelism and rate per key, pause, resume, pin, unpin,
//! reset).

#![forbid(unsafe_code)]

mod accept;
mod accounts;
mod api;
mod delivery;
mod filter;
mod flow;
mod flow_key;
mod ids;
#[doc(hidden)]
pub mod internal;
mod limits;
#[cfg(feature = "persist")]
mod persist;
mod reply;
mod saved_body;
mod schedules;
mod signing_keys;
mod spec;
mod state;
mod timetable;
mod users;
mod waits;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use limits::Limits;
pub use users::{DEV_TOKEN, DEV_USERS, DevUser};

/// A running development server. Dropping it leaves the server running until the runtime
/// ends; [`DevServer::shutdown`] stops it.
#[derive(Debug)]
pub struct DevServer {
    addr: SocketAddr,
    accounts: Arc<accounts::Accounts>,
    #[cfg(feature = "persist")]
    store: Option<Arc<persist::Store>>,
    saver: Option<JoinHandle<()>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// How to start a [`DevServer`].
#[derive(Debug, Clone)]
#[must_use]
pub struct DevServerBuilder {
    host: IpAddr,
    port: u16,
    retry_scale: f64,
    max_in_flight: usize,
    limits: Limits,
    data: Option<PathBuf>,
}

impl DevServer {
    /// A builder: port 8080 as the official dev server, QStash's real retry delays.
    pub fn builder() -> DevServerBuilder {
        DevServerBuilder {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8080,
            retry_scale: 1.0,
            max_in_flight: 64,
            limits: Limits::default(),
            data: None,
        }
    }

    /// Where to reach it from this machine (the `QSTASH_URL`): `http://127.0.0.1:<port>`, or
    /// the address it was bound to when that is a specific one.
    pub fn url(&self) -> String {
        let ip =
            if self.addr.ip().is_unspecified() { IpAddr::V4(Ipv4Addr::LOCALHOST) } else { self.addr.ip() };
        format!("http://{}", SocketAddr::new(ip, self.addr.port()))
    }

    /// The port it listens on: the one asked for, or the one the system chose for port 0 (the
    /// `QSTASH_DEV_PORT` of the official SDKs' development mode).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The development token (the `QSTASH_TOKEN`), the same as the official dev server's
    /// default user's. The official server's three test users ([`DEV_USERS`]) are served too,
    /// each with its own token, signing keys and data.
    pub fn token(&self) -> &'static str {
        DEV_TOKEN
    }

    /// The signing keys, `(current, next)`; deliveries are signed with the current one. They
    /// are the public development pair (`qstash_core::Receiver::dev()` verifies) until
    /// `POST /v2/keys/rotate`, which rotates them as QStash does: the next key becomes the
    /// current one and a new next key is made.
    pub fn signing_keys(&self) -> (String, String) {
        self.accounts.default_user().read().keys.pair()
    }

    /// Stops accepting requests and waits for the server to end; deliveries in flight and
    /// schedules stop with it. With [`DevServerBuilder::data`], the state is saved last.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        for (_, state) in self.accounts.iter() {
            state.stop();
        }
        if let Some(saver) = self.saver.take() {
            saver.abort();
        }
        #[cfg(feature = "persist")]
        if let Some(store) = &self.store {
            persist::save(&self.accounts, store, true).await;
        }
    }
}

impl DevServerBuilder {
    /// The address to listen on (default `127.0.0.1`). On a loopback address the API answers
    /// requests naming a loopback host only (`localhost`, `127.0.0.1`, `[::1]`): a web page
    /// cannot reach it through a DNS name that resolves to this machine (DNS rebinding), even
    /// though the development token is public. Any other address (`0.0.0.0` in a container)
    /// is the explicit choice to serve every name.
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// The port (0: any free one, as tests want).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Retries after milliseconds instead of QStash's seconds to a day, so a test sees a
    /// message reach the DLQ at once. The order and count of attempts do not change.
    pub fn fast_retries(mut self) -> Self {
        self.retry_scale = 0.001;
        self
    }

    /// Deliveries in flight at once, across all messages (default 64): a bound, so a flood
    /// of publishes cannot open unbounded connections.
    pub fn max_in_flight(mut self, deliveries: usize) -> Self {
        self.max_in_flight = deliveries.max(1);
        self
    }

    /// What bounds each account's memory (default [`Limits::default`]): past a bound a publish
    /// is a 429 naming it, and the DLQ drops its oldest entries.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Keeps every account's state (messages, schedules, URL groups, queues, the DLQ, the log,
    /// flow-control keys, signing keys) in the SQLite database at `path`, created if missing:
    /// a server started again with the same file goes on where the last one stopped, delivering
    /// what was waiting and running its schedules. Without it, everything is in memory.
    pub fn data(mut self, path: impl Into<PathBuf>) -> Self {
        self.data = Some(path.into());
        self
    }

    /// Binds `<host>:<port>` and starts serving (after loading the state of
    /// [`DevServerBuilder::data`], if given).
    pub async fn start(self) -> std::io::Result<DevServer> {
        let listener = tokio::net::TcpListener::bind((self.host, self.port)).await?;
        let addr = listener.local_addr()?;
        let accounts = Arc::new(accounts::Accounts::new(
            state::Settings {
                retry_scale: self.retry_scale,
                default_timeout: Duration::from_secs(30),
                limits: self.limits,
            },
            self.max_in_flight,
        ));
        #[cfg(feature = "persist")]
        let store = match &self.data {
            Some(path) => {
                let store = Arc::new(persist::Store::open(path)?);
                for (user, state) in accounts.iter() {
                    if let Some(snapshot) = store.load(user)? {
                        snapshot.restore(state);
                    }
                }
                Some(store)
            }
            None => None,
        };
        #[cfg(not(feature = "persist"))]
        if self.data.is_some() {
            return Err(std::io::Error::other(
                "keeping the state in a file needs the `persist` feature of qstash-dev",
            ));
        }
        #[cfg(feature = "persist")]
        let saver = store.clone().map(|store| tokio::spawn(persist::save_changes(accounts.clone(), store)));
        #[cfg(not(feature = "persist"))]
        let saver = None;
        let app = api::router(accounts.clone(), self.host.is_loopback(), self.limits.message_size);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let app = app.into_make_service_with_connect_info::<SocketAddr>();
            let served = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = served.await {
                tracing::error!(%error, "the QStash dev server stopped");
            }
        });
        Ok(DevServer {
            addr,
            accounts,
            #[cfg(feature = "persist")]
            store,
            saver,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// The README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
