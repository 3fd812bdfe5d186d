//! `QStashLayer` in an AWS Lambda function (behind API Gateway, a function URL or a load
//! balancer), with `lambda_http` running the axum router: `cargo lambda deploy` it, or build it
//! for `provided.al2023`. Keys from `QSTASH_CURRENT_SIGNING_KEY` / `QSTASH_NEXT_SIGNING_KEY`.

use axum::{Router, body::Bytes, routing::post};
use qstash_axum::{QStashConfig, QStashLayer, VerifiedMessage};

async fn hook(message: VerifiedMessage, body: Bytes) -> String {
    format!("{:?}: {} bytes", message.message_id, body.len())
}

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = QStashConfig::from_env()?;
    let api = Router::new().route("/api/qstash", post(hook)).route_layer(QStashLayer::new(config));
    // Behind a REST API stage, `lambda_http` passes the path with the stage (`/prod/api/qstash`),
    // which is also the URL QStash calls: nest the routes under it.
    let app = match std::env::var("API_STAGE") {
        Ok(stage) => Router::new().nest(&format!("/{stage}"), api),
        Err(_) => api,
    };
    lambda_http::run(app).await
}
