//! Putting email into the outbox. [`enqueue`] runs inside the caller's transaction: the
//! email exists if and only if the change that caused it committed. A second enqueue under
//! the same idempotency key changes nothing, so retried mutations and re-run jobs never
//! send twice. Customer-facing email is not queued for a contact who unsubscribed or whose
//! address bounced, nor more than once per contact within the workspace's cap. An email
//! whose template (or caller) asks for review is held as a draft for the workspace's
//! review window, then goes out by itself unless someone sends or discards it first.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::Value;
use uuid::Uuid;

use super::parties::Parties;
pub use super::parties::Recipient;
use super::templates::{self, Audience, RenderedEmail, TemplateKey};
use crate::entities::email_outbox;
use crate::entities::enums::OutboxStatus;
use crate::error::{AppError, AppResult};

/// An email to queue.
#[derive(Debug, Clone)]
pub struct OutgoingEmail {
    pub workspace_id: Uuid,
    /// Unique per workspace: the same key is queued once, ever.
    pub idempotency_key: String,
    pub template: TemplateKey,
    pub recipient: Recipient,
    /// The team member the email comes from (their name on From, their address as
    /// Reply-To); usually the account owner.
    pub sender_member_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    /// Template variables beyond the standard ones (`response`, `project`, `tasks`, …).
    pub context: Value,
    /// Hold as a draft for review instead of sending when due (the template can ask too).
    pub hold_for_review: bool,
}

/// What [`enqueue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnqueueOutcome {
    Queued(Uuid),
    /// An email with this idempotency key exists already; nothing was written.
    AlreadyQueued(Uuid),
    /// Not queued, on purpose.
    Suppressed(Suppression),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suppression {
    Unsubscribed,
    /// A mail server said the contact's address does not exist.
    Bounced,
    FrequencyCap,
}

/// Renders and queues one email, or says why not.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    email: OutgoingEmail,
    now: DateTime<Utc>,
) -> AppResult<EnqueueOutcome> {
    if let Some(existing) = find_by_key(db, email.workspace_id, &email.idempotency_key).await? {
        return Ok(EnqueueOutcome::AlreadyQueued(existing.id));
    }
    let parties = Parties::load(
        db,
        email.workspace_id,
        email.recipient,
        email.sender_member_id,
        email.account_id,
    )
    .await?;
    if let Some(suppression) = suppression(db, &email, &parties, now).await? {
        tracing::info!(workspace.id = %email.workspace_id, email.template = email.template.as_str(), reason = ?suppression, "email suppressed");
        return Ok(EnqueueOutcome::Suppressed(suppression));
    }

    let template = super::template_store::get(db, email.workspace_id, email.template).await?;
    let rendered = templates::render(&template.source, &parties.context(&email.context))?;
    let held = email.hold_for_review || template.hold_for_review;
    let row = new_row(&parties, &email, rendered, held, now);
    match insert_once(db, row).await? {
        Some(id) => {
            tracing::info!(workspace.id = %email.workspace_id, outbox.id = %id, email.template = email.template.as_str(), held, "email queued");
            Ok(EnqueueOutcome::Queued(id))
        }
        None => {
            let existing = find_by_key(db, email.workspace_id, &email.idempotency_key).await?;
            existing
                .map(|row| EnqueueOutcome::AlreadyQueued(row.id))
                .ok_or_else(|| {
                    AppError::internal(anyhow::anyhow!(
                        "outbox insert conflicted but no row exists"
                    ))
                })
        }
    }
}

pub async fn find_by_key(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    key: &str,
) -> AppResult<Option<email_outbox::Model>> {
    Ok(email_outbox::Entity::find()
        .filter(email_outbox::Column::WorkspaceId.eq(workspace_id))
        .filter(email_outbox::Column::IdempotencyKey.eq(key))
        .one(db)
        .await?)
}

/// Inserts unless the key exists (a concurrent transaction may have just written it).
async fn insert_once(
    db: &impl ConnectionTrait,
    row: email_outbox::ActiveModel,
) -> AppResult<Option<Uuid>> {
    let id = match &row.id {
        Set(id) => *id,
        _ => {
            return Err(AppError::internal(anyhow::anyhow!(
                "outbox row without an id"
            )));
        }
    };
    let conflict = OnConflict::columns([
        email_outbox::Column::WorkspaceId,
        email_outbox::Column::IdempotencyKey,
    ])
    .do_nothing()
    .to_owned();
    let inserted = email_outbox::Entity::insert(row)
        .on_conflict(conflict)
        .exec_without_returning(db)
        .await?;
    Ok((inserted > 0).then_some(id))
}

async fn suppression(
    db: &impl ConnectionTrait,
    email: &OutgoingEmail,
    parties: &Parties,
    now: DateTime<Utc>,
) -> AppResult<Option<Suppression>> {
    let Some(contact) = &parties.contact else {
        return Ok(None);
    };
    if email.template.audience() != Audience::Customer {
        return Ok(None);
    }
    if contact.unsubscribed_at.is_some() {
        return Ok(Some(Suppression::Unsubscribed));
    }
    if contact.bounced_at.is_some() {
        return Ok(Some(Suppression::Bounced));
    }
    let cap_days = parties.workspace.contact_email_cap_days;
    if cap_days <= 0 {
        return Ok(None);
    }
    let since = now - Duration::days(i64::from(cap_days));
    let customer_keys = TemplateKey::ALL
        .into_iter()
        .filter(|key| key.audience() == Audience::Customer)
        .map(TemplateKey::as_str);
    let recent = email_outbox::Entity::find()
        .filter(email_outbox::Column::WorkspaceId.eq(email.workspace_id))
        .filter(email_outbox::Column::ContactId.eq(contact.id))
        .filter(email_outbox::Column::TemplateKey.is_in(customer_keys))
        .filter(email_outbox::Column::CreatedAt.gt(since))
        .filter(
            email_outbox::Column::Status.is_not_in([OutboxStatus::Discarded, OutboxStatus::Failed]),
        )
        .count(db)
        .await?;
    Ok((recent > 0).then_some(Suppression::FrequencyCap))
}

/// A held email is due when the review window ends; any other is due at once.
fn new_row(
    parties: &Parties,
    email: &OutgoingEmail,
    rendered: RenderedEmail,
    held: bool,
    now: DateTime<Utc>,
) -> email_outbox::ActiveModel {
    let (to_email, to_name) = match (&parties.contact, &parties.member) {
        (Some(contact), _) => (contact.email.clone(), contact.name.clone()),
        (None, Some(member)) => (member.email.clone(), Some(member.name.clone())),
        (None, None) => (String::new(), None),
    };
    let from_name = parties
        .sender
        .as_ref()
        .map(|s| s.name.clone())
        .or_else(|| parties.workspace.sender_name.clone())
        .map(|name| templates::one_line(&name));
    let (status, due) = if held {
        let window = Duration::minutes(i64::from(parties.workspace.review_window_minutes.max(0)));
        (OutboxStatus::Held, now + window)
    } else {
        (OutboxStatus::Pending, now)
    };
    email_outbox::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(email.workspace_id),
        idempotency_key: Set(email.idempotency_key.clone()),
        template_key: Set(email.template.as_str().to_owned()),
        to_email: Set(to_email),
        to_name: Set(to_name.map(|n| templates::one_line(&n))),
        from_name: Set(from_name),
        reply_to: Set(parties.sender.as_ref().map(|s| s.email.clone())),
        subject: Set(rendered.subject),
        body_text: Set(rendered.body_text),
        body_html: Set(rendered.body_html),
        status: Set(status),
        attempts: Set(0),
        next_attempt_at: Set(due),
        last_error: Set(None),
        message_id: Set(None),
        contact_id: Set(parties.contact.as_ref().map(|c| c.id)),
        member_id: Set(parties.member.as_ref().map(|m| m.id)),
        account_id: Set(parties.account.as_ref().map(|a| a.id)),
        sender_id: Set(parties.sender.as_ref().map(|s| s.id)),
        sent_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}
