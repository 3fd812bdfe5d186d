//! DESIGN.md §3 step 4: the header and payload of an authenticated token, checked for shape.

use crate::error::VerifyError;
use crate::json::{self, JsonStr, Value, Walk};
use crate::segment::{Decoded, STACK_HEADER};

/// `{"alg":"HS256","typ":"JWT"}` as QStash and the signer encode it. Almost every token
/// carries exactly these bytes, so they are recognised without decoding or parsing.
pub(crate) const QSTASH_HEADER_B64: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// Checks an authenticated header segment: a JSON object, `alg` exactly `"HS256"`, no `crit`
/// or `b64` (extensions this verifier does not implement), `kid` and `typ` strings if present.
pub(crate) fn check_header(segment: &[u8]) -> Result<(), VerifyError> {
    if segment == QSTASH_HEADER_B64.as_bytes() {
        return Ok(());
    }
    let decoded = Decoded::<STACK_HEADER>::new(segment)?;
    let mut alg_ok = false;
    json::for_each_member(decoded.bytes(), |name, value| {
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
/// checks (issuer, times, subject, body) are left to the caller, in DESIGN.md order.
#[derive(Debug)]
pub(crate) struct Payload<'a> {
    pub(crate) iss: Option<Value<'a>>,
    pub(crate) sub: Option<Value<'a>>,
    pub(crate) body: Option<Value<'a>>,
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
        match name.as_plain() {
            Some(plain) => Self::ALL.iter().find(|(n, _)| *n == plain),
            None => Self::ALL.iter().find(|(n, _)| name.eq_str(n)),
        }
        .map(|&(_, c)| c)
    }
}

fn finite(value: Value<'_>, what: &'static str) -> Result<f64, &'static str> {
    match value {
        Value::Number(n) if n.is_finite() => Ok(n),
        _ => Err(what),
    }
}

/// Reads an authenticated, decoded payload. `exp` and `nbf` must be finite numbers, `iat` a
/// finite number if present, `jti` a string if present, `aud` absent or `""` (QStash sends
/// `""`; any other audience means the token was not minted for this receiver).
pub(crate) fn parse_payload(bytes: &[u8]) -> Result<Payload<'_>, VerifyError> {
    let mut p = Payload { iss: None, sub: None, body: None, exp: f64::NAN, nbf: f64::NAN, iat: None, jti: None };
    let (mut has_exp, mut has_nbf) = (false, false);
    json::for_each_member(bytes, |name, value| {
        match Claim::of(&name) {
            Some(Claim::Iss) => p.iss = Some(value),
            Some(Claim::Sub) => p.sub = Some(value),
            Some(Claim::Body) => p.body = Some(value),
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
