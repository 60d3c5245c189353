//! Starting and changing projects: everyone but viewers may. Each mutation runs in one
//! transaction.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};

use super::Write;
use super::types::Project;
use crate::entities::enums::Severity;
use crate::graphql::inputs::optional;
use crate::live::Event;
use crate::projects::service::{self, ProjectChanges, StartProject};
use crate::values::{Name, parse_id};

#[derive(InputObject)]
pub struct StartProjectInput {
    pub account_id: ID,
    pub template_id: ID,
    /// Defaults to "<template>: <account>".
    pub name: Option<String>,
    /// Defaults to NORMAL.
    pub severity: Option<Severity>,
    /// Defaults to now; task due dates count from it.
    pub starts_at: Option<DateTime<Utc>>,
    /// Defaults to the account's owner.
    pub owner_id: Option<ID>,
    pub triggering_response_id: Option<ID>,
}

impl StartProjectInput {
    fn parse(self) -> Result<StartProject> {
        Ok(StartProject {
            account_id: parse_id("accountId", &self.account_id)?,
            template_id: parse_id("templateId", &self.template_id)?,
            name: self
                .name
                .map(|name| Name::parse("name", &name))
                .transpose()?,
            severity: self.severity.unwrap_or(Severity::Normal),
            starts_at: self.starts_at,
            owner_id: self
                .owner_id
                .map(|id| parse_id("ownerId", &id))
                .transpose()?,
            triggering_response_id: self
                .triggering_response_id
                .map(|id| parse_id("triggeringResponseId", &id))
                .transpose()?,
        })
    }
}

#[derive(InputObject)]
pub struct UpdateProjectInput {
    pub name: Option<String>,
    pub severity: Option<Severity>,
    /// Set to a member id, or to null to leave the project without an owner.
    pub owner_id: MaybeUndefined<ID>,
}

impl UpdateProjectInput {
    fn parse(self) -> Result<ProjectChanges> {
        Ok(ProjectChanges {
            name: self
                .name
                .map(|name| Name::parse("name", &name))
                .transpose()?,
            severity: self.severity,
            owner_id: optional(self.owner_id, |owner| parse_id("ownerId", &owner))?,
        })
    }
}

#[derive(Default)]
pub struct ProjectMutation;

#[Object]
impl ProjectMutation {
    /// Starts a project from a template for an account: its milestones and tasks are
    /// copied, dated from the start and assigned by the template's rules.
    async fn start_project(&self, ctx: &Context<'_>, input: StartProjectInput) -> Result<Project> {
        let w = Write::begin(ctx).await?;
        let start = input.parse()?;
        let project = service::start_project(&w.txn, w.workspace_id, w.actor, start, w.now).await?;
        let started = Event::project_started(&project, None);
        Ok(w.commit_announcing(project, [started]).await?.into())
    }

    /// Moves the project's start; the due dates of its open tasks move by as much.
    async fn move_project_start(
        &self,
        ctx: &Context<'_>,
        id: ID,
        starts_at: DateTime<Utc>,
    ) -> Result<Project> {
        let w = Write::begin(ctx).await?;
        let id = parse_id("id", &id)?;
        let project =
            service::move_project_start(&w.txn, w.workspace_id, w.actor, id, starts_at, w.now)
                .await?;
        Ok(w.commit(project).await?.into())
    }

    /// Renames the project, changes its severity or its owner.
    async fn update_project(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateProjectInput,
    ) -> Result<Project> {
        let w = Write::begin(ctx).await?;
        let (id, changes) = (parse_id("id", &id)?, input.parse()?);
        let project =
            service::update_project(&w.txn, w.workspace_id, w.actor, id, changes, w.now).await?;
        Ok(w.commit(project).await?.into())
    }

    /// Marks an active project completed.
    async fn complete_project(&self, ctx: &Context<'_>, id: ID) -> Result<Project> {
        let w = Write::begin(ctx).await?;
        let id = parse_id("id", &id)?;
        let project = service::complete_project(&w.txn, w.workspace_id, w.actor, id, w.now).await?;
        Ok(w.commit(project).await?.into())
    }

    /// Cancels an active project and the tasks still open in it.
    async fn cancel_project(&self, ctx: &Context<'_>, id: ID) -> Result<Project> {
        let w = Write::begin(ctx).await?;
        let id = parse_id("id", &id)?;
        let project = service::cancel_project(&w.txn, w.workspace_id, w.actor, id, w.now).await?;
        Ok(w.commit(project).await?.into())
    }

    /// Makes a completed or cancelled project active again.
    async fn reopen_project(&self, ctx: &Context<'_>, id: ID) -> Result<Project> {
        let w = Write::begin(ctx).await?;
        let id = parse_id("id", &id)?;
        let project = service::reopen_project(&w.txn, w.workspace_id, w.actor, id, w.now).await?;
        Ok(w.commit(project).await?.into())
    }
}
