//! Queueing many emails at once under the outbox's rules. Everything the rules look at —
//! the workspace, its templates, the people and accounts named, the keys queued already,
//! the contacts written to within the cap — is read once for the batch; each email is then
//! decided in memory, in order, so an email queued earlier in the batch counts against the
//! cap and the key of a later one, exactly as if they had been queued one after another;
//! and the rows are written with multi-row inserts.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::outbox::{EnqueueOutcome, OutgoingEmail, Recipient, render_row, suppression};
use super::parties::Parties;
use super::template_store::{self, StoredTemplate};
use super::templates::{Audience, TemplateKey};
use crate::db::bulk::by_ids;
use crate::entities::enums::OutboxStatus;
use crate::entities::{account, contact, email_outbox, team_member, workspace};
use crate::error::{AppError, AppResult};

/// Outbox rows per insert: 23 columns each, well under both engines' parameter limits.
const ROWS_PER_INSERT: usize = 1_000;

/// What the emails of a batch will name, to be read up front. Naming more than is used
/// costs nothing but a longer list.
#[derive(Debug, Clone, Default)]
pub struct Named {
    pub keys: Vec<String>,
    pub contacts: Vec<Uuid>,
    pub members: Vec<Uuid>,
    pub accounts: Vec<Uuid>,
}

impl Named {
    /// What one email names.
    pub fn of(email: &OutgoingEmail) -> Named {
        let mut named = Named::default();
        named.add(email);
        named
    }

    pub fn add(&mut self, email: &OutgoingEmail) {
        self.keys.push(email.idempotency_key.clone());
        match email.recipient {
            Recipient::Contact(id) => self.contacts.push(id),
            Recipient::Member(id) => self.members.push(id),
        }
        self.members.extend(email.sender_member_id);
        self.accounts.extend(email.account_id);
    }
}

/// The outbox as a batch of emails sees it, and the rows the batch will write.
pub struct OutboxBatch {
    workspace: workspace::Model,
    templates: HashMap<TemplateKey, StoredTemplate>,
    contacts: HashMap<Uuid, contact::Model>,
    members: HashMap<Uuid, team_member::Model>,
    accounts: HashMap<Uuid, account::Model>,
    /// Keys queued already, before or in this batch, with their email.
    keys: HashMap<String, Uuid>,
    /// Contacts with a customer email within the workspace's cap.
    recently_emailed: HashSet<Uuid>,
    rows: Vec<email_outbox::ActiveModel>,
}

impl OutboxBatch {
    /// Reads what the batch's emails name, in seven queries whatever their number.
    pub async fn load(
        db: &impl ConnectionTrait,
        workspace_id: Uuid,
        named: Named,
        now: DateTime<Utc>,
    ) -> AppResult<OutboxBatch> {
        let workspace = crate::workspaces::service::find(db, workspace_id).await?;
        let templates = template_store::list(db, workspace_id).await?;
        let contacts = by_ids::<contact::Entity>(
            db,
            (contact::Column::WorkspaceId, contact::Column::Id),
            workspace_id,
            named.contacts.iter().copied(),
            |c| c.id,
        )
        .await?;
        let members = crate::members::service::by_ids(db, workspace_id, named.members).await?;
        let accounts = by_ids::<account::Entity>(
            db,
            (account::Column::WorkspaceId, account::Column::Id),
            workspace_id,
            named
                .accounts
                .iter()
                .copied()
                .chain(contacts.values().map(|c| c.account_id)),
            |a| a.id,
        )
        .await?;
        let keys = queued_keys(db, workspace_id, &named.keys).await?;
        let cap_days = workspace.contact_email_cap_days;
        let recently_emailed =
            emailed_since(db, workspace_id, &named.contacts, cap_days, now).await?;
        Ok(OutboxBatch {
            workspace,
            templates: templates.into_iter().map(|t| (t.key, t)).collect(),
            contacts,
            members,
            accounts,
            keys,
            recently_emailed,
            rows: Vec::new(),
        })
    }

    /// Decides one email, in the batch's order: already queued, suppressed, or queued (a
    /// row the batch will write).
    pub fn enqueue(
        &mut self,
        email: OutgoingEmail,
        now: DateTime<Utc>,
    ) -> AppResult<EnqueueOutcome> {
        if let Some(id) = self.keys.get(&email.idempotency_key) {
            return Ok(EnqueueOutcome::AlreadyQueued(*id));
        }
        let parties = self.parties(&email)?;
        let recent = parties
            .contact
            .as_ref()
            .is_some_and(|c| self.recently_emailed.contains(&c.id));
        if let Some(reason) = suppression(&email, &parties, recent) {
            tracing::info!(workspace.id = %email.workspace_id, email.template = email.template.as_str(), reason = ?reason, "email suppressed");
            return Ok(EnqueueOutcome::Suppressed(reason));
        }

        let template = self.templates.get(&email.template).ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "no email template {}",
                email.template.as_str()
            ))
        })?;
        let row = render_row(&parties, &email, template, now)?;
        let id = Uuid::now_v7();
        let row = email_outbox::ActiveModel {
            id: sea_orm::Set(id),
            ..row
        };
        if let (Some(contact), Audience::Customer) = (&parties.contact, email.template.audience()) {
            self.recently_emailed.insert(contact.id);
        }
        self.keys.insert(email.idempotency_key.clone(), id);
        self.rows.push(row);
        tracing::info!(workspace.id = %email.workspace_id, outbox.id = %id, email.template = email.template.as_str(), "email queued");
        Ok(EnqueueOutcome::Queued(id))
    }

    fn parties(&self, email: &OutgoingEmail) -> AppResult<Parties> {
        let (contact, member) = match email.recipient {
            Recipient::Contact(id) => (Some(self.contact(id)?), None),
            Recipient::Member(id) => (None, Some(self.member(id)?)),
        };
        let sender = email
            .sender_member_id
            .map(|id| self.member(id))
            .transpose()?;
        let account_id = email.account_id.or(contact.as_ref().map(|c| c.account_id));
        Ok(Parties {
            workspace: self.workspace.clone(),
            account: account_id.and_then(|id| self.accounts.get(&id).cloned()),
            contact,
            member,
            sender,
        })
    }

    fn contact(&self, id: Uuid) -> AppResult<contact::Model> {
        self.contacts
            .get(&id)
            .cloned()
            .ok_or(AppError::NotFound("contact"))
    }

    fn member(&self, id: Uuid) -> AppResult<team_member::Model> {
        self.members
            .get(&id)
            .cloned()
            .ok_or(AppError::NotFound("team member"))
    }

    /// Writes the queued rows; returns the ids of those another transaction's rows with
    /// the same keys kept out (they were written meanwhile), for the caller to decide.
    pub async fn write(self, db: &impl ConnectionTrait) -> AppResult<Vec<Uuid>> {
        let ids: Vec<Uuid> = self
            .rows
            .iter()
            .filter_map(|row| row.id.try_as_ref().copied())
            .collect();
        let mut inserted = 0;
        let mut rows = self.rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<_> = rows.by_ref().take(ROWS_PER_INSERT).collect();
            let conflict = OnConflict::columns([
                email_outbox::Column::WorkspaceId,
                email_outbox::Column::IdempotencyKey,
            ])
            .do_nothing()
            .to_owned();
            inserted += email_outbox::Entity::insert_many(chunk)
                .on_conflict(conflict)
                .exec_without_returning(db)
                .await?;
        }
        if inserted as usize == ids.len() {
            return Ok(Vec::new());
        }
        let written: HashSet<Uuid> = written_ids(db, self.workspace.id, &ids).await?;
        Ok(ids.into_iter().filter(|id| !written.contains(id)).collect())
    }
}

/// The emails already queued under any of `keys`, by key.
async fn queued_keys(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    keys: &[String],
) -> AppResult<HashMap<String, Uuid>> {
    let mut found = HashMap::new();
    for chunk in keys.chunks(10_000) {
        let rows: Vec<(String, Uuid)> = email_outbox::Entity::find()
            .select_only()
            .column(email_outbox::Column::IdempotencyKey)
            .column(email_outbox::Column::Id)
            .filter(email_outbox::Column::WorkspaceId.eq(workspace_id))
            .filter(email_outbox::Column::IdempotencyKey.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

/// The contacts among `contacts` with a customer email (not discarded, not failed)
/// queued within the last `cap_days`; nobody when there is no cap.
async fn emailed_since(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    contacts: &[Uuid],
    cap_days: i32,
    now: DateTime<Utc>,
) -> AppResult<HashSet<Uuid>> {
    if cap_days <= 0 || contacts.is_empty() {
        return Ok(HashSet::new());
    }
    let since = now - Duration::days(i64::from(cap_days));
    let customer_keys = TemplateKey::ALL
        .into_iter()
        .filter(|key| key.audience() == Audience::Customer)
        .map(TemplateKey::as_str);
    let mut found = HashSet::new();
    for chunk in contacts.chunks(10_000) {
        let rows: Vec<Option<Uuid>> = email_outbox::Entity::find()
            .select_only()
            .column(email_outbox::Column::ContactId)
            .distinct()
            .filter(email_outbox::Column::WorkspaceId.eq(workspace_id))
            .filter(email_outbox::Column::ContactId.is_in(chunk.iter().copied()))
            .filter(email_outbox::Column::TemplateKey.is_in(customer_keys.clone()))
            .filter(email_outbox::Column::CreatedAt.gt(since))
            .filter(
                email_outbox::Column::Status
                    .is_not_in([OutboxStatus::Discarded, OutboxStatus::Failed]),
            )
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows.into_iter().flatten());
    }
    Ok(found)
}

async fn written_ids(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    ids: &[Uuid],
) -> AppResult<HashSet<Uuid>> {
    let rows: Vec<Uuid> = email_outbox::Entity::find()
        .select_only()
        .column(email_outbox::Column::Id)
        .filter(email_outbox::Column::WorkspaceId.eq(workspace_id))
        .filter(email_outbox::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}
