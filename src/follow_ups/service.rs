//! A project's follow-up, from completion to its due time. Completing a detractor project
//! that an NPS response started schedules one, the workspace's delay later; a
//! `PROJECT_COMPLETED` playbook may then move it or skip it (it runs right after, in the
//! same transaction); reopening the project before it goes out cancels it. A project has at
//! most one follow-up, decided at its first completion: completing it again after a
//! reopening schedules none (its `PROJECT_COMPLETED` playbooks do not run twice either).

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use crate::entities::enums::{FollowUpStatus, ProjectKind};
use crate::entities::follow_up::{self, Column};
use crate::entities::{nps_response, project};
use crate::error::AppResult;

/// Why a follow-up was cancelled: its project was reopened before it went out.
pub const PROJECT_REOPENED: &str = "project reopened";
/// The reason a playbook's `SKIP_FOLLOW_UP` gives when it names none.
pub const SKIPPED_BY_PLAYBOOK: &str = "skipped by a playbook";

/// What a `PROJECT_COMPLETED` playbook says about the completed project's follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Send it this many days after completion.
    AfterDays(i32),
    /// Send none; the reason is shown on the follow-up.
    Skip(String),
}

/// Schedules the follow-up of a detractor project completed `now`, when an NPS response
/// started it (that response's contact is who hears from us). Call it in the completing
/// transaction, before the `PROJECT_COMPLETED` playbooks run.
pub async fn schedule_after_completion(
    db: &impl ConnectionTrait,
    project: &project::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if project.kind != ProjectKind::NpsDetractor {
        return Ok(());
    }
    let Some(contact_id) = contact_of(db, project).await? else {
        return Ok(());
    };
    let workspace = crate::workspaces::service::find(db, project.workspace_id).await?;
    let due_at = now + Duration::days(i64::from(workspace.follow_up_delay_days));
    if insert_once(db, project, contact_id, due_at, now).await? {
        let details = json!({ "dueAt": due_at });
        let action = "project.follow_up_scheduled";
        crate::projects::service::record(db, project, None, action, details, now).await?;
        tracing::info!(project.id = %project.id, follow_up.due_at = %due_at, "follow-up scheduled");
    }
    Ok(())
}

/// Applies a playbook's plan to the follow-up of a project completed `now`: moves or skips
/// the scheduled one, or schedules one for a project that had none (any kind, as long as a
/// response's contact is known). Returns the follow-up as it now is.
pub async fn apply_plan(
    db: &impl ConnectionTrait,
    project: &project::Model,
    contact_id: Uuid,
    plan: &Plan,
    now: DateTime<Utc>,
) -> AppResult<Option<follow_up::Model>> {
    let (status, due_at, reason) = match plan {
        Plan::AfterDays(days) => (
            FollowUpStatus::Scheduled,
            now + Duration::days(i64::from(*days)),
            None,
        ),
        Plan::Skip(reason) => (FollowUpStatus::Skipped, now, Some(reason.clone())),
    };
    let changed = follow_up::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::DueAt, Expr::value(due_at))
        .col_expr(Column::Reason, Expr::value(reason.clone()))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::WorkspaceId.eq(project.workspace_id))
        .filter(Column::ProjectId.eq(project.id))
        .filter(Column::Status.eq(FollowUpStatus::Scheduled))
        .exec(db)
        .await?
        .rows_affected;
    if changed == 0 && status == FollowUpStatus::Scheduled {
        insert_once(db, project, contact_id, due_at, now).await?;
    }
    tracing::info!(project.id = %project.id, follow_up.status = ?status, "follow-up set by a playbook");
    find_for_project(db, project.workspace_id, project.id).await
}

/// Cancels the follow-up still waiting for a project that was just reopened; the
/// reopening's transaction records it in the project's activity.
pub async fn cancel_for_reopened(
    db: &impl ConnectionTrait,
    project: &project::Model,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let cancelled = follow_up::Entity::update_many()
        .col_expr(Column::Status, Expr::value(FollowUpStatus::Cancelled))
        .col_expr(Column::Reason, Expr::value(PROJECT_REOPENED))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::WorkspaceId.eq(project.workspace_id))
        .filter(Column::ProjectId.eq(project.id))
        .filter(Column::Status.eq(FollowUpStatus::Scheduled))
        .exec(db)
        .await?
        .rows_affected;
    if cancelled > 0 {
        tracing::info!(project.id = %project.id, "follow-up cancelled: project reopened");
        crate::projects::service::record(
            db,
            project,
            None,
            "project.follow_up_cancelled",
            json!({ "reason": PROJECT_REOPENED }),
            now,
        )
        .await?;
    }
    Ok(cancelled > 0)
}

pub async fn find_for_project(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    project_id: Uuid,
) -> AppResult<Option<follow_up::Model>> {
    Ok(follow_up::Entity::find()
        .filter(Column::WorkspaceId.eq(workspace_id))
        .filter(Column::ProjectId.eq(project_id))
        .one(db)
        .await?)
}

/// The follow-ups of these projects, for a page of projects at once.
pub async fn for_projects(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    project_ids: &[Uuid],
) -> AppResult<Vec<follow_up::Model>> {
    Ok(follow_up::Entity::find()
        .filter(Column::WorkspaceId.eq(workspace_id))
        .filter(Column::ProjectId.is_in(project_ids.iter().copied()))
        .all(db)
        .await?)
}

/// The contact whose response started the project, if a response did.
async fn contact_of(
    db: &impl ConnectionTrait,
    project: &project::Model,
) -> AppResult<Option<Uuid>> {
    let Some(response_id) = project.triggering_response_id else {
        return Ok(None);
    };
    let contact_id = nps_response::Entity::find_by_id(response_id)
        .select_only()
        .column(nps_response::Column::ContactId)
        .filter(nps_response::Column::WorkspaceId.eq(project.workspace_id))
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    Ok(contact_id)
}

/// Writes the project's follow-up unless it has one; whether it wrote it.
async fn insert_once(
    db: &impl ConnectionTrait,
    project: &project::Model,
    contact_id: Uuid,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let row = follow_up::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(project.workspace_id),
        project_id: Set(project.id),
        contact_id: Set(contact_id),
        due_at: Set(due_at),
        status: Set(FollowUpStatus::Scheduled),
        reason: Set(None),
        outbox_id: Set(None),
        sent_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let conflict = OnConflict::columns([Column::WorkspaceId, Column::ProjectId])
        .do_nothing()
        .to_owned();
    let inserted = follow_up::Entity::insert(row)
        .on_conflict(conflict)
        .exec_without_returning(db)
        .await?;
    Ok(inserted > 0)
}
