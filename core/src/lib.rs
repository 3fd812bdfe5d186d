//! Strict, fast verification (and minting) of Upstash QStash `Upstash-Signature` tokens.
//!
//! QStash signs every delivery with an HS256 JWT naming the destination URL (`sub`) and the
//! SHA-256 of the raw body (`body`). [`Receiver`] checks it by the rules of the project's
//! specification, [SPEC.md §3], in order, and reports the first failure as a stable reason
//! code ([`VerifyError::reason`]):
//!
//! 1. `missing`: no token; 2. `malformed`: not three canonical base64url segments with a
//!    32-byte signature; 3. `signature`: the MAC matches neither the current nor the next key
//!    (nothing the sender wrote is parsed before this); 4. `malformed`: header or claims of the
//!    wrong shape (duplicate members, `alg` other than `HS256`, non-numeric times, …);
//!    5. `issuer`; 6. `expired`; 7. `not_yet_valid`; 8. `subject`; 9. `body`.
//!
//! [SPEC.md §3]: https://github.com/qstash-kit/qstash-kit/blob/main/SPEC.md#3-verification
//!
//! ```
//! use qstash_core::{Receiver, Request, Signer};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // In production: Receiver::from_env()? or Receiver::new(current, next)?
//! let receiver = Receiver::dev();
//! let url = "https://example.com/api/qstash";
//! let token = Signer::dev().token(url, b"{\"hello\":1}").sign();
//!
//! let verified = receiver.verify(&Request::new(&token, b"{\"hello\":1}").url(url))?;
//! assert_eq!(verified.claims.sub(), url);
//!
//! let err = receiver.verify(&Request::new(&token, b"{\"hello\":2}").url(url)).unwrap_err();
//! assert_eq!(err.reason(), "body");
//! # Ok(())
//! # }
//! ```
//!
//! # Features
//! - `std` (default): the system clock ([`Receiver::verify`], [`clock::now`]),
//!   [`Receiver::from_env`], [`SharedReceiver`] for key rotation, random `jti`s in [`Signer`].
//! - `alloc` (implied by `std`): owned `sub` and `jti` in [`Claims`], payloads larger than
//!   1 KiB, [`Signer`].
//! - With `default-features = false` the crate is `no_std` with no allocator: verification
//!   works with an explicit clock ([`Receiver::verify_at`]) on payloads up to 1 KiB.
//!
//! The HTTP sequence every front end runs (URL policies, body limit, replay guards, rejections)
//! is the `qstash-gate` crate; the QStash API client and `KeyRefresher` are `qstash-client`;
//! the command-line tool is `qstash-kit`.
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod base64url;
mod claims;
mod error;
mod json;
mod keys;
mod receiver;
mod segment;

#[cfg(feature = "std")]
pub mod clock;
#[cfg(feature = "std")]
mod env;
#[cfg(feature = "alloc")]
mod explain;
#[cfg(feature = "std")]
mod shared;
#[cfg(feature = "alloc")]
mod signer;

#[cfg(feature = "std")]
pub use env::{ReceiverOptions, development_mode};
pub use error::{ConfigError, DEV_KEYS_REFUSED, VerifyError};
#[cfg(feature = "alloc")]
pub use explain::{Check, Explanation, Finding, Rule, explain};
pub use keys::{
    DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY, KeyPair, KeyUsed, MAX_REGIONS, Region, SigningKey,
};
pub use receiver::{BodyHasher, Claims, Receiver, ReceiverBuilder, Request, Verified, VerifiedToken};
#[cfg(feature = "std")]
pub use shared::SharedReceiver;
#[cfg(feature = "alloc")]
pub use signer::{Signer, TOKEN_LIFETIME_SECS, TokenBuilder};

/// What the fuzz targets (`fuzz/`) and the known-answer tests reach below the public API:
/// the MAC layer on its own and the two payload readers. Not API: it changes without notice.
#[doc(hidden)]
pub mod internal;

#[cfg(feature = "std")]
impl Receiver {
    /// Verifies a whole delivery against the system clock.
    pub fn verify(&self, request: &Request<'_>) -> Result<Verified, VerifyError> {
        self.verify_at(request, clock::now())
    }

    /// Verifies everything but the body against the system clock (see
    /// [`Receiver::verify_token_at`]).
    pub fn verify_token(&self, request: &Request<'_>) -> Result<VerifiedToken, VerifyError> {
        self.verify_token_at(request, clock::now())
    }
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
