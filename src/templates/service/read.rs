//! Finding templates, their milestones and task templates, and the whole blueprint a
//! project is started from.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::entities::enums::ProjectKind;
use crate::entities::{project_template, template_milestone, template_task};
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{Page, paged};

const TEMPLATE: &str = "project template";

/// A template with its milestones and their task templates, all in position order: what
/// a project copies when it starts.
#[derive(Debug, Clone)]
pub struct Blueprint {
    pub template: project_template::Model,
    pub milestones: Vec<BlueprintMilestone>,
}

#[derive(Debug, Clone)]
pub struct BlueprintMilestone {
    pub milestone: template_milestone::Model,
    pub tasks: Vec<template_task::Model>,
}

/// One row of the workspace from `select`; a row of another workspace is `NOT_FOUND`,
/// exactly as if it did not exist.
async fn one_in<E: EntityTrait>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    workspace: E::Column,
    workspace_id: Uuid,
    what: &'static str,
) -> AppResult<E::Model> {
    select
        .filter(workspace.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound(what))
}

/// The rows of the workspace whose `parent` is one of `parent_ids`, by parent and then
/// position: one statement for a whole batch of parents.
async fn children_of<E: EntityTrait>(
    db: &impl ConnectionTrait,
    workspace: (E::Column, Uuid),
    parent: E::Column,
    parent_ids: &[Uuid],
    position: E::Column,
) -> AppResult<Vec<E::Model>> {
    Ok(E::find()
        .filter(workspace.0.eq(workspace.1))
        .filter(parent.is_in(parent_ids.iter().copied()))
        .order_by_asc(parent)
        .order_by_asc(position)
        .all(db)
        .await?)
}

/// A template of the workspace.
pub async fn find(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<project_template::Model> {
    let select = project_template::Entity::find_by_id(id);
    one_in(
        db,
        select,
        project_template::Column::WorkspaceId,
        workspace_id,
        TEMPLATE,
    )
    .await
}

/// Like [`find`], and locks the template's row until the transaction ends (on
/// PostgreSQL; SQLite write transactions are exclusive anyway), so that two edits of the
/// same template's structure cannot number positions from the same snapshot.
pub(super) async fn find_for_update(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<project_template::Model> {
    let select = project_template::Entity::find_by_id(id).lock_exclusive();
    one_in(
        db,
        select,
        project_template::Column::WorkspaceId,
        workspace_id,
        TEMPLATE,
    )
    .await
}

/// A built-in template by its key (`builtin::NPS_DETRACTOR`, `builtin::NPS_PROMOTER`).
pub async fn find_builtin(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    key: &str,
) -> AppResult<project_template::Model> {
    let select =
        project_template::Entity::find().filter(project_template::Column::BuiltinKey.eq(key));
    one_in(
        db,
        select,
        project_template::Column::WorkspaceId,
        workspace_id,
        TEMPLATE,
    )
    .await
}

/// A page of the workspace's templates in creation order (so the built-ins come first).
pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    kind: Option<ProjectKind>,
    page: Page,
) -> AppResult<Vec<project_template::Model>> {
    let mut select = project_template::Entity::find()
        .filter(project_template::Column::WorkspaceId.eq(workspace_id));
    if let Some(kind) = kind {
        select = select.filter(project_template::Column::Kind.eq(kind));
    }
    Ok(paged(select, project_template::Column::Id, page)
        .all(db)
        .await?)
}

/// A milestone of one of the workspace's templates.
pub async fn find_milestone(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<template_milestone::Model> {
    let select = template_milestone::Entity::find_by_id(id);
    one_in(
        db,
        select,
        template_milestone::Column::WorkspaceId,
        workspace_id,
        "template milestone",
    )
    .await
}

/// A task template of one of the workspace's templates.
pub async fn find_task(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<template_task::Model> {
    let select = template_task::Entity::find_by_id(id);
    one_in(
        db,
        select,
        template_task::Column::WorkspaceId,
        workspace_id,
        "template task",
    )
    .await
}

/// The milestones of the given templates, by template and then position.
pub async fn milestones_of(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    template_ids: &[Uuid],
) -> AppResult<Vec<template_milestone::Model>> {
    use template_milestone::Column;
    let workspace = (Column::WorkspaceId, workspace_id);
    children_of::<template_milestone::Entity>(
        db,
        workspace,
        Column::TemplateId,
        template_ids,
        Column::Position,
    )
    .await
}

/// The task templates of the given milestones, by milestone and then position.
pub async fn tasks_of(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    milestone_ids: &[Uuid],
) -> AppResult<Vec<template_task::Model>> {
    use template_task::Column;
    let workspace = (Column::WorkspaceId, workspace_id);
    children_of::<template_task::Entity>(
        db,
        workspace,
        Column::TemplateMilestoneId,
        milestone_ids,
        Column::Position,
    )
    .await
}

/// The template with its milestones and task templates in order (three queries).
pub async fn blueprint(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    template_id: Uuid,
) -> AppResult<Blueprint> {
    blueprints(db, workspace_id, &[template_id])
        .await?
        .remove(&template_id)
        .ok_or(AppError::NotFound(TEMPLATE))
}

/// The blueprints of the given templates of the workspace, by template id, in three
/// queries whatever their number; an id that names no template of the workspace is left out.
pub async fn blueprints(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    template_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Blueprint>> {
    if template_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let templates = project_template::Entity::find()
        .filter(project_template::Column::WorkspaceId.eq(workspace_id))
        .filter(project_template::Column::Id.is_in(template_ids.iter().copied()))
        .all(db)
        .await?;
    let milestones = milestones_of(db, workspace_id, template_ids).await?;
    let milestone_ids: Vec<Uuid> = milestones.iter().map(|m| m.id).collect();
    let tasks = tasks_of(db, workspace_id, &milestone_ids).await?;
    let mut tasks = group_by(tasks, |t| t.template_milestone_id, |t| t);
    let milestones = milestones.into_iter().map(|milestone| BlueprintMilestone {
        tasks: tasks.remove(&milestone.id).unwrap_or_default(),
        milestone,
    });
    let mut milestones = group_by(milestones.collect(), |m| m.milestone.template_id, |m| m);

    Ok(templates
        .into_iter()
        .map(|template| {
            let milestones = milestones.remove(&template.id).unwrap_or_default();
            (
                template.id,
                Blueprint {
                    template,
                    milestones,
                },
            )
        })
        .collect())
}

/// Groups rows by a parent id, keeping their order within each group, converting each.
pub fn group_by<T, U>(
    rows: Vec<T>,
    key: impl Fn(&T) -> Uuid,
    convert: impl Fn(T) -> U,
) -> HashMap<Uuid, Vec<U>> {
    let mut groups: HashMap<Uuid, Vec<U>> = HashMap::new();
    for row in rows {
        groups.entry(key(&row)).or_default().push(convert(row));
    }
    groups
}
