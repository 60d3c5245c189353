//! `GET` and `POST /graphql`, following the GraphQL-over-HTTP specification.
//!
//! # Status codes
//!
//! Requests refused before GraphQL runs: 406 (neither response media type acceptable),
//! 415 (a POST body that is not `application/json`), 413 (a body over the limit), 400 (a
//! body or query string that is not a GraphQL request, an empty batch, a batch over the
//! cap: `BATCH_TOO_LARGE`), 405 (a mutation or subscription sent by GET, with
//! `Allow: POST`; any other method, with `Allow: GET, POST`), 500 (the database failed
//! while checking the token).
//!
//! A GraphQL response is sent as the media type the client accepted:
//!
//! - `application/json`: always 200; errors are in the body.
//! - `application/graphql-response+json`: 400 for a *request error* — the document did not
//!   parse or validate (including the depth and complexity limits) or named no runnable
//!   operation; such a response has no `data` entry. Anything that executed answers 200,
//!   even when a field error nulled `data` entirely. A batch answers 400 only if every
//!   operation in it is a request error.
//!
//! A missing, malformed, unknown or revoked token does not change the status: the request
//! runs without a viewer and the fields that need one fail with `UNAUTHENTICATED` (a
//! field error, so 200). When a token was sent but refused, the response also carries
//! `WWW-Authenticate: Bearer error="invalid_token"`.

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{
    BatchRequest, BatchResponse, Request, Response as GraphqlResponse, ServerError,
};
use axum::body::Bytes;
use axum::extract::{FromRequest, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::auth::{self, Caller};
use super::media::{self, ResponseMedia};
use super::refusal::Refusal;
use super::request::{parse_body, parse_query_string};
use super::response::{PARSE_FAILED, render};
use crate::app::AppState;

/// `POST /graphql`: one request or a batch, as a JSON body.
pub async fn post_graphql(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Response {
    let Some(media) = media::negotiate(request.headers()) else {
        return Refusal::not_acceptable().into_response(ResponseMedia::Json);
    };
    match post(&state, request).await {
        Ok((caller, batch)) => run(&state, &caller, batch, media).await,
        Err(refusal) => refusal.into_response(media),
    }
}

/// The HTTP checks of a POST, in order: content type, body size, body shape, token.
async fn post(
    state: &AppState,
    request: axum::extract::Request,
) -> Result<(Caller, BatchRequest), Refusal> {
    media::require_json_body(request.headers())?;
    let credentials = auth::credentials(request.headers());

    let body = read_body(request, state.limits.body_bytes).await?;
    let batch = parse_body(&body, state.limits.batch_size)?;

    let caller = auth::identify(&state.db, credentials).await?;
    Ok((caller, batch))
}

/// Reads the body under the router's `DefaultBodyLimit`: past it, a 413.
async fn read_body(request: axum::extract::Request, limit: usize) -> Result<Bytes, Refusal> {
    Bytes::from_request(request, &())
        .await
        .map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                Refusal::payload_too_large(limit)
            } else {
                Refusal::bad_request("the request body could not be read")
            }
        })
}

/// `GET /graphql`: a query (never a mutation) in the query string.
pub async fn get_graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let Some(media) = media::negotiate(&headers) else {
        return Refusal::not_acceptable().into_response(ResponseMedia::Json);
    };
    match get(&state, &headers, &uri).await {
        Ok((caller, request)) => run(&state, &caller, BatchRequest::Single(request), media).await,
        Err(refusal) => refusal.into_response(media),
    }
}

async fn get(
    state: &AppState,
    headers: &HeaderMap,
    uri: &axum::http::Uri,
) -> Result<(Caller, Request), Refusal> {
    let mut request = parse_query_string(uri)?;
    refuse_writes_over_get(&mut request)?;

    let caller = auth::identify(&state.db, auth::credentials(headers)).await?;
    Ok((caller, request))
}

/// Refuses a GET whose selected operation is a mutation or subscription, before anything
/// runs. A document that does not parse is left to the executor to report.
fn refuse_writes_over_get(request: &mut Request) -> Result<(), Refusal> {
    let name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return Ok(());
    };
    match selected_operation(document, name.as_deref()) {
        Some(OperationType::Mutation) => Err(Refusal::method_not_allowed(
            "send mutations with POST",
            "POST",
        )),
        Some(OperationType::Subscription) => Err(Refusal::method_not_allowed(
            "subscriptions are not served over GET",
            "POST",
        )),
        Some(OperationType::Query) | None => Ok(()),
    }
}

/// The kind of operation that would run, or `None` when none can be chosen (the executor
/// then reports it).
fn selected_operation(document: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(operation.node.ty),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(name).map(|op| op.node.ty)
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next().map(|op| op.node.ty)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Executes a request or, one after the other, each request of a batch.
async fn run(
    state: &AppState,
    caller: &Caller,
    batch: BatchRequest,
    media: ResponseMedia,
) -> Response {
    let executed = match batch {
        BatchRequest::Single(request) => {
            BatchResponse::Single(execute(state, caller, request).await)
        }
        BatchRequest::Batch(requests) => {
            let mut responses = Vec::with_capacity(requests.len());
            for request in requests {
                responses.push(execute(state, caller, request).await);
            }
            BatchResponse::Batch(responses)
        }
    };

    let mut response = render(executed, media);
    if let Some((name, value)) = caller.challenge() {
        response.headers_mut().insert(name, value);
    }
    response
}

/// Parses first, so that a parse failure is coded `GRAPHQL_PARSE_FAILED`; the executor
/// reuses the parsed document.
async fn execute(state: &AppState, caller: &Caller, mut request: Request) -> GraphqlResponse {
    if let Err(error) = request.parsed_query() {
        return GraphqlResponse::from_errors(vec![coded(error, PARSE_FAILED)]);
    }
    state
        .schema
        .execute(caller.prepare(request, &state.db))
        .await
}

fn coded(mut error: ServerError, code: &'static str) -> ServerError {
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

/// Any method but GET and POST on `/graphql`.
pub async fn method_not_allowed() -> Response {
    Refusal::method_not_allowed("/graphql answers GET and POST", "GET, POST")
        .into_response(ResponseMedia::Json)
}
