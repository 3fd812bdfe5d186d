//! [`KeyRefresher`]: keeps a receiver's keys equal to the account's, so a key rotation never
//! takes a receiver down.
//!
//! After `POST /v2/keys/rotate` the old next key becomes current and a new next key appears;
//! a receiver that loaded its keys at start-up keeps working after one rotation (it still has
//! the new current key as its next key) and starts rejecting real deliveries after the second.
//! The refresher reloads the pair from `GET /v2/keys` on a schedule and whenever a signature
//! fails, at most one attempt per `min_interval` (failed attempts count, so forged requests
//! cannot spend the account's API quota while the API is failing), with one request in flight
//! however many verifiers ask at once, and swaps it in atomically. A client configured for a
//! region (`QSTASH_REGION`) reads that region's keys, and they replace the region's pair, the
//! one `Upstash-Region` deliveries are verified with.
//!
//! A pair that holds one of the public development keys is refused
//! ([`ClientError::Decode`]) and the receiver keeps its keys: those keys sign only for
//! `Receiver::dev()`, which a receiver opts into itself, never through an API answer. Against
//! a `qstash-kit dev` server the refresher therefore takes keys from the second rotation on.

use alloc::sync::Arc;
use core::time::Duration;
use std::sync::Mutex;
use std::time::Instant;

use crate::{Client, ClientError};
use qstash_core::{KeyPair, Region, SharedReceiver};

/// Refreshes the keys of a [`SharedReceiver`] from the QStash API. Cheap to clone.
#[derive(Clone, Debug)]
pub struct KeyRefresher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    receiver: SharedReceiver,
    client: Client,
    region: Option<Region>,
    min_interval: Duration,
    /// When the last attempt started, successful or not.
    last: Mutex<Option<Instant>>,
    in_flight: tokio::sync::Mutex<()>,
}

/// What a refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// New keys were fetched and swapped in (they may equal the old ones).
    Updated,
    /// Skipped: the last attempt started less than `min_interval` ago.
    TooSoon,
}

impl KeyRefresher {
    /// A refresher for `receiver` using `client` (which needs the account's QStash token),
    /// attempting at most one on-demand refresh every 30 seconds. When the client was
    /// configured for a region ([`Client::region`]), the keys go to that region's pair.
    pub fn new(receiver: SharedReceiver, client: Client) -> Self {
        Self::with_min_interval(receiver, client, Duration::from_secs(30))
    }

    /// Like [`KeyRefresher::new`] with another rate limit for on-demand refreshes.
    pub fn with_min_interval(receiver: SharedReceiver, client: Client, min_interval: Duration) -> Self {
        KeyRefresher {
            inner: Arc::new(Inner {
                receiver,
                region: client.region(),
                client,
                min_interval,
                last: Mutex::new(None),
                in_flight: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The same refresher writing the keys to `region`'s pair instead (`None`: the default
    /// pair), for a client whose region was not configured through it.
    #[must_use]
    pub fn for_region(self, region: Option<Region>) -> Self {
        let inner = &self.inner;
        KeyRefresher {
            inner: Arc::new(Inner {
                receiver: inner.receiver.clone(),
                client: inner.client.clone(),
                region,
                min_interval: inner.min_interval,
                last: Mutex::new(None),
                in_flight: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Fetches the keys now unless an attempt started less than `min_interval` ago. Callers
    /// that arrive while a fetch is running wait for it and do not start another.
    pub async fn refresh(&self) -> Result<Refresh, ClientError> {
        let _single_flight = self.inner.in_flight.lock().await;
        if self.recently_attempted() {
            return Ok(Refresh::TooSoon);
        }
        // The attempt counts before it is made: a failing API must not be asked again on
        // every forged delivery.
        if let Ok(mut last) = self.inner.last.lock() {
            *last = Some(Instant::now());
        }
        let keys = self.inner.client.signing_keys().await?;
        let pair = KeyPair::new(&keys.current, &keys.next)
            .map_err(|e| ClientError::Decode(alloc::format!("signing keys from the API: {e}")))?;
        match self.inner.region {
            Some(region) => self
                .inner
                .receiver
                .replace_region_keys(region, pair)
                .map_err(|e| ClientError::Config(alloc::format!("region {region}: {e}")))?,
            None => self.inner.receiver.replace_keys(pair),
        }
        tracing::info!(
            region = self.inner.region.as_ref().map(Region::as_str),
            "QStash signing keys refreshed"
        );
        Ok(Refresh::Updated)
    }

    /// Call when a delivery failed its signature check: starts a refresh in the background
    /// (on the current tokio runtime) unless one ran recently. Never blocks the caller.
    pub fn on_signature_failure(&self) {
        if self.recently_attempted() || self.inner.in_flight.try_lock().is_err() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let refresher = self.clone();
        runtime.spawn(async move {
            if let Err(error) = refresher.refresh().await {
                tracing::warn!(%error, "QStash signing keys could not be refreshed");
            }
        });
    }

    /// Refreshes every `every` on the current tokio runtime until the handle is aborted
    /// (or the runtime ends); failures are logged and retried at the next tick.
    pub fn spawn_periodic(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let refresher = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if let Err(error) = refresher.force_refresh().await {
                    tracing::warn!(%error, "QStash signing keys could not be refreshed");
                }
            }
        })
    }

    /// A hook for the middleware crates' `on_signature_failure` option.
    pub fn hook(&self) -> impl Fn() + Send + Sync + 'static {
        let refresher = self.clone();
        move || refresher.on_signature_failure()
    }

    async fn force_refresh(&self) -> Result<Refresh, ClientError> {
        if let Ok(mut last) = self.inner.last.lock() {
            *last = None;
        }
        self.refresh().await
    }

    fn recently_attempted(&self) -> bool {
        self.inner
            .last
            .lock()
            .ok()
            .and_then(|last| *last)
            .is_some_and(|at| at.elapsed() < self.inner.min_interval)
    }
}
