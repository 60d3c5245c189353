//! The clocks of a detractor project: started with the project, met by what the team does,
//! stopped when the project ends. Each change is one conditional update, so a clock is met
//! or stopped once, and never after it was stopped.
//!
//! Due and warning times are computed when the project starts, with the settings then in
//! force: a later change of the settings does not move a running clock.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use super::calendar::BusinessCalendar;
use super::settings::{self, SlaSettings};
use crate::entities::enums::{ConversationDirection, ProjectKind};
use crate::entities::sla_clock::{self, Column};
use crate::entities::{conversation, nps_response, project, task};
use crate::error::{AppError, AppResult};
use crate::templates::builtin::REACH_OUT_TASK_TITLE;

pub const CONTACT: &str = "contact";
pub const RESOLUTION: &str = "resolution";
/// Clocks per INSERT: far below either engine's limit on bound values.
const INSERT_CHUNK: usize = 500;

/// Starts the contact and resolution clocks of a detractor project (other kinds have
/// none), in the caller's transaction.
pub async fn start(
    db: &impl ConnectionTrait,
    project: &project::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    start_many(db, std::slice::from_ref(project), now).await
}

/// Starts the clocks of many projects of one workspace with a fixed number of statements,
/// whatever their number: what the clocks need is read for all of them at once.
pub async fn start_many(
    db: &impl ConnectionTrait,
    projects: &[project::Model],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let detractors: Vec<&project::Model> = projects
        .iter()
        .filter(|p| p.kind == ProjectKind::NpsDetractor)
        .collect();
    let Some(first) = detractors.first() else {
        return Ok(());
    };
    let workspace_id = first.workspace_id;
    let settings = settings::load(db, workspace_id).await?;
    let workspace = crate::workspaces::service::find(db, workspace_id).await?;
    let calendar = settings.calendar(&workspace.timezone);
    let contacts = contacts_of(db, workspace_id, &detractors).await?;
    let reach_out = reach_out_tasks(db, workspace_id, &detractors).await?;

    let mut rows = Vec::with_capacity(detractors.len() * 2);
    for project in &detractors {
        let new = NewClock {
            project,
            contact_id: project
                .triggering_response_id
                .and_then(|id| contacts.get(&id).copied()),
            reach_out_task_id: reach_out.get(&project.id).copied(),
            now,
        };
        rows.push(new.row(&calendar, &settings, CONTACT, settings.contact_target())?);
        rows.push(new.row(
            &calendar,
            &settings,
            RESOLUTION,
            settings.resolution_target(),
        )?);
    }
    for chunk in rows.chunks(INSERT_CHUNK) {
        sla_clock::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    tracing::info!(workspace.id = %workspace_id, sla.projects = detractors.len(), "SLA clocks started");
    Ok(())
}

/// What the clocks of a starting project share.
struct NewClock<'a> {
    project: &'a project::Model,
    contact_id: Option<Uuid>,
    reach_out_task_id: Option<Uuid>,
    now: DateTime<Utc>,
}

impl NewClock<'_> {
    /// A clock of `target` business time from the project's creation.
    fn row(
        &self,
        calendar: &BusinessCalendar,
        settings: &SlaSettings,
        kind: &str,
        target: Duration,
    ) -> AppResult<sla_clock::ActiveModel> {
        let started_at = self.project.created_at;
        let (Some(warn_at), Some(due_at)) = (
            calendar.add(started_at, settings.warning_after(target)),
            calendar.add(started_at, target),
        ) else {
            return Err(AppError::internal(anyhow::anyhow!(
                "the business calendar has no business time"
            )));
        };
        Ok(sla_clock::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(self.project.workspace_id),
            project_id: Set(self.project.id),
            account_id: Set(self.project.account_id),
            contact_id: Set(self.contact_id),
            reach_out_task_id: Set(self.reach_out_task_id.filter(|_| kind == CONTACT)),
            kind: Set(kind.to_owned()),
            target_seconds: Set(target.num_seconds()),
            started_at: Set(started_at),
            warn_at: Set(warn_at),
            due_at: Set(due_at),
            next_check_at: Set(Some(warn_at)),
            met_at: Set(None),
            warned_at: Set(None),
            breached_at: Set(None),
            stopped_at: Set(None),
            created_at: Set(self.now),
        })
    }
}

/// An outbound conversation a team member logged meets the contact clock of the open
/// detractor projects of its account that wait on that contact (or on anyone there, for a
/// project no response started). Email Closeloop sent by itself does not count.
pub async fn conversation_logged(
    db: &impl ConnectionTrait,
    conversation: &conversation::Model,
) -> AppResult<()> {
    if conversation.direction != ConversationDirection::Outbound || conversation.outbox_id.is_some()
    {
        return Ok(());
    }
    let mut whom = Condition::any().add(Column::ContactId.is_null());
    if let Some(contact_id) = conversation.contact_id {
        whom = whom.add(Column::ContactId.eq(contact_id));
    }
    if let Some(project_id) = conversation.project_id {
        whom = whom.add(Column::ProjectId.eq(project_id));
    }
    let met = meet(conversation.occurred_at)
        .filter(Column::WorkspaceId.eq(conversation.workspace_id))
        .filter(Column::AccountId.eq(conversation.account_id))
        .filter(Column::Kind.eq(CONTACT))
        .filter(Column::StartedAt.lte(conversation.occurred_at))
        .filter(whom)
        .exec(db)
        .await?
        .rows_affected;
    if met > 0 {
        tracing::info!(conversation.id = %conversation.id, sla.met = met, "contact clocks met by a conversation");
    }
    Ok(())
}

/// Completing a project's "reach out" task meets its contact clock.
pub async fn task_done(
    db: &impl ConnectionTrait,
    task: &task::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let met = meet(now)
        .filter(Column::WorkspaceId.eq(task.workspace_id))
        .filter(Column::ReachOutTaskId.eq(task.id))
        .exec(db)
        .await?
        .rows_affected;
    if met > 0 {
        tracing::info!(task.id = %task.id, "contact clock met by the reach-out task");
    }
    Ok(())
}

/// A completed project meets its resolution clock; a contact clock still running stops.
pub async fn project_completed(
    db: &impl ConnectionTrait,
    project: &project::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    meet(now)
        .filter(Column::WorkspaceId.eq(project.workspace_id))
        .filter(Column::ProjectId.eq(project.id))
        .filter(Column::Kind.eq(RESOLUTION))
        .exec(db)
        .await?;
    project_stopped(db, project, now).await
}

/// A cancelled (or completed) project stops every clock still running.
pub async fn project_stopped(
    db: &impl ConnectionTrait,
    project: &project::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    running()
        .col_expr(Column::StoppedAt, Expr::value(now))
        .col_expr(
            Column::NextCheckAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(Column::WorkspaceId.eq(project.workspace_id))
        .filter(Column::ProjectId.eq(project.id))
        .exec(db)
        .await?;
    Ok(())
}

/// The clocks of these projects, in the workspace.
pub async fn of_projects(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    project_ids: &[Uuid],
) -> AppResult<Vec<sla_clock::Model>> {
    Ok(sla_clock::Entity::find()
        .filter(Column::WorkspaceId.eq(workspace_id))
        .filter(Column::ProjectId.is_in(project_ids.iter().copied()))
        .all(db)
        .await?)
}

/// An update of the clocks still running (neither met nor stopped).
fn running() -> sea_orm::UpdateMany<sla_clock::Entity> {
    sla_clock::Entity::update_many()
        .filter(Column::MetAt.is_null())
        .filter(Column::StoppedAt.is_null())
}

/// Marks running clocks met at `at`; the job has nothing more to check on them.
fn meet(at: DateTime<Utc>) -> sea_orm::UpdateMany<sla_clock::Entity> {
    running().col_expr(Column::MetAt, Expr::value(at)).col_expr(
        Column::NextCheckAt,
        Expr::value(Option::<DateTime<Utc>>::None),
    )
}

/// The contact each triggering response came from, by response id.
async fn contacts_of(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    projects: &[&project::Model],
) -> AppResult<HashMap<Uuid, Uuid>> {
    let ids: Vec<Uuid> = projects
        .iter()
        .filter_map(|p| p.triggering_response_id)
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, Uuid)> = nps_response::Entity::find()
        .select_only()
        .columns([nps_response::Column::Id, nps_response::Column::ContactId])
        .filter(nps_response::Column::WorkspaceId.eq(workspace_id))
        .filter(nps_response::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Each project's reach-out task, found by the built-in blueprint's title once, when the
/// project starts; from then on the clock knows it by id, so renaming it changes nothing.
async fn reach_out_tasks(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    projects: &[&project::Model],
) -> AppResult<HashMap<Uuid, Uuid>> {
    let rows: Vec<(Uuid, Option<Uuid>)> = task::Entity::find()
        .select_only()
        .columns([task::Column::Id, task::Column::ProjectId])
        .filter(task::Column::WorkspaceId.eq(workspace_id))
        .filter(task::Column::ProjectId.is_in(projects.iter().map(|p| p.id)))
        .filter(task::Column::Title.eq(REACH_OUT_TASK_TITLE))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, project_id)| project_id.map(|p| (p, id)))
        .collect())
}

/// Business seconds until `due_at` (negative: overdue by so much).
pub fn remaining(
    calendar: &BusinessCalendar,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Duration {
    if now <= due_at {
        calendar.between(now, due_at)
    } else {
        -calendar.between(due_at, now)
    }
}
