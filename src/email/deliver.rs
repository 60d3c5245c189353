//! Sending one claimed email: check at send time that the contact may still be emailed,
//! fix its Message-ID before the first byte leaves, send, and record what happened.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::message::{self, Sender};
use super::record::{self, Outcome};
use super::transport::Transport;
use super::worker::DeliverySettings;
use crate::clock::SharedClock;
use crate::entities::{contact, email_outbox, workspace};
use crate::error::AppResult;

/// The workspaces and contacts of a claimed batch, loaded in two queries.
pub struct Batch {
    workspaces: HashMap<Uuid, workspace::Model>,
    contacts: HashMap<Uuid, contact::Model>,
}

impl Batch {
    pub async fn load(db: &DatabaseConnection, rows: &[email_outbox::Model]) -> AppResult<Batch> {
        let workspace_ids: Vec<Uuid> = rows.iter().map(|row| row.workspace_id).collect();
        let contact_ids: Vec<Uuid> = rows.iter().filter_map(|row| row.contact_id).collect();
        let workspaces = workspace::Entity::find()
            .filter(workspace::Column::Id.is_in(workspace_ids))
            .all(db)
            .await?;
        let contacts = contact::Entity::find()
            .filter(contact::Column::Id.is_in(contact_ids))
            .all(db)
            .await?;
        Ok(Batch {
            workspaces: workspaces.into_iter().map(|w| (w.id, w)).collect(),
            contacts: contacts.into_iter().map(|c| (c.id, c)).collect(),
        })
    }

    /// Why customer email must not go to its contact now, if it must not. Internal email to
    /// team members always goes.
    fn stop_reason(&self, row: &email_outbox::Model) -> Option<&'static str> {
        let contact_id = row.contact_id?;
        match self.contacts.get(&contact_id) {
            None => Some("contact deleted"),
            Some(contact) if contact.unsubscribed_at.is_some() => Some("unsubscribed"),
            Some(contact) if contact.bounced_at.is_some() => Some("unsubscribed (address bounced)"),
            Some(_) => None,
        }
    }
}

/// Delivers one claimed email. A database error after the send leaves the row `sending`:
/// it goes again, with the same Message-ID, when its lease ends.
pub async fn deliver(
    db: &DatabaseConnection,
    transport: &Transport,
    clock: &SharedClock,
    settings: &DeliverySettings,
    batch: &Batch,
    row: email_outbox::Model,
) -> Outcome {
    match try_deliver(db, transport, clock, settings, batch, &row).await {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::error!(outbox.id = %row.id, error = ?error, "recording an email's delivery failed; it is retried when its lease ends");
            Outcome::Retried
        }
    }
}

async fn try_deliver(
    db: &DatabaseConnection,
    transport: &Transport,
    clock: &SharedClock,
    settings: &DeliverySettings,
    batch: &Batch,
    row: &email_outbox::Model,
) -> AppResult<Outcome> {
    let Some(workspace) = batch.workspaces.get(&row.workspace_id) else {
        return record::discard(db, row, "workspace deleted", clock.now()).await;
    };
    if let Some(reason) = batch.stop_reason(row) {
        return record::discard(db, row, reason, clock.now()).await;
    }
    let sender = Sender {
        workspace,
        mail_from: &settings.mail_from,
        links: &settings.links,
    };
    let message_id = match &row.message_id {
        Some(id) => id.clone(),
        None => {
            let id = sender.message_id(row);
            record::assign_message_id(db, row, &id).await?;
            id
        }
    };

    let sent = match message::build(row, &message_id, &sender) {
        Ok(message) => transport.send(&message).await,
        Err(error) => Err(error),
    };
    let now = clock.now();
    match sent {
        Ok(()) => {
            record::sent(
                db,
                row,
                &settings.links.fill(&row.body_text, row.contact_id),
                now,
            )
            .await
        }
        Err(error) => record::failure(db, row, &error, settings.max_attempts, now).await,
    }
}
