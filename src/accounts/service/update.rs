//! Changing an account, and handing its open work to a new owner.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::create::{account_change, check_external_id_free, check_owner};
use super::{MrrCents, find};
use crate::activity::service as activity;
use crate::entities::account;
use crate::error::AppResult;
use crate::tasks::service::reassign_owner_rule_tasks;
use crate::values::Name;

/// Changes to an account; `None` keeps a field, `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct AccountChanges {
    pub name: Option<Name>,
    pub external_id: Option<Option<Name>>,
    pub owner_id: Option<Option<Uuid>>,
    pub mrr_cents: Option<Option<MrrCents>>,
    pub segment: Option<Option<Name>>,
}

/// Applies the changes and records `account.updated` with `{field: {from, to}}` for what
/// changed. A new owner is recorded as `account.owner_changed`, and the account's open
/// tasks assigned by the owner rules move to them in the same transaction, so the work
/// never sits with someone who no longer owns the account. Call it in a transaction.
pub async fn update(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    changes: AccountChanges,
    now: DateTime<Utc>,
) -> AppResult<account::Model> {
    let current = find(db, workspace_id, id).await?;
    if let Some(Some(owner_id)) = changes.owner_id {
        check_owner(db, workspace_id, owner_id).await?;
    }
    if let Some(Some(external_id)) = &changes.external_id
        && current.external_id.as_deref() != Some(external_id.as_str())
    {
        check_external_id_free(db, workspace_id, external_id).await?;
    }

    let owner_changed = changes
        .owner_id
        .is_some_and(|owner| owner != current.owner_id);
    let (mut active, diff) = apply(current.clone(), changes);
    if diff.is_empty() && !owner_changed {
        return Ok(current);
    }
    active.updated_at = Set(now);
    let account = active.update(db).await?;

    if !diff.is_empty() {
        let change = account_change(&account, actor_id, "account.updated", Value::Object(diff));
        activity::record(db, change, now).await?;
    }
    if owner_changed {
        record_owner_change(db, &account, current.owner_id, actor_id, now).await?;
        reassign_owner_rule_tasks(
            db,
            workspace_id,
            id,
            current.owner_id,
            account.owner_id,
            actor_id,
            now,
        )
        .await?;
    }
    tracing::info!(account.id = %id, workspace.id = %workspace_id, "account updated");
    Ok(account)
}

/// Sets what changes and describes it; the owner is left out of the description, as it has
/// its own activity.
fn apply(
    current: account::Model,
    changes: AccountChanges,
) -> (account::ActiveModel, Map<String, Value>) {
    let mut diff = Map::new();
    let mut active: account::ActiveModel = current.clone().into();
    if let Some(name) = changes.name.map(Name::into_inner) {
        note_change(&mut diff, "name", &current.name, &name);
        active.name = Set(name);
    }
    if let Some(external_id) = changes.external_id.map(|e| e.map(Name::into_inner)) {
        note_change(&mut diff, "externalId", &current.external_id, &external_id);
        active.external_id = Set(external_id);
    }
    if let Some(mrr_cents) = changes.mrr_cents.map(|m| m.map(MrrCents::cents)) {
        note_change(&mut diff, "mrrCents", &current.mrr_cents, &mrr_cents);
        active.mrr_cents = Set(mrr_cents);
    }
    if let Some(segment) = changes.segment.map(|s| s.map(Name::into_inner)) {
        note_change(&mut diff, "segment", &current.segment, &segment);
        active.segment = Set(segment);
    }
    if let Some(owner_id) = changes.owner_id {
        active.owner_id = Set(owner_id);
    }
    (active, diff)
}

/// Adds `field: {from, to}` to an activity's details when the value changes.
pub fn note_change<T: Serialize + PartialEq>(
    diff: &mut Map<String, Value>,
    field: &str,
    from: &T,
    to: &T,
) {
    if from != to {
        diff.insert(field.to_owned(), json!({ "from": from, "to": to }));
    }
}

async fn record_owner_change(
    db: &impl ConnectionTrait,
    account: &account::Model,
    from: Option<Uuid>,
    actor_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let details = json!({ "from": from, "to": account.owner_id });
    activity::record(
        db,
        account_change(account, actor_id, "account.owner_changed", details),
        now,
    )
    .await?;
    tracing::info!(account.id = %account.id, "account owner changed");
    Ok(())
}
