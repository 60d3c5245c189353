//! The write transaction of one mutation.

use async_graphql::Context;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use crate::db;
use crate::error::AppResult;
use crate::graphql::ContextExt;

/// A mutation under way: a caller allowed to write (viewers are refused before anything
/// opens), their workspace, the time of the request and the transaction every row is
/// written in. Dropping it without [`Write::commit`] rolls everything back, so a refused
/// mutation changes nothing.
pub(crate) struct Write {
    pub txn: DatabaseTransaction,
    pub workspace_id: Uuid,
    pub actor: Option<Uuid>,
    pub now: DateTime<Utc>,
}

impl Write {
    pub(crate) async fn begin(ctx: &Context<'_>) -> AppResult<Write> {
        let viewer = ctx.writer()?;
        let now = ctx.clock()?.now();
        Ok(Write {
            txn: db::begin_write(ctx.db()?).await?,
            workspace_id: viewer.workspace_id,
            actor: Some(viewer.member_id),
            now,
        })
    }

    /// Commits the mutation's writes and hands back what it made.
    pub(crate) async fn commit<T>(self, value: T) -> AppResult<T> {
        self.txn.commit().await?;
        Ok(value)
    }
}
