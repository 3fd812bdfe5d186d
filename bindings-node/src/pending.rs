//! `PendingBody`: a token that verified, waiting for its body (streamed in chunks).

use std::sync::Mutex;

use napi_derive::napi;
use qstash_gate::bindings::TokenBody;

use crate::claims::Claims;
use crate::error::host_error;

/// Returned by `Receiver.verifyToken`: `update(chunk)` as the body arrives, then `finish()`
/// returns the claims or throws (`code` = `body`).
#[napi]
pub struct PendingBody {
    body: Mutex<Option<TokenBody>>,
    sub: String,
}

impl PendingBody {
    pub(crate) fn new(body: TokenBody) -> Self {
        let sub = body.sub().to_owned();
        PendingBody { body: Mutex::new(Some(body)), sub }
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
        let mut body = self.body.lock().map_err(|_| finished())?;
        body.as_mut().ok_or_else(finished)?.update(crate::body::bytes(&chunk));
        Ok(())
    }

    /// Compares the hash of everything passed to `update` with the token.
    #[napi]
    pub fn finish(&self) -> napi::Result<Claims, &'static str> {
        let body = self.body.lock().map_err(|_| finished())?.take().ok_or_else(finished)?;
        Ok(Claims::from(&body.finish().map_err(host_error)?))
    }
}
