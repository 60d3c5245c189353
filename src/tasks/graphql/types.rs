//! The GraphQL `Task`.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::accounts::graphql::{Account, load_account};
use crate::entities::enums::{AssigneeRule, TaskPriority, TaskStatus};
use crate::entities::task;
use crate::graphql::ContextExt;
use crate::members::graphql::{TeamMember, load_member};
use crate::projects::graphql::{Milestone, Project, load_milestone, load_project};

/// A piece of work for an account, in a project's milestone or on its own.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Task {
    pub id: ID,
    pub title: String,
    pub description: Option<String>,
    pub status: TaskStatus,
    pub priority: TaskPriority,
    pub due_at: Option<DateTime<Utc>>,
    /// When the task was done; null unless its status is DONE.
    pub completed_at: Option<DateTime<Utc>>,
    /// How many escalation levels the nightly job has applied (0: none).
    pub escalation_level: i32,
    /// The blueprint rule the assignee follows when the account changes owner; null once
    /// the task was assigned by hand.
    pub assignee_rule: Option<AssigneeRule>,
    pub account_id: ID,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub uuid: Uuid,
    #[graphql(skip)]
    pub account_uuid: Uuid,
    #[graphql(skip)]
    pub project_id: Option<Uuid>,
    #[graphql(skip)]
    pub milestone_id: Option<Uuid>,
    #[graphql(skip)]
    pub assignee_id: Option<Uuid>,
}

impl From<task::Model> for Task {
    fn from(model: task::Model) -> Self {
        Task {
            id: ID(model.id.to_string()),
            title: model.title,
            description: model.description,
            status: model.status,
            priority: model.priority,
            due_at: model.due_at,
            completed_at: model.completed_at,
            escalation_level: model.escalation_level,
            assignee_rule: model.assignee_rule,
            account_id: ID(model.account_id.to_string()),
            created_at: model.created_at,
            updated_at: model.updated_at,
            uuid: model.id,
            account_uuid: model.account_id,
            project_id: model.project_id,
            milestone_id: model.milestone_id,
            assignee_id: model.assignee_id,
        }
    }
}

#[ComplexObject]
impl Task {
    /// Whether the task is still open and its due time has passed.
    async fn overdue(&self, ctx: &Context<'_>) -> Result<bool> {
        let now = ctx.clock()?.now();
        Ok(self.status.is_open() && self.due_at.is_some_and(|due_at| due_at < now))
    }

    async fn account(&self, ctx: &Context<'_>) -> Result<Account> {
        load_account(ctx, self.account_uuid).await
    }

    /// The project the task belongs to; null for a standalone task.
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        load_project(ctx, self.project_id).await
    }

    /// The milestone the task belongs to; null for a standalone task.
    async fn milestone(&self, ctx: &Context<'_>) -> Result<Option<Milestone>> {
        load_milestone(ctx, self.milestone_id).await
    }

    /// Who does the task; null while nobody is assigned.
    async fn assignee(&self, ctx: &Context<'_>) -> Result<Option<TeamMember>> {
        load_member(ctx, self.assignee_id).await
    }
}
