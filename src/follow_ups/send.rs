//! One batch of due follow-ups, in the caller's transaction.
//!
//! Each follow-up is claimed by a conditional update (`scheduled` → `sent`), so of two runs
//! that meet the same row only one goes on; its email is queued under a key made of the
//! project, so not even a run that got past the claim could queue it twice. A contact the
//! outbox may not write to (unsubscribed, bounced, within the per-contact cap) gets nothing,
//! and the follow-up is `skipped` with the reason. A follow-up whose project is no longer
//! completed is `cancelled`. Each outcome is written to the project's activity, all of a
//! batch in one statement. The email, once delivered, is logged as a conversation with the
//! contact like every email Closeloop sends.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;

use super::service::PROJECT_REOPENED;
use crate::activity::service::{self as activity, Change, Subject};
use crate::email::outbox::{self, EnqueueOutcome, OutgoingEmail, Recipient, Suppression};
use crate::email::templates::TemplateKey;
use crate::entities::enums::{FollowUpStatus, ProjectStatus};
use crate::entities::follow_up::{self, Column};
use crate::entities::project;
use crate::error::AppResult;

/// What runs did, as stored in the ledger's `counts`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub sent: u64,
    pub skipped: u64,
    pub cancelled: u64,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.sent += other.sent;
        self.skipped += other.skipped;
        self.cancelled += other.cancelled;
    }

    pub fn to_json(self) -> Value {
        json!({ "sent": self.sent, "skipped": self.skipped, "cancelled": self.cancelled })
    }
}

/// A due follow-up and its project.
pub type Due = (follow_up::Model, Option<project::Model>);

/// The next due follow-ups of a workspace, oldest due first, with their projects.
pub async fn due_batch(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    now: DateTime<Utc>,
    batch_size: u64,
) -> AppResult<Vec<Due>> {
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

/// What became of one follow-up.
enum Outcome {
    Sent(Uuid),
    Skipped(&'static str),
    Cancelled,
    /// Another run had it.
    Taken,
}

/// Sends, skips or cancels each follow-up of a batch, and records each on its project.
pub async fn process(
    db: &impl ConnectionTrait,
    due: &[Due],
    now: DateTime<Utc>,
) -> AppResult<Counts> {
    let mut counts = Counts::default();
    let mut changes = Vec::with_capacity(due.len());
    for (row, project) in due {
        let Some(project) = project else { continue };
        let (action, details) = match handle(db, row, project, now).await? {
            Outcome::Sent(id) => {
                counts.sent += 1;
                ("project.follow_up_sent", json!({ "emailId": id }))
            }
            Outcome::Skipped(reason) => {
                counts.skipped += 1;
                ("project.follow_up_skipped", json!({ "reason": reason }))
            }
            Outcome::Cancelled => {
                counts.cancelled += 1;
                (
                    "project.follow_up_cancelled",
                    json!({ "reason": PROJECT_REOPENED }),
                )
            }
            Outcome::Taken => continue,
        };
        changes.push(change(project, action, details));
    }
    activity::record_many(db, changes, now).await?;
    Ok(counts)
}

async fn handle(
    db: &impl ConnectionTrait,
    row: &follow_up::Model,
    project: &project::Model,
    now: DateTime<Utc>,
) -> AppResult<Outcome> {
    if project.status != ProjectStatus::Completed {
        let cancelled = close(
            db,
            row,
            FollowUpStatus::Cancelled,
            Some(PROJECT_REOPENED),
            now,
        );
        return Ok(if cancelled.await? {
            Outcome::Cancelled
        } else {
            Outcome::Taken
        });
    }
    if !claim(db, row, now).await? {
        return Ok(Outcome::Taken);
    }
    match outbox::enqueue(db, email(row, project), now).await? {
        EnqueueOutcome::Queued(id) | EnqueueOutcome::AlreadyQueued(id) => {
            mark_sent(db, row, id, now).await?;
            Ok(Outcome::Sent(id))
        }
        EnqueueOutcome::Suppressed(why) => {
            let reason = suppression_reason(why);
            close(db, row, FollowUpStatus::Skipped, Some(reason), now).await?;
            Ok(Outcome::Skipped(reason))
        }
    }
}

/// Takes the follow-up for this run: only one run can move it out of `scheduled`.
async fn claim(
    db: &impl ConnectionTrait,
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

async fn mark_sent(
    db: &impl ConnectionTrait,
    row: &follow_up::Model,
    outbox_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    follow_up::Entity::update_many()
        .col_expr(Column::OutboxId, Expr::value(outbox_id))
        .col_expr(Column::SentAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(row.id))
        .exec(db)
        .await?;
    Ok(())
}

/// Cancels or skips a follow-up; a cancellation only while it is still `scheduled`, a skip
/// of the row this run claimed.
async fn close(
    db: &impl ConnectionTrait,
    row: &follow_up::Model,
    status: FollowUpStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let expected = match status {
        FollowUpStatus::Cancelled => FollowUpStatus::Scheduled,
        _ => FollowUpStatus::Sent,
    };
    let closed = follow_up::Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::Reason, Expr::value(reason.map(str::to_owned)))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.eq(row.id))
        .filter(Column::Status.eq(expected))
        .exec(db)
        .await?;
    Ok(closed.rows_affected > 0)
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
