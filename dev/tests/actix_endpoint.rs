//! The local QStash delivering to an actix-web endpoint behind `qstash_actix::QStash` with the
//! development keys: the delivery verifies and the handler gets the exact body.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a panic in a test is a failed assertion

use std::sync::mpsc;
use std::time::Duration;

use actix_web::{App, HttpServer, web};
use qstash_actix::{QStash, VerifiedMessage};
use qstash_client::{Client, PublishOptions};
use qstash_core::Receiver;
use qstash_dev::DevServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_actix_endpoint_verifies_the_dev_servers_delivery() {
    let dev = DevServer::builder().port(0).fast_retries().start().await.unwrap();
    let (seen, deliveries) = mpsc::channel::<(String, Vec<u8>)>();
    let (bound, address) = mpsc::channel();
    // actix-web runs its own single-threaded system.
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                let seen = seen.clone();
                App::new().service(web::resource("/hook").wrap(QStash::new(Receiver::dev())).route(
                    web::post().to(move |message: VerifiedMessage, body: web::Bytes| {
                        let seen = seen.clone();
                        async move {
                            let _ =
                                seen.send((message.message_id.clone().unwrap_or_default(), body.to_vec()));
                            "ok"
                        }
                    }),
                ))
            })
            .workers(1)
            .bind(("127.0.0.1", 0))
            .unwrap();
            bound.send(server.addrs()[0]).unwrap();
            server.run().await.unwrap();
        });
    });
    let addr = address.recv_timeout(Duration::from_secs(10)).unwrap();
    let client = Client::new(dev.token()).base_url(&dev.url());
    let sent =
        client.publish(format!("http://{addr}/hook"), "for actix", &PublishOptions::default()).await.unwrap();
    let (id, body) = tokio::task::spawn_blocking(move || deliveries.recv_timeout(Duration::from_secs(10)))
        .await
        .unwrap()
        .expect("no delivery within 10 s");
    assert_eq!((id, body), (sent[0].message_id.clone(), b"for actix".to_vec()));
    dev.shutdown().await;
}
