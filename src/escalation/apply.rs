//! One batch of one level, in the caller's transaction: the next tasks due for the level
//! (see [`scan`](super::scan)), moved up with one conditional
//! `UPDATE … WHERE id IN (…) AND escalation_level = below RETURNING …`, then the batch's
//! activity records and notices.
//!
//! The update only touches tasks still at the level below, so a task reaches each level
//! once however many runs race for it. On PostgreSQL the scan locks the rows it reads with
//! `SKIP LOCKED`, so concurrent runs share the work instead of queueing behind each other;
//! on SQLite the write transaction serialises them. The ids are selected in a statement of
//! their own: inside the UPDATE, PostgreSQL may run a `LIMIT … SKIP LOCKED` subquery once
//! per row, skipping the rows the statement has just changed, and so take every row.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query, SimpleExpr};
use sea_orm::{
    ActiveEnum, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult,
    QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::policy::{Action, Level, Policy};
use super::scan::{self, Cursor};
use crate::entities::enums::TaskPriority;
use crate::entities::{activity, escalation_notice, task, team_member};
use crate::error::AppResult;

const PRIORITY_ORDER: [TaskPriority; 4] = [
    TaskPriority::Low,
    TaskPriority::Normal,
    TaskPriority::High,
    TaskPriority::Urgent,
];
/// Rows per INSERT: far below either engine's limit on bound values.
const INSERT_CHUNK: usize = 500;

/// A task a run moved up one level: what a live event for subscribers carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalated {
    pub task_id: Uuid,
    pub level: i32,
}

/// One batch's inputs.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    pub workspace_id: Uuid,
    pub policy: &'a Policy,
    pub level: &'a Level,
    /// 1 for the policy's first level.
    pub number: i32,
    pub head_of_cs_id: Option<Uuid>,
    pub slot: DateTime<Utc>,
    pub now: DateTime<Utc>,
    pub batch_size: u64,
}

/// Escalates the next batch of the level and records it; returns the tasks moved, which
/// may be none even when the cursor is not done (another run took them).
pub async fn batch(
    db: &impl ConnectionTrait,
    step: &Step<'_>,
    cursor: &mut Cursor,
) -> AppResult<Vec<Escalated>> {
    let ids = scan::next_due(db, step, cursor).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let statement = backend.build(&update(step, ids));
    let tasks = Moved::find_by_statement(statement).all(db).await?;
    record_activity(db, step, &tasks).await?;
    record_notices(db, step, &tasks).await?;
    Ok(tasks
        .iter()
        .map(|task| Escalated {
            task_id: task.id,
            level: step.number,
        })
        .collect())
}

/// A task as the update left it: what its activity record and notices name.
#[derive(Debug, FromQueryResult)]
struct Moved {
    id: Uuid,
    account_id: Uuid,
    project_id: Option<Uuid>,
    priority: TaskPriority,
    assignee_id: Option<Uuid>,
}

fn update(step: &Step<'_>, ids: Vec<Uuid>) -> sea_orm::sea_query::UpdateStatement {
    let mut update = Query::update()
        .table(task::Entity)
        .value(task::Column::EscalationLevel, step.number)
        .value(task::Column::UpdatedAt, step.now)
        .and_where(task::Column::Id.is_in(ids))
        .and_where(task::Column::EscalationLevel.eq(step.number - 1))
        .returning(Query::returning().columns([
            task::Column::Id,
            task::Column::AccountId,
            task::Column::ProjectId,
            task::Column::Priority,
            task::Column::AssigneeId,
        ]))
        .to_owned();
    if let Some(to) = step.level.raises_priority_to() {
        update.value(task::Column::Priority, raised_priority(to));
    }
    if step.level.has(Action::ReassignToManager) {
        update.value(
            task::Column::AssigneeId,
            Expr::cust(
                "COALESCE((SELECT team_members.manager_id FROM team_members \
                 WHERE team_members.id = tasks.assignee_id), tasks.assignee_id)",
            ),
        );
    }
    update
}

/// `to` if the task's priority is lower, its own otherwise: a level never lowers priority.
fn raised_priority(to: TaskPriority) -> SimpleExpr {
    let lower: Vec<String> = PRIORITY_ORDER
        .iter()
        .take_while(|p| **p != to)
        .map(|p| p.to_value())
        .collect();
    Expr::case(task::Column::Priority.is_in(lower), to.to_value())
        .finally(Expr::col((task::Entity, task::Column::Priority)))
        .into()
}

async fn record_activity(
    db: &impl ConnectionTrait,
    step: &Step<'_>,
    tasks: &[Moved],
) -> AppResult<()> {
    let rows: Vec<activity::ActiveModel> = tasks
        .iter()
        .map(|task| activity::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(step.workspace_id),
            actor_id: Set(None),
            subject_type: Set("task".to_owned()),
            subject_id: Set(task.id),
            account_id: Set(Some(task.account_id)),
            project_id: Set(task.project_id),
            task_id: Set(Some(task.id)),
            action: Set("task.escalated".to_owned()),
            details: Set(json!({
                "level": step.number,
                "priority": task.priority.to_value(),
                "assigneeId": task.assignee_id,
                "slot": step.slot,
            })),
            created_at: Set(step.now),
        })
        .collect();
    for chunk in rows.chunks(INSERT_CHUNK) {
        activity::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Who hears of each task: its assignee (reminded, or handed the task), the assignee's
/// manager, the head of CS, as the level's actions say.
async fn record_notices(
    db: &impl ConnectionTrait,
    step: &Step<'_>,
    tasks: &[Moved],
) -> AppResult<()> {
    let managers = if step.level.has(Action::NotifyManager) {
        managers_of(db, step.workspace_id, tasks).await?
    } else {
        HashMap::new()
    };
    let mut rows = Vec::new();
    for task in tasks {
        let mut add = |recipient: Option<Uuid>, role: &str| {
            if let Some(recipient) = recipient {
                rows.push(notice(step, task.id, recipient, role));
            }
        };
        if step.level.has(Action::RemindAssignee) || step.level.has(Action::ReassignToManager) {
            add(task.assignee_id, "assignee");
        }
        if step.level.has(Action::NotifyManager) {
            let manager = task
                .assignee_id
                .and_then(|a| managers.get(&a).copied().flatten());
            add(manager, "manager");
        }
        if step.level.has(Action::NotifyHeadOfCs) {
            add(step.head_of_cs_id, "head_of_cs");
        }
    }
    for chunk in rows.chunks(INSERT_CHUNK) {
        escalation_notice::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

fn notice(
    step: &Step<'_>,
    task_id: Uuid,
    recipient: Uuid,
    role: &str,
) -> escalation_notice::ActiveModel {
    escalation_notice::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(step.workspace_id),
        slot: Set(step.slot),
        recipient_id: Set(recipient),
        role: Set(role.to_owned()),
        task_id: Set(task_id),
        level: Set(step.number),
        created_at: Set(step.now),
    }
}

async fn managers_of(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    tasks: &[Moved],
) -> AppResult<HashMap<Uuid, Option<Uuid>>> {
    let mut assignees: Vec<Uuid> = tasks.iter().filter_map(|t| t.assignee_id).collect();
    assignees.sort_unstable();
    assignees.dedup();
    let members = team_member::Entity::find()
        .filter(team_member::Column::WorkspaceId.eq(workspace_id))
        .filter(team_member::Column::Id.is_in(assignees))
        .all(db)
        .await?;
    Ok(members.into_iter().map(|m| (m.id, m.manager_id)).collect())
}
