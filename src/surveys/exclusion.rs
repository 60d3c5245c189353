//! Leaving a response out of the NPS figures (a test answer, spam, a duplicate from
//! another tool) and taking it back in. The response itself is kept either way.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::service::find;
use crate::accounts::service::account_activity;
use crate::activity::service::{self as activity, Subject};
use crate::entities::nps_response;
use crate::error::AppResult;
use crate::values::Text;

/// Excludes a response with the reason, recording `nps_response.excluded`. Excluding an
/// excluded response again replaces the reason. Call it in a transaction.
pub async fn exclude(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    reason: Text,
    now: DateTime<Utc>,
) -> AppResult<nps_response::Model> {
    let current = find(db, workspace_id, id).await?;
    let reason = reason.into_inner();
    let mut active: nps_response::ActiveModel = current.into();
    active.excluded_at = Set(Some(now));
    active.exclusion_reason = Set(Some(reason.clone()));
    let response = active.update(db).await?;

    let details = json!({ "reason": reason });
    record(
        db,
        &response,
        actor_id,
        "nps_response.excluded",
        details,
        now,
    )
    .await?;
    tracing::info!(response.id = %id, "NPS response excluded");
    Ok(response)
}

/// Takes an excluded response back into the figures, recording `nps_response.included`;
/// a response that was not excluded is returned unchanged. Call it in a transaction.
pub async fn include(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<nps_response::Model> {
    let current = find(db, workspace_id, id).await?;
    if current.excluded_at.is_none() {
        return Ok(current);
    }
    let mut active: nps_response::ActiveModel = current.into();
    active.excluded_at = Set(None);
    active.exclusion_reason = Set(None);
    let response = active.update(db).await?;

    record(
        db,
        &response,
        actor_id,
        "nps_response.included",
        json!({}),
        now,
    )
    .await?;
    tracing::info!(response.id = %id, "NPS response included again");
    Ok(response)
}

async fn record(
    db: &impl ConnectionTrait,
    response: &nps_response::Model,
    actor_id: Option<Uuid>,
    action: &'static str,
    details: serde_json::Value,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let change = account_activity(
        response.workspace_id,
        response.account_id,
        Subject::Response(response.id),
        actor_id,
        action,
        details,
    );
    activity::record(db, change, now).await?;
    Ok(())
}
