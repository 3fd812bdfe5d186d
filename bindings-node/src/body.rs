//! Request bodies as bytes, whether JS passed a string, a Buffer or a Uint8Array.

use napi::Either;
use napi::bindgen_prelude::Uint8Array;

/// A body from JS: strings are hashed as UTF-8 (what `TextEncoder` gives), buffers as they are.
pub(crate) type Body = Either<String, Uint8Array>;

pub(crate) fn bytes(body: &Body) -> &[u8] {
    match body {
        Either::A(text) => text.as_bytes(),
        Either::B(bytes) => bytes,
    }
}
