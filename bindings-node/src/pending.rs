//! `PendingBody`: a token that verified, waiting for its body (streamed in chunks).

use std::sync::{Arc, Mutex};

use napi_derive::napi;
use qstash_core::{BodyHasher, VerifiedToken};
use qstash_gate::replay::MemoryReplayGuard;

use crate::claims::Claims;
use crate::error::host_error;

/// Returned by `Receiver.verifyToken`: `update(chunk)` as the body arrives, then `finish()`
/// returns the claims or throws (`code` = `body`).
#[napi]
pub struct PendingBody {
    state: Mutex<Option<(VerifiedToken, BodyHasher)>>,
    sub: String,
    replay: Option<Arc<MemoryReplayGuard>>,
    clock_tolerance: u64,
}

impl PendingBody {
    pub(crate) fn new(
        token: VerifiedToken,
        replay: Option<Arc<MemoryReplayGuard>>,
        clock_tolerance: u64,
    ) -> Self {
        let hasher = token.body_hasher();
        let sub = token.claims().sub().to_owned();
        PendingBody { state: Mutex::new(Some((token, hasher))), sub, replay, clock_tolerance }
    }
}

fn finished() -> napi::Error<&'static str> {
    napi::Error::new("finished", "this PendingBody is already finished")
}

#[napi]
impl PendingBody {
    /// The destination URL the verified token names (the body is not checked yet).
    #[napi(getter)]
    pub fn sub(&self) -> String {
        self.sub.clone()
    }

    /// Hashes the next chunk of the body (a `Buffer`, a `Uint8Array` or a string).
    #[napi]
    pub fn update(
        &self,
        #[napi(ts_arg_type = "string | Uint8Array")] chunk: crate::body::Body,
    ) -> napi::Result<(), &'static str> {
        let mut state = self.state.lock().map_err(|_| finished())?;
        let (_, hasher) = state.as_mut().ok_or_else(finished)?;
        hasher.update(crate::body::bytes(&chunk));
        Ok(())
    }

    /// Compares the hash of everything passed to `update` with the token.
    #[napi]
    pub fn finish(&self) -> napi::Result<Claims, &'static str> {
        let (token, hasher) = self.state.lock().map_err(|_| finished())?.take().ok_or_else(finished)?;
        let verified = hasher.verify(token).map_err(host_error)?;
        if let Some(guard) = &self.replay {
            guard.check_verified(&verified, self.clock_tolerance).map_err(host_error)?;
        }
        Ok(Claims::from(&qstash_gate::bindings::ClaimsView::from(verified)))
    }
}
