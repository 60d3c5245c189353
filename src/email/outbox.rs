//! Putting email into the outbox. [`enqueue`] runs inside the caller's transaction: the
//! email exists if and only if the change that caused it committed. A second enqueue under
//! the same idempotency key changes nothing, so retried mutations and re-run jobs never
//! send twice. Customer-facing email is not queued for a contact who unsubscribed or whose
//! address bounced, nor more than once per contact within the workspace's cap. An email
//! whose template (or caller) asks for review is held as a draft for the workspace's
//! review window, then goes out by itself unless someone sends or discards it first.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

pub use super::batch::{Named, OutboxBatch};
use super::parties::Parties;
pub use super::parties::Recipient;
use super::template_store::StoredTemplate;
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

/// Renders and queues one email, or says why not: a batch of one, so a single email and
/// a bulk import follow the same rules.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    email: OutgoingEmail,
    now: DateTime<Utc>,
) -> AppResult<EnqueueOutcome> {
    let workspace_id = email.workspace_id;
    let key = email.idempotency_key.clone();
    let mut batch = OutboxBatch::load(db, workspace_id, Named::of(&email), now).await?;
    let outcome = batch.enqueue(email, now)?;
    if batch.write(db).await?.is_empty() {
        return Ok(outcome);
    }
    find_by_key(db, workspace_id, &key)
        .await?
        .map(|row| EnqueueOutcome::AlreadyQueued(row.id))
        .ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "outbox insert conflicted but no row exists"
            ))
        })
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

/// Why a customer email is not to be queued: the contact unsubscribed, bounced, or was
/// written to within the workspace's cap (`recently_emailed`).
pub(super) fn suppression(
    email: &OutgoingEmail,
    parties: &Parties,
    recently_emailed: bool,
) -> Option<Suppression> {
    let contact = parties.contact.as_ref()?;
    if email.template.audience() != Audience::Customer {
        return None;
    }
    if contact.unsubscribed_at.is_some() {
        return Some(Suppression::Unsubscribed);
    }
    if contact.bounced_at.is_some() {
        return Some(Suppression::Bounced);
    }
    (parties.workspace.contact_email_cap_days > 0 && recently_emailed)
        .then_some(Suppression::FrequencyCap)
}

/// The row of an email that passed the rules, rendered from the workspace's template.
pub(super) fn render_row(
    parties: &Parties,
    email: &OutgoingEmail,
    template: &StoredTemplate,
    now: DateTime<Utc>,
) -> AppResult<email_outbox::ActiveModel> {
    let rendered = templates::render(&template.source, &parties.context(&email.context))?;
    let held = email.hold_for_review || template.hold_for_review;
    Ok(new_row(parties, email, rendered, held, now))
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
