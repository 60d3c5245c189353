//! The GraphQL shape of a blueprint: a template, its milestones, their task templates.

use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::loaders::{TemplateMilestonesLoader, TemplateTasksLoader};
use crate::entities::enums::{AssigneeRule, ProjectKind, TaskPriority};
use crate::entities::{project_template, template_milestone, template_task};
use crate::members::graphql::{TeamMember, load_member};

/// A blueprint: the milestones and tasks a project starts with.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct ProjectTemplate {
    pub id: ID,
    pub name: String,
    /// What projects started from it are for; playbooks pick templates by it.
    pub kind: ProjectKind,
    /// Set on the blueprints Closeloop ships (`nps_detractor`, `nps_promoter`), which can
    /// be edited but not deleted.
    pub builtin_key: Option<String>,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub uuid: Uuid,
}

impl From<project_template::Model> for ProjectTemplate {
    fn from(model: project_template::Model) -> Self {
        ProjectTemplate {
            id: ID(model.id.to_string()),
            name: model.name,
            kind: model.kind,
            builtin_key: model.builtin_key,
            description: model.description,
            created_at: model.created_at,
            updated_at: model.updated_at,
            uuid: model.id,
        }
    }
}

#[ComplexObject]
impl ProjectTemplate {
    /// The milestones in order.
    async fn milestones(&self, ctx: &Context<'_>) -> Result<Vec<TemplateMilestone>> {
        let loader = ctx.data::<DataLoader<TemplateMilestonesLoader>>()?;
        Ok(loader.load_one(self.uuid).await?.unwrap_or_default())
    }
}

/// A stage of a blueprint, with the task templates done in it.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct TemplateMilestone {
    pub id: ID,
    pub template_id: ID,
    /// 0 for the first milestone of the template, then 1, 2, … without gaps.
    pub position: i32,
    pub title: String,
    pub description: Option<String>,
    #[graphql(skip)]
    pub uuid: Uuid,
}

impl From<template_milestone::Model> for TemplateMilestone {
    fn from(model: template_milestone::Model) -> Self {
        TemplateMilestone {
            id: ID(model.id.to_string()),
            template_id: ID(model.template_id.to_string()),
            position: model.position,
            title: model.title,
            description: model.description,
            uuid: model.id,
        }
    }
}

#[ComplexObject]
impl TemplateMilestone {
    /// The task templates in order.
    async fn tasks(&self, ctx: &Context<'_>) -> Result<Vec<TemplateTask>> {
        let loader = ctx.data::<DataLoader<TemplateTasksLoader>>()?;
        Ok(loader.load_one(self.uuid).await?.unwrap_or_default())
    }
}

/// A task a project started from the blueprint gets: when it is due and who does it.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct TemplateTask {
    pub id: ID,
    pub milestone_id: ID,
    /// 0 for the first task of the milestone, then 1, 2, … without gaps.
    pub position: i32,
    pub title: String,
    pub description: Option<String>,
    /// Days from the project's start to the task's due date (0 to 365).
    pub due_offset_days: i32,
    /// How the assignee is chosen: the account owner, their manager, or a named member.
    pub assignee_rule: AssigneeRule,
    pub priority: TaskPriority,
    #[graphql(skip)]
    pub assignee_member_id: Option<Uuid>,
}

impl From<template_task::Model> for TemplateTask {
    fn from(model: template_task::Model) -> Self {
        TemplateTask {
            id: ID(model.id.to_string()),
            milestone_id: ID(model.template_milestone_id.to_string()),
            position: model.position,
            title: model.title,
            description: model.description,
            due_offset_days: model.due_offset_days,
            assignee_rule: model.assignee_rule,
            priority: model.priority,
            assignee_member_id: model.assignee_member_id,
        }
    }
}

#[ComplexObject]
impl TemplateTask {
    /// The named assignee when the rule is MEMBER.
    async fn assignee_member(&self, ctx: &Context<'_>) -> Result<Option<TeamMember>> {
        load_member(ctx, self.assignee_member_id).await
    }
}
