//! The daily follow-up job: for each workspace, at its slot (10:00 in the workspace's zone by
//! default), claim the slot in the job ledger, then send the follow-ups that are due, in
//! bounded batches, each batch one transaction (see [`super::send`]). The first tick after
//! a start catches up a missed day once, as the escalation does.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};
use tokio::sync::watch;
use uuid::Uuid;

use super::send::{self, Counts};
use crate::clock::SharedClock;
use crate::db;
use crate::entities::{job_run, workspace};
use crate::error::{AppError, AppResult};
use crate::escalation::schedule::Schedule;
use crate::jobs::ledger::{self, FAILED, SUCCEEDED, SlotKey};

/// The ledger's name for this job, and `closeloop run-job follow-ups`.
pub const JOB: &str = "follow_ups";
/// 10:00 every day, in each workspace's zone.
pub const DEFAULT_CRON: &str = "0 10 * * *";

/// How a run behaves.
#[derive(Clone)]
pub struct FollowUpOptions {
    /// Follow-ups per batch (and per transaction).
    pub batch_size: u64,
    /// How long a `running` ledger row is trusted before its slot may be taken over.
    pub lease: Duration,
    /// When this turns `true` the run stops after its current batch (shutdown).
    pub stop: Option<watch::Receiver<bool>>,
}

impl Default for FollowUpOptions {
    fn default() -> Self {
        FollowUpOptions {
            batch_size: 500,
            lease: Duration::hours(1),
            stop: None,
        }
    }
}

impl FollowUpOptions {
    fn stopping(&self) -> bool {
        self.stop.as_ref().is_some_and(|stop| *stop.borrow())
    }
}

/// Runs every workspace whose latest slot has not run yet: the scheduler's tick, and the
/// catch-up at start (only the latest missed slot runs, however many were missed).
pub async fn run_due(
    db: &DatabaseConnection,
    clock: &SharedClock,
    schedule: &Schedule,
    options: &FollowUpOptions,
) -> AppResult<Vec<job_run::Model>> {
    let now = clock.now();
    let mut runs = Vec::new();
    for workspace in all_workspaces(db).await? {
        let Some(slot) = schedule.latest_slot(&workspace.timezone, now) else {
            continue;
        };
        match run_slot(db, clock, &workspace, slot, options).await {
            Ok(Some(run)) => runs.push(run),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(workspace.id = %workspace.id, error = ?error, "follow-up run could not start; the next tick tries again");
            }
        }
    }
    Ok(runs)
}

/// Runs the follow-ups of one workspace now, outside the schedule (its slot is now).
pub async fn run_now(
    db: &DatabaseConnection,
    clock: &SharedClock,
    workspace_id: Uuid,
    options: &FollowUpOptions,
) -> AppResult<job_run::Model> {
    let workspace = crate::workspaces::service::find(db, workspace_id).await?;
    run_slot(db, clock, &workspace, clock.now(), options)
        .await?
        .ok_or_else(|| AppError::Conflict("a follow-up run of this moment is under way".into()))
}

/// Runs the follow-ups of every workspace now: `closeloop run-job follow-ups --now`.
pub async fn run_now_everywhere(
    db: &DatabaseConnection,
    clock: &SharedClock,
    options: &FollowUpOptions,
) -> AppResult<Vec<job_run::Model>> {
    let mut runs = Vec::new();
    for workspace in all_workspaces(db).await? {
        if let Some(run) = run_slot(db, clock, &workspace, clock.now(), options).await? {
            runs.push(run);
        }
    }
    Ok(runs)
}

async fn all_workspaces(db: &DatabaseConnection) -> AppResult<Vec<workspace::Model>> {
    Ok(workspace::Entity::find()
        .order_by_asc(workspace::Column::Id)
        .all(db)
        .await?)
}

/// Claims and runs one slot; `None` when another process has it.
pub async fn run_slot(
    db: &DatabaseConnection,
    clock: &SharedClock,
    workspace: &workspace::Model,
    slot: DateTime<Utc>,
    options: &FollowUpOptions,
) -> AppResult<Option<job_run::Model>> {
    let now = clock.now();
    let key = SlotKey {
        job: JOB,
        scope: workspace.id.to_string(),
        slot,
    };
    let Some(run) = ledger::claim_slot(db, &key, now, options.lease).await? else {
        return Ok(None);
    };
    tracing::info!(job.run_id = %run.id, workspace.id = %workspace.id, job.slot = %slot, "follow-up run started");

    let mut counts = Counts::default();
    let (outcome, error) = match send_due(db, workspace, now, options, &mut counts).await {
        Ok(true) => (SUCCEEDED, None),
        Ok(false) => (
            FAILED,
            Some("stopped by shutdown; the next run finishes the rest".to_owned()),
        ),
        Err(error) => {
            tracing::warn!(job.run_id = %run.id, workspace.id = %workspace.id, error = ?error, "follow-up run failed; the next run finishes the rest");
            (FAILED, Some(error.to_string()))
        }
    };
    let finished =
        ledger::finish(db, run.id, outcome, counts.to_json(), error, clock.now()).await?;
    tracing::info!(job.run_id = %run.id, workspace.id = %workspace.id, job.outcome = outcome, job.counts = %finished.counts, "follow-up run finished");
    Ok(Some(finished))
}

/// Works through the due follow-ups batch by batch; `false` when asked to stop first.
async fn send_due(
    db: &DatabaseConnection,
    workspace: &workspace::Model,
    now: DateTime<Utc>,
    options: &FollowUpOptions,
    counts: &mut Counts,
) -> AppResult<bool> {
    let batch_size = options.batch_size.max(1);
    loop {
        if options.stopping() {
            return Ok(false);
        }
        let txn = db::begin_write(db).await?;
        let due = send::due_batch(&txn, workspace.id, now, batch_size).await?;
        let batch = send::process(&txn, &due, now).await?;
        txn.commit().await?;
        counts.add(batch);
        if (due.len() as u64) < batch_size {
            return Ok(true);
        }
    }
}
