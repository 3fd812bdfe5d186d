//! Keys read when deliveries arrive (SPEC.md §7.10): a front end that is given no keys reads
//! them from the environment (or a framework's settings) when a delivery arrives rather than
//! when it is built, so an application imports, builds and runs its checks without secrets.
//! Until the keys can be read, every delivery is refused with `no_keys` and its log line says
//! why and how to fix it; the next delivery tries again, so setting them needs no restart.

use alloc::string::String;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use qstash_core::{Receiver, SharedReceiver};

/// Makes the receiver when a delivery arrives, or says why it cannot (the configuration
/// error's message): `Receiver::from_env` for most front ends, a framework's settings for
/// Django.
pub type KeySource = Arc<dyn Fn() -> Result<Receiver, String> + Send + Sync>;

/// What a host sets up when it is given no keys: where they come from, and what happened the
/// last time they were asked for.
pub(crate) struct KeysLater {
    /// `None`: the host offers the keys itself before each delivery ([`crate::Gate::offer_keys`]).
    source: Option<KeySource>,
    loaded: AtomicBool,
    /// Why the keys could not be read the last time they were asked for.
    missing: Mutex<Option<String>>,
}

/// What to do about keys that cannot be read, in every language's words.
pub const FIX: &str = "set QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY (the signing keys of \
    the QStash console), give the keys to the helper, or for `qstash-kit dev` set QSTASH_DEV=1";

impl KeysLater {
    pub(crate) fn new(source: Option<KeySource>) -> Self {
        KeysLater { source, loaded: AtomicBool::new(false), missing: Mutex::new(None) }
    }

    /// Whether the keys are still wanted.
    pub(crate) fn wanted(&self) -> bool {
        !self.loaded.load(Ordering::Acquire)
    }

    /// Asks the source, when there is one and the keys are still wanted.
    pub(crate) fn ask(&self, receiver: &SharedReceiver) {
        if let (true, Some(source)) = (self.wanted(), &self.source) {
            self.offer(receiver, source());
        }
    }

    /// Takes the receiver the host made, or remembers why it could not make one.
    pub(crate) fn offer(&self, receiver: &SharedReceiver, made: Result<Receiver, String>) {
        match made {
            Ok(made) => {
                receiver.replace(made);
                self.loaded.store(true, Ordering::Release);
                *self.missing.lock().unwrap_or_else(PoisonError::into_inner) = None;
            }
            Err(why) => *self.missing.lock().unwrap_or_else(PoisonError::into_inner) = Some(why),
        }
    }

    /// Why the keys are missing, for a `no_keys` refusal's log line.
    pub(crate) fn why_missing(&self) -> Option<String> {
        self.missing.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}
