//! Adding and deleting accounts.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{MrrCents, find, find_by_external_id};
use crate::activity::service::{self as activity, Change, Subject};
use crate::entities::account;
use crate::error::{AppError, AppResult};
use crate::values::Name;

/// An account to add.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub name: Name,
    pub external_id: Option<Name>,
    pub owner_id: Option<Uuid>,
    pub mrr_cents: Option<MrrCents>,
    pub segment: Option<Name>,
}

/// Adds an account and records `account.created`. Writes two rows: call it in a transaction.
pub async fn create(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    new: NewAccount,
    now: DateTime<Utc>,
) -> AppResult<account::Model> {
    if let Some(owner_id) = new.owner_id {
        check_owner(db, workspace_id, owner_id).await?;
    }
    if let Some(external_id) = &new.external_id {
        check_external_id_free(db, workspace_id, external_id).await?;
    }

    let account = account::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        name: Set(new.name.into_inner()),
        external_id: Set(new.external_id.map(Name::into_inner)),
        owner_id: Set(new.owner_id),
        mrr_cents: Set(new.mrr_cents.map(MrrCents::cents)),
        segment: Set(new.segment.map(Name::into_inner)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;

    let details = json!({ "name": account.name, "ownerId": account.owner_id });
    activity::record(
        db,
        account_change(&account, actor_id, "account.created", details),
        now,
    )
    .await?;
    tracing::info!(account.id = %account.id, workspace.id = %workspace_id, "account created");
    Ok(account)
}

/// Deletes an account with its contacts, responses, projects, tasks and notes, and records
/// `account.deleted` (the activity log outlives what it describes). Call it in a transaction.
pub async fn delete(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let account = find(db, workspace_id, id).await?;
    account::Entity::delete_by_id(account.id).exec(db).await?;

    let details = json!({ "name": account.name });
    activity::record(
        db,
        account_change(&account, actor_id, "account.deleted", details),
        now,
    )
    .await?;
    tracing::info!(account.id = %id, workspace.id = %workspace_id, "account deleted");
    Ok(())
}

/// An activity record about the account itself.
pub(super) fn account_change(
    account: &account::Model,
    actor_id: Option<Uuid>,
    action: &'static str,
    details: Value,
) -> Change {
    let subject = Subject::Account(account.id);
    account_activity(
        account.workspace_id,
        account.id,
        subject,
        actor_id,
        action,
        details,
    )
}

/// An activity on an account's timeline, about the account itself or something on it (a
/// contact, a note); set `project_id` by struct update when it concerns a project.
pub fn account_activity(
    workspace_id: Uuid,
    account_id: Uuid,
    subject: Subject,
    actor_id: Option<Uuid>,
    action: &'static str,
    details: Value,
) -> Change {
    Change {
        workspace_id,
        actor_id,
        subject,
        action,
        account_id: Some(account_id),
        project_id: None,
        task_id: None,
        details,
    }
}

/// An owner must be an active member of the workspace who may change data: the tasks of
/// the account's projects go to them.
pub(super) async fn check_owner(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    owner_id: Uuid,
) -> AppResult<()> {
    let owner = crate::members::service::find(db, workspace_id, owner_id).await?;
    if !owner.active || owner.role == crate::entities::enums::MemberRole::Viewer {
        return Err(AppError::bad_input(
            "ownerId",
            "the owner must be an active team member who is not a viewer",
        ));
    }
    Ok(())
}

pub(super) async fn check_external_id_free(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    external_id: &Name,
) -> AppResult<()> {
    if find_by_external_id(db, workspace_id, external_id.as_str())
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(
            "an account with this external id already exists".into(),
        ));
    }
    Ok(())
}
