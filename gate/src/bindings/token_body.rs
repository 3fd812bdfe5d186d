//! [`TokenBody`]: the body of a token the drop-in receivers verified.

use alloc::sync::Arc;
use core::fmt;

use qstash_core::{BodyHasher, VerifiedToken};

use super::{ClaimsView, HostError};
use crate::replay::MemoryReplayGuard;

/// A token that verified, waiting for its body: what the drop-in receivers' `verify_token`
/// hands back. Every chunk goes through [`TokenBody::update`]; [`TokenBody::finish`] compares
/// the hash and, when the receiver has replay protection of its own, checks the `jti` last.
pub struct TokenBody {
    token: VerifiedToken,
    hasher: BodyHasher,
    replay: Option<Arc<MemoryReplayGuard>>,
    clock_tolerance: u64,
}

impl fmt::Debug for TokenBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenBody").field("claims", self.token.claims()).finish_non_exhaustive()
    }
}

impl TokenBody {
    /// The body of `token`, checked against `replay` (a receiver's own memory) once hashed.
    pub fn new(token: VerifiedToken, replay: Option<Arc<MemoryReplayGuard>>, clock_tolerance: u64) -> Self {
        let hasher = token.body_hasher();
        TokenBody { token, hasher, replay, clock_tolerance }
    }

    /// The destination URL the token names (the body is not checked yet).
    pub fn sub(&self) -> &str {
        self.token.claims().sub()
    }

    /// Hashes the next chunk of the body.
    pub fn update(&mut self, chunk: &[u8]) {
        self.hasher.update(chunk);
    }

    /// The claims, once the hash of everything fed to [`TokenBody::update`] matched the token
    /// and the replay memory, if any, had not seen its `jti`.
    pub fn finish(self) -> Result<ClaimsView, HostError> {
        let verified = self.hasher.verify(self.token)?;
        if let Some(guard) = &self.replay {
            guard.check_verified(&verified, self.clock_tolerance)?;
        }
        Ok(ClaimsView::from(verified))
    }
}
