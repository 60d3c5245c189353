//! The write transaction of one mutation.

use async_graphql::Context;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;
use uuid::Uuid;

use crate::activity::service::recorded_since;
use crate::db;
use crate::error::AppResult;
use crate::graphql::ContextExt;
use crate::live::{self, Event, Publisher};

/// A mutation under way: a caller allowed to write (viewers are refused before anything
/// opens), their workspace, the time of the request and the transaction every row is
/// written in. Dropping it without [`Write::commit`] rolls everything back, so a refused
/// mutation changes nothing and announces nothing.
pub(crate) struct Write {
    pub txn: DatabaseTransaction,
    pub workspace_id: Uuid,
    pub actor: Option<Uuid>,
    pub now: DateTime<Utc>,
    /// Activity recorded by this write has a later id.
    since: Uuid,
    publisher: Publisher,
}

impl Write {
    pub(crate) async fn begin(ctx: &Context<'_>) -> AppResult<Write> {
        let viewer = ctx.writer()?;
        let now = ctx.clock()?.now();
        let since = Uuid::now_v7();
        Ok(Write {
            txn: db::begin_write(ctx.db()?).await?,
            workspace_id: viewer.workspace_id,
            actor: Some(viewer.member_id),
            now,
            since,
            publisher: ctx.publisher()?.clone(),
        })
    }

    /// Commits the mutation's writes, then announces them to subscribers, and hands back
    /// what it made.
    pub(crate) async fn commit<T>(self, value: T) -> AppResult<T> {
        self.commit_announcing(value, []).await
    }

    /// Like [`Write::commit`], with events the activity records do not tell (a project
    /// started). The tasks, projects and account activity that the write recorded are
    /// announced in any case.
    pub(crate) async fn commit_announcing<T>(
        self,
        value: T,
        events: impl IntoIterator<Item = Event>,
    ) -> AppResult<T> {
        let recorded = recorded_since(
            &self.txn,
            self.workspace_id,
            self.actor,
            self.now,
            self.since,
        )
        .await?;
        self.txn.commit().await?;

        let mut announced = live::announced_by(&recorded);
        announced.extend(events);
        self.publisher.publish(announced).await;
        Ok(value)
    }
}
