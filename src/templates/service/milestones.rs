//! Adding, changing, removing and reordering the milestones of a template.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::positions::{self, Slot};
use super::read::{find_for_update, find_milestone, milestones_of};
use super::tasks::check_members;
use super::templates::insert_milestone;
use super::{MilestoneChanges, NewMilestone, changed, record_change};
use crate::db::begin_write;
use crate::entities::{project_template, template_milestone};
use crate::error::AppResult;
use crate::values::Text;

async fn slots(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    template_id: Uuid,
) -> AppResult<Vec<Slot>> {
    let milestones = milestones_of(db, workspace_id, &[template_id]).await?;
    Ok(milestones.iter().map(|m| (m.id, m.position)).collect())
}

async fn renumber(db: &impl ConnectionTrait, ordered: &[Slot]) -> AppResult<()> {
    positions::renumber::<template_milestone::Entity>(
        db,
        template_milestone::Column::Id,
        template_milestone::Column::Position,
        ordered,
    )
    .await
}

/// Adds a milestone with its task templates to a template, last or at `position`.
pub async fn add_milestone(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    actor_id: Uuid,
    template_id: Uuid,
    new: NewMilestone,
    position: Option<i32>,
    now: DateTime<Utc>,
) -> AppResult<template_milestone::Model> {
    let txn = begin_write(db).await?;
    let template = find_for_update(&txn, workspace_id, template_id).await?;
    check_members(
        &txn,
        workspace_id,
        new.tasks.iter().filter_map(|t| t.assignment.member_id()),
    )
    .await?;
    let siblings = slots(&txn, workspace_id, template_id).await?;
    let index = positions::insertion_index(position, siblings.len())?;

    let milestone = insert_milestone(&txn, &template, positions::position(index)?, new).await?;
    renumber(
        &txn,
        &positions::inserted(siblings, index, (milestone.id, milestone.position)),
    )
    .await?;
    let details = json!({ "milestoneId": milestone.id });
    record_change(
        &txn,
        workspace_id,
        actor_id,
        template_id,
        "template.milestone_added",
        details,
        now,
    )
    .await?;
    txn.commit().await?;

    tracing::info!(template.id = %template_id, template_milestone.id = %milestone.id, "template milestone added");
    Ok(milestone)
}

/// Changes a milestone's title or description.
pub async fn update_milestone(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    actor_id: Uuid,
    id: Uuid,
    changes: MilestoneChanges,
    now: DateTime<Utc>,
) -> AppResult<template_milestone::Model> {
    let txn = begin_write(db).await?;
    let milestone = find_milestone(&txn, workspace_id, id).await?;
    let template_id = milestone.template_id;
    let fields = changed(&[
        ("title", changes.title.is_some()),
        ("description", changes.description.is_some()),
    ]);

    let mut active: template_milestone::ActiveModel = milestone.into();
    if let Some(title) = changes.title {
        active.title = Set(title.into_inner());
    }
    if let Some(description) = changes.description {
        active.description = Set(description.map(Text::into_inner));
    }
    let milestone = active.update(&txn).await?;
    let details = json!({ "milestoneId": id, "fields": fields });
    record_change(
        &txn,
        workspace_id,
        actor_id,
        template_id,
        "template.milestone_updated",
        details,
        now,
    )
    .await?;
    txn.commit().await?;

    tracing::info!(template.id = %template_id, template_milestone.id = %id, "template milestone updated");
    Ok(milestone)
}

/// Removes a milestone with its task templates and closes the gap; returns the template.
pub async fn remove_milestone(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    actor_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<project_template::Model> {
    let txn = begin_write(db).await?;
    let milestone = find_milestone(&txn, workspace_id, id).await?;
    let template = find_for_update(&txn, workspace_id, milestone.template_id).await?;

    template_milestone::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    renumber(&txn, &slots(&txn, workspace_id, template.id).await?).await?;
    let details = json!({ "milestoneId": id });
    record_change(
        &txn,
        workspace_id,
        actor_id,
        template.id,
        "template.milestone_removed",
        details,
        now,
    )
    .await?;
    txn.commit().await?;

    tracing::info!(template.id = %template.id, template_milestone.id = %id, "template milestone removed");
    Ok(project_template::Model {
        updated_at: now,
        ..template
    })
}

/// Puts a template's milestones in the order given, which must name each of them exactly
/// once; returns the template.
pub async fn reorder_milestones(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    actor_id: Uuid,
    template_id: Uuid,
    milestone_ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<project_template::Model> {
    let txn = begin_write(db).await?;
    let template = find_for_update(&txn, workspace_id, template_id).await?;
    let current = slots(&txn, workspace_id, template_id).await?;

    let ordered = positions::reordered("milestoneIds", &current, milestone_ids)?;
    renumber(&txn, &ordered).await?;
    record_change(
        &txn,
        workspace_id,
        actor_id,
        template_id,
        "template.milestones_reordered",
        json!({}),
        now,
    )
    .await?;
    txn.commit().await?;

    tracing::info!(template.id = %template_id, "template milestones reordered");
    Ok(project_template::Model {
        updated_at: now,
        ..template
    })
}
