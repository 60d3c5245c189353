//! Digests, not floods: everything one run has to tell one person goes out as one email,
//! queued under `escalation:<slot>:<member id>` so that no second run can repeat it.
//!
//! Each batch of a run leaves notices (see `escalation_notices`); after its batches the run
//! turns every notice it may into digests: its own, and those of runs of other slots that
//! stopped before sending theirs. A digest is queued and its notices deleted in one
//! transaction. A person who plays more than one part in a run (an assignee who is also a
//! manager) gets the digest of their highest part, listing every task up to [`LISTED`] and
//! saying how many there are in all.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db;
use crate::email::outbox::{self, EnqueueOutcome, OutgoingEmail, Recipient};
use crate::email::templates::TemplateKey;
use crate::entities::enums::TaskStatus;
use crate::entities::{account, escalation_notice, task, team_member};
use crate::error::AppResult;

/// At most this many tasks are listed in one digest; the rest are escalated all the same.
pub(super) const LISTED: usize = 100;
const OPEN: [TaskStatus; 3] = [
    TaskStatus::Open,
    TaskStatus::InProgress,
    TaskStatus::Blocked,
];

/// Queues every digest owed in the workspace except those of runs still going (`live`
/// slots); returns how many were queued.
pub async fn send_owed(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    live: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let mut queued = 0;
    while let Some(next) = next_owed(db, workspace_id, live).await? {
        let txn = db::begin_write(db).await?;
        if send_one(&txn, workspace_id, next.slot, next.recipient_id, now).await? {
            queued += 1;
        }
        txn.commit().await?;
    }
    Ok(queued)
}

/// The idempotency key of one person's digest for one run.
pub fn key(slot: DateTime<Utc>, member_id: Uuid) -> String {
    format!(
        "escalation:{}:{member_id}",
        slot.to_rfc3339_opts(SecondsFormat::Micros, true)
    )
}

async fn next_owed(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    live: &[DateTime<Utc>],
) -> AppResult<Option<escalation_notice::Model>> {
    Ok(escalation_notice::Entity::find()
        .filter(escalation_notice::Column::WorkspaceId.eq(workspace_id))
        .filter(escalation_notice::Column::Slot.is_not_in(live.iter().copied()))
        .order_by_asc(escalation_notice::Column::Slot)
        .order_by_asc(escalation_notice::Column::RecipientId)
        .one(db)
        .await?)
}

/// Queues one person's digest for one slot and deletes its notices; `false` when nothing
/// was queued (the digest existed already, or the person is gone).
async fn send_one(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    slot: DateTime<Utc>,
    recipient_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let owed = escalation_notice::Entity::find()
        .filter(escalation_notice::Column::WorkspaceId.eq(workspace_id))
        .filter(escalation_notice::Column::Slot.eq(slot))
        .filter(escalation_notice::Column::RecipientId.eq(recipient_id))
        .order_by_asc(escalation_notice::Column::Id)
        .limit(u64::try_from(LISTED * 3).unwrap_or(300))
        .all(db)
        .await?;
    let total = tasks_owed(db, workspace_id, slot, recipient_id).await?;
    escalation_notice::Entity::delete_many()
        .filter(escalation_notice::Column::WorkspaceId.eq(workspace_id))
        .filter(escalation_notice::Column::Slot.eq(slot))
        .filter(escalation_notice::Column::RecipientId.eq(recipient_id))
        .exec(db)
        .await?;
    let member = team_member::Entity::find_by_id(recipient_id)
        .filter(team_member::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?;
    if member.is_none() {
        tracing::warn!(workspace.id = %workspace_id, member.id = %recipient_id, "escalation digest dropped: the team member is gone");
        return Ok(false);
    }

    let template = template_for(&owed);
    let mut context = json!({
        "tasks": task_lines(db, workspace_id, &owed, now).await?,
        "total": total,
    });
    if template == TemplateKey::EscalationManager {
        context["team"] = team_overdue(db, workspace_id, recipient_id, now).await?;
    }
    let email = OutgoingEmail {
        workspace_id,
        idempotency_key: key(slot, recipient_id),
        template,
        recipient: Recipient::Member(recipient_id),
        sender_member_id: None,
        account_id: None,
        context,
        hold_for_review: false,
    };
    let outcome = outbox::enqueue(db, email, now).await?;
    Ok(matches!(outcome, EnqueueOutcome::Queued(_)))
}

/// How many tasks one person's digest of one slot is about: those noted one by one, and
/// those past what it lists.
async fn tasks_owed(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    slot: DateTime<Utc>,
    recipient_id: Uuid,
) -> AppResult<i64> {
    let counted: Option<(i64, Option<i64>)> = escalation_notice::Entity::find()
        .select_only()
        .column_as(
            Expr::expr(Func::count_distinct(Expr::col(
                escalation_notice::Column::TaskId,
            ))),
            "tasks",
        )
        .column_as(
            Expr::expr(Func::sum(Expr::col(escalation_notice::Column::MoreTasks))),
            "more",
        )
        .filter(escalation_notice::Column::WorkspaceId.eq(workspace_id))
        .filter(escalation_notice::Column::Slot.eq(slot))
        .filter(escalation_notice::Column::RecipientId.eq(recipient_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(counted.map_or(0, |(tasks, more)| tasks + more.unwrap_or(0)))
}

fn template_for(owed: &[escalation_notice::Model]) -> TemplateKey {
    let has = |role: &str| owed.iter().any(|n| n.role == role);
    if has("head_of_cs") {
        TemplateKey::EscalationHeadOfCs
    } else if has("manager") {
        TemplateKey::EscalationManager
    } else {
        TemplateKey::EscalationAssignee
    }
}

/// The tasks of a digest as templates see them, each once, at the highest level reached.
async fn task_lines(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    owed: &[escalation_notice::Model],
    now: DateTime<Utc>,
) -> AppResult<Value> {
    let mut ids: Vec<Uuid> = owed.iter().map(|n| n.task_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.truncate(LISTED);
    let tasks = task::Entity::find()
        .filter(task::Column::WorkspaceId.eq(workspace_id))
        .filter(task::Column::Id.is_in(ids))
        .order_by_asc(task::Column::DueAt)
        .all(db)
        .await?;
    let accounts = names_of_accounts(db, workspace_id, &tasks).await?;
    let people =
        names_of_members(db, workspace_id, tasks.iter().filter_map(|t| t.assignee_id)).await?;
    let lines = tasks
        .iter()
        .map(|task| {
            let due = task.due_at.unwrap_or(now);
            json!({
                "title": task.title,
                "account": accounts.get(&task.account_id),
                "assignee": task.assignee_id.and_then(|id| people.get(&id)),
                "due_at": due.format("%Y-%m-%d").to_string(),
                "days_overdue": (now - due).num_days().max(0),
                "level": task.escalation_level,
            })
        })
        .collect();
    Ok(Value::Array(lines))
}

/// Each member reporting to `manager_id`, with their count of overdue open tasks.
async fn team_overdue(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    manager_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Value> {
    let team = team_member::Entity::find()
        .filter(team_member::Column::WorkspaceId.eq(workspace_id))
        .filter(team_member::Column::ManagerId.eq(manager_id))
        .order_by_asc(team_member::Column::Name)
        .all(db)
        .await?;
    let counts: HashMap<Uuid, i64> = task::Entity::find()
        .select_only()
        .column(task::Column::AssigneeId)
        .column_as(task::Column::Id.count(), "overdue")
        .filter(task::Column::WorkspaceId.eq(workspace_id))
        .filter(task::Column::Status.is_in(OPEN))
        .filter(task::Column::DueAt.lt(now))
        .filter(task::Column::AssigneeId.is_in(team.iter().map(|m| m.id)))
        .group_by(task::Column::AssigneeId)
        .into_tuple::<(Uuid, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(team
        .iter()
        .map(|m| json!({ "name": m.name, "overdue": counts.get(&m.id).copied().unwrap_or(0) }))
        .collect())
}

async fn names_of_accounts(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    tasks: &[task::Model],
) -> AppResult<HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = tasks.iter().map(|t| t.account_id).collect();
    let accounts = account::Entity::find()
        .filter(account::Column::WorkspaceId.eq(workspace_id))
        .filter(account::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(accounts.into_iter().map(|a| (a.id, a.name)).collect())
}

async fn names_of_members(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    ids: impl Iterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, String>> {
    let members = team_member::Entity::find()
        .filter(team_member::Column::WorkspaceId.eq(workspace_id))
        .filter(team_member::Column::Id.is_in(ids.collect::<Vec<_>>()))
        .all(db)
        .await?;
    Ok(members.into_iter().map(|m| (m.id, m.name)).collect())
}
