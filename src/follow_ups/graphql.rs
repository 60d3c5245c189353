//! Follow-ups and later responses through the API: `Project.followUp`,
//! `Project.laterResponses` and `NpsResponse.followsProject`, each loaded for a whole page
//! of parents at once; and `runFollowUpsNow`.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::job::{self, FollowUpOptions};
use super::service;
use crate::entities::enums::{FollowUpStatus, MemberRole};
use crate::entities::{follow_up, nps_response};
use crate::error::AppError;
use crate::graphql::ContextExt;
use crate::graphql::loaders::Scope;
use crate::jobs::graphql::JobRun;
use crate::surveys::graphql::NpsResponse;
use crate::templates::service::group_by;

/// The follow-up email of a completed project: when it is due, and what became of it.
#[derive(SimpleObject, Clone)]
pub struct FollowUp {
    pub id: ID,
    pub status: FollowUpStatus,
    /// When the daily job sends it (the first run at or after this time).
    pub due_at: DateTime<Utc>,
    /// When its email was queued.
    pub sent_at: Option<DateTime<Utc>>,
    /// Why it was cancelled or skipped.
    pub reason: Option<String>,
    /// The queued email (`email(id:)`), once sent.
    pub email_id: Option<ID>,
}

impl From<follow_up::Model> for FollowUp {
    fn from(model: follow_up::Model) -> Self {
        FollowUp {
            id: ID(model.id.to_string()),
            status: model.status,
            due_at: model.due_at,
            sent_at: model.sent_at,
            reason: model.reason,
            email_id: model.outbox_id.map(|id| ID(id.to_string())),
        }
    }
}

/// Follow-ups by project id.
pub struct FollowUpLoader(pub Scope);

impl Loader<Uuid> for FollowUpLoader {
    type Value = FollowUp;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, FollowUp>> {
        let rows = service::for_projects(&self.0.db, self.0.workspace_id, ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| (row.project_id, FollowUp::from(row)))
            .collect())
    }
}

/// The responses linked to each project, oldest first, by project id.
pub struct LaterResponsesLoader(pub Scope);

impl Loader<Uuid> for LaterResponsesLoader {
    type Value = Vec<NpsResponse>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<NpsResponse>>> {
        let column = nps_response::Column::FollowsProjectId;
        let rows = nps_response::Entity::find()
            .filter(nps_response::Column::WorkspaceId.eq(self.0.workspace_id))
            .filter(column.is_in(ids.iter().copied()))
            .order_by_asc(nps_response::Column::RespondedAt)
            .order_by_asc(nps_response::Column::Id)
            .all(&self.0.db)
            .await
            .map_err(AppError::from)?;
        let linked: Vec<_> = rows
            .into_iter()
            .filter_map(|row| Some((row.follows_project_id?, row)))
            .collect();
        Ok(group_by(
            linked,
            |(project, _)| *project,
            |(_, row)| NpsResponse::from(row),
        ))
    }
}

/// A project's follow-up, if it has one.
pub async fn load_follow_up(ctx: &Context<'_>, project_id: Uuid) -> Result<Option<FollowUp>> {
    ctx.data::<DataLoader<FollowUpLoader>>()?
        .load_one(project_id)
        .await
}

/// The responses its contact gave after the response that started a project.
pub async fn load_later_responses(ctx: &Context<'_>, project_id: Uuid) -> Result<Vec<NpsResponse>> {
    Ok(ctx
        .data::<DataLoader<LaterResponsesLoader>>()?
        .load_one(project_id)
        .await?
        .unwrap_or_default())
}

#[derive(Default)]
pub struct FollowUpMutation;

#[Object]
impl FollowUpMutation {
    /// Sends the workspace's due follow-ups now, outside the daily schedule (admins only);
    /// returns the finished run, as `jobRuns(jobName: "follow_ups")` lists it.
    async fn run_follow_ups_now(&self, ctx: &Context<'_>) -> Result<JobRun> {
        let viewer = ctx.member_with(MemberRole::Admin)?;
        let options = ctx
            .data_opt::<FollowUpOptions>()
            .cloned()
            .unwrap_or_default();
        let run = job::run_now(ctx.db()?, ctx.clock()?, viewer.workspace_id, &options).await?;
        Ok(run.into())
    }
}
