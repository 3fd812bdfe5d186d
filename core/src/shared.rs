//! [`SharedReceiver`]: a receiver whose keys can be replaced while requests are verified.

use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::error::VerifyError;
use crate::keys::KeyPair;
use crate::receiver::{Receiver, Request, Verified, VerifiedToken};

/// A [`Receiver`] shared by every request handler, whose configuration can be swapped at
/// runtime (key rotation) without a restart. Verification loads the current receiver with one
/// atomic read and never takes a lock; a swap is seen by every request that starts after it,
/// and a request always verifies against one whole configuration, never half of each.
///
/// ```
/// use qstash_core::{KeyPair, Receiver, SharedReceiver};
///
/// let shared = SharedReceiver::new(Receiver::dev());
/// let handle = shared.clone(); // cheap: one Arc
/// handle.replace_keys(KeyPair::new("sig_newcurrent", "sig_newnext").unwrap());
/// assert_eq!(shared.load().clock_tolerance(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct SharedReceiver {
    inner: Arc<ArcSwap<Receiver>>,
}

impl SharedReceiver {
    /// Shares `receiver`.
    pub fn new(receiver: Receiver) -> Self {
        SharedReceiver { inner: Arc::new(ArcSwap::from_pointee(receiver)) }
    }

    /// The receiver in force now.
    pub fn load(&self) -> Arc<Receiver> {
        self.inner.load_full()
    }

    /// Replaces the whole configuration.
    pub fn replace(&self, receiver: Receiver) {
        self.inner.store(Arc::new(receiver));
    }

    /// Replaces the default key pair, keeping regions and tolerance.
    pub fn replace_keys(&self, keys: KeyPair) {
        self.inner.rcu(|current| current.with_keys(keys.clone()));
    }

    /// [`Receiver::verify`] on the receiver in force now.
    pub fn verify(&self, request: &Request<'_>) -> Result<Verified, VerifyError> {
        self.inner.load().verify(request)
    }

    /// [`Receiver::verify_at`] on the receiver in force now.
    pub fn verify_at(&self, request: &Request<'_>, now: i64) -> Result<Verified, VerifyError> {
        self.inner.load().verify_at(request, now)
    }

    /// [`Receiver::verify_token_at`] on the receiver in force now.
    pub fn verify_token_at(&self, request: &Request<'_>, now: i64) -> Result<VerifiedToken, VerifyError> {
        self.inner.load().verify_token_at(request, now)
    }
}

impl From<Receiver> for SharedReceiver {
    fn from(receiver: Receiver) -> Self {
        Self::new(receiver)
    }
}
