//! [`ResponseFuture`]: reads and checks the body, then runs the inner service.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::request::Parts;
use http::{Request, Response};
use http_body::Body;
use pin_project_lite::pin_project;
use qstash_gate::Pending;
use tower_service::Service;

use crate::body::Collect;
use crate::config::QStashConfig;
use qstash_gate::ReplayCheck;

use crate::rejection::{Rejection, default_response};

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
        Rejected {
            response: Option<S::Response>,
        },
        Collecting {
            #[pin]
            collect: Collect<B>,
            waiting: Option<Waiting<S>>,
        },
        Replay {
            check: ReplayCheck,
            pending: Option<Checked<S, B>>,
        },
        Inner {
            #[pin]
            future: S::Future,
        },
    }
}

/// A delivery that verified, waiting for the replay check.
struct Checked<S, B> {
    request: Request<B>,
    inner: S,
    config: QStashConfig,
}

/// What is needed once the body is in.
struct Waiting<S> {
    parts: Parts,
    inner: S,
    config: QStashConfig,
}

impl<S, B> ResponseFuture<S, B>
where
    S: Service<Request<B>>,
{
    pub(crate) fn rejected(response: S::Response) -> Self {
        ResponseFuture { state: State::Rejected { response: Some(response) } }
    }

    pub(crate) fn collecting(
        body: B,
        pending: Pending,
        parts: Parts,
        inner: S,
        config: QStashConfig,
    ) -> Self {
        let collect = Collect::new(body, pending);
        ResponseFuture {
            state: State::Collecting { collect, waiting: Some(Waiting { parts, inner, config }) },
        }
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
                StateProj::Rejected { response } => {
                    return match response.take() {
                        Some(response) => Poll::Ready(Ok(response)),
                        // Polled after completion: answer like a body error, never panic.
                        None => Poll::Ready(Ok(default_response(&Rejection::BadBody).map(ResBody::from))),
                    };
                }
                StateProj::Collecting { collect, waiting } => {
                    let collected = ready!(collect.poll(cx));
                    let Some(Waiting { parts, mut inner, config }) = waiting.take() else {
                        return Poll::Ready(Ok(default_response(&Rejection::BadBody).map(ResBody::from)));
                    };
                    let finished =
                        collected.and_then(|(bytes, pending)| Ok((bytes, config.finish(pending, &parts)?)));
                    match finished {
                        Err(rejection) => {
                            State::Rejected { response: Some(config.respond(&rejection, &parts)) }
                        }
                        Ok((bytes, message)) => {
                            let check = config.gate().replay_check(&message);
                            let mut request = Request::from_parts(parts, B::from(bytes));
                            request.extensions_mut().insert(message);
                            match check {
                                Some(check) => {
                                    State::Replay { check, pending: Some(Checked { request, inner, config }) }
                                }
                                None => State::Inner { future: inner.call(request) },
                            }
                        }
                    }
                }
                StateProj::Replay { check, pending } => {
                    let verdict = ready!(check.as_mut().poll(cx));
                    let Some(Checked { request, mut inner, config }) = pending.take() else {
                        return Poll::Ready(Ok(default_response(&Rejection::BadBody).map(ResBody::from)));
                    };
                    match verdict {
                        Ok(()) => State::Inner { future: inner.call(request) },
                        Err(rejection) => {
                            let (parts, _) = request.into_parts();
                            State::Rejected { response: Some(config.respond(&rejection, &parts)) }
                        }
                    }
                }
                StateProj::Inner { future } => return future.poll(cx),
            };
            state.set(next);
        }
    }
}
