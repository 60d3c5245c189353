//! The daily follow-up job: for each workspace, at its slot (10:00 in the workspace's zone by
//! default), claim the slot in the job ledger, then send the follow-ups that are due, in
//! bounded batches, each batch one transaction.
//!
//! Each follow-up is claimed by a conditional update (`scheduled` → `sent`), so of two runs
//! that meet the same row only one goes on; its email is queued under a key made of the
//! project, so not even a second process that got past the claim could queue it twice. A
//! contact the outbox may not write to (unsubscribed, bounced, within the per-contact cap)
//! gets nothing, and the follow-up is `skipped` with the reason. A follow-up whose project
//! is no longer completed is `cancelled`. Each outcome is written to the project's activity.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use tokio::sync::watch;

use super::service::PROJECT_REOPENED;
use crate::activity::service::{self as activity, Change, Subject};
use crate::clock::SharedClock;
use crate::db;
use crate::email::outbox::{self, EnqueueOutcome, OutgoingEmail, Recipient, Suppression};
use crate::email::templates::TemplateKey;
use crate::entities::enums::{FollowUpStatus, ProjectStatus};
use crate::entities::follow_up::{self, Column};
use crate::entities::{job_run, project, workspace};
use crate::error::AppResult;
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

/// What one batch did.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    sent: u64,
    skipped: u64,
    cancelled: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.sent += other.sent;
        self.skipped += other.skipped;
        self.cancelled += other.cancelled;
    }

    fn to_json(self) -> Value {
        json!({ "sent": self.sent, "skipped": self.skipped, "cancelled": self.cancelled })
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
        let due = due_batch(&txn, workspace.id, now, batch_size).await?;
        let batch = process(&txn, &due, now).await?;
        txn.commit().await?;
        counts.add(batch);
        if (due.len() as u64) < batch_size {
            return Ok(true);
        }
    }
}

/// The next due follow-ups of a workspace, oldest due first, with their projects.
async fn due_batch(
    db: &impl sea_orm::ConnectionTrait,
    workspace_id: uuid::Uuid,
    now: DateTime<Utc>,
    batch_size: u64,
) -> AppResult<Vec<(follow_up::Model, Option<project::Model>)>> {
    Ok(follow_up::Entity::find()
        .find_also_related(project::Entity)
        .filter(Column::WorkspaceId.eq(workspace_id))
        .filter(Column::Status.eq(FollowUpStatus::Scheduled))
        .filter(Column::DueAt.lte(now))
        .order_by_asc(Column::DueAt)
        .order_by_asc(Column::Id)
        .limit(batch_size)
        .all(db)
        .await?)
}

/// Sends, skips or cancels each follow-up of a batch, and records each on its project.
async fn process(
    db: &impl sea_orm::ConnectionTrait,
    due: &[(follow_up::Model, Option<project::Model>)],
    now: DateTime<Utc>,
) -> AppResult<Counts> {
    let mut counts = Counts::default();
    let mut changes = Vec::with_capacity(due.len());
    for (row, project) in due {
        let Some(project) = project else { continue };
        if project.status != ProjectStatus::Completed {
            if finish(
                db,
                row,
                FollowUpStatus::Cancelled,
                Some(PROJECT_REOPENED),
                None,
                now,
            )
            .await?
            {
                counts.cancelled += 1;
                changes.push(change(
                    project,
                    "project.follow_up_cancelled",
                    json!({ "reason": PROJECT_REOPENED }),
                ));
            }
            continue;
        }
        if !claim(db, row, now).await? {
            continue;
        }
        match outbox::enqueue(db, email(row, project), now).await? {
            EnqueueOutcome::Queued(id) | EnqueueOutcome::AlreadyQueued(id) => {
                finish(db, row, FollowUpStatus::Sent, None, Some(id), now).await?;
                counts.sent += 1;
                changes.push(change(
                    project,
                    "project.follow_up_sent",
                    json!({ "emailId": id }),
                ));
            }
            EnqueueOutcome::Suppressed(why) => {
                let reason = suppression_reason(why);
                finish(db, row, FollowUpStatus::Skipped, Some(reason), None, now).await?;
                counts.skipped += 1;
                changes.push(change(
                    project,
                    "project.follow_up_skipped",
                    json!({ "reason": reason }),
                ));
            }
        }
    }
    activity::record_many(db, changes, now).await?;
    Ok(counts)
}

/// Takes the follow-up for this run: only one run can move it out of `scheduled`.
async fn claim(
    db: &impl sea_orm::ConnectionTrait,
    row: &follow_up::Model,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let claimed = follow_up::Entity::update_many()
        .col_expr(Column::Status, Expr::value(FollowUpStatus::Sent))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(row.id))
        .filter(Column::Status.eq(FollowUpStatus::Scheduled))
        .exec(db)
        .await?;
    Ok(claimed.rows_affected > 0)
}

/// Writes how a follow-up ended; for a cancellation, only if it is still `scheduled`.
async fn finish(
    db: &impl sea_orm::ConnectionTrait,
    row: &follow_up::Model,
    status: FollowUpStatus,
    reason: Option<&str>,
    outbox_id: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let mut update = follow_up::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::Reason, Expr::value(reason.map(str::to_owned)))
        .col_expr(Column::OutboxId, Expr::value(outbox_id))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(row.id));
    if status == FollowUpStatus::Sent {
        update = update.col_expr(Column::SentAt, Expr::value(now));
    }
    if status == FollowUpStatus::Cancelled {
        update = update.filter(Column::Status.eq(FollowUpStatus::Scheduled));
    }
    Ok(update.exec(db).await?.rows_affected > 0)
}

/// The follow-up email, from the project's owner, keyed by the project: one per project.
fn email(row: &follow_up::Model, project: &project::Model) -> OutgoingEmail {
    OutgoingEmail {
        workspace_id: row.workspace_id,
        idempotency_key: format!("follow_up:{}", project.id),
        template: TemplateKey::DetractorFollowUp,
        recipient: Recipient::Contact(row.contact_id),
        sender_member_id: project.owner_id,
        account_id: Some(project.account_id),
        context: json!({ "project": { "name": project.name } }),
        hold_for_review: false,
    }
}

fn suppression_reason(why: Suppression) -> &'static str {
    match why {
        Suppression::Unsubscribed => "contact unsubscribed",
        Suppression::Bounced => "contact address bounced",
        Suppression::FrequencyCap => "contact emailed recently (per-contact cap)",
    }
}

fn change(project: &project::Model, action: &'static str, details: Value) -> Change {
    Change {
        workspace_id: project.workspace_id,
        actor_id: None,
        subject: Subject::Project(project.id),
        action,
        account_id: Some(project.account_id),
        project_id: Some(project.id),
        task_id: None,
        details,
    }
}
