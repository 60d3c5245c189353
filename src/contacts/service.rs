//! Finding, listing, adding, changing and deleting contacts.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::accounts::service::{account_activity, note_change};
use crate::activity::service::{self as activity, Change, Subject};
use crate::entities::contact;
use crate::entities::enums::ContactRole;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{Page, paged};
use crate::values::{EmailAddress, Name};

/// A contact to add to an account.
#[derive(Debug, Clone)]
pub struct NewContact {
    pub account_id: Uuid,
    pub email: EmailAddress,
    pub name: Option<Name>,
    pub role: ContactRole,
}

/// Changes to a contact; `None` keeps a field, `Some(None)` clears the name.
#[derive(Debug, Clone, Default)]
pub struct ContactChanges {
    pub email: Option<EmailAddress>,
    pub name: Option<Option<Name>>,
    pub role: Option<ContactRole>,
}

pub async fn find(
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

pub async fn find_by_email(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    email: &EmailAddress,
) -> AppResult<Option<contact::Model>> {
    Ok(contact::Entity::find()
        .filter(contact::Column::WorkspaceId.eq(workspace_id))
        .filter(contact::Column::Email.eq(email.as_str()))
        .one(db)
        .await?)
}

/// The workspace's contacts, or one account's, in the order they were added.
pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    account_id: Option<Uuid>,
    page: Page,
) -> AppResult<Vec<contact::Model>> {
    let mut select = contact::Entity::find().filter(contact::Column::WorkspaceId.eq(workspace_id));
    if let Some(account_id) = account_id {
        select = select.filter(contact::Column::AccountId.eq(account_id));
    }
    Ok(paged(select, contact::Column::Id, page).all(db).await?)
}

/// Adds a contact and records `contact.created`. Writes two rows: call it in a transaction.
pub async fn create(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    new: NewContact,
    now: DateTime<Utc>,
) -> AppResult<contact::Model> {
    crate::accounts::service::find(db, workspace_id, new.account_id).await?;
    check_email_free(db, workspace_id, &new.email).await?;

    let contact = contact::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        account_id: Set(new.account_id),
        email: Set(new.email.into_inner()),
        name: Set(new.name.map(Name::into_inner)),
        role: Set(new.role),
        unsubscribed_at: Set(None),
        bounced_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;

    let details = json!({ "email": contact.email, "role": role_label(contact.role) });
    activity::record(
        db,
        contact_change(&contact, actor_id, "contact.created", details),
        now,
    )
    .await?;
    tracing::info!(contact.id = %contact.id, account.id = %contact.account_id, "contact created");
    Ok(contact)
}

/// Changes a contact and records `contact.updated` with `{field: {from, to}}`. Call it in a
/// transaction.
pub async fn update(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    changes: ContactChanges,
    now: DateTime<Utc>,
) -> AppResult<contact::Model> {
    let current = find(db, workspace_id, id).await?;
    if let Some(email) = &changes.email
        && email.as_str() != current.email
    {
        check_email_free(db, workspace_id, email).await?;
    }

    let mut diff = serde_json::Map::new();
    let mut active: contact::ActiveModel = current.clone().into();
    if let Some(email) = changes.email.map(EmailAddress::into_inner) {
        note_change(&mut diff, "email", &current.email, &email);
        active.email = Set(email);
    }
    if let Some(name) = changes.name.map(|n| n.map(Name::into_inner)) {
        note_change(&mut diff, "name", &current.name, &name);
        active.name = Set(name);
    }
    if let Some(role) = changes.role {
        note_change(
            &mut diff,
            "role",
            &role_label(current.role),
            &role_label(role),
        );
        active.role = Set(role);
    }
    if diff.is_empty() {
        return Ok(current);
    }
    active.updated_at = Set(now);
    let contact = active.update(db).await?;

    activity::record(
        db,
        contact_change(&contact, actor_id, "contact.updated", Value::Object(diff)),
        now,
    )
    .await?;
    tracing::info!(contact.id = %id, "contact updated");
    Ok(contact)
}

/// Deletes a contact with their responses, and records `contact.deleted` on the account.
/// Call it in a transaction.
pub async fn delete(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let contact = find(db, workspace_id, id).await?;
    contact::Entity::delete_by_id(contact.id).exec(db).await?;

    let details = json!({ "email": contact.email });
    activity::record(
        db,
        contact_change(&contact, actor_id, "contact.deleted", details),
        now,
    )
    .await?;
    tracing::info!(contact.id = %id, account.id = %contact.account_id, "contact deleted");
    Ok(())
}

fn contact_change(
    contact: &contact::Model,
    actor_id: Option<Uuid>,
    action: &'static str,
    details: Value,
) -> Change {
    let subject = Subject::Contact(contact.id);
    account_activity(
        contact.workspace_id,
        contact.account_id,
        subject,
        actor_id,
        action,
        details,
    )
}

/// The role as the API spells it, for activity details.
fn role_label(role: ContactRole) -> &'static str {
    match role {
        ContactRole::Admin => "ADMIN",
        ContactRole::Champion => "CHAMPION",
        ContactRole::User => "USER",
    }
}

async fn check_email_free(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    email: &EmailAddress,
) -> AppResult<()> {
    if find_by_email(db, workspace_id, email).await?.is_some() {
        return Err(AppError::Conflict(
            "a contact with this email already exists".into(),
        ));
    }
    Ok(())
}
