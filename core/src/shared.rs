//! [`SharedReceiver`]: a receiver whose keys can be replaced while requests are verified.

use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::error::{ConfigError, VerifyError};
use crate::keys::{KeyPair, Region};
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

    /// Replaces (or adds) the key pair of one region, keeping everything else: key rotation
    /// for a multi-region account. Fails, changing nothing, when the region table is full.
    pub fn replace_region_keys(&self, region: Region, keys: KeyPair) -> Result<(), ConfigError> {
        let mut result = Ok(());
        self.inner.rcu(|current| match current.with_region_keys(region, keys.clone()) {
            Ok(updated) => {
                result = Ok(());
                Arc::new(updated)
            }
            Err(error) => {
                result = Err(error);
                Arc::clone(current)
            }
        });
        result
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Signer;

    const CURRENT: &str = "sig_regioncurrent";
    const NEXT: &str = "sig_regionnext";

    #[test]
    fn replacing_a_region_pair_changes_only_the_deliveries_of_that_region() {
        let shared = SharedReceiver::new(Receiver::dev());
        let signer = Signer::new(CURRENT).unwrap();
        let token = signer.token("https://a.example/", b"x").sign();
        let from_us = Request::new(&token, b"x").region("us-east-1");
        assert!(shared.verify(&from_us).is_err());

        shared.replace_region_keys(Region::US_EAST_1, KeyPair::new(CURRENT, NEXT).unwrap()).unwrap();
        let verified = shared.verify(&from_us).unwrap();
        assert_eq!(verified.region, Some(Region::US_EAST_1));
        // The default pair is untouched: the same token without the region header still fails.
        assert!(shared.verify(&Request::new(&token, b"x")).is_err());
        let dev = Signer::dev().token("https://a.example/", b"x").sign();
        assert!(shared.verify(&Request::new(&dev, b"x")).is_ok());
    }

    #[test]
    fn a_full_region_table_refuses_and_keeps_the_receiver() {
        let mut builder = Receiver::builder().keys(KeyPair::dev());
        for i in 0..crate::MAX_REGIONS {
            builder = builder.region(&std::format!("R{i}"), KeyPair::dev());
        }
        let shared = SharedReceiver::new(builder.build().unwrap());
        let extra = Region::parse("EXTRA").unwrap();
        assert_eq!(
            shared.replace_region_keys(extra, KeyPair::new(CURRENT, NEXT).unwrap()),
            Err(ConfigError::TooManyRegions)
        );
        assert!(!shared.load().has_region(extra));
    }
}
