//! The server `bench/load.sh actix` measures: the same 1 KiB POST handler at `/plain` (no
//! middleware) and at `/verified` (behind `QStash`, path-and-query policy), on 127.0.0.1.
//! Writes a signed 1 KiB body and its token next to `--out` so the load generator can send a
//! delivery that verifies.
#![allow(clippy::expect_used)] // a benchmark that cannot start should stop with the reason

use actix_web::{App, HttpServer, web};
use qstash_actix::QStash;
use qstash_core::{Receiver, Signer};

async fn handler(body: web::Bytes) -> String {
    format!("{}", body.len())
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let port = args.get(1).map_or("3900", String::as_str).to_owned();
    let out = args.get(2).map_or("/tmp/qstash-bench", String::as_str);
    let body: Vec<u8> = (0..1024).map(|i| b'a' + (i % 26) as u8).collect();
    let token = Signer::dev().token(&format!("http://127.0.0.1:{port}/verified"), &body).sign();
    std::fs::write(format!("{out}.body"), &body)?;
    std::fs::write(format!("{out}.token"), &token)?;

    let server = HttpServer::new(|| {
        App::new().route("/plain", web::post().to(handler)).service(
            web::resource("/verified").wrap(QStash::new(Receiver::dev())).route(web::post().to(handler)),
        )
    })
    // One worker, like the single-threaded axum server it is compared with.
    .workers(1)
    .bind(format!("127.0.0.1:{port}"))?
    .run();
    println!("ready");
    server.await
}
