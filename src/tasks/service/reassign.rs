//! Handing an account's rule-assigned open tasks to its new owner.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::{OPEN_STATUSES, RuleAssignees, record};
use crate::entities::enums::AssigneeRule;
use crate::entities::task;
use crate::error::AppResult;

/// Moves the account's open tasks that follow its owner — ACCOUNT_OWNER ones to
/// `new_owner`, OWNER_MANAGER ones to the new owner's manager (or the new owner) — and
/// records `task.assigned` for each task that moved. Tasks assigned by hand stay put.
/// Call it in the transaction that changes the account's owner; returns how many moved.
pub async fn reassign_owner_rule_tasks(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    account_id: Uuid,
    old_owner: Option<Uuid>,
    new_owner: Option<Uuid>,
    actor_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let assignees = RuleAssignees::for_owner(db, workspace_id, new_owner).await?;
    let tasks = task::Entity::find()
        .filter(task::Column::WorkspaceId.eq(workspace_id))
        .filter(task::Column::AccountId.eq(account_id))
        .filter(task::Column::Status.is_in(OPEN_STATUSES))
        .filter(
            task::Column::AssigneeRule
                .is_in([AssigneeRule::AccountOwner, AssigneeRule::OwnerManager]),
        )
        .all(db)
        .await?;

    let mut moved = 0;
    for task in tasks {
        let Some(rule) = task.assignee_rule else {
            continue;
        };
        let to = assignees.for_rule(rule, None);
        if to == task.assignee_id {
            continue;
        }
        let from = task.assignee_id;
        let mut active: task::ActiveModel = task.into();
        active.assignee_id = Set(to);
        active.updated_at = Set(now);
        let task = active.update(db).await?;

        let details = json!({
            "from": from,
            "to": to,
            "reason": "account_owner_changed",
            "previousOwnerId": old_owner,
        });
        record(db, &task, actor_id, "task.assigned", details, now).await?;
        moved += 1;
    }
    tracing::info!(account.id = %account_id, tasks.moved = moved, "owner-rule tasks reassigned");
    Ok(moved)
}
