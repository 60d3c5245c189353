//! Adding, changing, removing and reordering the task templates of a milestone.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::positions::{self, Slot};
use super::read::{find_for_update, find_milestone, find_task, tasks_of};
use super::{Assignment, NewTaskTemplate, TaskChanges, changed, record_change};
use crate::db::begin_write;
use crate::entities::enums::AssigneeRule;
use crate::entities::{team_member, template_milestone, template_task};
use crate::error::{AppError, AppResult};
use crate::values::Text;

/// Writes task templates into a milestone at positions `first`, `first + 1`, …, in one
/// statement; moves no sibling.
pub(super) async fn insert_tasks(
    db: &impl ConnectionTrait,
    milestone: &template_milestone::Model,
    first: usize,
    tasks: Vec<NewTaskTemplate>,
) -> AppResult<()> {
    let rows = tasks
        .into_iter()
        .enumerate()
        .map(|(offset, new)| task_row(milestone, positions::position(first + offset)?, new))
        .collect::<AppResult<Vec<_>>>()?;
    insert_rows(db, &rows).await
}

async fn insert_rows(db: &impl ConnectionTrait, rows: &[template_task::Model]) -> AppResult<()> {
    template_task::Entity::insert_many(
        rows.iter().cloned().map(IntoActiveModel::into_active_model),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

fn task_row(
    milestone: &template_milestone::Model,
    position: i32,
    new: NewTaskTemplate,
) -> AppResult<template_task::Model> {
    Ok(template_task::Model {
        id: Uuid::now_v7(),
        workspace_id: milestone.workspace_id,
        template_id: milestone.template_id,
        template_milestone_id: milestone.id,
        position,
        title: new.title.into_inner(),
        description: new.description.map(Text::into_inner),
        due_offset_days: new.due_offset_days.days(),
        assignee_rule: new.assignment.rule(),
        assignee_member_id: new.assignment.member_id(),
        priority: new.priority,
    })
}

/// Refuses member ids that are not team members of the workspace.
pub(super) async fn check_members(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    ids: impl IntoIterator<Item = Uuid>,
) -> AppResult<()> {
    let ids: HashSet<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(());
    }
    let found = team_member::Entity::find()
        .filter(team_member::Column::WorkspaceId.eq(workspace_id))
        .filter(team_member::Column::Id.is_in(ids.iter().copied()))
        .count(db)
        .await?;
    if usize::try_from(found).ok() == Some(ids.len()) {
        Ok(())
    } else {
        Err(AppError::NotFound("team member"))
    }
}

fn slots(tasks: &[template_task::Model]) -> Vec<Slot> {
    tasks.iter().map(|t| (t.id, t.position)).collect()
}

/// Adds a task template to a milestone, last or at `position`.
pub async fn add_task(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    actor_id: Uuid,
    milestone_id: Uuid,
    new: NewTaskTemplate,
    position: Option<i32>,
    now: DateTime<Utc>,
) -> AppResult<template_task::Model> {
    let txn = begin_write(db).await?;
    let milestone = find_milestone(&txn, workspace_id, milestone_id).await?;
    find_for_update(&txn, workspace_id, milestone.template_id).await?;
    check_members(&txn, workspace_id, new.assignment.member_id()).await?;
    let siblings = slots(&tasks_of(&txn, workspace_id, &[milestone_id]).await?);
    let index = positions::insertion_index(position, siblings.len())?;

    let task = task_row(&milestone, positions::position(index)?, new)?;
    insert_rows(&txn, std::slice::from_ref(&task)).await?;
    let ordered = positions::inserted(siblings, index, (task.id, task.position));
    renumber(&txn, &ordered).await?;
    let details = json!({ "milestoneId": milestone_id, "taskId": task.id });
    record_change(
        &txn,
        workspace_id,
        actor_id,
        milestone.template_id,
        "template.task_added",
        details,
        now,
    )
    .await?;
    txn.commit().await?;

    tracing::info!(template.id = %milestone.template_id, template_task.id = %task.id, "template task added");
    Ok(task)
}

/// Changes a task template. The result must still assign sensibly: a MEMBER rule needs a
/// member of the workspace.
pub async fn update_task(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    actor_id: Uuid,
    id: Uuid,
    changes: TaskChanges,
    now: DateTime<Utc>,
) -> AppResult<template_task::Model> {
    let txn = begin_write(db).await?;
    let task = find_task(&txn, workspace_id, id).await?;
    let assignment = merged_assignment(&task, &changes)?;
    check_members(&txn, workspace_id, assignment.member_id()).await?;

    let fields = task_fields(&changes);
    let template_id = task.template_id;
    let mut active: template_task::ActiveModel = task.into();
    if let Some(title) = changes.title {
        active.title = Set(title.into_inner());
    }
    if let Some(description) = changes.description {
        active.description = Set(description.map(Text::into_inner));
    }
    if let Some(days) = changes.due_offset_days {
        active.due_offset_days = Set(days.days());
    }
    if let Some(priority) = changes.priority {
        active.priority = Set(priority);
    }
    active.assignee_rule = Set(assignment.rule());
    active.assignee_member_id = Set(assignment.member_id());
    let task = active.update(&txn).await?;
    let details = json!({ "taskId": id, "fields": fields });
    record_change(
        &txn,
        workspace_id,
        actor_id,
        template_id,
        "template.task_updated",
        details,
        now,
    )
    .await?;
    txn.commit().await?;

    tracing::info!(template.id = %template_id, template_task.id = %id, "template task updated");
    Ok(task)
}

/// The rule and member after `changes`: a rule other than MEMBER drops the member unless
/// one is given with it (which is refused).
fn merged_assignment(task: &template_task::Model, changes: &TaskChanges) -> AppResult<Assignment> {
    let rule = changes.assignee_rule.unwrap_or(task.assignee_rule);
    let member_id = match changes.assignee_member_id {
        Some(member_id) => member_id,
        None if rule == AssigneeRule::Member => task.assignee_member_id,
        None => None,
    };
    Assignment::new(rule, member_id)
}

fn task_fields(changes: &TaskChanges) -> Vec<&'static str> {
    changed(&[
        ("title", changes.title.is_some()),
        ("description", changes.description.is_some()),
        ("dueOffsetDays", changes.due_offset_days.is_some()),
        ("assigneeRule", changes.assignee_rule.is_some()),
        ("assigneeMemberId", changes.assignee_member_id.is_some()),
        ("priority", changes.priority.is_some()),
    ])
}

/// Removes a task template and closes the gap it leaves; returns its milestone.
pub async fn remove_task(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    actor_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<template_milestone::Model> {
    let txn = begin_write(db).await?;
    let task = find_task(&txn, workspace_id, id).await?;
    find_for_update(&txn, workspace_id, task.template_id).await?;
    let milestone = find_milestone(&txn, workspace_id, task.template_milestone_id).await?;

    template_task::Entity::delete_by_id(id).exec(&txn).await?;
    let rest = slots(&tasks_of(&txn, workspace_id, &[milestone.id]).await?);
    renumber(&txn, &rest).await?;
    let details = json!({ "milestoneId": milestone.id, "taskId": id });
    record_change(
        &txn,
        workspace_id,
        actor_id,
        task.template_id,
        "template.task_removed",
        details,
        now,
    )
    .await?;
    txn.commit().await?;

    tracing::info!(template.id = %task.template_id, template_task.id = %id, "template task removed");
    Ok(milestone)
}

/// Puts a milestone's task templates in the order given, which must name each of them
/// exactly once; returns the milestone.
pub async fn reorder_tasks(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    actor_id: Uuid,
    milestone_id: Uuid,
    task_ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<template_milestone::Model> {
    let txn = begin_write(db).await?;
    let milestone = find_milestone(&txn, workspace_id, milestone_id).await?;
    find_for_update(&txn, workspace_id, milestone.template_id).await?;
    let current = slots(&tasks_of(&txn, workspace_id, &[milestone_id]).await?);

    let ordered = positions::reordered("taskIds", &current, task_ids)?;
    renumber(&txn, &ordered).await?;
    let details = json!({ "milestoneId": milestone_id });
    record_change(
        &txn,
        workspace_id,
        actor_id,
        milestone.template_id,
        "template.tasks_reordered",
        details,
        now,
    )
    .await?;
    txn.commit().await?;

    tracing::info!(template.id = %milestone.template_id, template_milestone.id = %milestone_id, "template tasks reordered");
    Ok(milestone)
}

async fn renumber(db: &impl ConnectionTrait, ordered: &[Slot]) -> AppResult<()> {
    positions::renumber::<template_task::Entity>(
        db,
        template_task::Column::Id,
        template_task::Column::Position,
        ordered,
    )
    .await
}
