//! Moving a task through its statuses. Open, in progress and blocked tasks still need
//! someone; done and cancelled ones are closed, and only reopening brings them back.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::{find_for_update, label, record};
use crate::entities::enums::TaskStatus;
use crate::entities::task;
use crate::error::{AppError, AppResult};
use crate::projects::service::refresh_milestone;

/// Sets any status the task is not in already, except from one closed status to the
/// other (a cancelled task is reopened before it is done). Records `task.status_changed`.
pub async fn set_task_status(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    status: TaskStatus,
    now: DateTime<Utc>,
) -> AppResult<task::Model> {
    let task = find_for_update(db, workspace_id, id).await?;
    if task.status == status {
        return Err(AppError::Conflict(format!(
            "the task is already {}",
            label(status)
        )));
    }
    if !task.status.is_open() && !status.is_open() {
        return Err(AppError::Conflict(format!(
            "the task is {}: reopen it first",
            label(task.status)
        )));
    }
    transition(db, actor_id, task, status, "task.status_changed", now).await
}

/// Marks an open task done and records `task.completed`.
pub async fn complete_task(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<task::Model> {
    let task = find_for_update(db, workspace_id, id).await?;
    if !task.status.is_open() {
        return Err(AppError::Conflict(format!(
            "the task is {}: only an open task can be completed",
            label(task.status)
        )));
    }
    transition(db, actor_id, task, TaskStatus::Done, "task.completed", now).await
}

/// Opens a done or cancelled task again and records `task.reopened`.
pub async fn reopen_task(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<task::Model> {
    let task = find_for_update(db, workspace_id, id).await?;
    if task.status.is_open() {
        return Err(AppError::Conflict("the task is already open".into()));
    }
    transition(db, actor_id, task, TaskStatus::Open, "task.reopened", now).await
}

/// Writes the new status (a done task carries when it was done), records the change and
/// brings the milestone's completion up to date.
async fn transition(
    db: &impl ConnectionTrait,
    actor_id: Option<Uuid>,
    task: task::Model,
    status: TaskStatus,
    action: &'static str,
    now: DateTime<Utc>,
) -> AppResult<task::Model> {
    let from = task.status;
    let mut active: task::ActiveModel = task.into();
    active.status = Set(status);
    active.completed_at = Set((status == TaskStatus::Done).then_some(now));
    active.updated_at = Set(now);
    let task = active.update(db).await?;

    let details = json!({ "from": label(from), "to": label(status) });
    record(db, &task, actor_id, action, details, now).await?;
    if let Some(milestone_id) = task.milestone_id {
        refresh_milestone(db, task.workspace_id, milestone_id, now).await?;
    }
    if status == TaskStatus::Done {
        crate::sla::clocks::task_done(db, &task, now).await?;
    }
    tracing::info!(task.id = %task.id, task.status = %label(status), "task status changed");
    Ok(task)
}
