//! Listing tasks with filters that combine: "my overdue tasks in detractor projects".

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::OPEN_STATUSES;
use crate::entities::enums::{ProjectKind, TaskStatus};
use crate::entities::{project, task};
use crate::error::AppResult;
use crate::graphql::pagination::{Page, paged};

/// Which tasks to list; every filter given must match.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub assignee_id: Option<Uuid>,
    /// Any of these statuses; empty means any status.
    pub statuses: Vec<TaskStatus>,
    /// `true`: open and due before now; `false`: anything else.
    pub overdue: Option<bool>,
    pub account_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    /// Only tasks of projects of this kind (standalone tasks have none).
    pub project_kind: Option<ProjectKind>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    filter: TaskFilter,
    now: DateTime<Utc>,
    page: Page,
) -> AppResult<Vec<task::Model>> {
    let select = task::Entity::find().filter(conditions(workspace_id, filter, now));
    Ok(paged(select, task::Column::Id, page).all(db).await?)
}

fn conditions(workspace_id: Uuid, filter: TaskFilter, now: DateTime<Utc>) -> Condition {
    let mut all = Condition::all().add(task::Column::WorkspaceId.eq(workspace_id));
    if let Some(id) = filter.assignee_id {
        all = all.add(task::Column::AssigneeId.eq(id));
    }
    if !filter.statuses.is_empty() {
        all = all.add(task::Column::Status.is_in(filter.statuses));
    }
    if let Some(overdue) = filter.overdue {
        all = all.add(if overdue {
            overdue_at(now)
        } else {
            overdue_at(now).not()
        });
    }
    if let Some(id) = filter.account_id {
        all = all.add(task::Column::AccountId.eq(id));
    }
    if let Some(id) = filter.project_id {
        all = all.add(task::Column::ProjectId.eq(id));
    }
    if let Some(kind) = filter.project_kind {
        let projects = Query::select()
            .column(project::Column::Id)
            .from(project::Entity)
            .and_where(project::Column::WorkspaceId.eq(workspace_id))
            .and_where(project::Column::Kind.eq(kind))
            .to_owned();
        all = all.add(task::Column::ProjectId.in_subquery(projects));
    }
    all
}

/// Open and due before `now`. Its negation holds for tasks without a due date too.
fn overdue_at(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(task::Column::Status.is_in(OPEN_STATUSES))
        .add(task::Column::DueAt.is_not_null())
        .add(task::Column::DueAt.lt(now))
}
