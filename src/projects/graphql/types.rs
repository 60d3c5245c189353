//! The GraphQL shape of a project: the project, its milestones in order, their tasks.

use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::loaders::{
    MilestoneLoader, ProjectLoader, ProjectMilestonesLoader, ProjectProgressLoader,
    ProjectTemplateLoader,
};
use crate::accounts::graphql::{Account, load_account};
use crate::entities::enums::{ProjectKind, ProjectStatus, Severity};
use crate::entities::{milestone, project};
use crate::follow_ups::graphql::{FollowUp, load_follow_up, load_later_responses};
use crate::members::graphql::{TeamMember, load_member};
use crate::surveys::graphql::NpsResponse;
use crate::tasks::graphql::{MilestoneTasksLoader, Task};
use crate::templates::graphql::ProjectTemplate;

/// A blueprint started for an account: the work of recovering (or thanking) a customer.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Project {
    pub id: ID,
    pub name: String,
    /// Copied from the template: what the project is for.
    pub kind: ProjectKind,
    pub status: ProjectStatus,
    pub severity: Severity,
    /// Task due dates count from here.
    pub starts_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub account_id: ID,
    /// The NPS response that started the project, if one did.
    pub triggering_response_id: Option<ID>,
    #[graphql(skip)]
    pub uuid: Uuid,
    #[graphql(skip)]
    pub account_uuid: Uuid,
    #[graphql(skip)]
    pub owner_id: Option<Uuid>,
    #[graphql(skip)]
    pub template_id: Option<Uuid>,
}

impl From<project::Model> for Project {
    fn from(model: project::Model) -> Self {
        Project {
            id: ID(model.id.to_string()),
            name: model.name,
            kind: model.kind,
            status: model.status,
            severity: model.severity,
            starts_at: model.starts_at,
            completed_at: model.completed_at,
            created_at: model.created_at,
            updated_at: model.updated_at,
            account_id: ID(model.account_id.to_string()),
            triggering_response_id: model.triggering_response_id.map(|id| ID(id.to_string())),
            uuid: model.id,
            account_uuid: model.account_id,
            owner_id: model.owner_id,
            template_id: model.template_id,
        }
    }
}

#[ComplexObject]
impl Project {
    async fn account(&self, ctx: &Context<'_>) -> Result<Account> {
        load_account(ctx, self.account_uuid).await
    }

    /// Who answers for the project; null once that member is removed.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<TeamMember>> {
        load_member(ctx, self.owner_id).await
    }

    /// The blueprint it was started from; null if that template was deleted since.
    async fn template(&self, ctx: &Context<'_>) -> Result<Option<ProjectTemplate>> {
        let Some(id) = self.template_id else {
            return Ok(None);
        };
        ctx.data::<DataLoader<ProjectTemplateLoader>>()?
            .load_one(id)
            .await
    }

    /// The milestones in order.
    async fn milestones(&self, ctx: &Context<'_>) -> Result<Vec<Milestone>> {
        let loader = ctx.data::<DataLoader<ProjectMilestonesLoader>>()?;
        Ok(loader.load_one(self.uuid).await?.unwrap_or_default())
    }

    /// The response-time clocks of a detractor project; null for other projects.
    async fn sla_clocks(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::sla::graphql::SlaClocks>> {
        crate::sla::graphql::clocks_of(ctx, self.uuid).await
    }

    /// How far along the project is.
    async fn progress(&self, ctx: &Context<'_>) -> Result<ProjectProgress> {
        let loader = ctx.data::<DataLoader<ProjectProgressLoader>>()?;
        Ok(loader.load_one(self.uuid).await?.unwrap_or_default())
    }

    /// The follow-up email to the contact after completion; null until a completion
    /// scheduled one (detractor projects started by a response, or a playbook's say).
    async fn follow_up(&self, ctx: &Context<'_>) -> Result<Option<FollowUp>> {
        load_follow_up(ctx, self.uuid).await
    }

    /// Responses the project's contact gave after the one that started it, oldest first:
    /// did the score change?
    async fn later_responses(&self, ctx: &Context<'_>) -> Result<Vec<NpsResponse>> {
        load_later_responses(ctx, self.uuid).await
    }
}

/// Task counts of a project: cancelled tasks count in neither number.
#[derive(SimpleObject, Clone, Copy, Default)]
pub struct ProjectProgress {
    /// Tasks that are not cancelled.
    pub total: i32,
    /// Tasks that are done.
    pub done: i32,
}

/// A stage of a project, complete once all its tasks are done or cancelled.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Milestone {
    pub id: ID,
    pub project_id: ID,
    /// 0 for the first milestone, then 1, 2, …
    pub position: i32,
    pub title: String,
    pub description: Option<String>,
    /// When its last open task was closed; null while any task is open.
    pub completed_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub uuid: Uuid,
}

impl From<milestone::Model> for Milestone {
    fn from(model: milestone::Model) -> Self {
        Milestone {
            id: ID(model.id.to_string()),
            project_id: ID(model.project_id.to_string()),
            position: model.position,
            title: model.title,
            description: model.description,
            completed_at: model.completed_at,
            uuid: model.id,
        }
    }
}

#[ComplexObject]
impl Milestone {
    /// The milestone's tasks in order.
    async fn tasks(&self, ctx: &Context<'_>) -> Result<Vec<Task>> {
        let loader = ctx.data::<DataLoader<MilestoneTasksLoader>>()?;
        Ok(loader.load_one(self.uuid).await?.unwrap_or_default())
    }
}

/// Resolves an optional project id through the request's loader.
pub async fn load_project(ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<Project>> {
    let Some(id) = id else { return Ok(None) };
    ctx.data::<DataLoader<ProjectLoader>>()?.load_one(id).await
}

/// Resolves an optional milestone id through the request's loader.
pub async fn load_milestone(ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<Milestone>> {
    let Some(id) = id else { return Ok(None) };
    ctx.data::<DataLoader<MilestoneLoader>>()?
        .load_one(id)
        .await
}
