//! The HTTP conformance cases of `vectors/http_conformance.jsonl` (format in
//! `vectors/README.md`): read, tokens minted, requests laid out as bytes, so the axum and
//! actix runners only translate them into their framework's request and compare answers.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use qstash_core::{KeyPair, Receiver, Signer};
use qstash_gate::UrlPolicy;
use qstash_gate::bindings::{GateOptions, Number};
use serde::Deserialize;
use serde_json::Value;

/// The origin relative `sub` paths are joined to.
pub const ORIGIN: &str = "https://hooks.example.com";
const CURRENT: &str = "sig_httpCasesCurrentKey00000000";
const NEXT: &str = "sig_httpCasesNextKey111111111111";
const OTHER: &str = "sig_httpCasesOtherAccount222222";
const EU_CURRENT: &str = "sig_httpCasesEuCurrentKey333333";
const EU_NEXT: &str = "sig_httpCasesEuNextKey4444444444";
const DEFAULT_BODY: &str = r#"{"order":42}"#;
/// The route every case's handler is registered at (inside `mount`, when there is one).
pub const ROUTE: &str = "/api/qstash";

/// One case.
#[derive(Debug, Deserialize)]
pub struct HttpCase {
    /// Stable name.
    pub id: String,
    #[serde(default)]
    receiver: Option<String>,
    #[serde(default)]
    replay: bool,
    #[serde(default)]
    gate: Gate,
    /// The prefix the route is mounted under, if any.
    #[serde(default)]
    pub mount: Option<String>,
    /// Whether an awaiting middleware runs before the verifier.
    #[serde(default)]
    pub async_middleware: bool,
    #[serde(default)]
    request: RequestSpec,
    #[serde(default)]
    token: Option<TokenSpec>,
    /// Whether the request is sent twice (the expectation is about the second answer).
    #[serde(default)]
    pub send_twice: bool,
    /// The answer every front end must give.
    pub expect: Expect,
    #[serde(default)]
    skip: serde_json::Map<String, Value>,
    /// `"paths"`: a case of a guard given a list of paths (the Python ASGI and WSGI
    /// middlewares); the Rust front ends are routed to by their framework and never run it.
    #[serde(default)]
    guard: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Gate {
    url: Option<String>,
    public_base: Option<String>,
    forwarded: Option<String>,
    trusted_proxies: Option<u8>,
    check_url: Option<bool>,
    body_limit: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
struct RequestSpec {
    method: Option<String>,
    target: Option<String>,
    #[serde(default)]
    headers: Vec<(String, Text)>,
    body: Option<Text>,
    #[serde(default)]
    chunked: bool,
    #[serde(default)]
    broken: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Text {
    Plain(String),
    Bytes { b64: String },
}

impl Text {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Text::Plain(text) => text.clone().into_bytes(),
            Text::Bytes { b64 } => STANDARD.decode(b64).expect("case bytes are base64"),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct TokenSpec {
    raw: Option<String>,
    raw_b64: Option<String>,
    key: Option<String>,
    sub: Option<String>,
    body: Option<String>,
    iat: Option<i64>,
    nbf: Option<i64>,
    iss: Option<String>,
}

/// The expected answer.
#[derive(Debug, Deserialize)]
pub struct Expect {
    /// The status code.
    pub status: u16,
    /// The exact JSON body.
    pub body: Value,
    /// Headers the answer must carry (lower-case names).
    #[serde(default)]
    pub headers: serde_json::Map<String, Value>,
}

/// A request laid out as bytes.
#[derive(Debug, Clone)]
pub struct RequestBytes {
    /// `POST`, …
    pub method: String,
    /// Path and query.
    pub target: String,
    /// Header lines in order; a name may repeat.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
    /// Sent without `Content-Length`, in chunks of 4 bytes.
    pub chunked: bool,
    /// The body stream fails after its first chunk.
    pub broken: bool,
}

impl RequestBytes {
    /// The body as it is sent: one piece, or chunks of 4 bytes.
    pub fn chunks(&self) -> Vec<Vec<u8>> {
        if self.chunked { self.body.chunks(4).map(<[u8]>::to_vec).collect() } else { vec![self.body.clone()] }
    }
}

/// Every case of the file a front end that is routed to runs (all but a path list's), in order.
pub fn load() -> Vec<HttpCase> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/http_conformance.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str::<HttpCase>(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .filter(|case| case.guard.as_deref() != Some("paths"))
        .collect()
}

fn pair(current: &str, next: &str) -> KeyPair {
    KeyPair::new(current, next).expect("the case keys are valid")
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl HttpCase {
    /// Whether the front end `name` (`axum`, `actix`, …) runs this case.
    pub fn runs_on(&self, name: &str) -> bool {
        !self.skip.contains_key(name)
    }

    /// The receiver the case asks for.
    pub fn receiver(&self) -> Receiver {
        let builder = Receiver::builder();
        let builder = match self.receiver.as_deref().unwrap_or("default") {
            "default" => builder.keys(pair(CURRENT, NEXT)),
            "regions_only" => builder.region("US_EAST_1", pair(CURRENT, NEXT)),
            "with_eu_region" => {
                builder.keys(pair(CURRENT, NEXT)).region("EU_CENTRAL_1", pair(EU_CURRENT, EU_NEXT))
            }
            other => panic!("{}: unknown receiver {other}", self.id),
        };
        builder.build().expect("the case receivers are valid")
    }

    /// Whether replay protection is on.
    pub fn replay(&self) -> bool {
        self.replay
    }

    /// The URL policy the case asks for, read by the gate's own option reader.
    pub fn url_policy(&self) -> UrlPolicy {
        let gate = &self.gate;
        let mut options = GateOptions::default();
        options.url.clone_from(&gate.url);
        options.public_base.clone_from(&gate.public_base);
        options.forwarded.clone_from(&gate.forwarded);
        options.trusted_proxies = gate.trusted_proxies.map(|n| Number::Int(i128::from(n)));
        options.check_url = gate.check_url;
        options.url_policy().unwrap_or_else(|e| panic!("{}: {e}", self.id))
    }

    /// The body limit, when the case sets one.
    pub fn body_limit(&self) -> Option<usize> {
        self.gate.body_limit
    }

    /// The request, with a freshly minted token (call once per delivery to send).
    pub fn request(&self) -> RequestBytes {
        let spec = &self.request;
        let body = spec.body.as_ref().map_or_else(|| DEFAULT_BODY.as_bytes().to_vec(), Text::bytes);
        let token = self.token.as_ref().map(|token| self.mint(token, &body));
        let mut headers: Vec<(String, Vec<u8>)> =
            [("content-type", "application/json"), ("upstash-message-id", "msg_1"), ("upstash-retried", "0")]
                .iter()
                .filter(|(name, _)| !spec.headers.iter().any(|(n, _)| n == name))
                .map(|(name, value)| ((*name).to_owned(), value.as_bytes().to_vec()))
                .collect();
        let mut placed = false;
        for (name, value) in &spec.headers {
            let value = match (value, &token) {
                (Text::Plain(text), Some(token)) if text == "{token}" => {
                    placed = true;
                    token.clone()
                }
                _ => value.bytes(),
            };
            headers.push((name.clone(), value));
        }
        if let (Some(token), false) = (token, placed) {
            headers.push(("upstash-signature".to_owned(), token));
        }
        RequestBytes {
            method: spec.method.clone().unwrap_or_else(|| "POST".to_owned()),
            target: spec.target.clone().unwrap_or_else(|| ROUTE.to_owned()),
            headers,
            body,
            chunked: spec.chunked,
            broken: spec.broken,
        }
    }

    fn mint(&self, spec: &TokenSpec, request_body: &[u8]) -> Vec<u8> {
        if let Some(raw) = &spec.raw {
            return raw.clone().into_bytes();
        }
        if let Some(raw) = &spec.raw_b64 {
            return STANDARD.decode(raw).expect("raw_b64 is base64");
        }
        let key = match spec.key.as_deref().unwrap_or("current") {
            "current" => CURRENT,
            "next" => NEXT,
            "other" => OTHER,
            "eu_current" => EU_CURRENT,
            other => panic!("{}: unknown key {other}", self.id),
        };
        let sub = match spec.sub.as_deref() {
            None => format!("{ORIGIN}{ROUTE}"),
            Some(path) if path.starts_with('/') => format!("{ORIGIN}{path}"),
            Some(url) => url.to_owned(),
        };
        let body = spec.body.as_ref().map_or(request_body, |b| b.as_bytes());
        let signer = Signer::new(key).expect("the case keys are valid");
        let iat = now() + spec.iat.unwrap_or(0);
        let mut token = signer
            .token(&sub, body)
            .issued_at(iat)
            .not_before(now() + spec.nbf.unwrap_or(spec.iat.unwrap_or(0)));
        if let Some(iss) = &spec.iss {
            token = token.issuer(iss);
        }
        token.sign_at(iat).into_bytes()
    }
}

/// What every test handler answers for a verified delivery, so all front ends can be compared.
pub fn handler_answer(delivery: &qstash_gate::Delivery, body_len: usize) -> Value {
    serde_json::json!({
        "message_id": delivery.message_id,
        "retried": delivery.retried,
        "region": delivery.region_header,
        "sub": delivery.claims.sub(),
        "key": delivery.key.as_str(),
        "bytes": body_len,
    })
}

/// Compares an answer with the case's expectation; the description of every difference.
pub fn differences(case: &HttpCase, status: u16, headers: &[(String, String)], body: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    if status != case.expect.status {
        found.push(format!("status {status}, expected {}", case.expect.status));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(json) if json == case.expect.body => {}
        Ok(json) => found.push(format!("body {json}, expected {}", case.expect.body)),
        Err(_) => found.push(format!("body {:?} is not JSON", String::from_utf8_lossy(body))),
    }
    for (name, want) in &case.expect.headers {
        let got = headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        if got != want.as_str() {
            found.push(format!("header {name}: {got:?}, expected {want}"));
        }
    }
    found
}
