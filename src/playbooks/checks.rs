//! The checks a playbook passes before it is written that need the database: the project
//! templates and team members it names exist in the workspace. The rest is checked in
//! [`model`](super::model) without it.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::model::{self, Action, MemberRule, MemberTarget, TemplateRef};
use super::service::PlaybookSpec;
use crate::entities::{playbook, project_template};
use crate::error::{AppError, AppResult};
use crate::members::service as members;
use crate::templates::service as templates;

/// The template a playbook names, or `BAD_USER_INPUT` on `field` when the workspace has none
/// such.
async fn template_of(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    field: &'static str,
    template: &TemplateRef,
) -> AppResult<project_template::Model> {
    let found = match template {
        TemplateRef::Id(id) => templates::find(db, workspace_id, *id).await,
        TemplateRef::Builtin(key) => templates::find_builtin(db, workspace_id, key).await,
    };
    match found {
        Err(AppError::NotFound(_)) => Err(AppError::bad_input(
            field,
            format!("`{field}` names no project template of this workspace"),
        )),
        other => other,
    }
}

/// Everything about a spec that needs the database: its templates and members exist.
pub(super) async fn check(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    spec: &PlaybookSpec,
) -> AppResult<()> {
    spec.conditions.check()?;
    model::check_actions(&spec.actions)?;
    model::check_trigger(spec.trigger, &spec.actions)?;
    if let Some(template) = &spec.conditions.no_open_project_from {
        template_of(db, workspace_id, "conditions.noOpenProjectFrom", template).await?;
    }
    for action in &spec.actions {
        match action {
            Action::StartProject { template, .. } => {
                template_of(db, workspace_id, "actions.startProject.template", template).await?;
            }
            Action::CreateTask { assignee, .. } => {
                check_member(db, workspace_id, "actions.createTask.memberId", assignee).await?;
            }
            Action::NotifyMember { target, .. } => {
                check_member(db, workspace_id, "actions.notifyMember.memberId", target).await?;
            }
            Action::SendEmail { .. }
            | Action::ScheduleFollowUp { .. }
            | Action::SkipFollowUp { .. } => {}
        }
    }
    Ok(())
}

async fn check_member(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    field: &'static str,
    target: &MemberTarget,
) -> AppResult<()> {
    let (MemberRule::Member, Some(id)) = (target.rule, target.member_id) else {
        return Ok(());
    };
    match members::find(db, workspace_id, id).await {
        Err(AppError::NotFound(_)) => Err(AppError::bad_input(
            field,
            format!("`{field}` names no team member of this workspace"),
        )),
        other => other.map(|_| ()),
    }
}

/// The names of the workspace's playbooks that name `template` (by id, or by the key of
/// the built-in it is), in their order: a template they name cannot be deleted from under
/// them.
pub async fn naming_template(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    template: &project_template::Model,
) -> AppResult<Vec<String>> {
    let rows = playbook::Entity::find()
        .filter(playbook::Column::WorkspaceId.eq(workspace_id))
        .order_by_asc(playbook::Column::Position)
        .all(db)
        .await?;
    let mut names = Vec::new();
    for row in rows {
        let (conditions, actions) = model::parse_stored(&row)?;
        let names_it = |named: &TemplateRef| match named {
            TemplateRef::Id(id) => *id == template.id,
            TemplateRef::Builtin(key) => template.builtin_key.as_deref() == Some(key.as_str()),
        };
        let in_actions = actions.iter().any(
            |action| matches!(action, Action::StartProject { template, .. } if names_it(template)),
        );
        if in_actions
            || conditions
                .no_open_project_from
                .as_ref()
                .is_some_and(names_it)
        {
            names.push(row.name);
        }
    }
    Ok(names)
}
