//! GraphQL subscriptions over WebSocket, on `/graphql/ws` and as an upgrade of
//! `GET /graphql`, in both protocols clients use (see [`protocol`]).
//!
//! The rules, the same for both protocols:
//!
//! - Before the upgrade: a browser page from an origin not allowed
//!   (`--ws-allowed-origins`; same-origin pages and clients without `Origin` always are)
//!   gets 403 and no socket.
//! - The client has `--ws-init-timeout-secs` to send `connection_init`, or the socket is
//!   closed with 4408. Its token comes in the init payload (`{"Authorization": "Bearer
//!   …"}` or `{"token": "…"}`) or in the upgrade's `Authorization` header; a missing,
//!   unknown or revoked token closes the socket with 4403. A second init closes it with
//!   4429, a subscribe before the acknowledgement with 4401, a subscribe reusing the id of
//!   a running operation with 4409, a message that is not one of the protocol's with 4400,
//!   a message larger than `--ws-max-message-bytes` with 1009.
//! - The server sends a keep-alive (`ping`, or `ka` in the legacy protocol) every
//!   `--ws-keepalive-secs` (at most 30), and checks the token every
//!   `--ws-auth-recheck-secs`: once it is revoked, the socket is closed with 4403 and its
//!   subscriptions end.
//! - Each socket queues a bounded number of outgoing results; a client that does not read
//!   holds up only its own subscriptions, which then fall behind on the event bus and are
//!   told so (`EVENTS_MISSED`), and a socket that cannot be written to for 30 seconds is
//!   dropped.

mod connection;
pub mod protocol;
mod session;

use axum::extract::{FromRequestParts, Request, State, WebSocketUpgrade};
use axum::http::header::{HOST, ORIGIN, SEC_WEBSOCKET_PROTOCOL, UPGRADE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use self::connection::Connection;
use self::protocol::Protocol;
use super::auth::{self, Credentials};
use crate::app::AppState;

/// `GET /graphql`: a WebSocket upgrade opens a subscription socket; anything else is a
/// GraphQL query over HTTP.
pub async fn get_or_upgrade(State(state): State<AppState>, request: Request) -> Response {
    if is_websocket_upgrade(request.headers()) {
        return upgrade(State(state), request).await;
    }
    let (parts, _) = request.into_parts();
    super::graphql::get_graphql(State(state), parts.headers, parts.uri).await
}

/// `GET /graphql/ws`: opens a subscription socket.
pub async fn upgrade(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    if !origin_allowed(&parts.headers, &state) {
        tracing::info!("subscription socket refused: origin not allowed");
        return (
            StatusCode::FORBIDDEN,
            "this origin may not open a subscription socket",
        )
            .into_response();
    }
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };

    let offered = parts
        .headers
        .get(SEC_WEBSOCKET_PROTOCOL)
        .and_then(|value| value.to_str().ok());
    let protocol = Protocol::choose(offered);
    let header_token = match auth::credentials(&parts.headers) {
        Credentials::Bearer(token) => Some(token),
        Credentials::Absent | Credentials::Malformed => None,
    };
    // The library's own limit is a backstop against memory use; the socket closes with
    // 1009 at the configured cap before it is reached.
    let library_limit = state.live.max_message_bytes.saturating_mul(2);
    upgrade
        .protocols([protocol.name()])
        .max_message_size(library_limit)
        .max_frame_size(library_limit)
        .on_upgrade(move |socket| Connection::new(state, protocol, header_token).run(socket))
}

fn is_websocket_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("websocket"))
}

fn origin_allowed(headers: &HeaderMap, state: &AppState) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let host = headers.get(HOST).and_then(|value| value.to_str().ok());
    origin
        .to_str()
        .is_ok_and(|origin| state.live.allows_origin(origin, host))
}
