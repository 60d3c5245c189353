//! Starting, finding and changing projects, and keeping their milestones' progress.
//!
//! Functions that write more than one row take a connection or a transaction from their
//! caller and never open one themselves, so that a playbook can start a project inside
//! the transaction that records the NPS response.

mod lifecycle;
mod milestones;
mod start;

pub use lifecycle::{
    ProjectChanges, cancel_project, complete_project, move_project_start, reopen_project,
    update_project,
};
pub use milestones::{find_milestone, milestones_of, refresh_milestone};
pub use start::{
    PlannedProject, StartProject, plan_project, start_project, start_projects, write_projects,
};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::Value;
use uuid::Uuid;

use crate::activity::service::{self as activity, Change, Subject};
use crate::entities::enums::{ProjectKind, ProjectStatus};
use crate::entities::project;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{Page, paged};

/// Which projects to list; every filter given must match.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProjectFilter {
    pub account_id: Option<Uuid>,
    pub status: Option<ProjectStatus>,
    pub kind: Option<ProjectKind>,
}

pub async fn find(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<project::Model> {
    let columns = (project::Column::WorkspaceId, project::Column::Id);
    find_row::<project::Entity>(db, columns, workspace_id, id, Read::Plain, "project").await
}

/// Like [`find`], held for the transaction: for changes of its status or dates.
pub(crate) async fn find_for_update(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<project::Model> {
    let columns = (project::Column::WorkspaceId, project::Column::Id);
    find_row::<project::Entity>(db, columns, workspace_id, id, Read::ForUpdate, "project").await
}

/// How a row is read: as it is, or held until the transaction ends (on PostgreSQL; SQLite
/// write transactions are exclusive anyway) so that two changes of it cannot both start
/// from the same state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read {
    Plain,
    ForUpdate,
}

/// The row of `E` with this id in the workspace, or `NotFound(what)`, exactly as if a row
/// of another workspace did not exist. `columns` are `E`'s workspace and id columns.
pub(crate) async fn find_row<E: EntityTrait>(
    db: &impl ConnectionTrait,
    (workspace, id_column): (E::Column, E::Column),
    workspace_id: Uuid,
    id: Uuid,
    read: Read,
    what: &'static str,
) -> AppResult<E::Model> {
    let mut select = E::find()
        .filter(workspace.eq(workspace_id))
        .filter(id_column.eq(id));
    if read == Read::ForUpdate {
        select = select.lock_exclusive();
    }
    select.one(db).await?.ok_or(AppError::NotFound(what))
}

pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    filter: ProjectFilter,
    page: Page,
) -> AppResult<Vec<project::Model>> {
    let mut select = project::Entity::find().filter(project::Column::WorkspaceId.eq(workspace_id));
    if let Some(account_id) = filter.account_id {
        select = select.filter(project::Column::AccountId.eq(account_id));
    }
    if let Some(status) = filter.status {
        select = select.filter(project::Column::Status.eq(status));
    }
    if let Some(kind) = filter.kind {
        select = select.filter(project::Column::Kind.eq(kind));
    }
    Ok(paged(select, project::Column::Id, page).all(db).await?)
}

/// `at` moved by `by`; a date beyond what the calendar holds is refused as a bad start.
pub(crate) fn shift(at: DateTime<Utc>, by: Duration) -> AppResult<DateTime<Utc>> {
    at.checked_add_signed(by).ok_or_else(|| {
        AppError::bad_input(
            "startsAt",
            "`startsAt` is too far in the future or the past",
        )
    })
}

/// Records a change of the project as activity, in the transaction that made it.
pub(crate) async fn record(
    db: &impl ConnectionTrait,
    project: &project::Model,
    actor_id: Option<Uuid>,
    action: &'static str,
    details: Value,
    now: DateTime<Utc>,
) -> AppResult<()> {
    activity::record(db, change(project, actor_id, action, details), now).await?;
    Ok(())
}

/// A change of the project, to record.
pub(crate) fn change(
    project: &project::Model,
    actor_id: Option<Uuid>,
    action: &'static str,
    details: Value,
) -> Change {
    Change {
        workspace_id: project.workspace_id,
        actor_id,
        subject: Subject::Project(project.id),
        action,
        account_id: Some(project.account_id),
        project_id: Some(project.id),
        task_id: None,
        details,
    }
}
