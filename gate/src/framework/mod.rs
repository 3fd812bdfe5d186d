//! What a Rust web framework's middleware is made of, written once for `qstash-axum` and
//! `qstash-actix` (and for a middleware of your own): [`Config`], the configuration it carries,
//! [`verify_delivery`], the one function its layer and its extractors call, and the
//! `VerifiedMessage` type each such crate declares with [`verified_message!`](crate::verified_message).

mod config;
mod verify;

pub use config::{Config, Responder};
pub use verify::verify_delivery;

/// Declares `VerifiedMessage`, the verified delivery as a handler takes it, in the calling
/// crate, whose framework extractors are then implemented on it there (a crate may implement
/// its framework's traits only for its own types). Takes the type's doc comment.
///
/// ```
/// qstash_gate::verified_message! {
///     /// A verified QStash delivery.
/// }
/// # let _ = |message: VerifiedMessage| message.into_inner();
/// ```
#[macro_export]
macro_rules! verified_message {
    ($(#[$attribute:meta])*) => {
        $(#[$attribute])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct VerifiedMessage(pub ::std::sync::Arc<$crate::Delivery>);

        impl VerifiedMessage {
            /// The delivery, owned (shared with other copies of the message until then;
            /// handlers get clones, so it is behind an `Arc`).
            pub fn into_inner(self) -> $crate::Delivery {
                ::std::sync::Arc::unwrap_or_clone(self.0)
            }
        }

        impl ::core::ops::Deref for VerifiedMessage {
            type Target = $crate::Delivery;

            fn deref(&self) -> &$crate::Delivery {
                &self.0
            }
        }

        impl ::core::convert::From<VerifiedMessage> for $crate::Delivery {
            fn from(message: VerifiedMessage) -> Self {
                message.into_inner()
            }
        }

        impl ::core::convert::From<$crate::Delivery> for VerifiedMessage {
            fn from(delivery: $crate::Delivery) -> Self {
                VerifiedMessage(::std::sync::Arc::new(delivery))
            }
        }
    };
}
