//! `POST /webhooks/nps`: an NPS response pushed by a survey tool.
//!
//! The sender names its secret in `X-Closeloop-Key`, stamps the request with
//! `X-Closeloop-Timestamp: <Unix seconds>` and signs `<timestamp>.<raw body>` with the secret
//! in `X-Closeloop-Signature: sha256=<hex HMAC-SHA256>`. Without a valid signature, or with a
//! timestamp more than five minutes off, the answer is 401 and nothing is read further. A
//! body without an external id is keyed by its signature, so a replay within those five
//! minutes stores nothing new. A body that is not the expected JSON is a 400; a
//! response that fails the checks every ingestion path applies is a 422 naming the field.
//! A stored response is a 201, one recorded before under the same external id a 200.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::AppState;
use crate::error::AppError;
use crate::live;
use crate::surveys::ingest::{self, Source};
use crate::surveys::input::{MissingKey, RawResponse, SNAKE_FIELDS};
use crate::surveys::webhook::body::WebhookBody;
use crate::surveys::webhook::{secrets, signature};

pub const KEY_HEADER: &str = "x-closeloop-key";
pub const SIGNATURE_HEADER: &str = "x-closeloop-signature";
pub const TIMESTAMP_HEADER: &str = "x-closeloop-timestamp";

pub async fn nps(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match receive(&state, &headers, &body).await {
        Ok(response) => response,
        Err(error) => refusal(error),
    }
}

async fn receive(state: &AppState, headers: &HeaderMap, body: &Bytes) -> Result<Response, Refusal> {
    let now = state.clock.now();
    let signed = authenticate(state, headers, body, now).await?;
    let workspace_id = signed.workspace_id;
    let parsed: WebhookBody = serde_json::from_slice(body)
        .map_err(|e| Refusal::Malformed(format!("the body is not a response object: {e}")))?;
    let mut input = RawResponse::from(parsed)
        .parse(SNAKE_FIELDS, MissingKey::Keep, now)
        .map_err(Refusal::App)?;
    input.external_id.get_or_insert(signed.replay_key);
    let source = Source {
        workspace_id,
        actor_id: None,
        names: SNAKE_FIELDS,
    };
    let recorded = ingest::record(&state.db, source, input, now)
        .await
        .map_err(Refusal::App)?;
    if recorded.created {
        let events = live::response_recorded(&recorded.response, &recorded.effects);
        state.publisher.publish(events).await;
    }
    let status = if recorded.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let body = json!({ "id": recorded.response.id, "created": recorded.created });
    Ok((status, Json(body)).into_response())
}

/// A correctly signed, fresh request: its workspace, and the key that makes a replay of it
/// a duplicate when the body names no external id.
struct Signed {
    workspace_id: uuid::Uuid,
    replay_key: String,
}

async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Signed, Refusal> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(key_id), Some(timestamp), Some(tag)) = (
        header(KEY_HEADER),
        header(TIMESTAMP_HEADER),
        header(SIGNATURE_HEADER),
    ) else {
        return Err(Refusal::Unsigned);
    };
    let record = secrets::find_by_key_id(&state.db, key_id.trim())
        .await
        .map_err(Refusal::App)?
        .ok_or(Refusal::Unsigned)?;
    if !signature::verifies(tag, timestamp, body, secrets::valid_values(&record, now)) {
        tracing::warn!(webhook_secret.id = %record.id, "NPS webhook refused: bad signature");
        return Err(Refusal::Unsigned);
    }
    if !signature::is_fresh(timestamp, now) {
        tracing::warn!(webhook_secret.id = %record.id, "NPS webhook refused: timestamp outside the window");
        return Err(Refusal::Stale);
    }
    Ok(Signed {
        workspace_id: record.workspace_id,
        replay_key: format!("webhook:{}", tag.trim().trim_start_matches("sha256=")),
    })
}

enum Refusal {
    Unsigned,
    Stale,
    Malformed(String),
    App(AppError),
}

fn refusal(refusal: Refusal) -> Response {
    let (status, body) = match refusal {
        Refusal::Unsigned => (
            StatusCode::UNAUTHORIZED,
            json!({ "error": "a valid X-Closeloop-Key, X-Closeloop-Timestamp and X-Closeloop-Signature are required", "code": "UNAUTHENTICATED" }),
        ),
        Refusal::Stale => (
            StatusCode::UNAUTHORIZED,
            json!({ "error": "X-Closeloop-Timestamp is more than five minutes from the server's clock; sign the request again with the current time", "code": "UNAUTHENTICATED" }),
        ),
        Refusal::Malformed(message) => (
            StatusCode::BAD_REQUEST,
            json!({ "error": message, "code": "BAD_REQUEST" }),
        ),
        Refusal::App(AppError::BadUserInput { message, field }) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "error": message, "code": "BAD_USER_INPUT", "field": field }),
        ),
        Refusal::App(other) => return internal(other),
    };
    (status, Json(body)).into_response()
}

/// Anything else the client cannot fix: logged once, shown without internals.
fn internal(error: AppError) -> Response {
    let code = error.code();
    let graphql_error = async_graphql::Error::from(error);
    let status = match code {
        "NOT_FOUND" => StatusCode::NOT_FOUND,
        "CONFLICT" => StatusCode::CONFLICT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let body = json!({ "error": graphql_error.message, "code": code });
    (status, Json(body)).into_response()
}
