//! One escalation run for one workspace and one slot: claim the slot in the ledger, take
//! the overdue tasks level by level (those never escalated first) in bounded batches, each
//! its own transaction, moving each task to the highest level it has reached; then queue
//! the digests, and record how it went.
//!
//! A run stopped between batches (a crash, a shutdown) leaves every committed batch whole:
//! tasks, activity and notices together. The next run picks up the tasks still below their
//! level, and sends the digests the stopped run owed, under that run's own keys.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};
use serde_json::{Map, Value, json};
use tokio::sync::watch;
use uuid::Uuid;

use super::apply::{self, Escalated, Step};
use super::digest;
use super::policy::Policy;
use super::scan::Cursor;
use super::schedule::Schedule;
use crate::clock::SharedClock;
use crate::db;
use crate::entities::{job_run, workspace};
use crate::error::{AppError, AppResult};
use crate::jobs::ledger::{self, FAILED, SUCCEEDED, SlotKey};

/// The ledger's name for this job.
pub const JOB: &str = "escalation";

/// Called after each committed batch with the workspace and the tasks it moved up, e.g. to
/// publish live events; it runs after the commit, so it never announces undone work.
pub type BatchObserver = Arc<dyn Fn(Uuid, &[Escalated]) + Send + Sync>;

/// Tasks per batch unless configured. On SQLite every commit writes each page its batch
/// dirtied to the WAL again, so small batches cost: a 1,000,000-task run took 10.4 s in
/// batches of 250, 7.6 s in batches of 1,000 and 6.7 s in batches of 2,000, holding the
/// write lock about 0.15 s at a time; PostgreSQL ran the same in 5.7 to 6.0 s at any of them.
pub const DEFAULT_BATCH_SIZE: u64 = 2_000;

/// How a run behaves.
#[derive(Clone)]
pub struct RunOptions {
    /// Tasks per batch (and per transaction).
    pub batch_size: u64,
    /// How long a `running` ledger row is trusted before its slot may be taken over.
    pub lease: Duration,
    /// When this turns `true` the run stops after its current batch (shutdown).
    pub stop: Option<watch::Receiver<bool>>,
    pub on_batch: Option<BatchObserver>,
    /// For tests: stop like a killed process after this many batches, leaving the ledger
    /// row `running` and the digests unsent.
    pub crash_after_batches: Option<usize>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            batch_size: DEFAULT_BATCH_SIZE,
            lease: Duration::hours(1),
            stop: None,
            on_batch: None,
            crash_after_batches: None,
        }
    }
}

impl RunOptions {
    fn stopping(&self) -> bool {
        self.stop.as_ref().is_some_and(|stop| *stop.borrow())
    }
}

/// What a run did, as stored in the ledger's `counts`.
#[derive(Debug, Default)]
struct Counts {
    per_level: Vec<u64>,
    digests: u64,
}

impl Counts {
    fn add(&mut self, number: usize, escalated: usize) {
        if number == 0 {
            return;
        }
        if self.per_level.len() < number {
            self.per_level.resize(number, 0);
        }
        self.per_level[number - 1] += escalated as u64;
    }

    fn to_json(&self) -> Value {
        let mut counts = Map::new();
        counts.insert(
            "escalated".into(),
            json!(self.per_level.iter().sum::<u64>()),
        );
        for (index, count) in self.per_level.iter().enumerate() {
            counts.insert(format!("level{}", index + 1), json!(count));
        }
        counts.insert("digests".into(), json!(self.digests));
        Value::Object(counts)
    }
}

enum Ended {
    Completed,
    /// Asked to stop; the next run finishes the rest.
    Interrupted,
    /// Simulated crash: nothing more is written.
    Crashed,
}

/// Runs every workspace whose latest slot has not run yet: the scheduler's tick, and the
/// catch-up at start (only the latest missed slot runs, however many were missed).
pub async fn run_due(
    db: &DatabaseConnection,
    clock: &SharedClock,
    schedule: &Schedule,
    options: &RunOptions,
) -> AppResult<Vec<job_run::Model>> {
    let now = clock.now();
    let workspaces = workspace::Entity::find()
        .order_by_asc(workspace::Column::Id)
        .all(db)
        .await?;
    let mut runs = Vec::new();
    for workspace in &workspaces {
        let Some(slot) = schedule.latest_slot(&workspace.timezone, now) else {
            continue;
        };
        match run_slot(db, clock, workspace, slot, options).await {
            Ok(Some(run)) => runs.push(run),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(workspace.id = %workspace.id, error = ?error, "escalation run could not start; the next tick tries again");
            }
        }
    }
    Ok(runs)
}

/// Runs the escalation of one workspace now, outside the schedule (its slot is now).
pub async fn run_now(
    db: &DatabaseConnection,
    clock: &SharedClock,
    workspace_id: Uuid,
    options: &RunOptions,
) -> AppResult<job_run::Model> {
    let workspace = crate::workspaces::service::find(db, workspace_id).await?;
    run_slot(db, clock, &workspace, clock.now(), options)
        .await?
        .ok_or_else(|| AppError::Conflict("an escalation run of this moment is under way".into()))
}

/// Runs the escalation of every workspace now: `closeloop run-job escalation --now`.
pub async fn run_now_everywhere(
    db: &DatabaseConnection,
    clock: &SharedClock,
    options: &RunOptions,
) -> AppResult<Vec<job_run::Model>> {
    let workspaces = workspace::Entity::find()
        .order_by_asc(workspace::Column::Id)
        .all(db)
        .await?;
    let mut runs = Vec::new();
    for workspace in &workspaces {
        if let Some(run) = run_slot(db, clock, workspace, clock.now(), options).await? {
            runs.push(run);
        }
    }
    Ok(runs)
}

/// Claims and runs one slot; `None` when another process has it.
pub async fn run_slot(
    db: &DatabaseConnection,
    clock: &SharedClock,
    workspace: &workspace::Model,
    slot: DateTime<Utc>,
    options: &RunOptions,
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
    tracing::info!(job.run_id = %run.id, workspace.id = %workspace.id, job.slot = %slot, "escalation run started");

    let mut counts = Counts::default();
    let ended = execute(db, workspace, slot, now, options, &mut counts).await;
    let (outcome, error) = match ended {
        Ok(Ended::Completed) => (SUCCEEDED, None),
        Ok(Ended::Interrupted) => (
            FAILED,
            Some("stopped by shutdown; the next run finishes the rest".to_owned()),
        ),
        Ok(Ended::Crashed) => return Ok(Some(run)),
        Err(error) => {
            tracing::warn!(job.run_id = %run.id, workspace.id = %workspace.id, error = ?error, "escalation run failed; the next run finishes the rest");
            (FAILED, Some(error.to_string()))
        }
    };
    let finished =
        ledger::finish(db, run.id, outcome, counts.to_json(), error, clock.now()).await?;
    tracing::info!(job.run_id = %run.id, workspace.id = %workspace.id, job.outcome = outcome, job.counts = %finished.counts, "escalation run finished");
    Ok(Some(finished))
}

async fn execute(
    db: &DatabaseConnection,
    workspace: &workspace::Model,
    slot: DateTime<Utc>,
    now: DateTime<Utc>,
    options: &RunOptions,
    counts: &mut Counts,
) -> AppResult<Ended> {
    let policy = Policy::from_stored(&workspace.escalation_policy)?;
    let mut batches = 0;
    for from in 0..policy.levels().len() {
        let step = Step {
            workspace_id: workspace.id,
            policy: &policy,
            from: i32::try_from(from).unwrap_or(i32::MAX),
            head_of_cs_id: workspace.head_of_cs_id,
            slot,
            now,
            batch_size: options.batch_size.max(1),
        };
        let mut cursor = Cursor::default();
        while !cursor.done() {
            if options.stopping() {
                return Ok(Ended::Interrupted);
            }
            if options.crash_after_batches.is_some_and(|n| batches >= n) {
                return Ok(Ended::Crashed);
            }
            let txn = db::begin_write(db).await?;
            let escalated = apply::batch(&txn, &step, &mut cursor).await?;
            txn.commit().await?;
            for step in &escalated {
                counts.add(usize::try_from(step.level).unwrap_or(0), 1);
            }
            if escalated.is_empty() {
                continue;
            }
            batches += 1;
            if let Some(observer) = &options.on_batch {
                observer(workspace.id, &escalated);
            }
        }
    }
    let scope = workspace.id.to_string();
    let mut live = ledger::live_slots(db, JOB, &scope, now, options.lease).await?;
    live.retain(|other| *other != slot);
    counts.digests = digest::send_owed(db, workspace.id, &live, now).await?;
    Ok(Ended::Completed)
}
