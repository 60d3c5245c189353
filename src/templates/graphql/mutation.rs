//! Editing templates: managers and admins only, since every project started afterwards
//! follows what they write.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::inputs::{
    CreateProjectTemplateInput, TemplateMilestoneInput, TemplateTaskInput,
    UpdateProjectTemplateInput, UpdateTemplateMilestoneInput, UpdateTemplateTaskInput,
};
use super::types::{ProjectTemplate, TemplateMilestone, TemplateTask};
use crate::entities::enums::MemberRole;
use crate::error::AppResult;
use crate::graphql::ContextExt;
use crate::templates::service;
use crate::values::parse_id;

/// What every edit needs: who makes it, where, when, and the database.
struct Editor<'a> {
    db: &'a DatabaseConnection,
    workspace_id: Uuid,
    member_id: Uuid,
    now: DateTime<Utc>,
}

/// The caller if they may edit templates (manager or admin), or `FORBIDDEN`.
fn editor<'a>(ctx: &'a Context<'_>) -> AppResult<Editor<'a>> {
    let viewer = ctx.member_with(MemberRole::Manager)?;
    Ok(Editor {
        db: ctx.db()?,
        workspace_id: viewer.workspace_id,
        member_id: viewer.member_id,
        now: ctx.clock()?.now(),
    })
}

fn parse_ids(field: &'static str, ids: &[ID]) -> AppResult<Vec<Uuid>> {
    ids.iter().map(|id| parse_id(field, id)).collect()
}

#[derive(Default)]
pub struct TemplateMutation;

#[Object]
impl TemplateMutation {
    /// Creates a template with its milestones and task templates in one go.
    async fn create_project_template(
        &self,
        ctx: &Context<'_>,
        input: CreateProjectTemplateInput,
    ) -> Result<ProjectTemplate> {
        let e = editor(ctx)?;
        let new = input.parse()?;
        Ok(
            service::create(e.db, e.workspace_id, e.member_id, new, e.now)
                .await?
                .into(),
        )
    }

    /// Changes a template's name, kind or description.
    async fn update_project_template(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateProjectTemplateInput,
    ) -> Result<ProjectTemplate> {
        let e = editor(ctx)?;
        let (id, changes) = (parse_id("id", &id)?, input.parse()?);
        Ok(
            service::update(e.db, e.workspace_id, e.member_id, id, changes, e.now)
                .await?
                .into(),
        )
    }

    /// Deletes a custom template; built-ins are refused with CONFLICT. Returns its id.
    async fn delete_project_template(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let e = editor(ctx)?;
        service::delete(
            e.db,
            e.workspace_id,
            e.member_id,
            parse_id("id", &id)?,
            e.now,
        )
        .await?;
        Ok(id)
    }

    /// Adds a milestone (with task templates) last, or at `position` (0 is first).
    async fn add_template_milestone(
        &self,
        ctx: &Context<'_>,
        template_id: ID,
        input: TemplateMilestoneInput,
        position: Option<i32>,
    ) -> Result<TemplateMilestone> {
        let e = editor(ctx)?;
        let (template_id, new) = (parse_id("templateId", &template_id)?, input.parse()?);
        let milestone = service::add_milestone(
            e.db,
            e.workspace_id,
            e.member_id,
            template_id,
            new,
            position,
            e.now,
        )
        .await?;
        Ok(milestone.into())
    }

    async fn update_template_milestone(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateTemplateMilestoneInput,
    ) -> Result<TemplateMilestone> {
        let e = editor(ctx)?;
        let (id, changes) = (parse_id("id", &id)?, input.parse()?);
        let milestone =
            service::update_milestone(e.db, e.workspace_id, e.member_id, id, changes, e.now)
                .await?;
        Ok(milestone.into())
    }

    /// Removes a milestone and its task templates; returns the template.
    async fn remove_template_milestone(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<ProjectTemplate> {
        let e = editor(ctx)?;
        let id = parse_id("id", &id)?;
        Ok(
            service::remove_milestone(e.db, e.workspace_id, e.member_id, id, e.now)
                .await?
                .into(),
        )
    }

    /// Adds a task template to a milestone last, or at `position` (0 is first).
    async fn add_template_task(
        &self,
        ctx: &Context<'_>,
        milestone_id: ID,
        input: TemplateTaskInput,
        position: Option<i32>,
    ) -> Result<TemplateTask> {
        let e = editor(ctx)?;
        let (milestone_id, new) = (parse_id("milestoneId", &milestone_id)?, input.parse()?);
        let task = service::add_task(
            e.db,
            e.workspace_id,
            e.member_id,
            milestone_id,
            new,
            position,
            e.now,
        )
        .await?;
        Ok(task.into())
    }

    async fn update_template_task(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateTemplateTaskInput,
    ) -> Result<TemplateTask> {
        let e = editor(ctx)?;
        let (id, changes) = (parse_id("id", &id)?, input.parse()?);
        Ok(
            service::update_task(e.db, e.workspace_id, e.member_id, id, changes, e.now)
                .await?
                .into(),
        )
    }

    /// Removes a task template; returns its milestone.
    async fn remove_template_task(&self, ctx: &Context<'_>, id: ID) -> Result<TemplateMilestone> {
        let e = editor(ctx)?;
        let id = parse_id("id", &id)?;
        Ok(
            service::remove_task(e.db, e.workspace_id, e.member_id, id, e.now)
                .await?
                .into(),
        )
    }

    /// Puts a template's milestones in this order; the list must hold each of them once.
    async fn reorder_template_milestones(
        &self,
        ctx: &Context<'_>,
        template_id: ID,
        milestone_ids: Vec<ID>,
    ) -> Result<ProjectTemplate> {
        let e = editor(ctx)?;
        let template_id = parse_id("templateId", &template_id)?;
        let ids = parse_ids("milestoneIds", &milestone_ids)?;
        let template = service::reorder_milestones(
            e.db,
            e.workspace_id,
            e.member_id,
            template_id,
            &ids,
            e.now,
        )
        .await?;
        Ok(template.into())
    }

    /// Puts a milestone's task templates in this order; the list must hold each of them once.
    async fn reorder_template_tasks(
        &self,
        ctx: &Context<'_>,
        milestone_id: ID,
        task_ids: Vec<ID>,
    ) -> Result<TemplateMilestone> {
        let e = editor(ctx)?;
        let milestone_id = parse_id("milestoneId", &milestone_id)?;
        let ids = parse_ids("taskIds", &task_ids)?;
        let milestone =
            service::reorder_tasks(e.db, e.workspace_id, e.member_id, milestone_id, &ids, e.now)
                .await?;
        Ok(milestone.into())
    }
}
