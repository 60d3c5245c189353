//! What a resolver can reach from its context: the database, the clock and the viewer.

use async_graphql::Context;
use sea_orm::DatabaseConnection;

use crate::auth::Viewer;
use crate::clock::SharedClock;
use crate::entities::enums::MemberRole;
use crate::error::{AppError, AppResult};
use crate::live::Publisher;

/// Accessors every resolver uses; each fails with a coded error rather than panicking.
pub trait ContextExt {
    fn db(&self) -> AppResult<&DatabaseConnection>;
    fn clock(&self) -> AppResult<&SharedClock>;
    /// Where committed changes are announced to subscribers.
    fn publisher(&self) -> AppResult<&Publisher>;
    /// The authenticated caller, or `UNAUTHENTICATED`.
    fn viewer(&self) -> AppResult<&Viewer>;
    /// The caller if they may change data, or `FORBIDDEN`.
    fn writer(&self) -> AppResult<&Viewer>;
    /// The caller if their role is at least `role`, or `FORBIDDEN`.
    fn member_with(&self, role: MemberRole) -> AppResult<&Viewer>;
}

impl ContextExt for Context<'_> {
    fn db(&self) -> AppResult<&DatabaseConnection> {
        self.data::<DatabaseConnection>()
            .map_err(|_| AppError::internal(anyhow::anyhow!("database missing from schema data")))
    }

    fn clock(&self) -> AppResult<&SharedClock> {
        self.data::<SharedClock>()
            .map_err(|_| AppError::internal(anyhow::anyhow!("clock missing from schema data")))
    }

    fn publisher(&self) -> AppResult<&Publisher> {
        self.data::<Publisher>()
            .map_err(|_| AppError::internal(anyhow::anyhow!("publisher missing from schema data")))
    }

    fn viewer(&self) -> AppResult<&Viewer> {
        self.data_opt::<Viewer>().ok_or(AppError::Unauthenticated)
    }

    fn writer(&self) -> AppResult<&Viewer> {
        self.viewer()?.require_writer()
    }

    fn member_with(&self, role: MemberRole) -> AppResult<&Viewer> {
        self.viewer()?.require(role)
    }
}
