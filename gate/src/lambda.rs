//! AWS Lambda events as HTTP requests, and refusals as Lambda proxy responses: what the
//! Python and Node Lambda front ends share (feature `lambda`).
//!
//! API Gateway (REST APIs, payload 1.0; HTTP APIs, payload 2.0), Lambda function URLs
//! (payload 2.0) and Application Load Balancers hand a function the request as a JSON event.
//! [`LambdaRequest::from_event`] reads any of them into what the gate verifies: the original
//! target (the path QStash called, stage included, and the query), the headers (names in any
//! case, multi-value headers joined) and the body bytes (`isBase64Encoded` bodies decoded).
//! [`proxy_response`] writes an answer in the shape that event's caller expects.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

/// Which service sent an event; the response must be in its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventShape {
    /// API Gateway REST API, or an HTTP API with payload version 1.0.
    RestApi,
    /// API Gateway HTTP API (payload version 2.0) or a Lambda function URL.
    HttpApi,
    /// An Application Load Balancer target group; `multi_value` when the target group has
    /// multi-value headers on (the response must then use `multiValueHeaders`).
    Alb {
        /// The event came with `multiValueHeaders`.
        multi_value: bool,
    },
}

impl EventShape {
    /// The shape's name, as hosts hand it back to [`proxy_response`]: `rest`, `http`, `alb`
    /// or `alb-multi-value`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::RestApi => "rest",
            Self::HttpApi => "http",
            Self::Alb { multi_value: false } => "alb",
            Self::Alb { multi_value: true } => "alb-multi-value",
        }
    }

    /// The shape [`EventShape::name`] names.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "rest" => Self::RestApi,
            "http" => Self::HttpApi,
            "alb" => Self::Alb { multi_value: false },
            "alb-multi-value" => Self::Alb { multi_value: true },
            _ => return None,
        })
    }
}

/// An event that is not an HTTP event of API Gateway, a function URL or a load balancer (a
/// direct invocation, another trigger, a body that is not base64 when it says it is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError(String);

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not an API Gateway, function URL or load balancer event: {}", self.0)
    }
}

impl core::error::Error for EventError {}

/// The HTTP request an event carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaRequest {
    /// Which service sent it.
    pub shape: EventShape,
    /// The HTTP method.
    pub method: String,
    /// The path and query QStash called: a REST API's stage included, the query as received
    /// (HTTP APIs, function URLs and load balancers pass it raw; a REST API passes it decoded,
    /// so it is encoded again, in the order received).
    pub target: String,
    /// The headers, names in lower case, a header with several values once per value.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body bytes (decoded from base64 when the event says so).
    pub body: Vec<u8>,
}

/// A JSON object's members in the order they came (serde_json's `Map` sorts them unless its
/// `preserve_order` feature is on, which would reorder every map of the program).
#[derive(Debug, Default)]
struct Ordered<T>(Vec<(String, T)>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members<T>(core::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for Members<T> {
            type Value = Ordered<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Ordered(members))
            }

            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Ordered(Vec::new()))
            }
        }

        deserializer.deserialize_any(Members(core::marker::PhantomData))
    }
}

/// A header or query value: API Gateway sends `null` for some.
type Values = Ordered<Option<Vec<Option<String>>>>;
type Singles = Ordered<Option<String>>;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Event {
    version: Option<String>,
    http_method: Option<String>,
    path: Option<String>,
    raw_path: Option<String>,
    raw_query_string: Option<String>,
    headers: Option<Singles>,
    multi_value_headers: Option<Values>,
    query_string_parameters: Option<Singles>,
    multi_value_query_string_parameters: Option<Values>,
    request_context: Option<RequestContext>,
    body: Option<String>,
    is_base64_encoded: bool,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RequestContext {
    path: Option<String>,
    http: Option<HttpContext>,
    elb: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HttpContext {
    method: Option<String>,
}

impl LambdaRequest {
    /// Reads the HTTP request of an event, given as its JSON text.
    pub fn from_event(json: &[u8]) -> Result<LambdaRequest, EventError> {
        let event: Event = serde_json::from_slice(json).map_err(|e| EventError(e.to_string()))?;
        let context = event.request_context.unwrap_or_default();
        let shape = if context.elb.is_some() {
            EventShape::Alb { multi_value: event.multi_value_headers.is_some() }
        } else if event.version.as_deref() == Some("2.0") {
            EventShape::HttpApi
        } else if event.http_method.is_some() {
            EventShape::RestApi
        } else {
            return Err(EventError("it has neither httpMethod nor version 2.0".into()));
        };
        let method = match shape {
            EventShape::HttpApi => context.http.and_then(|http| http.method),
            _ => event.http_method,
        }
        .ok_or_else(|| EventError("it names no HTTP method".into()))?;
        let path = match shape {
            EventShape::HttpApi => event.raw_path,
            // The path with the stage (`/prod/api/qstash`), as QStash called it; `path` has the
            // stage taken off.
            EventShape::RestApi => context.path.or(event.path),
            EventShape::Alb { .. } => event.path,
        }
        .ok_or_else(|| EventError("it names no path".into()))?;
        let query = match shape {
            EventShape::HttpApi => event.raw_query_string.unwrap_or_default(),
            EventShape::RestApi => {
                query(event.multi_value_query_string_parameters, event.query_string_parameters, encode)
            }
            // A load balancer passes the query string's parts as they were sent.
            EventShape::Alb { .. } => query(
                event.multi_value_query_string_parameters,
                event.query_string_parameters,
                |part, out| out.push_str(part),
            ),
        };
        let mut target = path;
        if !query.is_empty() {
            target.push('?');
            target.push_str(&query);
        }
        let headers = match (event.multi_value_headers, event.headers) {
            (Some(multi), _) => multi
                .0
                .into_iter()
                .flat_map(|(name, values)| {
                    let name = name.to_ascii_lowercase();
                    values
                        .unwrap_or_default()
                        .into_iter()
                        .flatten()
                        .map(move |v| (name.clone(), v.into_bytes()))
                })
                .collect(),
            (None, Some(single)) => single
                .0
                .into_iter()
                .filter_map(|(name, value)| Some((name.to_ascii_lowercase(), value?.into_bytes())))
                .collect(),
            (None, None) => Vec::new(),
        };
        let body = match event.body {
            None => Vec::new(),
            Some(body) if event.is_base64_encoded => base64::engine::general_purpose::STANDARD
                .decode(body.as_bytes())
                .map_err(|e| EventError(alloc::format!("its isBase64Encoded body is not base64: {e}")))?,
            Some(body) => body.into_bytes(),
        };
        Ok(LambdaRequest { shape, method, target, headers, body })
    }
}

/// `name=value&…` from an event's query parameters (the multi-value ones when present),
/// each part written by `write`.
fn query(multi: Option<Values>, single: Option<Singles>, write: fn(&str, &mut String)) -> String {
    let pairs: Vec<(String, String)> = match (multi, single) {
        (Some(multi), _) => multi
            .0
            .into_iter()
            .flat_map(|(name, values)| {
                values.unwrap_or_default().into_iter().flatten().map(move |v| (name.clone(), v))
            })
            .collect(),
        (None, Some(single)) => {
            single.0.into_iter().filter_map(|(name, value)| Some((name, value?))).collect()
        }
        (None, None) => Vec::new(),
    };
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        write(name, &mut out);
        out.push('=');
        write(value, &mut out);
    }
    out
}

/// A decoded query part encoded again as a URL carries it: RFC 3986's unreserved characters as
/// they are, every other byte as `%XX`.
fn encode(part: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in part.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
}

/// The reason phrase a load balancer's `statusDescription` carries, for the statuses the gate
/// answers with.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        413 => "Payload Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// The proxy response a function returns for `status`, `headers` and the text `body`, in the
/// shape its caller expects (`multiValueHeaders` and `statusDescription` for load balancers).
pub fn proxy_response(shape: EventShape, status: u16, headers: &[(String, String)], body: &str) -> String {
    let mut response = serde_json::Map::new();
    response.insert("statusCode".into(), status.into());
    let single = || headers.iter().map(|(n, v)| (n.clone(), serde_json::Value::from(v.as_str()))).collect();
    match shape {
        EventShape::Alb { multi_value } => {
            let description = alloc::format!("{status} {}", reason_phrase(status));
            response.insert("statusDescription".into(), description.trim_end().into());
            if multi_value {
                let multi = headers.iter().map(|(n, v)| (n.clone(), serde_json::json!([v]))).collect();
                response.insert("multiValueHeaders".into(), serde_json::Value::Object(multi));
            } else {
                response.insert("headers".into(), serde_json::Value::Object(single()));
            }
        }
        EventShape::RestApi | EventShape::HttpApi => {
            response.insert("headers".into(), serde_json::Value::Object(single()));
        }
    }
    response.insert("body".into(), body.into());
    response.insert("isBase64Encoded".into(), false.into());
    serde_json::Value::Object(response).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> LambdaRequest {
        LambdaRequest::from_event(json.as_bytes()).unwrap()
    }

    #[test]
    fn a_rest_api_event_keeps_its_stage_and_encodes_its_decoded_query_again() {
        let request = read(
            r#"{"resource":"/{proxy+}","path":"/api/qstash","httpMethod":"POST",
                "headers":{"Upstash-Signature":"t"},"multiValueHeaders":{"Upstash-Signature":["t"],"X-A":["1","2"]},
                "multiValueQueryStringParameters":{"tenant":["a b"],"z":["1"],"a":["2"]},
                "requestContext":{"stage":"prod","path":"/prod/api/qstash"},"body":"e30=","isBase64Encoded":true}"#,
        );
        assert_eq!(request.shape, EventShape::RestApi);
        assert_eq!(request.target, "/prod/api/qstash?tenant=a%20b&z=1&a=2");
        assert_eq!(request.body, b"{}");
        assert_eq!(
            request.headers,
            [
                ("upstash-signature".into(), b"t".to_vec()),
                ("x-a".into(), b"1".to_vec()),
                ("x-a".into(), b"2".to_vec())
            ]
        );
    }

    #[test]
    fn http_api_and_function_url_events_pass_their_raw_path_and_query() {
        let request = read(
            r#"{"version":"2.0","rawPath":"/default/api/qstash","rawQueryString":"a=%20&b",
                "headers":{"upstash-signature":"t"},"requestContext":{"http":{"method":"POST"}},"body":"x","isBase64Encoded":false}"#,
        );
        assert_eq!((request.shape, request.method.as_str()), (EventShape::HttpApi, "POST"));
        assert_eq!(
            (request.target.as_str(), request.body.as_slice()),
            ("/default/api/qstash?a=%20&b", &b"x"[..])
        );
    }

    #[test]
    fn a_load_balancer_event_passes_its_query_as_sent_and_is_answered_in_its_header_form() {
        let request = read(
            r#"{"requestContext":{"elb":{"targetGroupArn":"arn"}},"httpMethod":"POST","path":"/api/qstash",
                "multiValueQueryStringParameters":{"q":["a%20b"]},"multiValueHeaders":{"upstash-signature":["t"]},"body":"","isBase64Encoded":false}"#,
        );
        assert_eq!(request.shape, EventShape::Alb { multi_value: true });
        assert_eq!(request.target, "/api/qstash?q=a%20b");
        let response =
            proxy_response(request.shape, 401, &[("content-type".into(), "application/json".into())], "{}");
        let response: serde_json::Value = serde_json::from_str(&response).unwrap();
        let expected = serde_json::json!({
            "statusCode": 401, "statusDescription": "401 Unauthorized",
            "multiValueHeaders": {"content-type": ["application/json"]}, "body": "{}", "isBase64Encoded": false,
        });
        assert_eq!(response, expected);
    }

    #[test]
    fn events_that_are_not_http_requests_are_errors_not_guesses() {
        for json in [
            "{}",
            "[]",
            "null",
            r#"{"httpMethod":"POST"}"#,
            r#"{"httpMethod":"POST","path":"/","body":"!","isBase64Encoded":true}"#,
        ] {
            assert!(LambdaRequest::from_event(json.as_bytes()).is_err(), "{json}");
        }
    }

    #[test]
    fn shape_names_round_trip() {
        for shape in [
            EventShape::RestApi,
            EventShape::HttpApi,
            EventShape::Alb { multi_value: false },
            EventShape::Alb { multi_value: true },
        ] {
            assert_eq!(EventShape::from_name(shape.name()), Some(shape));
        }
        assert_eq!(EventShape::from_name("sqs"), None);
    }
}
