//! Who is calling: the bearer token of a request, resolved to a viewer.
//!
//! A request without a valid token is still executed, without a viewer: introspection
//! works and every resolver that needs a viewer answers `UNAUTHENTICATED`. Only a
//! database failure stops the request here.

use async_graphql::Request;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::refusal::Refusal;
use crate::auth::Viewer;
use crate::auth::tokens::authenticate;
use crate::graphql::loaders;

/// What the `Authorization` header holds. The secret is never logged.
pub enum Credentials {
    Absent,
    Malformed,
    Bearer(String),
}

/// Reads `Authorization: Bearer <token>` (the scheme is case-insensitive).
pub fn credentials(headers: &HeaderMap) -> Credentials {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Credentials::Absent;
    };
    let bearer = value
        .to_str()
        .ok()
        .and_then(|value| value.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty() && !token.contains(char::is_whitespace));
    match bearer {
        Some(token) => Credentials::Bearer(token.to_owned()),
        None => Credentials::Malformed,
    }
}

/// The caller of a request, once its credentials have been checked.
pub enum Caller {
    /// No credentials were sent.
    Anonymous,
    /// Credentials were sent but name no active token (malformed, unknown or revoked).
    Rejected,
    Member(Viewer),
}

/// Resolves credentials to a caller; a database failure is a 500, logged here.
pub async fn identify(
    db: &DatabaseConnection,
    credentials: Credentials,
) -> Result<Caller, Refusal> {
    let token = match credentials {
        Credentials::Absent => return Ok(Caller::Anonymous),
        Credentials::Malformed => return Ok(Caller::Rejected),
        Credentials::Bearer(token) => token,
    };
    match authenticate(db, &token).await {
        Ok(Some(viewer)) => Ok(Caller::Member(viewer)),
        Ok(None) => {
            tracing::debug!("bearer token refused; the request runs without a viewer");
            Ok(Caller::Rejected)
        }
        Err(error) => {
            let correlation_id = Uuid::new_v4();
            tracing::error!(correlation_id = %correlation_id, error = ?error, "authentication failed");
            Err(Refusal::internal(correlation_id))
        }
    }
}

impl Caller {
    /// Gives a request the viewer and their batch loaders, if there is a viewer.
    pub fn prepare(&self, request: Request, db: &DatabaseConnection) -> Request {
        match self {
            Caller::Member(viewer) => loaders::attach(request.data(viewer.clone()), db, viewer),
            Caller::Anonymous | Caller::Rejected => request,
        }
    }

    /// The `WWW-Authenticate` challenge for credentials that were refused.
    pub fn challenge(&self) -> Option<(axum::http::HeaderName, HeaderValue)> {
        match self {
            Caller::Rejected => Some((
                WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Bearer error="invalid_token""#),
            )),
            Caller::Anonymous | Caller::Member(_) => None,
        }
    }
}
