//! Reading tasks: everyone in the workspace may.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, Result};

use super::types::Task;
use crate::entities::enums::{ProjectKind, TaskStatus};
use crate::graphql::ContextExt;
use crate::graphql::pagination::{self, Page};
use crate::tasks::service::{self, TaskFilter};
use crate::values::parse_id;

/// Which tasks to list; every field given must match.
#[derive(InputObject, Default)]
#[graphql(name = "TaskFilter")]
pub struct TaskFilterInput {
    pub assignee_id: Option<ID>,
    /// Any of these statuses.
    pub status: Option<Vec<TaskStatus>>,
    /// true: open and due before now; false: every other task.
    pub overdue: Option<bool>,
    pub account_id: Option<ID>,
    pub project_id: Option<ID>,
    /// Only tasks of projects of this kind.
    pub project_kind: Option<ProjectKind>,
}

impl TaskFilterInput {
    fn parse(self) -> Result<TaskFilter> {
        let id = |field, value: Option<ID>| value.map(|id| parse_id(field, &id)).transpose();
        Ok(TaskFilter {
            assignee_id: id("assigneeId", self.assignee_id)?,
            statuses: self.status.unwrap_or_default(),
            overdue: self.overdue,
            account_id: id("accountId", self.account_id)?,
            project_id: id("projectId", self.project_id)?,
            project_kind: self.project_kind,
        })
    }
}

#[derive(Default)]
pub struct TaskQuery;

#[Object]
impl TaskQuery {
    /// The workspace's tasks, oldest first, narrowed by the filter.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<TaskFilterInput>,
    ) -> Result<Connection<String, Task>> {
        let viewer = ctx.viewer()?;
        let page = Page::new(first, after.as_deref())?;
        let filter = filter.unwrap_or_default().parse()?;
        let now = ctx.clock()?.now();
        let rows = service::list(ctx.db()?, viewer.workspace_id, filter, now, page).await?;
        Ok(pagination::connection(rows, page, |t| t.id, Task::from))
    }

    async fn task(&self, ctx: &Context<'_>, id: ID) -> Result<Task> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        Ok(service::find(ctx.db()?, viewer.workspace_id, id)
            .await?
            .into())
    }
}
