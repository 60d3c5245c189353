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
    let emails: Vec<OutgoingEmail> = claimed.iter().map(|(row, p)| email(row, p)).collect();
    let mut outbox = match emails.first() {
        Some(first) => {
            let mut named = Named::default();
            emails.iter().for_each(|email| named.add(email));
            Some(OutboxBatch::load(db, first.workspace_id, named, now).await?)
        }
        None => None,
    };
    let mut sent = Vec::new();
    let mut skipped: BTreeMap<&'static str, Vec<Uuid>> = BTreeMap::new();
    for ((row, project), email) in claimed.iter().zip(emails) {
        let Some(batch) = outbox.as_mut() else { break };
        match batch.enqueue(email, now)? {
            EnqueueOutcome::Queued(id) | EnqueueOutcome::AlreadyQueued(id) => {
                counts.sent += 1;
                sent.push((row.id, project.id, id));
            }
            EnqueueOutcome::Suppressed(why) => {
                let reason = suppression_reason(why);
                counts.skipped += 1;
                skipped.entry(reason).or_default().push(row.id);
                let details = json!({ "reason": reason });
                changes.push(change(project, "project.follow_up_skipped", details));
            }
        }
    }
    if let Some(batch) = outbox {
        let kept_out = batch.write(db).await?;
        replace_kept_out(db, &claimed, &mut sent, &kept_out).await?;
    }
    for (reason, ids) in skipped {
        set_status(db, ids, FollowUpStatus::Skipped, Some(reason), now).await?;
    }
    mark_sent(db, &sent, now).await?;
    for (_, project_id, email_id) in &sent {
        if let Some((_, project)) = claimed.iter().find(|(_, p)| p.id == *project_id) {
            let details = json!({ "emailId": email_id });
            changes.push(change(project, "project.follow_up_sent", details));
        }
    }
    activity::record_many(db, changes, now).await?;
    Ok(counts)
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
        .returning_col(Column::Id)
        .to_owned();
    if let Some(reason) = reason {
        update.value(Column::Reason, reason);
    }
    let statement = db.get_database_backend().build(&update);
    let mut moved = HashSet::new();
    for row in db.query_all_raw(statement).await? {
        moved.insert(row.try_get::<Uuid>("", "id")?);
    }
    Ok(moved)
}

/// Emails another transaction queued under the same keys meanwhile kept this batch's rows
/// out: the follow-ups point at those emails instead.
async fn replace_kept_out(
    db: &impl ConnectionTrait,
    claimed: &[(&follow_up::Model, &project::Model)],
    sent: &mut [(Uuid, Uuid, Uuid)],
    kept_out: &[Uuid],
) -> AppResult<()> {
    for entry in sent.iter_mut().filter(|(_, _, id)| kept_out.contains(id)) {
        let Some((row, project)) = claimed.iter().find(|(_, p)| p.id == entry.1) else {
            continue;
        };
        let key = email(row, project).idempotency_key;
        if let Some(existing) = outbox::find_by_key(db, row.workspace_id, &key).await? {
            entry.2 = existing.id;
        }
    }
    Ok(())
}

/// Sets each sent follow-up's email and time, in one statement.
async fn mark_sent(
    db: &impl ConnectionTrait,
    sent: &[(Uuid, Uuid, Uuid)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some((first, _, first_email)) = sent.first() else {
        return Ok(());
    };
    let mut outbox_id = Expr::case(Column::Id.eq(*first), *first_email);
    for (id, _, email_id) in &sent[1..] {
        outbox_id = outbox_id.case(Column::Id.eq(*id), *email_id);
    }
    follow_up::Entity::update_many()
        .col_expr(
            Column::OutboxId,
            outbox_id.finally(Expr::col(Column::OutboxId)).into(),
        )
        .col_expr(Column::SentAt, Expr::value(now))
        .col_expr(Column::UpdatedAt, Expr::value(now))
        .filter(Column::Id.is_in(sent.iter().map(|(id, ..)| *id)))
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
