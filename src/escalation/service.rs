//! Reading and changing a workspace's escalation policy.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde_json::json;
use uuid::Uuid;

use super::policy::Policy;
use crate::activity::service::{self as activity, Change, Subject};
use crate::db;
use crate::entities::workspace;
use crate::error::AppResult;

pub async fn policy(db: &impl sea_orm::ConnectionTrait, workspace_id: Uuid) -> AppResult<Policy> {
    let workspace = crate::workspaces::service::find(db, workspace_id).await?;
    Policy::from_stored(&workspace.escalation_policy)
}

/// Replaces the policy (validated by [`Policy::new`]) and records who did it.
pub async fn update_policy(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    actor_id: Uuid,
    policy: Policy,
    now: DateTime<Utc>,
) -> AppResult<Policy> {
    let txn = db::begin_write(db).await?;
    let current = crate::workspaces::service::find(&txn, workspace_id).await?;
    let mut active: workspace::ActiveModel = current.into();
    active.escalation_policy = Set(policy.to_stored());
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let change = Change {
        workspace_id,
        actor_id: Some(actor_id),
        subject: Subject::Workspace(workspace_id),
        action: "workspace.escalation_policy_updated",
        account_id: None,
        project_id: None,
        task_id: None,
        details: json!({ "policy": policy.to_stored() }),
    };
    activity::record(&txn, change, now).await?;
    txn.commit().await?;
    tracing::info!(workspace.id = %workspace_id, "escalation policy updated");
    Ok(policy)
}
