//! The SLA check job: every few minutes (its own cron, read in UTC), for each workspace
//! with a clock whose moment came, claim the slot in the job-run ledger, warn in bounded
//! batches, then breach in bounded batches, each batch its own transaction, and record the
//! counts. A workspace with nothing to do gets no ledger row.
//!
//! Every batch commits its stamps, activity and email together, so a run cut off between
//! batches leaves nothing half done, and the next run finishes the rest. Live events go
//! out after each commit.

use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use tokio::sync::watch;

use super::steps::{self, Batch};
use crate::clock::SharedClock;
use crate::db;
use crate::entities::{job_run, sla_clock, workspace};
use crate::error::AppResult;
use crate::escalation::schedule::Schedule;
use crate::jobs::ledger::{self, FAILED, SUCCEEDED, SlotKey};
use crate::live::{Publisher, announced_by};

/// The ledger's name for this job.
pub const JOB: &str = "sla";
/// Every five minutes.
pub const DEFAULT_CRON: &str = "*/5 * * * *";

/// How a check run behaves.
#[derive(Clone)]
pub struct CheckOptions {
    /// Clocks per batch (and per transaction).
    pub batch_size: u64,
    /// How long a `running` ledger row is trusted before its slot may be taken over.
    pub lease: Duration,
    /// When this turns `true` the run stops after its current batch (shutdown).
    pub stop: Option<watch::Receiver<bool>>,
    /// Where committed changes are announced.
    pub publisher: Option<Publisher>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            batch_size: 1000,
            lease: Duration::hours(1),
            stop: None,
            publisher: None,
        }
    }
}

impl CheckOptions {
    fn stopping(&self) -> bool {
        self.stop.as_ref().is_some_and(|stop| *stop.borrow())
    }
}

/// Runs the latest slot of the schedule for every workspace that has something due and
/// has not run that slot yet: the scheduler's tick and `closeloop run-job sla`.
pub async fn run_due(
    db: &DatabaseConnection,
    clock: &SharedClock,
    schedule: &Schedule,
    options: &CheckOptions,
) -> AppResult<Vec<job_run::Model>> {
    let now = clock.now();
    let Some(slot) = schedule.latest_slot("UTC", now) else {
        return Ok(Vec::new());
    };
    run_all(db, clock, slot, options).await
}

/// Runs every workspace with something due now, outside the schedule (its slot is now).
pub async fn run_now(
    db: &DatabaseConnection,
    clock: &SharedClock,
    options: &CheckOptions,
) -> AppResult<Vec<job_run::Model>> {
    run_all(db, clock, clock.now(), options).await
}

async fn run_all(
    db: &DatabaseConnection,
    clock: &SharedClock,
    slot: DateTime<Utc>,
    options: &CheckOptions,
) -> AppResult<Vec<job_run::Model>> {
    let workspaces = workspace::Entity::find()
        .order_by_asc(workspace::Column::Id)
        .all(db)
        .await?;
    let mut runs = Vec::new();
    for workspace in &workspaces {
        if !has_due(db, workspace, clock.now()).await? {
            continue;
        }
        match run_slot(db, clock, workspace, slot, options).await {
            Ok(Some(run)) => runs.push(run),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(workspace.id = %workspace.id, error = ?error, "SLA check could not start; the next tick tries again");
            }
        }
    }
    Ok(runs)
}

async fn has_due(
    db: &DatabaseConnection,
    workspace: &workspace::Model,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let due = sla_clock::Entity::find()
        .filter(sla_clock::Column::WorkspaceId.eq(workspace.id))
        .filter(sla_clock::Column::NextCheckAt.lte(now))
        .count(db)
        .await?;
    Ok(due > 0)
}

/// Claims and runs one slot of one workspace; `None` when another process has it.
async fn run_slot(
    db: &DatabaseConnection,
    clock: &SharedClock,
    workspace: &workspace::Model,
    slot: DateTime<Utc>,
    options: &CheckOptions,
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
    tracing::info!(job.run_id = %run.id, workspace.id = %workspace.id, job.slot = %slot, "SLA check started");
    let mut counts = (0, 0);
    let (outcome, error) = match execute(db, workspace, now, options, &mut counts).await {
        Ok(true) => (SUCCEEDED, None),
        Ok(false) => (
            FAILED,
            Some("stopped by shutdown; the next run finishes the rest".to_owned()),
        ),
        Err(error) => {
            tracing::warn!(job.run_id = %run.id, workspace.id = %workspace.id, error = ?error, "SLA check failed; the next run finishes the rest");
            (FAILED, Some(error.to_string()))
        }
    };
    let totals = json!({ "warned": counts.0, "breached": counts.1 });
    let finished = ledger::finish(db, run.id, outcome, totals, error, clock.now()).await?;
    tracing::info!(job.run_id = %run.id, workspace.id = %workspace.id, job.outcome = outcome, job.counts = %finished.counts, "SLA check finished");
    Ok(Some(finished))
}

/// Warnings first, then breaches; `false` when asked to stop part way.
async fn execute(
    db: &DatabaseConnection,
    workspace: &workspace::Model,
    now: DateTime<Utc>,
    options: &CheckOptions,
    counts: &mut (usize, usize),
) -> AppResult<bool> {
    let batch = Batch {
        workspace_id: workspace.id,
        head_of_cs_id: workspace.head_of_cs_id,
        zone: Tz::from_str(&workspace.timezone).unwrap_or(chrono_tz::UTC),
        now,
        batch_size: options.batch_size.max(1),
        timezone: &workspace.timezone,
    };
    for breaching in [false, true] {
        loop {
            if options.stopping() {
                return Ok(false);
            }
            let txn = db::begin_write(db).await?;
            let records = if breaching {
                steps::breach(&txn, &batch).await?
            } else {
                steps::warn(&txn, &batch).await?
            };
            txn.commit().await?;
            if breaching {
                counts.1 += records.len();
            } else {
                counts.0 += records.len();
            }
            if let Some(publisher) = &options.publisher {
                publisher.publish(announced_by(&records)).await;
            }
            if (records.len() as u64) < batch.batch_size {
                break;
            }
        }
    }
    Ok(true)
}
