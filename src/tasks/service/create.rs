//! Adding a task by hand: standalone on an account, or inside a project and milestone.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use crate::accounts::service as accounts;
use crate::activity::service::{self as activity, Change, Subject};
use crate::clock;
use crate::entities::enums::{TaskPriority, TaskStatus};
use crate::entities::task;
use crate::error::{AppError, AppResult};
use crate::members::service as members;
use crate::projects::service::{self as projects, refresh_milestone};
use crate::values::{Name, Text};

/// A task to add. A milestone without a project puts the task in the milestone's project.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub account_id: Uuid,
    pub project_id: Option<Uuid>,
    pub milestone_id: Option<Uuid>,
    pub title: Name,
    pub description: Option<Text>,
    pub assignee_id: Option<Uuid>,
    pub due_at: Option<DateTime<Utc>>,
    pub priority: TaskPriority,
}

/// Adds an open task, records `task.created` and reopens its milestone if that was
/// complete. Writes several rows: call it in a transaction.
pub async fn create_task(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    new: NewTask,
    now: DateTime<Utc>,
) -> AppResult<task::Model> {
    let account = accounts::find(db, workspace_id, new.account_id).await?;
    let (project_id, milestone_id) = placement(db, workspace_id, &new).await?;
    if let Some(assignee_id) = new.assignee_id {
        members::find(db, workspace_id, assignee_id).await?;
    }
    let position = match milestone_id {
        Some(milestone_id) => next_position(db, workspace_id, milestone_id).await?,
        None => 0,
    };

    let placed = Placement {
        project_id,
        milestone_id,
        position,
    };
    let task = task_row(Uuid::now_v7(), workspace_id, account.id, placed, new, now);
    let task: task::Model = task.into_active_model().insert(db).await?;
    activity::record(db, created(&task, actor_id), now).await?;
    if let Some(milestone_id) = milestone_id {
        refresh_milestone(db, workspace_id, milestone_id, now).await?;
    }
    tracing::info!(task.id = %task.id, account.id = %account.id, "task created");
    Ok(task)
}

/// Where a new task goes: its project, milestone and position there.
#[derive(Debug, Clone, Copy, Default)]
pub struct Placement {
    pub project_id: Option<Uuid>,
    pub milestone_id: Option<Uuid>,
    pub position: i32,
}

/// The row of a new open task, for a caller that checked `new` already: adding a task by
/// hand, or a playbook that writes a batch of them at once.
pub fn task_row(
    id: Uuid,
    workspace_id: Uuid,
    account_id: Uuid,
    placed: Placement,
    new: NewTask,
    now: DateTime<Utc>,
) -> task::Model {
    task::Model {
        id,
        workspace_id,
        account_id,
        project_id: placed.project_id,
        milestone_id: placed.milestone_id,
        title: new.title.into_inner(),
        description: new.description.map(Text::into_inner),
        assignee_id: new.assignee_id,
        assignee_rule: None,
        status: TaskStatus::Open,
        priority: new.priority,
        due_at: new.due_at.map(clock::truncate),
        escalation_level: 0,
        completed_at: None,
        position: placed.position,
        created_at: now,
        updated_at: now,
    }
}

/// The `task.created` record of a new task.
pub fn created(task: &task::Model, actor_id: Option<Uuid>) -> Change {
    let details = json!({
        "title": task.title,
        "assigneeId": task.assignee_id,
        "milestoneId": task.milestone_id,
    });
    Change {
        workspace_id: task.workspace_id,
        actor_id,
        subject: Subject::Task(task.id),
        action: "task.created",
        account_id: Some(task.account_id),
        project_id: task.project_id,
        task_id: Some(task.id),
        details,
    }
}

/// Checks that the project is the account's and the milestone the project's; returns
/// where the task goes.
async fn placement(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    new: &NewTask,
) -> AppResult<(Option<Uuid>, Option<Uuid>)> {
    let milestone = match new.milestone_id {
        Some(id) => Some(projects::find_milestone(db, workspace_id, id).await?),
        None => None,
    };
    let project_id = new.project_id.or(milestone.as_ref().map(|m| m.project_id));
    if let (Some(project_id), Some(milestone)) = (project_id, &milestone)
        && milestone.project_id != project_id
    {
        return Err(AppError::bad_input(
            "milestoneId",
            "the milestone belongs to another project",
        ));
    }
    if let Some(project_id) = project_id {
        let project = projects::find(db, workspace_id, project_id).await?;
        if project.account_id != new.account_id {
            return Err(AppError::bad_input(
                "projectId",
                "the project belongs to another account",
            ));
        }
    }
    Ok((project_id, milestone.map(|m| m.id)))
}

/// One past the last position in the milestone, so a new task goes at its end.
async fn next_position(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    milestone_id: Uuid,
) -> AppResult<i32> {
    let last: Option<Option<i32>> = task::Entity::find()
        .select_only()
        .column_as(task::Column::Position.max(), "last")
        .filter(task::Column::WorkspaceId.eq(workspace_id))
        .filter(task::Column::MilestoneId.eq(milestone_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(last
        .flatten()
        .map_or(0, |position| position.saturating_add(1)))
}
