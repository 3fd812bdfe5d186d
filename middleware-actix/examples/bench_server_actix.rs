//! The server `bench/load.sh actix` measures, on 127.0.0.1, with the same 1 KiB POST handler
//! behind three routes: `/plain` (no check), `/handwritten` (the check a user without the
//! middleware would write: headers and `Bytes` in, `qstash_core` called directly) and
//! `/verified` (behind `QStash`, path-and-query policy). Writes a signed 1 KiB body and its
//! token next to `--out` so the load generator can send a delivery that verifies.
#![allow(clippy::expect_used)] // a benchmark that cannot start should stop with the reason

use actix_web::{App, Either, HttpRequest, HttpResponse, HttpServer, web};
use qstash_actix::QStash;
use qstash_core::{Receiver, Request, Signer};

async fn handler(body: web::Bytes) -> String {
    format!("{}", body.len())
}

/// What the handwritten route checks the token against: the URL the service knows it has.
struct Expected {
    receiver: Receiver,
    url: String,
}

async fn handwritten(
    expected: web::Data<Expected>,
    request: HttpRequest,
    body: web::Bytes,
) -> Either<String, HttpResponse> {
    let token = request.headers().get("upstash-signature").map(|v| v.as_bytes());
    match expected.receiver.verify(&Request::from_header(token, &body).url(&expected.url)) {
        // The handler's own answer, so every route sends the same response.
        Ok(_) => Either::Left(handler(body).await),
        Err(error) => Either::Right(
            HttpResponse::Unauthorized()
                .content_type("application/json")
                .body(format!(r#"{{"error":"invalid_signature","reason":"{}"}}"#, error.reason())),
        ),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let port = args.get(1).map_or("3900", String::as_str).to_owned();
    let out = args.get(2).map_or("/tmp/qstash-bench", String::as_str);
    let body: Vec<u8> = (0..1024).map(|i| b'a' + (i % 26) as u8).collect();
    let url = format!("http://127.0.0.1:{port}/verified");
    let token = Signer::dev().token(&url, &body).sign();
    std::fs::write(format!("{out}.body"), &body)?;
    std::fs::write(format!("{out}.token"), &token)?;

    let expected = web::Data::new(Expected { receiver: Receiver::dev(), url });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(expected.clone())
            .route("/plain", web::post().to(handler))
            .route("/handwritten", web::post().to(handwritten))
            .service(
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
