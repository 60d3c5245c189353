//! One batch of due follow-ups, in the caller's transaction.
//!
//! The batch's follow-ups are claimed by one conditional update (`scheduled` → `sent`), so
//! of two runs that meet the same row only one goes on; its email is queued under a key made of the
//! project, so not even a run that got past the claim could queue it twice. A contact the
//! outbox may not write to (unsubscribed, bounced, within the per-contact cap) gets nothing,
//! and the follow-up is `skipped` with the reason. A follow-up whose project is no longer
//! completed is `cancelled`. The emails are decided together under the outbox's rules and
//! written with multi-row inserts; each outcome is written to the project's activity, all
//! of a batch in one statement, so a batch costs the same statements at any size. The email, once delivered, is logged as a conversation with the
//! contact like every email Closeloop sends.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;

use super::service::PROJECT_REOPENED;
use crate::activity::service::{self as activity, Change, Subject};
use crate::db::bulk::updated_ids;
use crate::email::outbox::{
    self, EnqueueOutcome, Named, OutboxBatch, OutgoingEmail, Recipient, Suppression,
};
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

/// Sends, skips or cancels each follow-up of a batch, and records each on its project, in
/// a fixed number of statements whatever the batch's size: the cancellations and the
/// claims are one conditional update each, the emails are decided in memory under the
/// outbox's rules and written together, and each outcome is set with one update.
pub async fn process(
    db: &impl ConnectionTrait,
    due: &[Due],
    now: DateTime<Utc>,
) -> AppResult<Counts> {
    let mut counts = Counts::default();
    let (completed, reopened): (Vec<_>, Vec<_>) = due
        .iter()
        .filter_map(|(row, project)| project.as_ref().map(|project| (row, project)))
        .partition(|(_, project)| project.status == ProjectStatus::Completed);
    let mut changes = Vec::with_capacity(due.len());

    let ids = reopened.iter().map(|(row, _)| row.id).collect();
    let cancelled = set_status(
        db,
        ids,
        FollowUpStatus::Cancelled,
        Some(PROJECT_REOPENED),
        now,
    )
    .await?;
    for (row, project) in &reopened {
        if cancelled.contains(&row.id) {
            counts.cancelled += 1;
            let details = json!({ "reason": PROJECT_REOPENED });
            changes.push(change(project, "project.follow_up_cancelled", details));
        }
    }

    let ids = completed.iter().map(|(row, _)| row.id).collect();
    let claimed = set_status(db, ids, FollowUpStatus::Sent, None, now).await?;
    let claimed: Vec<_> = completed
        .into_iter()
        .filter(|(row, _)| claimed.contains(&row.id))
        .collect();
    let (sent, skipped) = queue_emails(db, &claimed, now).await?;
    for (reason, skipped) in skipped {
        let ids = skipped.iter().map(|(row, _)| row.id).collect();
        set_status(db, ids, FollowUpStatus::Skipped, Some(reason), now).await?;
        for (_, project) in skipped {
            counts.skipped += 1;
            let details = json!({ "reason": reason });
            changes.push(change(project, "project.follow_up_skipped", details));
        }
    }
    mark_sent(db, &sent, now).await?;
    for (_, project, email_id) in sent {
        counts.sent += 1;
        let details = json!({ "emailId": email_id });
        changes.push(change(project, "project.follow_up_sent", details));
    }
    activity::record_many(db, changes, now).await?;
    Ok(counts)
}

/// A claimed follow-up and its project.
type Claimed<'a> = (&'a follow_up::Model, &'a project::Model);

/// Follow-ups whose emails were queued, with the email's id, and those the outbox's rules
/// kept from the contact, by reason.
type Queued<'a> = (
    Vec<(&'a follow_up::Model, &'a project::Model, Uuid)>,
    BTreeMap<&'static str, Vec<Claimed<'a>>>,
);

/// Queues the claimed follow-ups' emails as one outbox batch, in order. An email another
/// transaction queued under the same key meanwhile is the follow-up's email.
async fn queue_emails<'a>(
    db: &impl ConnectionTrait,
    claimed: &[Claimed<'a>],
    now: DateTime<Utc>,
) -> AppResult<Queued<'a>> {
    let mut sent = Vec::new();
    let mut skipped: BTreeMap<&'static str, Vec<Claimed<'a>>> = BTreeMap::new();
    let Some((first, _)) = claimed.first() else {
        return Ok((sent, skipped));
    };
    let emails: Vec<OutgoingEmail> = claimed.iter().map(|(row, p)| email(row, p)).collect();
    let mut named = Named::default();
    emails.iter().for_each(|email| named.add(email));
    let mut batch = OutboxBatch::load(db, first.workspace_id, named, now).await?;
    for (&(row, project), email) in claimed.iter().zip(emails) {
        match batch.enqueue(email, now)? {
            EnqueueOutcome::Queued(id) | EnqueueOutcome::AlreadyQueued(id) => {
                sent.push((row, project, id));
            }
            EnqueueOutcome::Suppressed(why) => {
                let reason = suppression_reason(why);
                skipped.entry(reason).or_default().push((row, project));
            }
        }
    }
    let kept_out = batch.write(db).await?;
    for entry in sent.iter_mut().filter(|(.., id)| kept_out.contains(id)) {
        let key = email(entry.0, entry.1).idempotency_key;
        if let Some(existing) = outbox::find_by_key(db, entry.0.workspace_id, &key).await? {
            entry.2 = existing.id;
        }
    }
    Ok((sent, skipped))
}

/// Moves the follow-ups still in the status a move starts from (`scheduled`, or `sent` for
/// a skip of a claimed one) to `status`, with the reason; returns the ids moved. Of two
/// runs that meet the same rows, only one moves each.
async fn set_status(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
    status: FollowUpStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<HashSet<Uuid>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let expected = match status {
        FollowUpStatus::Skipped => FollowUpStatus::Sent,
        _ => FollowUpStatus::Scheduled,
    };
    let mut update = Query::update()
        .table(follow_up::Entity)
        .value(Column::Status, status)
        .value(Column::UpdatedAt, now)
        .and_where(Column::Id.is_in(ids))
        .and_where(Column::Status.eq(expected))
        .to_owned();
    if let Some(reason) = reason {
        update.value(Column::Reason, reason);
    }
    Ok(updated_ids(db, update, Column::Id).await?)
}

/// Sets each sent follow-up's email and time, in one statement.
async fn mark_sent(
    db: &impl ConnectionTrait,
    sent: &[(&follow_up::Model, &project::Model, Uuid)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(((first, _, first_email), rest)) = sent.split_first() else {
        return Ok(());
    };
    let mut outbox_id = Expr::case(Column::Id.eq(first.id), *first_email);
    for (row, _, email_id) in rest {
        outbox_id = outbox_id.case(Column::Id.eq(row.id), *email_id);
    }
    follow_up::Entity::update_many()
        .col_expr(
            Column::OutboxId,
            outbox_id.finally(Expr::col(Column::OutboxId)).into(),
        )
        .col_expr(Column::SentAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.is_in(sent.iter().map(|(row, ..)| row.id)))
        .exec(db)
        .await?;
    Ok(())
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
