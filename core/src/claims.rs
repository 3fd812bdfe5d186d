//! SPEC.md §3 step 4: the header and payload of an authenticated token, checked for shape.

use crate::base64url;
use crate::error::VerifyError;
use crate::json::{self, JsonStr, Value, Walk};

/// Checks an authenticated, decoded header: a JSON object, `alg` exactly `"HS256"`, no `crit`
/// or `b64` (extensions this verifier does not implement), `kid` and `typ` strings if present.
pub(crate) fn check_header(header: &[u8]) -> Result<(), VerifyError> {
    let mut alg_ok = false;
    json::for_each_member(header, |name, value| {
        if name.eq_str("alg") {
            alg_ok = matches!(value, Value::String(s) if s.eq_str("HS256"));
            if !alg_ok {
                return Err("header alg is not \"HS256\"");
            }
        } else if name.eq_str("crit") || name.eq_str("b64") {
            return Err("header carries crit or b64, which this verifier does not implement");
        } else if (name.eq_str("kid") || name.eq_str("typ")) && !matches!(value, Value::String(_)) {
            return Err("header kid or typ is not a string");
        }
        Ok(())
    })
    .map_err(|e| walk_error(e, "header is not a JSON object"))?;
    if !alg_ok {
        return Err(VerifyError::malformed("header has no alg"));
    }
    Ok(())
}

fn walk_error(e: Walk<&'static str>, invalid: &'static str) -> VerifyError {
    match e {
        Walk::Invalid => VerifyError::malformed(invalid),
        Walk::Refused(what) => VerifyError::malformed(what),
    }
}

/// The claims of an authenticated payload after the shape checks of step 4. The semantic
/// checks (issuer, times, subject, body) are left to the caller, in SPEC.md order.
#[derive(Debug)]
pub(crate) struct Payload<'a> {
    /// `iss` is the string `"Upstash"`.
    pub(crate) iss_ok: bool,
    /// `sub` when it is a string.
    pub(crate) sub: Option<JsonStr<'a>>,
    /// The `body` claim when it is a string, still base64url (decoded by [`Payload::body_digest`]).
    pub(crate) body: Option<JsonStr<'a>>,
    pub(crate) exp: f64,
    pub(crate) nbf: f64,
    pub(crate) iat: Option<f64>,
    pub(crate) jti: Option<JsonStr<'a>>,
}

#[derive(Clone, Copy)]
enum Claim {
    Iss,
    Sub,
    Body,
    Exp,
    Nbf,
    Iat,
    Jti,
    Aud,
}

impl Claim {
    const ALL: [(&'static str, Claim); 8] = [
        ("iss", Claim::Iss),
        ("sub", Claim::Sub),
        ("body", Claim::Body),
        ("exp", Claim::Exp),
        ("nbf", Claim::Nbf),
        ("iat", Claim::Iat),
        ("jti", Claim::Jti),
        ("aud", Claim::Aud),
    ];

    fn of(name: &JsonStr<'_>) -> Option<Claim> {
        let Some(plain) = name.as_plain() else {
            return Self::ALL.iter().find(|(n, _)| name.eq_str(n)).map(|&(_, c)| c);
        };
        // Array patterns compile to a few integer compares; string patterns would call memcmp
        // once per candidate for every member.
        Some(match *plain.as_bytes() {
            [b'i', b's', b's'] => Claim::Iss,
            [b's', b'u', b'b'] => Claim::Sub,
            [b'b', b'o', b'd', b'y'] => Claim::Body,
            [b'e', b'x', b'p'] => Claim::Exp,
            [b'n', b'b', b'f'] => Claim::Nbf,
            [b'i', b'a', b't'] => Claim::Iat,
            [b'j', b't', b'i'] => Claim::Jti,
            [b'a', b'u', b'd'] => Claim::Aud,
            _ => return None,
        })
    }
}

fn string(value: Value<'_>) -> Option<JsonStr<'_>> {
    match value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn finite(value: Value<'_>, what: &'static str) -> Result<f64, &'static str> {
    match value {
        Value::Number(n) if n.is_finite() => Ok(n),
        _ => Err(what),
    }
}

impl Payload<'_> {
    /// The digest the `body` claim names, when it is a string that, stripped of trailing `=`,
    /// is canonical unpadded base64url of 32 bytes; anything else can never match a body.
    pub(crate) fn body_digest(&self) -> Option<[u8; 32]> {
        let claim = self.body?;
        let mut digest = [0u8; 32];
        let mut unescaped = [0u8; 43];
        let text = match claim.as_plain() {
            Some(plain) => plain.trim_end_matches('=').as_bytes(),
            None => {
                // Escaped claims are never sent by QStash but are legal JSON: unescape the
                // first 43 characters, which must then be followed by nothing but padding.
                let mut len = 0;
                for c in claim.chars() {
                    *unescaped.get_mut(len)? = u8::try_from(c).ok().filter(u8::is_ascii)?;
                    len += 1;
                    if len == unescaped.len() {
                        break;
                    }
                }
                claim.chars().skip(len).all(|c| c == '=').then_some(unescaped.get(..len)?)?
            }
        };
        (text.len() == 43 && base64url::decode_exact(text, &mut digest).is_ok()).then_some(digest)
    }
}

/// Reads an authenticated, decoded payload. `exp` and `nbf` must be finite numbers, `iat` a
/// finite number if present, `jti` a string if present, `aud` absent or `""` (QStash sends
/// `""`; any other audience means the token was not minted for this receiver).
pub(crate) fn parse_payload(bytes: &[u8]) -> Result<Payload<'_>, VerifyError> {
    if let Some(p) = parse_go_layout(bytes) {
        return Ok(p);
    }
    let mut p =
        Payload { iss_ok: false, sub: None, body: None, exp: f64::NAN, nbf: f64::NAN, iat: None, jti: None };
    let (mut has_exp, mut has_nbf) = (false, false);
    json::for_each_member(bytes, |name, value| {
        match Claim::of(&name) {
            Some(Claim::Iss) => p.iss_ok = matches!(value, Value::String(s) if s.eq_str("Upstash")),
            Some(Claim::Sub) => p.sub = string(value),
            Some(Claim::Body) => p.body = string(value),
            Some(Claim::Exp) => {
                p.exp = finite(value, "exp is not a finite number")?;
                has_exp = true;
            }
            Some(Claim::Nbf) => {
                p.nbf = finite(value, "nbf is not a finite number")?;
                has_nbf = true;
            }
            Some(Claim::Iat) => p.iat = Some(finite(value, "iat is not a finite number")?),
            Some(Claim::Jti) => match value {
                Value::String(s) => p.jti = Some(s),
                _ => return Err("jti is not a string"),
            },
            Some(Claim::Aud) => match value {
                Value::String(s) if s.eq_str("") => {}
                _ => return Err("aud is present and not the empty string"),
            },
            None => {}
        }
        Ok(())
    })
    .map_err(|e| walk_error(e, "payload is not a JSON object without duplicate members"))?;
    if !has_exp {
        return Err(VerifyError::malformed("exp is missing"));
    }
    if !has_nbf {
        return Err(VerifyError::malformed("nbf is missing"));
    }
    Ok(p)
}

/// The payload exactly as QStash writes it (Go's `encoding/json`: members in alphabetical
/// order, no spaces, integer times): recognised by a straight scan instead of the general
/// reader, which would cost as much as the MAC itself. Anything else (another order, escapes,
/// extra members, fractional times) returns `None` and goes through [`json::for_each_member`],
/// which gives the same result on every text accepted here (checked by unit tests and the
/// `payload_fast_path` fuzz target).
pub(crate) fn parse_go_layout(bytes: &[u8]) -> Option<Payload<'_>> {
    // One UTF-8 check of the whole payload costs half as much as one per string; likewise
    // one look for escapes and control characters (both send the payload to the general
    // reader), which leaves each string to a single quote search. Both looks are vector
    // loops: the smallest byte (a minimum reduction) and a backslash search.
    let mut c = Cursor(core::str::from_utf8(bytes).ok()?);
    let control = bytes.iter().copied().min().is_some_and(|lowest| lowest < 0x20);
    if control || memchr::memchr(b'\\', bytes).is_some() {
        return None;
    }
    c.literal(br#"{"aud":"","body":""#)?;
    let body = c.string()?;
    c.literal(br#","exp":"#)?;
    let exp = c.integer()?;
    c.literal(br#","iat":"#)?;
    let iat = c.integer()?;
    c.literal(br#","iss":"Upstash","jti":""#)?;
    let jti = c.string()?;
    c.literal(br#","nbf":"#)?;
    let nbf = c.integer()?;
    c.literal(br#","sub":""#)?;
    let sub = c.string()?;
    (c.0 == "}").then_some(Payload {
        iss_ok: true,
        sub: Some(JsonStr::plain(sub)),
        body: Some(JsonStr::plain(body)),
        exp,
        nbf,
        iat: Some(iat),
        jti: Some(JsonStr::plain(jti)),
    })
}

/// The unread rest of a payload on the fast path.
struct Cursor<'a>(&'a str);

impl<'a> Cursor<'a> {
    // Fixed-size comparisons compile to a few wide loads instead of a `memcmp` call.
    fn literal<const N: usize>(&mut self, literal: &[u8; N]) -> Option<()> {
        if self.0.as_bytes().first_chunk::<N>() != Some(literal) {
            return None;
        }
        self.0 = self.0.get(N..)?;
        Some(())
    }

    /// A string body and its closing quote (the whole payload was checked for escapes and
    /// control characters). A plain `&str` comes back in registers; an `Option<JsonStr>`
    /// would make a round trip through the stack.
    fn string(&mut self) -> Option<&'a str> {
        let end = memchr::memchr(b'"', self.0.as_bytes())?;
        let content = self.0.get(..end)?;
        self.0 = self.0.get(end + 1..)?;
        Some(content)
    }

    /// A JSON integer of at most 15 digits (exact in `f64`), without leading zeros. Ten
    /// digits (any current unix time) are read first; everything else is rarer.
    fn integer(&mut self) -> Option<f64> {
        if let Some(v) = self.0.as_bytes().first_chunk::<11>().and_then(ten_digits) {
            self.0 = self.0.get(10..)?;
            return Some(v as f64);
        }
        self.any_integer()
    }

    /// [`Cursor::integer`] of any other length or sign (Go's zero time is `-62135596800`).
    #[inline(never)]
    fn any_integer(&mut self) -> Option<f64> {
        let negative = self.0.starts_with('-');
        let digits = self.0.as_bytes().get(usize::from(negative)..)?;
        let (v, len) = any_digits(digits)?;
        self.0 = self.0.get(usize::from(negative) + len..)?;
        let v = v as f64;
        Some(if negative { -v } else { v })
    }
}

/// Exactly ten digits (every unix time from 2001 to 2286) and then a non-digit, read without
/// branches: the first eight as one little-endian word, in three multiply-and-shift steps
/// (pairs, quads, the octet), the last two by hand.
fn ten_digits(d: &[u8; 11]) -> Option<i64> {
    let (eight, &[d8, d9, end]) = d.split_first_chunk::<8>()? else { return None };
    let x = u64::from_le_bytes(*eight).wrapping_sub(0x3030_3030_3030_3030);
    // A byte that was not a digit has its top bit set either after the subtraction (below
    // `0`, and a borrow only ever runs into later bytes) or after adding 0x76 (above `9`).
    let digits_ok = (x | x.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080 == 0;
    // Wrapping throughout: on bytes that were not digits the arithmetic is garbage, computed
    // without branches and then thrown away.
    let x = x.wrapping_mul(10).wrapping_add(x >> 8) & 0x00ff_00ff_00ff_00ff;
    let x = x.wrapping_mul(100).wrapping_add(x >> 16) & 0x0000_ffff_0000_ffff;
    let octet = x.wrapping_mul(10_000).wrapping_add(x >> 32) & 0xffff_ffff;
    let [d8, d9, end] = [d8, d9, end].map(|b| b.wrapping_sub(b'0'));
    let ok = digits_ok && d8 <= 9 && d9 <= 9 && end > 9 && d[0] != b'0';
    ok.then_some(octet as i64 * 100 + i64::from(d8) * 10 + i64::from(d9))
}

/// One to fifteen digits without a leading zero, and how many there were.
fn any_digits(digits: &[u8]) -> Option<(i64, usize)> {
    let (mut v, mut len) = (0i64, 0usize);
    while let Some(&b) = digits.get(len) {
        let x = b.wrapping_sub(b'0');
        if x > 9 || len == 16 {
            break;
        }
        v = v * 10 + i64::from(x);
        len += 1;
    }
    let leading_zero = len > 1 && digits.first() == Some(&b'0');
    (len > 0 && len <= 15 && !leading_zero).then_some((v, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn general(text: &str) -> Result<Payload<'_>, VerifyError> {
        // The general reader alone, for comparison with the fast path.
        let mut text = std::string::String::from(text);
        text.insert(0, ' ');
        let leaked: &'static str = std::boxed::Box::leak(text.into_boxed_str());
        parse_payload(leaked.as_bytes())
    }

    fn same(a: &Payload<'_>, b: &Payload<'_>) -> bool {
        let s = |v: &Option<JsonStr<'_>>| v.map(|s| s.chars().collect::<std::string::String>());
        let same_body = a.body_digest() == b.body_digest();
        a.iss_ok == b.iss_ok
            && s(&a.sub) == s(&b.sub)
            && same_body
            && a.exp == b.exp
            && a.nbf == b.nbf
            && a.iat == b.iat
            && a.jti.map(|j| j.chars().collect::<std::string::String>()) == b.jti.map(|j| j.chars().collect())
    }

    const REAL: &str = r#"{"aud":"","body":"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=","exp":1750000300,"iat":1750000000,"iss":"Upstash","jti":"jwt_abc","nbf":1750000000,"sub":"https://example.com/api?a=1"}"#;

    #[test]
    fn real_qstash_payloads_take_the_fast_path_with_the_general_readers_result() {
        let fast = parse_go_layout(REAL.as_bytes()).unwrap();
        assert!(same(&fast, &general(REAL).unwrap()));
        let go_zero = REAL.replace(r#""nbf":1750000000"#, r#""nbf":-62135596800"#);
        assert!(same(&parse_go_layout(go_zero.as_bytes()).unwrap(), &general(&go_zero).unwrap()));
    }

    #[test]
    fn invalid_utf8_in_sub_or_jti_is_refused() {
        for at in ["example", "jwt_abc"] {
            let mut bytes = REAL.as_bytes().to_vec();
            bytes[REAL.find(at).unwrap() + 1] = 0xff;
            assert!(parse_payload(&bytes).is_err(), "{at}");
        }
    }

    #[test]
    fn ten_digit_times_read_exactly() {
        for t in [1_000_000_000i64, 1_750_000_300, 9_999_999_999, 1_234_567_890] {
            let mut d = [b','; 11];
            d[..10].copy_from_slice(std::format!("{t}").as_bytes());
            assert_eq!(ten_digits(&d), Some(t));
        }
        assert_eq!(ten_digits(b"0123456789,"), None);
        assert_eq!(ten_digits(b"12345678901"), None);
        assert_eq!(ten_digits(b"12345/7890,"), None);
    }

    #[test]
    fn ten_digits_refuses_any_other_byte_anywhere() {
        // Against the obvious reading, every byte value at every position of a valid time.
        let reference = |d: &[u8; 11]| -> Option<i64> {
            let ok = d[..10].iter().all(u8::is_ascii_digit) && !d[10].is_ascii_digit() && d[0] != b'0';
            ok.then(|| d[..10].iter().fold(0i64, |v, &b| v * 10 + i64::from(b - b'0')))
        };
        for at in 0..11 {
            for byte in 0..=255u8 {
                let mut d = *b"1750000300,";
                d[at] = byte;
                assert_eq!(ten_digits(&d), reference(&d), "{d:?}");
                // Garbage everywhere else too: the arithmetic must not overflow either.
                let mut d = [byte; 11];
                d[at] = byte.wrapping_mul(31).wrapping_add(7);
                assert_eq!(ten_digits(&d), reference(&d), "{d:?}");
            }
        }
    }

    #[test]
    fn anything_unusual_falls_back_to_the_general_reader() {
        for variant in [
            REAL.replace(r#""sub":"https"#, r#""sub":"\u0068ttps"#),
            REAL.replace("1750000300", "1750000300.5"),
            REAL.replace("1750000300", "01750000300"),
            REAL.replace("1750000300", "1750000300000000000"),
            REAL.replace(r#""iss":"Upstash""#, r#""iss":"upstash""#),
            REAL.replace("}", r#","x":1}"#),
            REAL.replace(r#""jti":"jwt_abc""#, "\"jti\":\"jwt\tabc\""),
            REAL.replace(':', ": "),
        ] {
            assert!(parse_go_layout(variant.as_bytes()).is_none(), "{variant}");
        }
    }
}
