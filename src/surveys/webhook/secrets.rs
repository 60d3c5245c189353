//! Creating, rotating and finding webhook secrets. Values are random, shown once when made,
//! and never logged.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use crate::activity::service::{self as activity, Change, Subject};
use crate::entities::webhook_secret;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{Page, paged};
use crate::values::Name;

/// How long a rotated-out secret keeps verifying.
pub const ROTATION_GRACE: Duration = Duration::hours(24);

/// A secret as just made: the only time its value is available.
#[derive(Debug, Clone)]
pub struct Issued {
    pub record: webhook_secret::Model,
    pub secret: String,
}

/// Makes a new secret for the workspace, recording `webhook_secret.created`. Call it in a
/// transaction.
pub async fn create(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    name: Name,
    now: DateTime<Utc>,
) -> AppResult<Issued> {
    let secret = random("whsec_", 32);
    let record = webhook_secret::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        name: Set(name.into_inner()),
        key_id: Set(random("whk_", 8)),
        secret: Set(secret.clone()),
        previous_secret: Set(None),
        previous_valid_until: Set(None),
        rotated_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    note(db, &record, actor_id, "webhook_secret.created", now).await?;
    tracing::info!(webhook_secret.id = %record.id, webhook_secret.key_id = %record.key_id, "webhook secret created");
    Ok(Issued { record, secret })
}

/// Replaces a secret's value; the old value keeps verifying for [`ROTATION_GRACE`]. A second
/// rotation within the grace period ends the first one's old value at once.
pub async fn rotate(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Issued> {
    let current = find(db, workspace_id, id).await?;
    let secret = random("whsec_", 32);
    let mut active: webhook_secret::ActiveModel = current.clone().into();
    active.previous_secret = Set(Some(current.secret));
    active.previous_valid_until = Set(Some(now + ROTATION_GRACE));
    active.secret = Set(secret.clone());
    active.rotated_at = Set(Some(now));
    let record = active.update(db).await?;
    note(db, &record, actor_id, "webhook_secret.rotated", now).await?;
    tracing::info!(webhook_secret.id = %id, "webhook secret rotated");
    Ok(Issued { record, secret })
}

pub async fn find(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<webhook_secret::Model> {
    webhook_secret::Entity::find_by_id(id)
        .filter(webhook_secret::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("webhook secret"))
}

/// The secret a request names by its public key id, in whichever workspace it is.
pub async fn find_by_key_id(
    db: &impl ConnectionTrait,
    key_id: &str,
) -> AppResult<Option<webhook_secret::Model>> {
    Ok(webhook_secret::Entity::find()
        .filter(webhook_secret::Column::KeyId.eq(key_id))
        .one(db)
        .await?)
}

pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    page: Page,
) -> AppResult<Vec<webhook_secret::Model>> {
    let select =
        webhook_secret::Entity::find().filter(webhook_secret::Column::WorkspaceId.eq(workspace_id));
    Ok(paged(select, webhook_secret::Column::Id, page)
        .all(db)
        .await?)
}

/// The values a request signed with may use at `now`: the current one, and the previous
/// one during its grace period.
pub fn valid_values(record: &webhook_secret::Model, now: DateTime<Utc>) -> Vec<&str> {
    let mut values = vec![record.secret.as_str()];
    if let (Some(previous), Some(until)) = (&record.previous_secret, record.previous_valid_until)
        && now < until
    {
        values.push(previous.as_str());
    }
    values
}

fn random(prefix: &str, bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    format!("{prefix}{}", hex::encode(buffer))
}

async fn note(
    db: &impl ConnectionTrait,
    record: &webhook_secret::Model,
    actor_id: Option<Uuid>,
    action: &'static str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let change = Change {
        workspace_id: record.workspace_id,
        actor_id,
        subject: Subject::Workspace(record.workspace_id),
        action,
        account_id: None,
        project_id: None,
        task_id: None,
        details: json!({ "webhookSecretId": record.id, "keyId": record.key_id, "name": record.name }),
    };
    activity::record(db, change, now).await?;
    Ok(())
}
