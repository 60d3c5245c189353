//! Creating and changing tasks: everyone but viewers may. Each mutation runs in one
//! transaction with its activity and the milestone's progress.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};

use super::types::Task;
use crate::entities::enums::{TaskPriority, TaskStatus};
use crate::graphql::inputs::optional;
use crate::projects::graphql::Write;
use crate::tasks::service::{self, NewTask, TaskChanges};
use crate::values::{Name, Text, parse_id};

#[derive(InputObject)]
pub struct CreateTaskInput {
    pub account_id: ID,
    /// A project of the account; leave out for a standalone task.
    pub project_id: Option<ID>,
    /// A milestone of the project.
    pub milestone_id: Option<ID>,
    pub title: String,
    pub description: Option<String>,
    pub assignee_id: Option<ID>,
    pub due_at: Option<DateTime<Utc>>,
    /// Defaults to NORMAL.
    pub priority: Option<TaskPriority>,
}

impl CreateTaskInput {
    fn parse(self) -> Result<NewTask> {
        let id = |field, value: Option<ID>| value.map(|id| parse_id(field, &id)).transpose();
        Ok(NewTask {
            account_id: parse_id("accountId", &self.account_id)?,
            project_id: id("projectId", self.project_id)?,
            milestone_id: id("milestoneId", self.milestone_id)?,
            title: Name::parse("title", &self.title)?,
            description: self
                .description
                .map(|d| Text::parse("description", &d))
                .transpose()?,
            assignee_id: id("assigneeId", self.assignee_id)?,
            due_at: self.due_at,
            priority: self.priority.unwrap_or(TaskPriority::Normal),
        })
    }
}

#[derive(InputObject)]
pub struct UpdateTaskInput {
    pub title: Option<String>,
    /// Set, or null to clear; leave out to keep.
    pub description: MaybeUndefined<String>,
    /// Set, or null to clear; leave out to keep.
    pub due_at: MaybeUndefined<DateTime<Utc>>,
    pub priority: Option<TaskPriority>,
}

impl UpdateTaskInput {
    fn parse(self) -> Result<TaskChanges> {
        Ok(TaskChanges {
            title: self.title.map(|t| Name::parse("title", &t)).transpose()?,
            description: optional(self.description, |d| Text::parse("description", &d))?,
            due_at: optional(self.due_at, Ok)?,
            priority: self.priority,
        })
    }
}

#[derive(Default)]
pub struct TaskMutation;

#[Object]
impl TaskMutation {
    /// Adds a task to an account, on its own or in one of the account's projects.
    async fn create_task(&self, ctx: &Context<'_>, input: CreateTaskInput) -> Result<Task> {
        let w = Write::begin(ctx).await?;
        let new = input.parse()?;
        let task = service::create_task(&w.txn, w.workspace_id, w.actor, new, w.now).await?;
        Ok(w.commit(task).await?.into())
    }

    /// Changes the title, description, due time or priority.
    async fn update_task(&self, ctx: &Context<'_>, id: ID, input: UpdateTaskInput) -> Result<Task> {
        let w = Write::begin(ctx).await?;
        let (id, changes) = (parse_id("id", &id)?, input.parse()?);
        let task =
            service::update_task(&w.txn, w.workspace_id, w.actor, id, changes, w.now).await?;
        Ok(w.commit(task).await?.into())
    }

    /// Gives the task to a member, or to nobody with null. The task stops following the
    /// account's owner.
    async fn assign_task(
        &self,
        ctx: &Context<'_>,
        id: ID,
        assignee_id: Option<ID>,
    ) -> Result<Task> {
        let w = Write::begin(ctx).await?;
        let id = parse_id("id", &id)?;
        let assignee = assignee_id
            .map(|a| parse_id("assigneeId", &a))
            .transpose()?;
        let task =
            service::assign_task(&w.txn, w.workspace_id, w.actor, id, assignee, w.now).await?;
        Ok(w.commit(task).await?.into())
    }

    /// Moves the task to another status; a done or cancelled task must be reopened first.
    async fn set_task_status(&self, ctx: &Context<'_>, id: ID, status: TaskStatus) -> Result<Task> {
        let w = Write::begin(ctx).await?;
        let id = parse_id("id", &id)?;
        let task =
            service::set_task_status(&w.txn, w.workspace_id, w.actor, id, status, w.now).await?;
        Ok(w.commit(task).await?.into())
    }

    /// Marks an open task done.
    async fn complete_task(&self, ctx: &Context<'_>, id: ID) -> Result<Task> {
        let w = Write::begin(ctx).await?;
        let id = parse_id("id", &id)?;
        let task = service::complete_task(&w.txn, w.workspace_id, w.actor, id, w.now).await?;
        Ok(w.commit(task).await?.into())
    }

    /// Opens a done or cancelled task again.
    async fn reopen_task(&self, ctx: &Context<'_>, id: ID) -> Result<Task> {
        let w = Write::begin(ctx).await?;
        let id = parse_id("id", &id)?;
        let task = service::reopen_task(&w.txn, w.workspace_id, w.actor, id, w.now).await?;
        Ok(w.commit(task).await?.into())
    }
}
