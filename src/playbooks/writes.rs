//! The rows the playbooks of a batch make, gathered while the events are decided in
//! memory and written at the end with multi-row inserts, parents before children: the
//! projects (with their milestones, tasks and records), tasks, notes, emails, the
//! actions' activity records, and the runs.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveEnum, ActiveModelTrait, ConnectionTrait, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

use super::batch::State;
use crate::activity::service::{self as activity, Change};
use crate::db::bulk::insert_all;
use crate::entities::{note, playbook_run, project, task};
use crate::error::{AppError, AppResult};
use crate::follow_ups::service::{self as follow_ups, Plan};
use crate::projects::service::{PlannedProject, write_projects};

#[derive(Debug, Default)]
pub struct Writes {
    pub projects: Vec<PlannedProject>,
    pub tasks: Vec<task::Model>,
    pub notes: Vec<note::Model>,
    pub activity: Vec<Change>,
    pub runs: Vec<playbook_run::ActiveModel>,
    pub follow_ups: Vec<PlannedFollowUp>,
}

/// A follow-up a `PROJECT_COMPLETED` playbook sets for the completed project, with the
/// action's activity record, whose details gain what was set.
#[derive(Debug)]
pub struct PlannedFollowUp {
    pub project: project::Model,
    pub contact_id: Uuid,
    pub plan: Plan,
    pub activity: Change,
}

/// Writes everything the batch made, in the caller's transaction.
pub async fn write(db: &impl ConnectionTrait, state: State, now: DateTime<Utc>) -> AppResult<()> {
    let State { outbox, writes, .. } = state;
    write_projects(db, writes.projects).await?;
    insert_all(db, active(writes.tasks)).await?;
    insert_all(db, active(writes.notes)).await?;
    let kept_out = outbox.write(db).await?;
    if !kept_out.is_empty() {
        return Err(AppError::Conflict(
            "another request queued the same playbook emails meanwhile; try again".to_owned(),
        ));
    }
    let mut records = writes.activity;
    for planned in writes.follow_ups {
        records.push(set_follow_up(db, planned, now).await?);
    }
    activity::record_many(db, records, now).await?;
    insert_all(db, writes.runs).await?;
    Ok(())
}

/// Sets a planned follow-up; returns its action's activity record, saying what was set.
async fn set_follow_up(
    db: &impl ConnectionTrait,
    planned: PlannedFollowUp,
    now: DateTime<Utc>,
) -> AppResult<Change> {
    let PlannedFollowUp {
        project,
        contact_id,
        plan,
        mut activity,
    } = planned;
    let follow_up = follow_ups::apply_plan(db, &project, contact_id, &plan, now).await?;
    if let Some(details) = activity.details.as_object_mut() {
        details.insert("followUpId".into(), json!(follow_up.as_ref().map(|f| f.id)));
        details.insert("dueAt".into(), json!(follow_up.as_ref().map(|f| f.due_at)));
        details.insert(
            "status".into(),
            json!(follow_up.as_ref().map(|f| f.status.to_value())),
        );
    }
    Ok(activity)
}

fn active<M: IntoActiveModel<A>, A: ActiveModelTrait>(rows: Vec<M>) -> Vec<A> {
    rows.into_iter()
        .map(IntoActiveModel::into_active_model)
        .collect()
}
