//! Snoozing a playbook for one account: while snoozed it does not fire there (the run is
//! recorded as snoozed), and it wakes by itself when the time passes.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::service::find;
use crate::accounts::service::{self as accounts, account_activity};
use crate::activity::service::{self as activity, Subject};
use crate::entities::playbook_snooze;
use crate::error::{AppError, AppResult};

/// Snoozes the playbook for the account until `until`, replacing an earlier snooze.
pub async fn snooze(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    playbook_id: Uuid,
    account_id: Uuid,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<playbook_snooze::Model> {
    let playbook = find(db, workspace_id, playbook_id).await?;
    accounts::find(db, workspace_id, account_id).await?;
    if until <= now {
        return Err(AppError::bad_input(
            "until",
            "`until` must be in the future",
        ));
    }

    let snooze = match current(db, workspace_id, playbook_id, account_id).await? {
        Some(existing) => {
            let mut row: playbook_snooze::ActiveModel = existing.into();
            row.until = Set(until);
            row.created_by = Set(actor_id);
            row.updated_at = Set(now);
            row.update(db).await?
        }
        None => {
            new_snooze(workspace_id, actor_id, playbook_id, account_id, until, now)
                .insert(db)
                .await?
        }
    };
    let details = json!({ "playbookId": playbook.id, "playbook": playbook.name, "until": until });
    let change = account_activity(
        workspace_id,
        account_id,
        Subject::Playbook(playbook_id),
        actor_id,
        "playbook.snoozed",
        details,
    );
    activity::record(db, change, now).await?;
    tracing::info!(playbook.id = %playbook_id, account.id = %account_id, "playbook snoozed");
    Ok(snooze)
}

/// Wakes the playbook for the account; true when it was snoozed.
pub async fn unsnooze(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    playbook_id: Uuid,
    account_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let playbook = find(db, workspace_id, playbook_id).await?;
    accounts::find(db, workspace_id, account_id).await?;
    let Some(existing) = current(db, workspace_id, playbook_id, account_id).await? else {
        return Ok(false);
    };

    playbook_snooze::Entity::delete_by_id(existing.id)
        .exec(db)
        .await?;
    let details = json!({ "playbookId": playbook.id, "playbook": playbook.name });
    let change = account_activity(
        workspace_id,
        account_id,
        Subject::Playbook(playbook_id),
        actor_id,
        "playbook.unsnoozed",
        details,
    );
    activity::record(db, change, now).await?;
    tracing::info!(playbook.id = %playbook_id, account.id = %account_id, "playbook unsnoozed");
    Ok(true)
}

/// The playbook's snoozes still running at `now`, soonest to end first.
pub async fn list_active(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    playbook_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Vec<playbook_snooze::Model>> {
    find(db, workspace_id, playbook_id).await?;
    Ok(playbook_snooze::Entity::find()
        .filter(playbook_snooze::Column::WorkspaceId.eq(workspace_id))
        .filter(playbook_snooze::Column::PlaybookId.eq(playbook_id))
        .filter(playbook_snooze::Column::Until.gt(now))
        .order_by_asc(playbook_snooze::Column::Until)
        .all(db)
        .await?)
}

async fn current(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    playbook_id: Uuid,
    account_id: Uuid,
) -> AppResult<Option<playbook_snooze::Model>> {
    Ok(playbook_snooze::Entity::find()
        .filter(playbook_snooze::Column::WorkspaceId.eq(workspace_id))
        .filter(playbook_snooze::Column::PlaybookId.eq(playbook_id))
        .filter(playbook_snooze::Column::AccountId.eq(account_id))
        .one(db)
        .await?)
}

fn new_snooze(
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    playbook_id: Uuid,
    account_id: Uuid,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> playbook_snooze::ActiveModel {
    playbook_snooze::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        playbook_id: Set(playbook_id),
        account_id: Set(account_id),
        until: Set(until),
        created_by: Set(actor_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
}
