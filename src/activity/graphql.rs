//! GraphQL type and query for activity records.

use async_graphql::connection::Connection;
use async_graphql::{ComplexObject, Context, ID, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::service::{self, ActivityFilter};
use crate::entities::activity;
use crate::graphql::ContextExt;
use crate::graphql::pagination::{self, Page};
use crate::members::graphql::{TeamMember, load_member};
use crate::values::parse_id;

/// One recorded change: who did what to which record, and when.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Activity {
    pub id: ID,
    /// `task`, `project`, `account`, `contact` or `template`.
    pub subject_type: String,
    pub subject_id: ID,
    /// A dotted verb such as `task.completed` or `project.started`.
    pub action: String,
    /// What changed, e.g. `{"from": "OPEN", "to": "DONE"}`.
    pub details: Json<serde_json::Value>,
    pub account_id: Option<ID>,
    pub project_id: Option<ID>,
    pub task_id: Option<ID>,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub actor_id: Option<Uuid>,
}

impl From<activity::Model> for Activity {
    fn from(model: activity::Model) -> Self {
        let id = |uuid: Uuid| ID(uuid.to_string());
        Activity {
            id: id(model.id),
            subject_type: model.subject_type,
            subject_id: id(model.subject_id),
            action: model.action,
            details: Json(model.details),
            account_id: model.account_id.map(id),
            project_id: model.project_id.map(id),
            task_id: model.task_id.map(id),
            created_at: model.created_at,
            actor_id: model.actor_id,
        }
    }
}

#[ComplexObject]
impl Activity {
    /// The member who made the change; null when the system did (a playbook, a job).
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<TeamMember>> {
        load_member(ctx, self.actor_id).await
    }
}

#[derive(Default)]
pub struct ActivityQuery;

#[Object]
impl ActivityQuery {
    /// Activity in the workspace, oldest first, optionally narrowed to an account,
    /// project or task.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        account_id: Option<ID>,
        project_id: Option<ID>,
        task_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Activity>> {
        let viewer = ctx.viewer()?;
        let page = Page::new(first, after.as_deref())?;
        let filter = ActivityFilter {
            account_id: account_id
                .map(|id| parse_id("accountId", &id))
                .transpose()?,
            project_id: project_id
                .map(|id| parse_id("projectId", &id))
                .transpose()?,
            task_id: task_id.map(|id| parse_id("taskId", &id)).transpose()?,
        };
        let rows = service::list(ctx.db()?, viewer.workspace_id, filter, page).await?;
        Ok(pagination::connection(rows, page, |a| a.id, Activity::from))
    }
}
