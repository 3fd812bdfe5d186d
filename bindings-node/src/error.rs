//! The one error convention of the bindings (`qstash_gate::bindings::HostError`) as a JavaScript
//! error: its `code` is the reason (`expired`, `body`, …) or `config`, and `lib/` turns it
//! into a `SignatureError` or a `ConfigError`.

use qstash_gate::bindings::{HostError, Language};

/// The JavaScript error for an error of the gate or the core.
pub(crate) fn host_error(error: impl Into<HostError>) -> napi::Error<&'static str> {
    let error = error.into().in_language(Language::JavaScript);
    napi::Error::new(error.code(), error.message().to_owned())
}
