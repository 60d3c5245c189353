//! The one error type that crosses from domain services to the GraphQL boundary.
//!
//! Services return [`AppError`]; resolvers turn it into a GraphQL error whose
//! `extensions.code` tells the client why. Internal failures are logged once, with a
//! correlation id, and reach the client without any internals (no SQL, no driver text).

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, SqlErr};
use uuid::Uuid;

/// A failure a service can report, classified by what the client should do about it.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input is invalid; `field` names the input field when there is one.
    #[error("{message}")]
    BadUserInput {
        message: String,
        field: Option<&'static str>,
    },
    /// The record does not exist in the viewer's workspace (or at all).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The viewer is known but their role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// No valid token came with the request.
    #[error("a valid API token is required: send `Authorization: Bearer <token>`")]
    Unauthenticated,
    /// The change collides with existing data (a unique key, a state that moved on).
    #[error("{0}")]
    Conflict(String),
    /// A subscription may have skipped events (it fell behind, or the event bus lost its
    /// connection for a while): the client should reload what it shows.
    #[error("{0}")]
    EventsMissed(String),
    /// Anything the client cannot fix. Never shown; logged with a correlation id.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn bad_input(field: &'static str, message: impl Into<String>) -> Self {
        AppError::BadUserInput {
            message: message.into(),
            field: Some(field),
        }
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(error.into())
    }

    /// The stable code clients match on, sent as `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadUserInput { .. } => "BAD_USER_INPUT",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::Unauthenticated => "UNAUTHENTICATED",
            AppError::Conflict(_) => "CONFLICT",
            AppError::EventsMissed(_) => "EVENTS_MISSED",
            AppError::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl From<DbErr> for AppError {
    fn from(error: DbErr) -> Self {
        match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                AppError::Conflict("a record with the same unique key already exists".into())
            }
            _ => AppError::Internal(error.into()),
        }
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(error: AppError) -> Self {
        let code = error.code();
        match error {
            AppError::Internal(source) => {
                let correlation_id = Uuid::new_v4().to_string();
                tracing::error!(correlation_id = %correlation_id, error = ?source, "request failed");
                async_graphql::Error::new("Internal server error").extend_with(|_, ext| {
                    ext.set("code", code);
                    ext.set("correlationId", correlation_id.as_str());
                })
            }
            AppError::BadUserInput { message, field } => async_graphql::Error::new(message)
                .extend_with(|_, ext| {
                    ext.set("code", code);
                    if let Some(field) = field {
                        ext.set("field", field);
                    }
                }),
            other => async_graphql::Error::new(other.to_string())
                .extend_with(|_, ext| ext.set("code", code)),
        }
    }
}
