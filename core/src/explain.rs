//! [`explain`]: a token read by the rules of SPEC.md §3 one by one, with or without keys, for
//! tools that show what a token says and why it would be refused (`qstash-kit inspect`).

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::VerifyError;
use crate::keys::{KeyUsed, Tag};
use crate::receiver::{Receiver, check_expiry, check_issuer, check_not_before, check_subject, key_used};
use crate::segment::{QSTASH_HEADER_B64, Scratch, Segments};
use crate::{base64url, claims};

/// A rule of SPEC.md §3, in the order the verifier applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// Steps 1–2: a token of three canonical base64url segments with a 32-byte signature.
    Shape,
    /// Step 3: the MAC of the current or the next key.
    Signature,
    /// Step 4: header and claims of the shape QStash sends.
    Content,
    /// Step 5: `iss` is `"Upstash"`.
    Issuer,
    /// Step 6: `exp` has not passed.
    Expiry,
    /// Step 7: `nbf` and `iat` have come.
    NotBefore,
    /// Step 8: `sub` is a string (and the expected URL, when one is given).
    Subject,
    /// Step 9, as far as it goes without the body: `body` names a SHA-256.
    BodyClaim,
}

impl Rule {
    /// What the rule asks, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::Shape => "three canonical base64url segments, a 32-byte signature",
            Rule::Signature => "signed with the current or the next key",
            Rule::Content => "header and claims of the shape QStash sends",
            Rule::Issuer => "issued by Upstash",
            Rule::Expiry => "not expired",
            Rule::NotBefore => "already valid",
            Rule::Subject => "subject is the URL",
            Rule::BodyClaim => "body claim names a SHA-256",
        }
    }
}

/// How one rule judged the token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    /// The rule holds.
    Passed,
    /// The rule fails, with the reason the verifier gives.
    Failed(VerifyError),
    /// Not judged: the signature without keys, or a claim of a payload that could not be read.
    NotChecked,
}

/// One rule and its finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The rule.
    pub rule: Rule,
    /// How it judged the token.
    pub finding: Finding,
}

/// What a token says and how every rule judges it. Nothing in it is authenticated unless the
/// signature check passed: it is for showing a token, not for trusting one.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Explanation {
    /// The decoded header, as text.
    pub header: Option<String>,
    /// The decoded payload, as text.
    pub payload: Option<String>,
    /// `exp`, when the payload has the shape QStash sends.
    pub exp: Option<f64>,
    /// `nbf`, likewise.
    pub nbf: Option<f64>,
    /// `iat`, when present.
    pub iat: Option<f64>,
    /// `sub`, when it is a string.
    pub sub: Option<String>,
    /// Which key matched, when keys were given and one did.
    pub key: Option<KeyUsed>,
    /// Every rule in order, with its finding.
    pub checks: Vec<Check>,
}

impl Explanation {
    /// The verifier's verdict on everything but the body: the first rule that failed, as
    /// [`Receiver::verify_token_at`] reports it (a signature not checked counts as passed).
    pub fn verdict(&self) -> Result<(), VerifyError> {
        match self
            .checks
            .iter()
            .find_map(|c| if let Finding::Failed(e) = &c.finding { Some(e) } else { None })
        {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    fn push(&mut self, rule: Rule, result: Result<(), VerifyError>) {
        let finding = match result {
            Ok(()) => Finding::Passed,
            Err(error) => Finding::Failed(error),
        };
        self.checks.push(Check { rule, finding });
    }
}

/// Reads `token` by every rule of SPEC.md §3 at `now` with `tolerance`, each rule judged on
/// its own so all of them show (the verifier stops at the first failure). With `keys`, the
/// signature is checked with the pair `region` selects; `url` is the expected `sub`.
pub fn explain(
    token: &[u8],
    keys: Option<&Receiver>,
    region: Option<&str>,
    url: Option<&str>,
    now: i64,
    tolerance: u64,
) -> Explanation {
    let mut out = Explanation::default();
    let mut signature = Tag([0; 32]);
    let mut scratch = Scratch::new();
    let decoded = Segments::split(Some(token), &mut signature)
        .and_then(|segments| segments.decode(&mut scratch).map(|decoded| (segments, decoded)));
    let (segments, decoded) = match decoded {
        Ok(ok) => ok,
        Err(error) => {
            out.push(Rule::Shape, Err(error));
            return out;
        }
    };
    out.push(Rule::Shape, Ok(()));
    out.header = Some(match decoded.header {
        Some(header) => String::from_utf8_lossy(header).into_owned(),
        None => {
            let mut standard = [0u8; 27];
            let header = base64url::decode_exact(QSTASH_HEADER_B64.as_bytes(), &mut standard);
            String::from_utf8_lossy(header.map_or(&[][..], |()| &standard)).into_owned()
        }
    });
    out.payload = Some(String::from_utf8_lossy(decoded.payload).into_owned());
    match keys {
        Some(receiver) => {
            let matched = receiver
                .keys_for(region)
                .and_then(|(pair, _)| key_used(None, pair, segments.signing_input, &signature));
            out.key = matched.as_ref().ok().copied();
            out.push(Rule::Signature, matched.map(|_| ()));
        }
        None => out.checks.push(Check { rule: Rule::Signature, finding: Finding::NotChecked }),
    }
    let payload = decoded
        .header
        .map_or(Ok(()), claims::check_header)
        .and_then(|()| claims::parse_payload(decoded.payload));
    let payload = match payload {
        Ok(payload) => payload,
        Err(error) => {
            out.push(Rule::Content, Err(error));
            for rule in [Rule::Issuer, Rule::Expiry, Rule::NotBefore, Rule::Subject, Rule::BodyClaim] {
                out.checks.push(Check { rule, finding: Finding::NotChecked });
            }
            return out;
        }
    };
    out.push(Rule::Content, Ok(()));
    (out.exp, out.nbf, out.iat) = (Some(payload.exp), Some(payload.nbf), payload.iat);
    out.sub = payload.sub.map(|sub| sub.chars().collect());
    out.push(Rule::Issuer, check_issuer(&payload));
    out.push(Rule::Expiry, check_expiry(&payload, now, tolerance));
    out.push(Rule::NotBefore, check_not_before(&payload, now, tolerance));
    out.push(Rule::Subject, check_subject(&payload, url));
    out.push(Rule::BodyClaim, payload.body_digest().map(|_| ()).ok_or(VerifyError::Body));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Signer;

    #[test]
    fn every_rule_is_reported_and_the_verdict_is_the_verifiers() {
        let token = Signer::dev().token("https://a.example/h", b"x").sign_at(1000);
        let e =
            explain(token.as_bytes(), Some(&Receiver::dev()), None, Some("https://a.example/other"), 2000, 0);
        assert_eq!(e.header.as_deref(), Some(r#"{"alg":"HS256","typ":"JWT"}"#));
        assert_eq!(e.sub.as_deref(), Some("https://a.example/h"));
        let failed: Vec<_> =
            e.checks.iter().filter(|c| matches!(c.finding, Finding::Failed(_))).map(|c| c.rule).collect();
        assert_eq!(failed, [Rule::Expiry, Rule::Subject]);
        assert_eq!(e.verdict(), Err(VerifyError::Expired));
        let request = crate::Request::new(&token, b"x").url("https://a.example/other");
        assert_eq!(Receiver::dev().verify_token_at(&request, 2000).err(), e.verdict().err());
        assert_eq!(e.key, Some(KeyUsed::Current));
    }

    #[test]
    fn without_keys_the_signature_is_not_checked_and_a_forgery_still_reads() {
        let forged =
            crate::Signer::new("sig_someoneElse").unwrap().token("https://a.example/h", b"").sign_at(1000);
        let e = explain(forged.as_bytes(), None, None, None, 1001, 0);
        assert_eq!(e.checks[1], Check { rule: Rule::Signature, finding: Finding::NotChecked });
        assert_eq!(e.verdict(), Ok(()));
        let e = explain(forged.as_bytes(), Some(&Receiver::dev()), None, None, 1001, 0);
        assert_eq!(e.verdict(), Err(VerifyError::Signature));
        let garbage = explain(b"not.a-token", None, None, None, 0, 0);
        assert_eq!(garbage.checks.len(), 1);
        assert!(matches!(garbage.verdict(), Err(VerifyError::Malformed { .. })));
    }
}
