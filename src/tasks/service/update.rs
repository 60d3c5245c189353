//! Changing what a task says and who does it.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{find_for_update, label, record};
use crate::accounts::service::note_change;
use crate::clock;
use crate::entities::enums::TaskPriority;
use crate::entities::task;
use crate::error::AppResult;
use crate::members::service as members;
use crate::values::{Name, Text};

/// Changes to a task; `None` keeps a field, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct TaskChanges {
    pub title: Option<Name>,
    pub description: Option<Option<Text>>,
    pub due_at: Option<Option<DateTime<Utc>>>,
    pub priority: Option<TaskPriority>,
}

/// Applies the changes and records `task.updated` with `{field: {from, to}}` for each
/// field that changed; changes nothing when nothing differs.
pub async fn update_task(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    changes: TaskChanges,
    now: DateTime<Utc>,
) -> AppResult<task::Model> {
    let current = find_for_update(db, workspace_id, id).await?;
    let (mut active, diff) = apply(&current, changes);
    if diff.is_empty() {
        return Ok(current);
    }
    active.updated_at = Set(now);
    let task = active.update(db).await?;

    record(
        db,
        &task,
        actor_id,
        "task.updated",
        Value::Object(diff),
        now,
    )
    .await?;
    tracing::info!(task.id = %id, "task updated");
    Ok(task)
}

fn apply(current: &task::Model, changes: TaskChanges) -> (task::ActiveModel, Map<String, Value>) {
    let mut diff = Map::new();
    let mut active: task::ActiveModel = current.clone().into();
    if let Some(title) = changes.title.map(Name::into_inner) {
        note_change(&mut diff, "title", &current.title, &title);
        active.title = Set(title);
    }
    if let Some(description) = changes.description.map(|d| d.map(Text::into_inner)) {
        note_change(&mut diff, "description", &current.description, &description);
        active.description = Set(description);
    }
    if let Some(due_at) = changes.due_at.map(|d| d.map(clock::truncate)) {
        note_change(&mut diff, "dueAt", &current.due_at, &due_at);
        active.due_at = Set(due_at);
    }
    if let Some(priority) = changes.priority {
        note_change(
            &mut diff,
            "priority",
            &label(current.priority),
            &label(priority),
        );
        active.priority = Set(priority);
    }
    (active, diff)
}

/// Gives the task to a member (`None` leaves it unassigned) and records `task.assigned`.
/// An assignment by hand ends the blueprint's rule: when the account changes owner, this
/// task stays with whom it was given to.
pub async fn assign_task(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    assignee_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<task::Model> {
    let current = find_for_update(db, workspace_id, id).await?;
    if let Some(assignee_id) = assignee_id {
        members::find(db, workspace_id, assignee_id).await?;
    }
    if current.assignee_id == assignee_id && current.assignee_rule.is_none() {
        return Ok(current);
    }

    let from = current.assignee_id;
    let mut active: task::ActiveModel = current.into();
    active.assignee_id = Set(assignee_id);
    active.assignee_rule = Set(None);
    active.updated_at = Set(now);
    let task = active.update(db).await?;

    let details = json!({ "from": from, "to": assignee_id });
    record(db, &task, actor_id, "task.assigned", details, now).await?;
    tracing::info!(task.id = %id, task.assigned = assignee_id.is_some(), "task assigned");
    Ok(task)
}
