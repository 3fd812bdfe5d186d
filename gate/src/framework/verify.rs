//! [`verify_delivery`]: the whole sequence for one request of a Rust framework.

use core::future::poll_fn;
use core::pin::pin;

use bytes::{Buf, Bytes, BytesMut};
use futures_core::Stream;

use crate::{Delivery, Gate, Pending, Rejection, RequestHead};

/// Verifies one delivery: the token from `head` before any of the body is read, then `body`
/// read up to the limit while it is hashed, the hash, the delivery headers and the replay
/// check (SPEC.md §7.1). Gives the exact bytes that were signed and the delivery.
///
/// Every outcome is recorded and every refusal logged here, once, with the head given, so a
/// middleware and an extractor that both call it answer a request alike and a refusal is
/// never logged twice. `body_error` says what an error of the body stream stands for (a
/// framework that enforces its own limit reports it as an error: that is 413, the rest 400).
///
/// ```
/// use qstash_core::{Receiver, Signer};
/// use qstash_gate::{Gate, IndexedHead, Rejection, framework::verify_delivery};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let gate = Gate::new(Receiver::dev());
/// let body = br#"{"order":42}"#;
/// let token = Signer::dev().token("https://api.example.com/hook", body).sign();
/// let head = IndexedHead::from_headers("/hook", [("upstash-signature", token.as_bytes())]);
/// // The framework's body as a stream of chunks (here two, as they might arrive).
/// let chunks = futures_util::stream::iter([Ok::<_, ()>(&body[..5]), Ok(&body[5..])]);
/// let (bytes, delivery) = verify_delivery(&gate, &head, chunks, |()| Rejection::BadBody).await.unwrap();
/// assert_eq!(&bytes[..], body);
/// assert_eq!(delivery.claims.sub(), "https://api.example.com/hook");
/// # }
/// ```
pub async fn verify_delivery<S, D, E>(
    gate: &Gate,
    head: &impl RequestHead,
    body: S,
    body_error: impl FnOnce(E) -> Rejection,
) -> Result<(Bytes, Delivery), Rejection>
where
    S: Stream<Item = Result<D, E>>,
    D: Buf,
{
    let verdict = async {
        let mut pending = gate.verify_head(head)?;
        let bytes = read_body(body, &mut pending, body_error).await?;
        let delivery = gate.finish(pending, head)?;
        if let Some(check) = gate.replay_check(&delivery) {
            check.await?;
        }
        Ok((bytes, delivery))
    };
    verdict.await.map_err(|rejection| gate.reject(rejection, head))
}

/// Reads the whole body into one `Bytes` (no copy when it arrives in one chunk), feeding every
/// chunk to `pending`, which stops it at the limit.
async fn read_body<S, D, E>(
    body: S,
    pending: &mut Pending,
    body_error: impl FnOnce(E) -> Rejection,
) -> Result<Bytes, Rejection>
where
    S: Stream<Item = Result<D, E>>,
    D: Buf,
{
    let mut body = pin!(body);
    let mut first: Option<Bytes> = None;
    let mut rest = BytesMut::new();
    while let Some(chunk) = poll_fn(|cx| body.as_mut().poll_next(cx)).await {
        let mut chunk = match chunk {
            Ok(chunk) => chunk,
            Err(error) => return Err(body_error(error)),
        };
        let chunk = chunk.copy_to_bytes(chunk.remaining());
        pending.update(&chunk)?;
        match first.take() {
            None if rest.is_empty() => first = Some(chunk),
            first => {
                if let Some(first) = first {
                    rest.extend_from_slice(&first);
                }
                rest.extend_from_slice(&chunk);
            }
        }
    }
    Ok(first.unwrap_or_else(|| rest.freeze()))
}
