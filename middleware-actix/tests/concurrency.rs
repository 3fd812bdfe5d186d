//! 64 concurrent clients, 50 000 mixed valid and invalid deliveries over real TCP on loopback:
//! every valid one accepted, every invalid one refused with the right reason, no 5xx.
#![allow(clippy::unwrap_used)] // a panic in a test is a failed assertion

use std::net::TcpListener;

use actix_web::{App, HttpServer, web};
use qstash_actix::{QStash, VerifiedMessage};
use qstash_core::Receiver;
use qstash_testkit::{LoadReport, mixed_load};

async fn hook(_: VerifiedMessage, body: web::Bytes) -> web::Bytes {
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_clients_fifty_thousand_mixed_requests_every_verdict_right_and_no_5xx() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(|| {
        App::new().service(
            web::resource("/api/qstash").wrap(QStash::new(Receiver::dev())).route(web::post().to(hook)),
        )
    })
    .workers(2)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    // actix runs its own single-threaded system; the clients run on this test's runtime.
    let system = std::thread::spawn(move || actix_rt::System::new().block_on(server));
    let report = mixed_load(addr, "/api/qstash", 64, 50_000).await;
    assert_eq!(report, LoadReport { accepted: 20_000, refused: 30_000 });
    handle.stop(true).await;
    system.join().unwrap().unwrap();
}
