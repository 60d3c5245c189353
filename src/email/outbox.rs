//! Putting email into the outbox. [`enqueue`] runs inside the caller's transaction: the
//! email exists if and only if the change that caused it committed. A second enqueue under
//! the same idempotency key changes nothing, so retried mutations and re-run jobs never
//! send twice. Customer-facing email is not queued for a contact who unsubscribed, nor
//! more than once per contact within the workspace's cap.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::templates::{self, Audience, TemplateKey};
use crate::entities::enums::OutboxStatus;
use crate::entities::{account, contact, email_outbox, team_member, workspace};
use crate::error::{AppError, AppResult};

/// Days within which a contact receives at most one customer-facing email from playbooks.
pub const DEFAULT_CONTACT_CAP_DAYS: i64 = 7;

/// Who an email goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    Contact(Uuid),
    Member(Uuid),
}

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
    /// Hold as a draft for review instead of sending when due.
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
    let parties = Parties::load(db, &email).await?;
    if let Some(suppression) = suppression(db, &email, &parties, now).await? {
        tracing::info!(workspace.id = %email.workspace_id, email.template = email.template.as_str(), reason = ?suppression, "email suppressed");
        return Ok(EnqueueOutcome::Suppressed(suppression));
    }

    let source = super::defaults::source(email.template);
    let rendered = templates::render(&source, &parties.context(&email.context))?;
    let row = parties.row(&email, rendered, now);
    let id = insert_once(db, row).await?;
    match id {
        Some(id) => {
            tracing::info!(workspace.id = %email.workspace_id, outbox.id = %id, email.template = email.template.as_str(), "email queued");
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
    let since = now - Duration::days(DEFAULT_CONTACT_CAP_DAYS);
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

/// Everyone and everything an email names, loaded once.
struct Parties {
    workspace: workspace::Model,
    contact: Option<contact::Model>,
    member: Option<team_member::Model>,
    sender: Option<team_member::Model>,
    account: Option<account::Model>,
}

impl Parties {
    async fn load(db: &impl ConnectionTrait, email: &OutgoingEmail) -> AppResult<Parties> {
        let ws = email.workspace_id;
        let workspace = workspace::Entity::find_by_id(ws)
            .one(db)
            .await?
            .ok_or(AppError::NotFound("workspace"))?;
        let (contact, member) = match email.recipient {
            Recipient::Contact(id) => (Some(find_contact(db, ws, id).await?), None),
            Recipient::Member(id) => (None, Some(find_member(db, ws, id).await?)),
        };
        let sender = match email.sender_member_id {
            Some(id) => Some(find_member(db, ws, id).await?),
            None => None,
        };
        let account_id = email.account_id.or(contact.as_ref().map(|c| c.account_id));
        let account = match account_id {
            Some(id) => {
                account::Entity::find_by_id(id)
                    .filter(account::Column::WorkspaceId.eq(ws))
                    .one(db)
                    .await?
            }
            None => None,
        };
        Ok(Parties {
            workspace,
            contact,
            member,
            sender,
            account,
        })
    }

    fn context(&self, extra: &Value) -> Value {
        let mut context = Map::new();
        context.insert("workspace".into(), json!({ "name": self.workspace.name }));
        if let Some(contact) = &self.contact {
            context.insert(
                "contact".into(),
                person(contact.name.as_deref(), &contact.email),
            );
        }
        if let Some(member) = &self.member {
            context.insert("member".into(), person(Some(&member.name), &member.email));
        }
        if let Some(sender) = &self.sender {
            context.insert("csm".into(), person(Some(&sender.name), &sender.email));
        }
        if let Some(account) = &self.account {
            context.insert("account".into(), json!({ "name": account.name }));
        }
        if let Value::Object(extra) = extra {
            context.extend(extra.clone());
        }
        Value::Object(context)
    }

    fn row(
        &self,
        email: &OutgoingEmail,
        rendered: templates::RenderedEmail,
        now: DateTime<Utc>,
    ) -> email_outbox::ActiveModel {
        let (to_email, to_name) = match (&self.contact, &self.member) {
            (Some(contact), _) => (contact.email.clone(), contact.name.clone()),
            (None, Some(member)) => (member.email.clone(), Some(member.name.clone())),
            (None, None) => (String::new(), None),
        };
        let from_name = self
            .sender
            .as_ref()
            .map(|s| s.name.clone())
            .or_else(|| self.workspace.sender_name.clone())
            .map(|name| templates::one_line(&name));
        email_outbox::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(email.workspace_id),
            idempotency_key: Set(email.idempotency_key.clone()),
            template_key: Set(email.template.as_str().to_owned()),
            to_email: Set(to_email),
            to_name: Set(to_name.map(|n| templates::one_line(&n))),
            from_name: Set(from_name),
            reply_to: Set(self.sender.as_ref().map(|s| s.email.clone())),
            subject: Set(rendered.subject),
            body_text: Set(rendered.body_text),
            body_html: Set(rendered.body_html),
            status: Set(if email.hold_for_review {
                OutboxStatus::Held
            } else {
                OutboxStatus::Pending
            }),
            attempts: Set(0),
            next_attempt_at: Set(now),
            last_error: Set(None),
            message_id: Set(None),
            contact_id: Set(self.contact.as_ref().map(|c| c.id)),
            member_id: Set(self.member.as_ref().map(|m| m.id)),
            account_id: Set(self.account.as_ref().map(|a| a.id)),
            sent_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
    }
}

fn person(name: Option<&str>, email: &str) -> Value {
    let first_name = name.and_then(|n| n.split_whitespace().next());
    json!({ "name": name, "first_name": first_name, "email": email })
}

async fn find_contact(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<contact::Model> {
    contact::Entity::find_by_id(id)
        .filter(contact::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("contact"))
}

async fn find_member(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<team_member::Model> {
    team_member::Entity::find_by_id(id)
        .filter(team_member::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("team member"))
}
