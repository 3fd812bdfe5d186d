//! What the dev server's tests share: the test app served on a free loopback port, and the
//! next delivery it recorded.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic in a test is a failed assertion

use std::time::Duration;

use axum::Router;
use tokio::sync::mpsc;

/// Serves `app` on `127.0.0.1` at a free port until the test ends; its base URL.
pub(crate) async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// The next delivery the app recorded; fails the test after 10 s without one.
#[allow(dead_code)] // each test file compiles its own copy, and some wait for no delivery
pub(crate) async fn next<T>(deliveries: &mut mpsc::UnboundedReceiver<T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), deliveries.recv())
        .await
        .expect("no delivery within 10 s")
        .unwrap()
}
