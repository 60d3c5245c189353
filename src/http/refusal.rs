//! Requests refused before any GraphQL runs, answered in the shape of a GraphQL response
//! (`{"errors":[{"message", "extensions":{"code"}}]}`) so that clients read one format.

use axum::http::header::ALLOW;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::json;
use uuid::Uuid;

use super::media::ResponseMedia;
use super::response::json_response;

/// Why a request was refused: an HTTP status, a stable code and a message for the client.
#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
    correlation_id: Option<String>,
    /// The `Allow` header of a 405.
    allow: Option<&'static str>,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            status,
            code,
            message: message.into(),
            correlation_id: None,
            allow: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Refusal::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    pub fn batch_too_large(size: usize, max: usize) -> Self {
        let message = format!("a batch may hold at most {max} operations; this one holds {size}");
        Refusal::new(StatusCode::BAD_REQUEST, "BATCH_TOO_LARGE", message)
    }

    pub fn unsupported_media_type() -> Self {
        let message = "send the request as `Content-Type: application/json` (UTF-8)";
        Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            message,
        )
    }

    pub fn payload_too_large(max_bytes: usize) -> Self {
        let message = format!("the request body is larger than {max_bytes} bytes");
        Refusal::new(StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE", message)
    }

    pub fn not_acceptable() -> Self {
        let message = "this server answers `application/graphql-response+json` or `application/json`; \
                       the Accept header allows neither";
        Refusal::new(StatusCode::NOT_ACCEPTABLE, "NOT_ACCEPTABLE", message)
    }

    /// 405 with `Allow: <allow>`, e.g. a mutation sent by GET (`Allow: POST`).
    pub fn method_not_allowed(message: impl Into<String>, allow: &'static str) -> Self {
        let mut refusal = Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            message,
        );
        refusal.allow = Some(allow);
        refusal
    }

    /// A failure the client cannot fix; the caller has logged it under `correlation_id`.
    pub fn internal(correlation_id: Uuid) -> Self {
        let mut refusal = Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            "Internal server error",
        );
        refusal.correlation_id = Some(correlation_id.to_string());
        refusal
    }

    /// The HTTP response, in the media type negotiated with the client.
    pub fn into_response(self, media: ResponseMedia) -> Response {
        tracing::debug!(
            http.status = self.status.as_u16(),
            code = self.code,
            "request refused"
        );
        let mut extensions = json!({ "code": self.code });
        if let Some(correlation_id) = self.correlation_id {
            extensions["correlationId"] = json!(correlation_id);
        }
        let body = json!({ "errors": [{ "message": self.message, "extensions": extensions }] });

        let mut response = json_response(self.status, media, &body);
        if let Some(allow) = self.allow {
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}
