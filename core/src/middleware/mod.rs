//! The framework-neutral half of every QStash middleware (feature `middleware`): URL
//! policies, the order of checks, rejections and their JSON bodies, delivery headers and
//! rejection logging (SPEC.md §7).
//!
//! `qstash-axum` and `qstash-actix` are thin adapters over this module, which is why they
//! answer every request the same way. Another framework needs three things: a
//! [`RequestHead`] view of its request, a body reader that feeds a
//! [`BodyHasher`](crate::BodyHasher) up to [`Gate::body_limit`], and a response built from
//! [`Rejection::status`] and [`Rejection::json_body`].
//!
//! ```
//! use qstash_core::middleware::{Gate, RequestHead};
//! use qstash_core::{Receiver, Signer};
//!
//! struct Head<'a> { target: &'a str, token: &'a [u8] }
//!
//! impl RequestHead for Head<'_> {
//!     fn header(&self, name: &str) -> Option<&[u8]> {
//!         (name == "upstash-signature").then_some(self.token)
//!     }
//!     fn path_and_query(&self) -> &str { self.target }
//! }
//!
//! let gate = Gate::new(Receiver::dev());
//! let body = b"{\"n\":1}";
//! let token = Signer::dev().token("https://public.example/hook?x=1", body).sign();
//! let head = Head { target: "/hook?x=1", token: token.as_bytes() };
//!
//! let pending = gate.verify_head(&head).expect("headers verify before the body is read");
//! let mut hasher = pending.body_hasher();
//! hasher.update(body); // chunk by chunk as the body streams in
//! let delivery = gate.delivery(hasher.verify(pending).expect("body matches"), &head);
//! assert_eq!(delivery.claims.sub(), "https://public.example/hook?x=1");
//!
//! let wrong_route = Head { target: "/other", token: token.as_bytes() };
//! assert_eq!(gate.verify_head(&wrong_route).unwrap_err().reason(), "subject");
//! ```

mod delivery;
mod gate;
mod head;
mod rejection;
mod url_policy;

pub use delivery::{Delivery, parse_retried};
pub use gate::{DEFAULT_BODY_LIMIT, Gate, ReplayCheck};
pub use head::{HEADERS_READ, RequestHead, header_index};
pub use rejection::Rejection;
pub use url_policy::{ExpectedSubject, UrlPolicy, path_and_query_of, subject_matches_target};
