//! Creating, listing and changing tasks. Each change records its activity in the same
//! transaction and keeps the milestone's completion in step; functions that write more
//! than one row take a transaction from their caller.

mod assignees;
mod create;
mod list;
mod reassign;
mod status;
mod update;

pub use assignees::RuleAssignees;
pub use create::{NewTask, Placement, create_task, created, task_row};
pub use list::{TaskFilter, list};
pub use reassign::reassign_owner_rule_tasks;
pub use status::{complete_task, reopen_task, set_task_status};
pub use update::{TaskChanges, assign_task, update_task};

use chrono::{DateTime, Utc};
use sea_orm::{ActiveEnum, ConnectionTrait};
use serde_json::Value;
use uuid::Uuid;

use crate::activity::service::{self as activity, Change, Subject};
use crate::entities::enums::TaskStatus;
use crate::entities::task;
use crate::error::AppResult;
use crate::projects::service::{Read, find_row};

/// The statuses of work still waiting on someone (see [`TaskStatus::is_open`]).
pub const OPEN_STATUSES: [TaskStatus; 3] = [
    TaskStatus::Open,
    TaskStatus::InProgress,
    TaskStatus::Blocked,
];

pub async fn find(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<task::Model> {
    let columns = (task::Column::WorkspaceId, task::Column::Id);
    find_row::<task::Entity>(db, columns, workspace_id, id, Read::Plain, "task").await
}

/// Like [`find`], held for the transaction: for changes of the task.
async fn find_for_update(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<task::Model> {
    let columns = (task::Column::WorkspaceId, task::Column::Id);
    find_row::<task::Entity>(db, columns, workspace_id, id, Read::ForUpdate, "task").await
}

/// An enumeration value as the API spells it (`IN_PROGRESS`), for activity details.
pub fn label<E: ActiveEnum<Value = String>>(value: E) -> String {
    value.to_value().to_uppercase()
}

/// Records a change of the task as activity, in the transaction that made it.
async fn record(
    db: &impl ConnectionTrait,
    task: &task::Model,
    actor_id: Option<Uuid>,
    action: &'static str,
    details: Value,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let change = Change {
        workspace_id: task.workspace_id,
        actor_id,
        subject: Subject::Task(task.id),
        action,
        account_id: Some(task.account_id),
        project_id: task.project_id,
        task_id: Some(task.id),
        details,
    };
    activity::record(db, change, now).await?;
    Ok(())
}
