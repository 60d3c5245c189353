//! Whether a playbook's conditions hold for an event. All must hold; an empty set or a
//! missing bound does not restrict.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::engine::Event;
use super::model::{Conditions, TemplateRef};
use crate::entities::enums::ProjectStatus;
use crate::entities::project;
use crate::error::{AppError, AppResult};
use crate::templates::service as templates;

pub async fn hold(
    db: &impl ConnectionTrait,
    conditions: &Conditions,
    event: &Event,
) -> AppResult<bool> {
    if !hold_on_response(conditions, event) || !hold_on_account(conditions, event) {
        return Ok(false);
    }
    match &conditions.no_open_project_from {
        Some(template) => no_open_project(db, event, template).await,
        None => Ok(true),
    }
}

/// Category, score and contact role.
fn hold_on_response(conditions: &Conditions, event: &Event) -> bool {
    let response = event.response.as_ref();
    let category = conditions.categories.is_empty()
        || response.is_some_and(|r| conditions.categories.contains(&r.category));
    let score = (conditions.score_min.is_none() && conditions.score_max.is_none())
        || response.is_some_and(|r| within(r.score, conditions.score_min, conditions.score_max));
    let role = conditions.contact_roles.is_empty()
        || event
            .contact
            .as_ref()
            .is_some_and(|c| conditions.contact_roles.contains(&c.role));
    category && score && role
}

/// Segment (compared without regard to case or surrounding spaces) and MRR.
fn hold_on_account(conditions: &Conditions, event: &Event) -> bool {
    let account = &event.account;
    let segment = conditions.segments.is_empty()
        || account.segment.as_deref().is_some_and(|segment| {
            conditions
                .segments
                .iter()
                .any(|wanted| wanted.trim().eq_ignore_ascii_case(segment.trim()))
        });
    let mrr = (conditions.mrr_min_cents.is_none() && conditions.mrr_max_cents.is_none())
        || account
            .mrr_cents
            .is_some_and(|mrr| within(mrr, conditions.mrr_min_cents, conditions.mrr_max_cents));
    segment && mrr
}

fn within<T: PartialOrd>(value: T, min: Option<T>, max: Option<T>) -> bool {
    min.is_none_or(|min| value >= min) && max.is_none_or(|max| value <= max)
}

/// The account has no active project from the template (a template that is gone has none).
async fn no_open_project(
    db: &impl ConnectionTrait,
    event: &Event,
    template: &TemplateRef,
) -> AppResult<bool> {
    let Some(template_id) = template_id(db, event.workspace_id, template).await? else {
        return Ok(true);
    };
    let open = project::Entity::find()
        .filter(project::Column::WorkspaceId.eq(event.workspace_id))
        .filter(project::Column::AccountId.eq(event.account.id))
        .filter(project::Column::TemplateId.eq(template_id))
        .filter(project::Column::Status.eq(ProjectStatus::Active))
        .count(db)
        .await?;
    Ok(open == 0)
}

/// The id a template reference stands for, if the template still exists.
pub async fn template_id(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    template: &TemplateRef,
) -> AppResult<Option<Uuid>> {
    match template {
        TemplateRef::Id(id) => Ok(Some(*id)),
        TemplateRef::Builtin(key) => match templates::find_builtin(db, workspace_id, key).await {
            Ok(found) => Ok(Some(found.id)),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        },
    }
}
