//! Recording and reading activity. Services call [`record`] inside the transaction of the
//! change it describes, so history and data never disagree.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::Value;
use uuid::Uuid;

use crate::entities::activity;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{Page, paged};

/// What an activity record is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Task(Uuid),
    Project(Uuid),
    Account(Uuid),
    Contact(Uuid),
    Template(Uuid),
    /// An email in the outbox.
    Email(Uuid),
    /// An NPS response.
    Response(Uuid),
    /// The workspace itself (its settings).
    Workspace(Uuid),
    Playbook(Uuid),
}

impl Subject {
    fn kind_and_id(self) -> (&'static str, Uuid) {
        match self {
            Subject::Task(id) => ("task", id),
            Subject::Project(id) => ("project", id),
            Subject::Account(id) => ("account", id),
            Subject::Contact(id) => ("contact", id),
            Subject::Template(id) => ("template", id),
            Subject::Email(id) => ("email", id),
            Subject::Response(id) => ("nps_response", id),
            Subject::Workspace(id) => ("workspace", id),
            Subject::Playbook(id) => ("playbook", id),
        }
    }
}

/// One change to record. `action` is a dotted verb such as `task.completed`.
#[derive(Debug, Clone)]
pub struct Change {
    pub workspace_id: Uuid,
    /// The member who made the change; `None` for the system (playbooks, scheduled jobs).
    pub actor_id: Option<Uuid>,
    pub subject: Subject,
    pub action: &'static str,
    pub account_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub details: Value,
}

pub async fn record(
    db: &impl ConnectionTrait,
    change: Change,
    now: DateTime<Utc>,
) -> AppResult<activity::Model> {
    Ok(row(change, now).insert(db).await?)
}

/// Records many changes in as few statements as the engines allow (bulk imports).
pub async fn record_many(
    db: &impl ConnectionTrait,
    changes: impl IntoIterator<Item = Change>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let rows: Vec<_> = changes.into_iter().map(|c| row(c, now)).collect();
    Ok(crate::db::bulk::insert_all(db, rows).await?)
}

fn row(change: Change, now: DateTime<Utc>) -> activity::ActiveModel {
    let (subject_type, subject_id) = change.subject.kind_and_id();
    activity::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(change.workspace_id),
        actor_id: Set(change.actor_id),
        subject_type: Set(subject_type.to_owned()),
        subject_id: Set(subject_id),
        account_id: Set(change.account_id),
        project_id: Set(change.project_id),
        task_id: Set(change.task_id),
        action: Set(change.action.to_owned()),
        details: Set(change.details),
        created_at: Set(now),
    }
}

/// Which activity to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct ActivityFilter {
    pub account_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    filter: ActivityFilter,
    page: Page,
) -> AppResult<Vec<activity::Model>> {
    let mut select =
        activity::Entity::find().filter(activity::Column::WorkspaceId.eq(workspace_id));
    if let Some(id) = filter.account_id {
        select = select.filter(activity::Column::AccountId.eq(id));
    }
    if let Some(id) = filter.project_id {
        select = select.filter(activity::Column::ProjectId.eq(id));
    }
    if let Some(id) = filter.task_id {
        select = select.filter(activity::Column::TaskId.eq(id));
    }
    Ok(paged(select, activity::Column::Id, page).all(db).await?)
}

pub async fn find(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<activity::Model> {
    activity::Entity::find_by_id(id)
        .filter(activity::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("activity"))
}

/// What one write recorded so far: inside its transaction, the records by `actor_id` at
/// `now` with an id after `since` (ids grow with time), so that the write can announce
/// them once it commits. Another write by the same member in the same microsecond would
/// be announced twice, never missed.
pub async fn recorded_since(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    now: DateTime<Utc>,
    since: Uuid,
) -> AppResult<Vec<activity::Model>> {
    let mut select = activity::Entity::find()
        .filter(activity::Column::WorkspaceId.eq(workspace_id))
        .filter(activity::Column::CreatedAt.eq(now))
        .filter(activity::Column::Id.gt(since));
    select = match actor_id {
        Some(actor_id) => select.filter(activity::Column::ActorId.eq(actor_id)),
        None => select.filter(activity::Column::ActorId.is_null()),
    };
    Ok(select.order_by_asc(activity::Column::Id).all(db).await?)
}
