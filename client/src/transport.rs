//! One API call: its request, its retries and the decoding of its answer.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use bytes::Bytes;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::retry::may_retry;
use crate::{Client, ClientError, error};

/// What a path segment (an id, a queue or URL-group name, a flow-control key) must not hold
/// unencoded: a `/` or `?` in a name would otherwise change which endpoint is called.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'?')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// `value` as one path segment.
pub(crate) fn segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// One request to the API, built by the endpoint methods.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    headers: HeaderMap,
    body: Bytes,
    idempotent: bool,
}

impl Call {
    /// A call whose repetition has no further effect (reads, deletes, upserts).
    pub(crate) fn new(method: Method, path: impl Into<String>) -> Self {
        Call {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            idempotent: true,
        }
    }

    /// `GET path`.
    pub(crate) fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// `POST path`.
    pub(crate) fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    /// `DELETE path`.
    pub(crate) fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// Marks a call that takes effect again each time it runs: retried only when QStash
    /// cannot have acted on it.
    pub(crate) fn once(mut self) -> Self {
        self.idempotent = false;
        self
    }

    /// Whether the call may be repeated after a failure that QStash may have acted on.
    pub(crate) fn idempotent_if(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// Adds `name=value` to the query (repeatable names repeat).
    pub(crate) fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    /// Adds `name=value` when there is a value.
    pub(crate) fn query_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    /// Adds `name=value` once per value.
    pub(crate) fn query_all<T: ToString>(
        mut self,
        name: &'static str,
        values: impl IntoIterator<Item = T>,
    ) -> Self {
        for value in values {
            self = self.query(name, value);
        }
        self
    }

    /// Sets the headers (the token is added when the call is sent).
    pub(crate) fn headers(mut self, headers: HeaderMap) -> Self {
        self.headers = headers;
        self
    }

    /// Sets the raw body.
    pub(crate) fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Sets a JSON body and its `Content-Type`.
    pub(crate) fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Self, ClientError> {
        let body = serde_json::to_vec(value).map_err(|e| ClientError::Decode(e.to_string()))?;
        self.headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self.body = Bytes::from(body);
        Ok(self)
    }
}

impl Client {
    /// Runs `call` and decodes its JSON answer.
    pub(crate) async fn fetch<T: DeserializeOwned>(&self, call: Call) -> Result<T, ClientError> {
        let bytes = self.execute(call).await?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
    }

    /// Runs `call`; the answer's body, if any, is not needed.
    pub(crate) async fn run(&self, call: Call) -> Result<(), ClientError> {
        self.execute(call).await.map(drop)
    }

    /// Runs `call` with retries: a failure is retried when [`may_retry`] allows it for this
    /// call, after the policy's delay; the body of the first 2xx answer is returned.
    async fn execute(&self, call: Call) -> Result<Bytes, ClientError> {
        let url = alloc::format!("{}{}", self.base_url, call.path);
        let bearer = HeaderValue::from_str(&alloc::format!("Bearer {}", self.token))
            .map_err(|_| ClientError::Config("the token has characters a header cannot carry".to_string()))?;
        let mut headers = call.headers;
        headers.insert(AUTHORIZATION, bearer);
        let mut attempt = 0u32;
        loop {
            let mut request = self.http.request(call.method.clone(), &url).headers(headers.clone());
            if !call.query.is_empty() {
                request = request.query(&call.query);
            }
            let error = match request.body(call.body.clone()).send().await {
                Ok(response) if response.status().is_success() => {
                    // Once a 2xx arrived the call took effect: a body cut short is not retried.
                    return response.bytes().await.map_err(|e| ClientError::Transport(e.to_string()));
                }
                Ok(response) => error::from_response(response).await,
                Err(e) if e.is_connect() => ClientError::Connect(error_chain(&e)),
                Err(e) => ClientError::Transport(error_chain(&e)),
            };
            if attempt >= self.retry.max_retries || !may_retry(&error, call.idempotent) {
                return Err(error);
            }
            let Some(delay) = self.retry.delay(attempt, &error, std::time::SystemTime::now()) else {
                return Err(error);
            };
            tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, error = %error, "QStash request retried");
            self.retry.sleep(delay).await;
            attempt += 1;
        }
    }
}

/// An error with its causes, which is where reqwest says "timed out" or "connection refused".
fn error_chain(error: &(dyn core::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_encoded_as_one_path_segment() {
        assert_eq!(segment("msg_2XuHb7x"), "msg_2XuHb7x");
        assert_eq!(segment("a/b?c#d e%"), "a%2Fb%3Fc%23d%20e%25");
        assert_eq!(segment("queue.name-1_x"), "queue.name-1_x");
    }
}
