//! Turning executed GraphQL into an HTTP response: codes on every error, the status the
//! negotiated media type calls for, JSON in that media type.

use std::collections::BTreeMap;

use async_graphql::{BatchResponse, ServerError, Value};
use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::media::ResponseMedia;

pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";

/// A GraphQL response as sent: unlike async-graphql's, it can leave `data` out.
#[derive(Debug, Serialize)]
struct Wire {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ServerError>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: BTreeMap<String, Value>,
}

/// One GraphQL response, coded and classified, ready to serialize.
struct Finished {
    wire: Wire,
    request_error: bool,
    headers: HeaderMap,
}

/// Renders executed GraphQL; see [`super::graphql`] for the status rule.
pub fn render(executed: BatchResponse, media: ResponseMedia) -> Response {
    match executed {
        BatchResponse::Single(response) => {
            let finished = finish(response);
            let status = status(media, finished.request_error);
            with_headers(
                json_response(status, media, &finished.wire),
                finished.headers,
            )
        }
        BatchResponse::Batch(responses) => {
            let finished: Vec<Finished> = responses.into_iter().map(finish).collect();
            let status = status(media, finished.iter().all(|f| f.request_error));
            let mut headers = HeaderMap::new();
            let mut wires = Vec::with_capacity(finished.len());
            for Finished {
                wire,
                headers: more,
                ..
            } in finished
            {
                headers.extend(more);
                wires.push(wire);
            }
            with_headers(json_response(status, media, &wires), headers)
        }
    }
}

/// Adds the headers resolvers set (`Context::insert_http_header`).
fn with_headers(mut response: Response, headers: HeaderMap) -> Response {
    response.headers_mut().extend(headers);
    response
}

fn status(media: ResponseMedia, request_error: bool) -> StatusCode {
    match media {
        ResponseMedia::GraphqlResponseJson if request_error => StatusCode::BAD_REQUEST,
        ResponseMedia::GraphqlResponseJson | ResponseMedia::Json => StatusCode::OK,
    }
}

/// Codes every error and drops `data` from a request error, which never reached execution.
fn finish(mut response: async_graphql::Response) -> Finished {
    let request_error = is_request_error(&response);
    response.errors.iter_mut().for_each(ensure_code);

    Finished {
        wire: Wire {
            data: (!request_error).then_some(response.data),
            errors: response.errors,
            extensions: response.extensions,
        },
        request_error,
        headers: response.http_headers,
    }
}

/// A request error — the document did not parse or validate, or no operation could be
/// chosen — leaves `data` null and no error has a path: async-graphql reports those
/// before executing. A field error always has a path, even when it nulls the whole
/// `data` through a non-null root field; that response did execute and keeps `data`.
fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// Adds `extensions.code` where async-graphql left none.
fn ensure_code(error: &mut ServerError) {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", default_code(&error.path, &error.message));
    }
}

/// Errors without a path come from parsing, validation or the depth and complexity
/// limits. With a path, async-graphql's own input coercion failures ("Failed to parse",
/// "Expected input type") are the client's; anything else escaped the domain's error
/// type and is treated as internal.
fn default_code(path: &[async_graphql::PathSegment], message: &str) -> &'static str {
    let input_coercion = ["Failed to parse \"", "Expected input type \""];
    if path.is_empty() {
        VALIDATION_FAILED
    } else if input_coercion
        .iter()
        .any(|prefix| message.starts_with(prefix))
    {
        "BAD_USER_INPUT"
    } else {
        "INTERNAL_SERVER_ERROR"
    }
}

/// A JSON response in the given media type.
pub fn json_response(status: StatusCode, media: ResponseMedia, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(CONTENT_TYPE, media.content_type())],
            Body::from(bytes),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(error = %error, "response body could not be serialized");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{PathSegment, Pos};

    use super::*;

    fn error(path: Vec<PathSegment>) -> ServerError {
        ServerError::new("boom", Some(Pos { line: 1, column: 2 })).with_path(path)
    }

    #[test]
    fn a_validation_error_is_a_request_error_without_data() {
        let response = async_graphql::Response::from_errors(vec![error(vec![])]);

        let finished = finish(response);

        let body = serde_json::to_value(&finished.wire).unwrap_or_default();
        assert!(finished.request_error);
        assert!(body.get("data").is_none());
        assert_eq!(body["errors"][0]["extensions"]["code"], VALIDATION_FAILED);
    }

    #[test]
    fn a_field_error_that_nulls_data_keeps_data_and_is_not_a_request_error() {
        let path = vec![PathSegment::Field("viewer".into())];
        let response = async_graphql::Response::from_errors(vec![error(path)]);

        let finished = finish(response);

        let body = serde_json::to_value(&finished.wire).unwrap_or_default();
        assert!(!finished.request_error);
        assert_eq!(body.get("data"), Some(&serde_json::Value::Null));
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            "INTERNAL_SERVER_ERROR"
        );
    }

    #[test]
    fn an_existing_code_is_kept() {
        let mut coded = error(vec![]);
        coded
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", "UNAUTHENTICATED");

        ensure_code(&mut coded);

        assert_eq!(
            coded.extensions.and_then(|e| e.get("code").cloned()),
            Some(Value::from("UNAUTHENTICATED"))
        );
    }
}
