//! An actix-web endpoint behind the `QStash` middleware, and deliveries signed with the
//! built-in `Signer` (development keys), some of them tampered with, sent to it over HTTP.
//!
//! ```sh
//! cargo run -q -p qstash-demos --example actix            # the demonstration
//! cargo run -q -p qstash-demos --example actix -- --serve # keep serving, print a curl command
//! ```
#![allow(clippy::expect_used)] // a demo that cannot bind or connect should stop with the reason

use actix_web::{App, HttpServer, web};
use qstash_actix::{QStash, QStashConfig, VerifiedMessage};
use qstash_core::{Receiver, Signer, TOKEN_LIFETIME_SECS};
use qstash_demos::run_demo;
use qstash_gate::replay::MemoryReplayGuard;

/// The handler only ever sees verified deliveries.
async fn hook(message: VerifiedMessage, body: web::Bytes) -> String {
    format!(
        "accepted {} ({} bytes, key {})",
        message.message_id.as_deref().unwrap_or_default(),
        body.len(),
        message.key.as_str()
    )
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let serve = std::env::args().any(|a| a == "--serve");
    let config = QStashConfig::new(Receiver::dev()).replay_guard(MemoryReplayGuard::default());
    let server = HttpServer::new(move || {
        App::new().service(
            web::resource("/api/qstash")
                // The public development keys, as the QStash CLI dev server uses them (in
                // production: QStashConfig::from_env()?), with replay protection. One guard
                // for all workers: the config is cloned, the guard inside is shared.
                .wrap(QStash::new(config.clone()))
                .route(web::post().to(hook)),
        )
    })
    .workers(1)
    .bind(if serve { "127.0.0.1:3000" } else { "127.0.0.1:0" })?;
    let addr = server.addrs()[0];
    let server = server.run();
    let url = format!("http://{addr}/api/qstash");
    if serve {
        let body = r#"{"hello":"qstash"}"#;
        let token = Signer::dev().token(&url, body.as_bytes()).sign();
        println!("Serving a QStash-verified actix-web endpoint on {url} (development keys).");
        println!("This signature is valid for {TOKEN_LIFETIME_SECS} seconds:\n");
        println!(
            "curl -i -X POST '{url}' -H 'Upstash-Signature: {token}' -H 'Upstash-Message-Id: msg_curl' --data '{body}'\n"
        );
        println!("Change one character of the body or the signature and it is refused. Ctrl-C to stop.");
        return server.await;
    }
    let handle = server.handle();
    let running = actix_rt::spawn(server);
    println!("actix-web endpoint {url} behind the QStash middleware (development keys)\n");
    run_demo(&url).await;
    handle.stop(true).await;
    running.await.expect("server task")?;
    Ok(())
}
