//! Changing a running project: its status, its start (which moves its open tasks' due
//! dates along), its name, severity and owner. Each change is recorded as activity in
//! the same transaction.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{find_for_update, milestones_of, record, refresh_milestone, shift};
use crate::accounts::service::note_change;
use crate::clock;
use crate::entities::enums::{ProjectStatus, Severity, TaskStatus};
use crate::entities::{project, task};
use crate::error::{AppError, AppResult};
use crate::members::service as members;
use crate::tasks::service::{OPEN_STATUSES, label};
use crate::values::Name;

/// Changes to a project; `None` keeps a field, `Some(None)` removes the owner.
#[derive(Debug, Clone, Default)]
pub struct ProjectChanges {
    pub name: Option<Name>,
    pub severity: Option<Severity>,
    pub owner_id: Option<Option<Uuid>>,
}

/// Marks an active project completed, schedules its follow-up (a detractor project started
/// by a response) and runs the `PROJECT_COMPLETED` playbooks, which may change that, in the
/// same transaction. Its tasks stay as they are.
pub async fn complete_project(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<project::Model> {
    let project = find_active(db, workspace_id, id).await?;
    let project = set_status(db, project, ProjectStatus::Completed, Some(now), now).await?;
    record(db, &project, actor_id, "project.completed", json!({}), now).await?;
    crate::follow_ups::service::schedule_after_completion(db, &project, now).await?;
    crate::sla::clocks::project_completed(db, &project, now).await?;
    crate::playbooks::engine::on_project_completed(db, &project, now).await?;
    tracing::info!(project.id = %id, "project completed");
    Ok(project)
}

/// Cancels an active project, and with it the tasks still open in it: nobody needs to
/// do them any more.
pub async fn cancel_project(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<project::Model> {
    let project = find_active(db, workspace_id, id).await?;
    let project = set_status(db, project, ProjectStatus::Cancelled, None, now).await?;
    let cancelled = task::Entity::update_many()
        .col_expr(task::Column::Status, Expr::value(TaskStatus::Cancelled))
        .col_expr(task::Column::UpdatedAt, Expr::value(now))
        .filter(task::Column::WorkspaceId.eq(workspace_id))
        .filter(task::Column::ProjectId.eq(id))
        .filter(task::Column::Status.is_in(OPEN_STATUSES))
        .exec(db)
        .await?
        .rows_affected;
    for milestone in milestones_of(db, workspace_id, &[id]).await? {
        refresh_milestone(db, workspace_id, milestone.id, now).await?;
    }

    crate::sla::clocks::project_stopped(db, &project, now).await?;
    let details = json!({ "tasksCancelled": cancelled });
    record(db, &project, actor_id, "project.cancelled", details, now).await?;
    tracing::info!(project.id = %id, project.tasks_cancelled = cancelled, "project cancelled");
    Ok(project)
}

/// Makes a completed or cancelled project active again. Tasks cancelled with it stay
/// cancelled until reopened one by one; a follow-up still waiting is cancelled.
pub async fn reopen_project(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<project::Model> {
    let project = find_for_update(db, workspace_id, id).await?;
    if project.status == ProjectStatus::Active {
        return Err(AppError::Conflict("the project is already active".into()));
    }
    let from = label(project.status);
    let project = set_status(db, project, ProjectStatus::Active, None, now).await?;
    record(
        db,
        &project,
        actor_id,
        "project.reopened",
        json!({ "from": from }),
        now,
    )
    .await?;
    crate::follow_ups::service::cancel_for_reopened(db, &project, now).await?;
    tracing::info!(project.id = %id, "project reopened");
    Ok(project)
}

/// Moves an active project's start, and the due dates of its open tasks by as much, so
/// the plan keeps its shape. Done and cancelled tasks keep their dates.
pub async fn move_project_start(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<project::Model> {
    let project = find_active(db, workspace_id, id).await?;
    let starts_at = clock::truncate(starts_at);
    let delta = starts_at - project.starts_at;
    let moved = shift_open_tasks(db, &project, delta, now).await?;

    let from = project.starts_at;
    let mut active: project::ActiveModel = project.into();
    active.starts_at = Set(starts_at);
    active.updated_at = Set(now);
    let project = active.update(db).await?;

    let details = json!({ "from": from, "to": starts_at, "tasksMoved": moved });
    record(db, &project, actor_id, "project.rescheduled", details, now).await?;
    tracing::info!(project.id = %id, project.tasks_moved = moved, "project rescheduled");
    Ok(project)
}

/// Shifts the due dates of the project's open tasks one row at a time (date arithmetic
/// differs between SQLite and PostgreSQL); returns how many moved.
async fn shift_open_tasks(
    db: &impl ConnectionTrait,
    project: &project::Model,
    delta: chrono::Duration,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let tasks = task::Entity::find()
        .filter(task::Column::WorkspaceId.eq(project.workspace_id))
        .filter(task::Column::ProjectId.eq(project.id))
        .filter(task::Column::Status.is_in(OPEN_STATUSES))
        .filter(task::Column::DueAt.is_not_null())
        .all(db)
        .await?;
    let moved = tasks.len();
    for task in tasks {
        let Some(due_at) = task.due_at else { continue };
        let mut active: task::ActiveModel = task.into();
        active.due_at = Set(Some(shift(due_at, delta)?));
        active.updated_at = Set(now);
        active.update(db).await?;
    }
    Ok(moved)
}

/// Renames a project, changes its severity or hands it to another owner, and records
/// `project.updated` with `{field: {from, to}}` for what changed.
pub async fn update_project(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    changes: ProjectChanges,
    now: DateTime<Utc>,
) -> AppResult<project::Model> {
    let current = find_for_update(db, workspace_id, id).await?;
    if let Some(Some(owner_id)) = changes.owner_id {
        members::find(db, workspace_id, owner_id).await?;
    }

    let (mut active, diff) = apply(&current, changes);
    if diff.is_empty() {
        return Ok(current);
    }
    active.updated_at = Set(now);
    let project = active.update(db).await?;
    record(
        db,
        &project,
        actor_id,
        "project.updated",
        Value::Object(diff),
        now,
    )
    .await?;
    tracing::info!(project.id = %id, "project updated");
    Ok(project)
}

fn apply(
    current: &project::Model,
    changes: ProjectChanges,
) -> (project::ActiveModel, Map<String, Value>) {
    let mut diff = Map::new();
    let mut active: project::ActiveModel = current.clone().into();
    if let Some(name) = changes.name.map(Name::into_inner) {
        note_change(&mut diff, "name", &current.name, &name);
        active.name = Set(name);
    }
    if let Some(severity) = changes.severity {
        note_change(
            &mut diff,
            "severity",
            &label(current.severity),
            &label(severity),
        );
        active.severity = Set(severity);
    }
    if let Some(owner_id) = changes.owner_id {
        note_change(&mut diff, "ownerId", &current.owner_id, &owner_id);
        active.owner_id = Set(owner_id);
    }
    (active, diff)
}

/// The project, held for this transaction, if it is still active; a finished project
/// cannot be finished again or rescheduled.
async fn find_active(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<project::Model> {
    let project = find_for_update(db, workspace_id, id).await?;
    match project.status {
        ProjectStatus::Active => Ok(project),
        ProjectStatus::Completed => Err(AppError::Conflict(
            "the project is already completed".into(),
        )),
        ProjectStatus::Cancelled => Err(AppError::Conflict("the project is cancelled".into())),
    }
}

async fn set_status(
    db: &impl ConnectionTrait,
    project: project::Model,
    status: ProjectStatus,
    completed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> AppResult<project::Model> {
    let mut active: project::ActiveModel = project.into();
    active.status = Set(status);
    active.completed_at = Set(completed_at);
    active.updated_at = Set(now);
    Ok(active.update(db).await?)
}
