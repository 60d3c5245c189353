//! The rows the playbooks of a batch make, gathered while the events are decided in
//! memory and written at the end with multi-row inserts, parents before children: the
//! projects (with their milestones, tasks and records), tasks, notes, emails, the
//! actions' activity records, and the runs.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, IntoActiveModel};

use super::batch::State;
use crate::activity::service::{self as activity, Change};
use crate::db::bulk::insert_all;
use crate::entities::{note, playbook_run, task};
use crate::error::{AppError, AppResult};
use crate::projects::service::{PlannedProject, write_projects};

#[derive(Debug, Default)]
pub struct Writes {
    pub projects: Vec<PlannedProject>,
    pub tasks: Vec<task::Model>,
    pub notes: Vec<note::Model>,
    pub activity: Vec<Change>,
    pub runs: Vec<playbook_run::ActiveModel>,
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
    activity::record_many(db, writes.activity, now).await?;
    insert_all(db, writes.runs).await?;
    Ok(())
}

fn active<M: IntoActiveModel<A>, A: ActiveModelTrait>(rows: Vec<M>) -> Vec<A> {
    rows.into_iter()
        .map(IntoActiveModel::into_active_model)
        .collect()
}
