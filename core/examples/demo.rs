//! README command 1 (for now): mint QStash tokens with `Signer` and show what `Receiver`
//! accepts and why it rejects the rest.
//!
//! `cargo run -q -p qstash-core --example demo`

use qstash_core::{Receiver, Request, Signer, TOKEN_LIFETIME_SECS};

const URL: &str = "https://my-app.example.com/api/qstash";

fn main() {
    let receiver = Receiver::dev();
    let signer = Signer::dev();
    let now = 1_750_000_000;
    let body: &[u8] = br#"{"order":42,"status":"paid"}"#;
    let token = signer.token(URL, body).sign_at(now);

    let mut tampered_token = token.clone().into_bytes();
    // Flip one character of the payload segment: the claims no longer match the signature.
    let at = token.find('.').unwrap_or(0) + 10;
    tampered_token[at] = if tampered_token[at] == b'A' { b'B' } else { b'A' };
    let tampered_token = String::from_utf8(tampered_token).unwrap_or_default();

    let expired = signer.token(URL, body).sign_at(now - TOKEN_LIFETIME_SECS - 1);
    let other_url = signer.token("https://attacker.example.com/api/qstash", body).sign_at(now);
    let wrong_key = Signer::new("sig_notYourAccountsKey000000").map(|s| s.token(URL, body).sign_at(now));
    let next_key = Signer::dev_next().token(URL, body).sign_at(now);

    let cases: [(&str, Option<&str>, &[u8]); 8] = [
        ("valid message (current key)", Some(&token), body),
        ("valid message (next key, rotation)", Some(&next_key), body),
        ("tampered body", Some(&token), br#"{"order":42,"status":"refunded"}"#),
        ("tampered token", Some(&tampered_token), body),
        ("expired token", Some(&expired), body),
        ("token for another URL", Some(&other_url), body),
        ("signed with another account's key", wrong_key.as_deref().ok(), body),
        ("no Upstash-Signature header", None, body),
    ];

    println!("qstash-core demo: verifying deliveries to {URL}\n");
    println!("{:<38} {:<9} {:<10} detail", "delivery", "verdict", "reason");
    println!("{}", "-".repeat(100));
    for (name, token, body) in cases {
        let request = Request::from_header(token.map(str::as_bytes), body).url(URL);
        match receiver.verify_at(&request, now + 5) {
            Ok(v) => println!(
                "{name:<38} {:<9} {:<10} key={}, jti={}",
                "ACCEPTED",
                "-",
                v.key.as_str(),
                v.claims.jti().unwrap_or("-")
            ),
            Err(e) => println!("{name:<38} {:<9} {:<10} {e}", "rejected", e.reason()),
        }
    }
}
