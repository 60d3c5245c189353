//! `GET /health`: whether this process can serve, for load balancers and orchestrators.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::AppState;

/// 200 when the database answers a ping, 503 (and an error in the log) when it does not.
pub async fn health(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": "ok" })),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(error = %error, "health check failed: the database does not answer");
            let body = json!({ "status": "unavailable", "database": "error" });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}
