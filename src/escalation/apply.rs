//! One batch of one level, in the caller's transaction: select the ids of the next `n`
//! overdue tasks still at the level below, in the order of the escalation index (one open
//! status at a time, by due time and id, continuing after the last task the previous batch
//! passed), move them up with one conditional
//! `UPDATE … WHERE id IN (…) AND escalation_level = below RETURNING *`, then write the
//! batch's activity records and notices.
//!
//! The update only touches tasks still at the level below, so a task reaches each level
//! once however many runs race for it. On PostgreSQL the candidate rows are locked with
//! `SKIP LOCKED`, so concurrent runs share the work instead of queueing behind each other;
//! on SQLite the write transaction serialises them. The ids are selected in a statement of
//! their own: inside the UPDATE, PostgreSQL may run a `LIMIT … SKIP LOCKED` subquery once
//! per row, skipping the rows the statement has just changed, and so take every row.
//!
//! Reading in index order from where the last batch stopped keeps each batch's cost to its
//! own tasks: tasks passed over (a project no longer active, a severity not yet due) are
//! never read again in the same run.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query, SimpleExpr};
use sea_orm::{
    ActiveEnum, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, RelationTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::policy::{Action, Level, Policy};
use crate::entities::enums::{ProjectStatus, Severity, TaskPriority, TaskStatus};
use crate::entities::{activity, escalation_notice, project, task, team_member};
use crate::error::AppResult;

/// Statuses of a task that still waits on someone.
const OPEN: [TaskStatus; 3] = [
    TaskStatus::Open,
    TaskStatus::InProgress,
    TaskStatus::Blocked,
];
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

/// Where one level's scan has got to: which open status it reads, and the due time and id
/// of the last task it passed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cursor {
    status: usize,
    after: Option<(DateTime<Utc>, Uuid)>,
}

impl Cursor {
    /// Every open status has been read to its end.
    pub fn done(&self) -> bool {
        self.status >= OPEN.len()
    }

    /// Moves past the candidates just read; a short read ends the status.
    fn advance(&mut self, read: &[(Uuid, DateTime<Utc>)], batch_size: u64) {
        match read.last() {
            Some((id, due_at)) if read.len() as u64 >= batch_size => {
                self.after = Some((*due_at, *id));
            }
            _ => {
                self.status += 1;
                self.after = None;
            }
        }
    }
}

/// Escalates the next batch of the level and records it; returns the tasks moved, which
/// may be none even when the cursor is not done (another run took them).
pub async fn batch(
    db: &impl ConnectionTrait,
    step: &Step<'_>,
    cursor: &mut Cursor,
) -> AppResult<Vec<Escalated>> {
    let Some(status) = OPEN.get(cursor.status) else {
        return Ok(Vec::new());
    };
    let backend = db.get_database_backend();
    let read: Vec<(Uuid, DateTime<Utc>)> = db
        .query_all(&candidates(step, *status, cursor.after))
        .await?
        .iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect::<Result<_, sea_orm::DbErr>>()?;
    cursor.advance(&read, step.batch_size);
    if read.is_empty() {
        return Ok(Vec::new());
    }
    let ids = read.into_iter().map(|(id, _)| id).collect();
    let statement = backend.build(&update(step, ids));
    let tasks = task::Entity::find().from_raw_sql(statement).all(db).await?;
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

fn update(step: &Step<'_>, ids: Vec<Uuid>) -> sea_orm::sea_query::UpdateStatement {
    let mut update = Query::update()
        .table(task::Entity)
        .value(task::Column::EscalationLevel, step.number)
        .value(task::Column::UpdatedAt, step.now)
        .and_where(task::Column::Id.is_in(ids))
        .and_where(task::Column::EscalationLevel.eq(step.number - 1))
        .returning_all()
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

/// The next `batch_size` tasks of `status` at the level below that are overdue enough
/// (past the ordinary cutoff, or past the later one on a high-severity project), after
/// `after` in due time and id order: the order of the escalation index.
fn candidates(
    step: &Step<'_>,
    status: TaskStatus,
    after: Option<(DateTime<Utc>, Uuid)>,
) -> sea_orm::sea_query::SelectStatement {
    let (ordinary, high) = step.policy.cutoffs(step.level, step.now);
    let mut select = task::Entity::find()
        .select_only()
        .column(task::Column::Id)
        .column(task::Column::DueAt)
        .join(sea_orm::JoinType::InnerJoin, task::Relation::Project.def())
        .filter(task::Column::WorkspaceId.eq(step.workspace_id))
        .filter(task::Column::Status.eq(status))
        .filter(task::Column::EscalationLevel.eq(step.number - 1))
        .filter(task::Column::DueAt.lt(high));
    if let Some((due_at, id)) = after {
        let key = Expr::tuple([
            Expr::col((task::Entity, task::Column::DueAt)),
            Expr::col((task::Entity, task::Column::Id)),
        ]);
        select = select.filter(key.gt(Expr::tuple([Expr::value(due_at), Expr::value(id)])));
    }
    select
        .filter(project::Column::Kind.is_in(step.policy.project_kinds().iter().copied()))
        .filter(project::Column::Status.eq(ProjectStatus::Active))
        .filter(
            Condition::any()
                .add(project::Column::Severity.eq(Severity::High))
                .add(task::Column::DueAt.lt(ordinary)),
        )
        .order_by_asc(task::Column::DueAt)
        .order_by_asc(task::Column::Id)
        .limit(step.batch_size)
        .into_query()
        .lock_with_tables_behavior(LockType::Update, [task::Entity], LockBehavior::SkipLocked)
        .to_owned()
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
    tasks: &[task::Model],
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
    tasks: &[task::Model],
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
    tasks: &[task::Model],
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
