//! [`ResponseFuture`]: verifies the delivery, then runs the inner service.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::request::Parts;
use http::{Request, Response};
use http_body::Body;
use http_body_util::BodyDataStream;
use pin_project_lite::pin_project;
use qstash_gate::framework::verify_delivery;
use qstash_gate::{Delivery, Rejection};
use tower_service::Service;

use crate::config::QStashConfig;
use crate::head::head;
use crate::message::VerifiedMessage;
use crate::rejection::default_response;

/// The verification of one request: the request head given back with the verdict.
type Verifying = Pin<Box<dyn Future<Output = (Parts, Result<(Bytes, Delivery), Rejection>)> + Send>>;

pin_project! {
    /// Response future of [`QStash`](crate::QStash).
    pub struct ResponseFuture<S, B>
    where
        S: Service<Request<B>>,
    {
        #[pin]
        state: State<S, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<S, B>
    where
        S: Service<Request<B>>,
    {
        Verifying {
            verifying: Verifying,
            next: Option<(S, QStashConfig)>,
        },
        Inner {
            #[pin]
            future: S::Future,
        },
        Done,
    }
}

impl<S, B> ResponseFuture<S, B>
where
    S: Service<Request<B>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Send,
{
    pub(crate) fn new(request: Request<B>, inner: S, config: QStashConfig) -> Self {
        let gate = config.gate().clone();
        let (parts, body) = request.into_parts();
        let verifying = Box::pin(async move {
            let verdict = {
                // The head is indexed once, for every step and the log line.
                let head = head(&parts);
                verify_delivery(&gate, &head, BodyDataStream::new(body), |_| Rejection::BadBody).await
            };
            (parts, verdict)
        });
        ResponseFuture { state: State::Verifying { verifying, next: Some((inner, config)) } }
    }
}

impl<S, B, ResBody> Future for ResponseFuture<S, B>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    B: Body + From<Bytes>,
    ResBody: From<Bytes>,
{
    type Output = Result<Response<ResBody>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            let next = match state.as_mut().project() {
                StateProj::Verifying { verifying, next } => {
                    let (parts, verdict) = ready!(verifying.as_mut().poll(cx));
                    let Some((mut inner, config)) = next.take() else {
                        return Poll::Ready(Ok(refused(&Rejection::BadBody, None)));
                    };
                    match verdict {
                        Err(rejection) => {
                            state.set(State::Done);
                            return Poll::Ready(Ok(refused(&rejection, Some(&config))));
                        }
                        Ok((bytes, delivery)) => {
                            let mut request = Request::from_parts(parts, B::from(bytes));
                            request.extensions_mut().insert(VerifiedMessage::from(delivery));
                            State::Inner { future: inner.call(request) }
                        }
                    }
                }
                StateProj::Inner { future } => return future.poll(cx),
                // Polled after completion: answer like a body error, never panic.
                StateProj::Done => return Poll::Ready(Ok(refused(&Rejection::BadBody, None))),
            };
            state.set(next);
        }
    }
}

/// The response to a refusal, as the configuration builds it.
fn refused<ResBody: From<Bytes>>(rejection: &Rejection, config: Option<&QStashConfig>) -> Response<ResBody> {
    let response = match config {
        Some(config) => config.respond(rejection, default_response),
        None => default_response(rejection),
    };
    response.map(ResBody::from)
}
