//! The request-to-verdict sequence every QStash front end runs, written once (SPEC.md §7):
//! the token checked from the head alone, the URL policy, the declared and the streamed body
//! limit, the body hash, the replay guard, the delivery headers, and every refusal turned into
//! a status, a JSON body, headers and a log line.
//!
//! `qstash-axum`, `qstash-actix` and the Python and Node packages only move bytes between
//! their framework and a [`Gate`], which is why they answer every request the same way.
//! Another framework fills an [`IndexedHead`] from its request, feeds the body to
//! [`Pending::update`], and answers a refusal with [`Rejection::status`],
//! [`Rejection::headers`] and [`Rejection::json_body`]; a binding to another language uses
//! the `bindings` module for everything it hands across (hidden from these docs: it is the
//! contract between this gate and the repository's own bindings, not a stable API).
//!
//! ```
//! use qstash_gate::{Gate, IndexedHead};
//! use qstash_core::{Receiver, Signer};
//!
//! let gate = Gate::new(Receiver::dev());
//! let body = b"{\"n\":1}";
//! let token = Signer::dev().token("https://public.example/hook?x=1", body).sign();
//! let head = IndexedHead::from_headers("/hook?x=1", [("upstash-signature", token.as_bytes())]);
//!
//! let mut pending = gate.verify_head(&head).expect("headers verify before the body is read");
//! pending.update(body).expect("within the body limit"); // chunk by chunk as it streams in
//! let delivery = gate.finish(pending, &head).expect("the body is the one signed");
//! assert_eq!(delivery.claims.sub(), "https://public.example/hook?x=1");
//!
//! let wrong_route = IndexedHead::from_headers("/other", [("upstash-signature", token.as_bytes())]);
//! assert_eq!(gate.verify_head(&wrong_route).unwrap_err().reason(), "subject");
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;

#[doc(hidden)]
pub mod bindings;
#[cfg(feature = "callback")]
#[cfg_attr(docsrs, doc(cfg(feature = "callback")))]
pub mod callback;
mod delivery;
pub mod framework;
mod gate;
mod guarded_paths;
mod head;
mod keys_later;
#[cfg(feature = "lambda")]
#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
pub mod lambda;
pub mod outcome;
mod rejection;
pub mod replay;
mod url_policy;

pub use delivery::{Delivery, parse_retried};
pub use gate::{DEFAULT_BODY_LIMIT, Gate, Pending, ReplayCheck};
pub use guarded_paths::{GuardedPaths, MAX_GUARDED_PATHS};
pub use head::{HEADERS_READ, IndexedHead, RequestHead};
pub use keys_later::{FIX as MISSING_KEYS_FIX, KeySource};
pub use rejection::Rejection;
pub use url_policy::{ExpectedSubject, ProxyHeaders, UrlPolicy, path_and_query_of, subject_matches_target};

/// The README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
