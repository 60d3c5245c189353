//! Creating, changing and deleting whole templates.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};
use serde_json::json;
use uuid::Uuid;

use super::read::find_for_update;
use super::tasks::{check_members, insert_tasks};
use super::{NewMilestone, NewTemplate, TemplateChanges, changed, positions, record_change};
use crate::db::begin_write;
use crate::entities::{project_template, template_milestone};
use crate::error::{AppError, AppResult};
use crate::values::Text;

/// Writes a template with its milestones and task templates. Runs inside the caller's
/// transaction: creating a workspace installs the built-ins this way.
pub async fn insert_template(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    builtin_key: Option<&str>,
    new: NewTemplate,
    now: DateTime<Utc>,
) -> AppResult<project_template::Model> {
    let template = project_template::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        name: Set(new.name.into_inner()),
        kind: Set(new.kind),
        builtin_key: Set(builtin_key.map(str::to_owned)),
        description: Set(new.description.map(Text::into_inner)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;

    for (index, milestone) in new.milestones.into_iter().enumerate() {
        insert_milestone(db, &template, positions::position(index)?, milestone).await?;
    }
    Ok(template)
}

/// Writes one milestone at `position` with its task templates; moves no sibling.
pub(super) async fn insert_milestone(
    db: &impl ConnectionTrait,
    template: &project_template::Model,
    position: i32,
    new: NewMilestone,
) -> AppResult<template_milestone::Model> {
    let milestone = template_milestone::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(template.workspace_id),
        template_id: Set(template.id),
        position: Set(position),
        title: Set(new.title.into_inner()),
        description: Set(new.description.map(Text::into_inner)),
    }
    .insert(db)
    .await?;

    insert_tasks(db, &milestone, 0, new.tasks).await?;
    Ok(milestone)
}

/// Creates a custom template from one input, all of it or nothing.
pub async fn create(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    actor_id: Uuid,
    new: NewTemplate,
    now: DateTime<Utc>,
) -> AppResult<project_template::Model> {
    let txn = begin_write(db).await?;
    let members = new
        .milestones
        .iter()
        .flat_map(|m| &m.tasks)
        .filter_map(|t| t.assignment.member_id());
    check_members(&txn, workspace_id, members).await?;

    let template = insert_template(&txn, workspace_id, None, new, now).await?;
    record_change(
        &txn,
        workspace_id,
        actor_id,
        template.id,
        "template.created",
        json!({}),
        now,
    )
    .await?;
    txn.commit().await?;

    tracing::info!(template.id = %template.id, workspace.id = %workspace_id, "project template created");
    Ok(template)
}

/// Changes a template's name, kind or description. A built-in keeps its kind: the
/// playbooks that start it rely on what it is for.
pub async fn update(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    actor_id: Uuid,
    id: Uuid,
    changes: TemplateChanges,
    now: DateTime<Utc>,
) -> AppResult<project_template::Model> {
    let txn = begin_write(db).await?;
    let template = find_for_update(&txn, workspace_id, id).await?;
    if template.builtin_key.is_some() && changes.kind.is_some_and(|kind| kind != template.kind) {
        return Err(AppError::Conflict(
            "a built-in template keeps its kind".into(),
        ));
    }

    let fields = changed(&[
        ("name", changes.name.is_some()),
        ("kind", changes.kind.is_some()),
        ("description", changes.description.is_some()),
    ]);
    let mut active: project_template::ActiveModel = template.into();
    if let Some(name) = changes.name {
        active.name = Set(name.into_inner());
    }
    if let Some(kind) = changes.kind {
        active.kind = Set(kind);
    }
    if let Some(description) = changes.description {
        active.description = Set(description.map(Text::into_inner));
    }
    active.updated_at = Set(now);
    let template = active.update(&txn).await?;
    record_change(
        &txn,
        workspace_id,
        actor_id,
        id,
        "template.updated",
        json!({ "fields": fields }),
        now,
    )
    .await?;
    txn.commit().await?;

    tracing::info!(template.id = %id, workspace.id = %workspace_id, "project template updated");
    Ok(template)
}

/// Deletes a custom template with its milestones and task templates. Projects started
/// from it keep their copies. Built-ins cannot be deleted (edit them instead), nor can a
/// template a playbook names: the playbook would fail at its next firing.
pub async fn delete(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    actor_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let template = find_for_update(&txn, workspace_id, id).await?;
    if template.builtin_key.is_some() {
        return Err(AppError::Conflict(
            "built-in templates cannot be deleted; edit them instead".into(),
        ));
    }
    let playbooks =
        crate::playbooks::checks::naming_template(&txn, workspace_id, &template).await?;
    if !playbooks.is_empty() {
        return Err(AppError::Conflict(format!(
            "the template is used by the playbooks {}; change or delete them first",
            playbooks.join(", ")
        )));
    }

    project_template::Entity::delete_many()
        .filter(project_template::Column::WorkspaceId.eq(workspace_id))
        .filter(project_template::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    record_change(
        &txn,
        workspace_id,
        actor_id,
        id,
        "template.deleted",
        json!({}),
        now,
    )
    .await?;
    txn.commit().await?;

    tracing::info!(template.id = %id, workspace.id = %workspace_id, "project template deleted");
    Ok(())
}
