//! The verifier's properties: each entry point takes raw fuzzer bytes and panics only when
//! `qstash-core` breaks one: a panic inside the verifier, a forged token accepted, or a
//! verdict that differs from an independent reading of SPEC.md §3.

use arbitrary::{Arbitrary, Unstructured};
use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use qstash_core::internal::{mac, read_payload, read_payload_fast};
use qstash_core::{KeyPair, Receiver, Request, Signer, VerifyError};

/// Keys every target verifies with.
pub const CURRENT_KEY: &str = "sig_fuzzCurrentKey0000000000";
/// The next key of the fuzzing receiver.
pub const NEXT_KEY: &str = "sig_fuzzNextKey00000000000000";
const OTHER_KEY: &str = "sig_fuzzSomeoneElse000000000";
/// The clock the targets verify at.
pub const NOW: i64 = 1_750_000_000;

fn receiver() -> Receiver {
    Receiver::builder()
        .keys(KeyPair::new(CURRENT_KEY, NEXT_KEY).unwrap_or_else(|_| KeyPair::dev()))
        .build()
        .unwrap_or_else(|_| Receiver::dev())
}

/// Target `verify_bytes`: arbitrary token and body bytes must never panic and never verify.
/// The first two bytes (little-endian) say how much of the rest is the token.
pub fn verify_bytes(data: &[u8]) {
    let Some((len, rest)) = data.split_first_chunk::<2>() else { return };
    let at = usize::from(u16::from_le_bytes(*len)).min(rest.len());
    let (token, body) = rest.split_at(at);
    let receiver = receiver();
    for request in [
        Request::from_header(Some(token), body),
        Request::from_header(Some(token), body).url("https://example.com/").region("us-east-1"),
    ] {
        if let Ok(v) = receiver.verify_at(&request, NOW) {
            panic!("arbitrary bytes verified: {v:?}");
        }
    }
}

/// What the independent harness and `jsonwebtoken` think of a MAC: `oracle(token, key)` says
/// whether the token's signature is valid HS256 under `key`.
pub type MacOracle<'a> = &'a dyn Fn(&str, &[u8]) -> bool;

/// Target `verify_structured`: a token built from `arbitrary` header fields, claims and body,
/// signed with the fuzzing keys (or not), so the fuzzer gets past the MAC. The verdict must
/// equal what [`expected_reason`] reads off the same fields, and `mac_oracle` must agree with
/// the verifier on whether the MAC is valid.
pub fn verify_structured(data: &[u8], mac_oracle: MacOracle<'_>) {
    let Ok(case) = Case::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let body = case.body.as_slice();
    let header = case.header.to_json();
    let payload = case.payload_json(body);
    let key = match case.key {
        KeyChoice::Current => CURRENT_KEY,
        KeyChoice::Next => NEXT_KEY,
        KeyChoice::Other => OTHER_KEY,
    };
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(&header), URL_SAFE_NO_PAD.encode(&payload));
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac::tag(key.as_bytes(), input.as_bytes())));

    let url = case.url(body);
    let mut request = Request::new(&token, body).clock_tolerance(u64::from(case.tolerance));
    if let Some(url) = url.as_deref() {
        request = request.url(url);
    }
    let now = NOW + i64::from(case.now_offset);
    let got = receiver().verify_at(&request, now).err().map(|e| e.reason());
    let want = expected_reason(&case, body, url.as_deref(), now);
    assert_eq!(got, want, "verdict differs for {case:?}\ntoken {token}");

    let mac_valid = !matches!(case.key, KeyChoice::Other);
    assert_eq!(mac_oracle(&token, CURRENT_KEY.as_bytes()), matches!(case.key, KeyChoice::Current));
    assert_eq!(got != Some("signature"), mac_valid, "MAC verdict differs from the harness");
}

/// Target `roundtrip`: whatever `Signer` mints verifies; flipping any one bit of the token,
/// or changing the body, never does.
pub fn roundtrip(data: &[u8]) {
    let Ok((path, body, offset, bit, body_change)) =
        <(String, Vec<u8>, i16, u32, Option<(u16, u8)>)>::arbitrary_take_rest(Unstructured::new(data))
    else {
        return;
    };
    let url = format!("https://example.com/{path}");
    let iat = NOW + i64::from(offset);
    let signer = Signer::new(CURRENT_KEY).unwrap_or_else(|_| Signer::dev());
    let token = signer.token(&url, &body).sign_at(iat);
    let receiver = receiver();
    let verified = receiver.verify_at(&Request::new(&token, &body).url(&url), iat);
    assert!(verified.is_ok(), "signer output rejected: {verified:?} for {token}");

    let mut flipped = token.clone().into_bytes();
    let bit = bit as usize % (flipped.len() * 8);
    if let Some(byte) = flipped.get_mut(bit / 8) {
        *byte ^= 1 << (bit % 8);
    }
    let r = receiver.verify_at(&Request::from_header(Some(&flipped), &body).url(&url), iat);
    assert!(r.is_err(), "token with bit {bit} flipped verified");

    let mut changed = body.clone();
    match body_change {
        Some((at, xor)) if !changed.is_empty() && xor != 0 => {
            let at = usize::from(at) % changed.len();
            if let Some(b) = changed.get_mut(at) {
                *b ^= xor;
            }
        }
        Some((_, xor)) => changed.push(xor),
        None => changed.truncate(changed.len().saturating_sub(1)),
    }
    if changed != body {
        let r = receiver.verify_at(&Request::new(&token, &changed).url(&url), iat);
        assert_eq!(r.err(), Some(VerifyError::Body), "changed body verified");
    }
}

/// Target `payload_fast_path`: a payload in (or near) QStash's Go layout must read the same
/// through the fast path as through the general JSON reader.
pub fn payload_fast_path(data: &[u8]) {
    let Ok(p) = GoPayload::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let text = p.to_json();
    let Some(fast) = read_payload_fast(text.as_bytes()) else { return };
    // A leading space keeps the general reader from taking the fast path itself.
    let spaced = format!(" {text}");
    let Ok(general) = read_payload(spaced.as_bytes()) else {
        panic!("fast path accepted what the reader refuses: {text}")
    };
    assert_eq!(fast, general, "{text}");
}

/// A JSON value the harness writes itself (independently of the crate's reader).
#[derive(Debug, Clone, Arbitrary)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer literal.
    Int(i64),
    /// `NOW` plus a small offset: makes time claims land near the clock.
    NearNow(i16),
    /// A finite float, written in Rust's shortest round-trip form.
    Float(f64),
    /// A literal too large for `f64` (`1e400`), which reads as infinity.
    Huge(bool),
    /// A string, written plainly or with every non-ASCII character as a `\u` escape.
    Str(String, bool),
    /// An array (depth-limited when written).
    Array(Vec<Json>),
    /// An object; repeated names make it a duplicate-member case.
    Object(Vec<(String, Json)>),
}

const MAX_DEPTH: usize = 6;

impl Json {
    fn write(&self, out: &mut String, depth: usize) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(i) => out.push_str(&i.to_string()),
            Json::NearNow(d) => out.push_str(&(NOW + i64::from(*d)).to_string()),
            Json::Float(f) if f.is_finite() => out.push_str(&format!("{f}")),
            Json::Float(_) => out.push('0'),
            Json::Huge(negative) => out.push_str(if *negative { "-1e400" } else { "1e400" }),
            Json::Str(s, escape_all) => write_string(out, s, *escape_all),
            Json::Array(_) | Json::Object(_) if depth >= MAX_DEPTH => out.push_str("null"),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out, depth + 1);
                }
                out.push(']');
            }
            Json::Object(members) => {
                write_object(out, members.iter().map(|(k, v)| (k.as_str(), v)), depth + 1)
            }
        }
    }

    /// The number a verifier must read, if this is one.
    fn number(&self) -> Option<f64> {
        match self {
            Json::Int(i) => Some(*i as f64),
            Json::NearNow(d) => Some((NOW + i64::from(*d)) as f64),
            Json::Float(f) if f.is_finite() => Some(*f),
            Json::Float(_) => Some(0.0),
            Json::Huge(negative) => Some(if *negative { f64::NEG_INFINITY } else { f64::INFINITY }),
            _ => None,
        }
    }

    fn string(&self) -> Option<&str> {
        match self {
            Json::Str(s, _) => Some(s),
            _ => None,
        }
    }

    /// Whether any object inside (as written, depth-limited) repeats a member name.
    fn has_duplicates(&self, depth: usize) -> bool {
        match self {
            Json::Array(_) | Json::Object(_) if depth >= MAX_DEPTH => false,
            Json::Array(items) => items.iter().any(|i| i.has_duplicates(depth + 1)),
            Json::Object(members) => {
                repeats(members.iter().map(|(k, _)| k.as_str()))
                    || members.iter().any(|(_, v)| v.has_duplicates(depth + 1))
            }
            _ => false,
        }
    }
}

fn repeats<'a>(names: impl Iterator<Item = &'a str>) -> bool {
    let mut seen: Vec<&str> = Vec::new();
    for name in names {
        if seen.contains(&name) {
            return true;
        }
        seen.push(name);
    }
    false
}

fn write_string(out: &mut String, s: &str, escape_all: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || (escape_all && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_object<'a>(out: &mut String, members: impl Iterator<Item = (&'a str, &'a Json)>, depth: usize) {
    out.push('{');
    for (i, (name, value)) in members.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, name, false);
        out.push(':');
        value.write(out, depth);
    }
    out.push('}');
}

/// The header of a structured case.
#[derive(Debug, Arbitrary)]
pub enum Header {
    /// `{"alg":"HS256","typ":"JWT"}`, as QStash sends it.
    Standard,
    /// Any members, in any order.
    Members(Vec<(HeaderName, Json)>),
}

/// Header member names, weighted towards the ones with rules.
#[derive(Debug, Arbitrary)]
pub enum HeaderName {
    /// `alg`
    Alg,
    /// `typ`
    Typ,
    /// `kid`
    Kid,
    /// `crit`
    Crit,
    /// `b64`
    B64,
    /// Anything else.
    Other(String),
}

impl HeaderName {
    fn as_str(&self) -> &str {
        match self {
            HeaderName::Alg => "alg",
            HeaderName::Typ => "typ",
            HeaderName::Kid => "kid",
            HeaderName::Crit => "crit",
            HeaderName::B64 => "b64",
            HeaderName::Other(s) => s,
        }
    }
}

impl Header {
    fn to_json(&self) -> Vec<u8> {
        match self {
            Header::Standard => br#"{"alg":"HS256","typ":"JWT"}"#.to_vec(),
            Header::Members(members) => {
                let mut out = String::new();
                write_object(&mut out, members.iter().map(|(k, v)| (k.as_str(), v)), 1);
                out.into_bytes()
            }
        }
    }

    /// SPEC.md §3 step 4 for the header, read off the fields.
    fn is_malformed(&self) -> bool {
        let Header::Members(members) = self else { return false };
        let find = |n: &str| members.iter().find(|(k, _)| k.as_str() == n).map(|(_, v)| v);
        repeats(members.iter().map(|(k, _)| k.as_str()))
            || members.iter().any(|(_, v)| v.has_duplicates(1))
            || find("alg").and_then(Json::string) != Some("HS256")
            || find("crit").is_some()
            || find("b64").is_some()
            || find("kid").is_some_and(|v| v.string().is_none())
            || find("typ").is_some_and(|v| v.string().is_none())
    }
}

/// The `body` claim of a structured case.
#[derive(Debug, Arbitrary)]
pub enum BodyClaim {
    /// The right hash with QStash's single `=`.
    Right,
    /// The right hash with this many `=` (0 to 3).
    RightPadded(u8),
    /// Any value.
    Value(Json),
}

/// Which key signs a structured case.
#[derive(Debug, Arbitrary)]
pub enum KeyChoice {
    /// The receiver's current key.
    Current,
    /// The receiver's next key.
    Next,
    /// A key the receiver does not have.
    Other,
}

/// The URL a structured case is checked against.
#[derive(Debug, Arbitrary)]
pub enum UrlChoice {
    /// No URL check.
    Skip,
    /// The `sub` claim's own string (when it is one).
    SameAsSub,
    /// Another URL.
    Other(String),
}

/// One structured verification case.
#[derive(Debug, Arbitrary)]
pub struct Case {
    header: Header,
    iss: Option<Json>,
    sub: Option<Json>,
    exp: Option<Json>,
    nbf: Option<Json>,
    iat: Option<Json>,
    jti: Option<Json>,
    aud: Option<Json>,
    body_claim: Option<BodyClaim>,
    extra: Vec<(String, Json)>,
    shuffle: u8,
    key: KeyChoice,
    url: UrlChoice,
    now_offset: i16,
    tolerance: u8,
    body: Vec<u8>,
}

impl Case {
    fn body_claim(&self, body: &[u8]) -> Option<Json> {
        let padded = URL_SAFE.encode(Sha256::digest(body));
        let bare = padded.trim_end_matches('=');
        Some(match self.body_claim.as_ref()? {
            BodyClaim::Right => Json::Str(padded, false),
            BodyClaim::RightPadded(n) => {
                Json::Str(format!("{bare}{}", "=".repeat(usize::from(n % 4))), false)
            }
            BodyClaim::Value(v) => v.clone(),
        })
    }

    fn members(&self, body: &[u8]) -> Vec<(String, Json)> {
        let known = [
            ("iss", self.iss.clone()),
            ("sub", self.sub.clone()),
            ("exp", self.exp.clone()),
            ("nbf", self.nbf.clone()),
            ("iat", self.iat.clone()),
            ("jti", self.jti.clone()),
            ("aud", self.aud.clone()),
            ("body", self.body_claim(body)),
        ];
        let mut members: Vec<(String, Json)> =
            known.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v))).collect();
        members.extend(self.extra.iter().cloned());
        if !members.is_empty() {
            let len = members.len();
            members.rotate_left(usize::from(self.shuffle) % len);
        }
        members
    }

    fn payload_json(&self, body: &[u8]) -> Vec<u8> {
        let members = self.members(body);
        let mut out = String::new();
        write_object(&mut out, members.iter().map(|(k, v)| (k.as_str(), v)), 1);
        out.into_bytes()
    }

    fn url(&self, body: &[u8]) -> Option<String> {
        match &self.url {
            UrlChoice::Skip => None,
            UrlChoice::SameAsSub => {
                Some(self.claim("sub", body).and_then(|v| v.string().map(str::to_owned)).unwrap_or_default())
            }
            UrlChoice::Other(u) => Some(u.clone()),
        }
    }

    /// The claim as the payload carries it (the last one written, should there be several).
    fn claim(&self, name: &str, body: &[u8]) -> Option<Json> {
        self.members(body).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// SPEC.md §3, read off the case's fields instead of the token's bytes.
pub fn expected_reason(case: &Case, body: &[u8], url: Option<&str>, now: i64) -> Option<&'static str> {
    if matches!(case.key, KeyChoice::Other) {
        return Some("signature");
    }
    let members = case.members(body);
    let claim = |n: &str| members.iter().find(|(k, _)| k == n).map(|(_, v)| v);
    let finite = |v: Option<&Json>| v.and_then(Json::number).is_some_and(f64::is_finite);
    let payload_malformed = repeats(members.iter().map(|(k, _)| k.as_str()))
        || members.iter().any(|(_, v)| v.has_duplicates(1))
        || !finite(claim("exp"))
        || !finite(claim("nbf"))
        || claim("iat").is_some_and(|v| !finite(Some(v)))
        || claim("jti").is_some_and(|v| v.string().is_none())
        || claim("aud").is_some_and(|v| v.string() != Some(""));
    if case.header.is_malformed() || payload_malformed {
        return Some("malformed");
    }
    if claim("iss").and_then(Json::string) != Some("Upstash") {
        return Some("issuer");
    }
    let number = |n: &str| claim(n).and_then(Json::number).unwrap_or(f64::NAN);
    let (now, tolerance) = (now as f64, f64::from(case.tolerance));
    if number("exp") <= now - tolerance {
        return Some("expired");
    }
    if number("nbf") > now + tolerance || claim("iat").is_some_and(|_| number("iat") > now + tolerance) {
        return Some("not_yet_valid");
    }
    let Some(sub) = claim("sub").and_then(Json::string) else { return Some("subject") };
    if url.is_some_and(|url| url != sub) {
        return Some("subject");
    }
    let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(body));
    if claim("body").and_then(Json::string).map(|s| s.trim_end_matches('=')) != Some(expected.as_str()) {
        return Some("body");
    }
    None
}

/// A number in a payload: usually an integer as Go writes it, sometimes any text.
#[derive(Debug, Arbitrary)]
pub enum Number {
    /// An integer.
    Int(i64),
    /// Raw text where the number would be.
    Raw(String),
}

impl Number {
    fn text(&self) -> String {
        match self {
            Number::Int(i) => i.to_string(),
            Number::Raw(s) => s.clone(),
        }
    }
}

/// A payload in QStash's layout built from parts that usually keep the layout (so the fast
/// path is taken) and sometimes break it: raw strings go in unescaped, and `splice` inserts
/// raw text anywhere.
#[derive(Debug, Arbitrary)]
pub struct GoPayload {
    digest: [u8; 32],
    padding: u8,
    exp: Number,
    iat: Number,
    iss: Option<String>,
    jti: String,
    nbf: Number,
    sub: String,
    splice: Option<(u16, String)>,
    tail: String,
}

impl GoPayload {
    fn to_json(&self) -> String {
        let body =
            format!("{}{}", URL_SAFE_NO_PAD.encode(self.digest), "=".repeat(usize::from(self.padding % 3)));
        let mut text = format!(
            r#"{{"aud":"","body":"{body}","exp":{},"iat":{},"iss":"{}","jti":"{}","nbf":{},"sub":"{}"}}{}"#,
            self.exp.text(),
            self.iat.text(),
            self.iss.as_deref().unwrap_or("Upstash"),
            self.jti,
            self.nbf.text(),
            self.sub,
            self.tail
        );
        if let Some((at, raw)) = &self.splice {
            let mut at = usize::from(*at) % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, raw);
        }
        text
    }
}
