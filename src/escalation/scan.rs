//! Finding the tasks one batch escalates. The open tasks at one level are read in the
//! order of the escalation index (one open status at a time, by due time and id), from where
//! the previous batch stopped; their projects are read apart, and the tasks whose project
//! escalates and whose next level's cutoff has passed are the batch, each with the highest
//! level it has reached: a task six days overdue goes from nothing to level 3 in one step.
//!
//! Each read is a range of one index in its own order, so its cost is the batch's own,
//! whatever the engine's planner knows of the data: no task is read twice in a run, not
//! even those passed over (a project no longer active, an ordinary task between the two
//! cutoffs). On PostgreSQL the rows read are locked with `SKIP LOCKED`: a concurrent run
//! takes the others.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::apply::Step;
use crate::entities::enums::{ProjectStatus, Severity, TaskPriority, TaskStatus};
use crate::entities::{project, task};
use crate::error::AppResult;

/// Statuses of a task that still waits on someone, in the order the scan reads them.
pub const OPEN: [TaskStatus; 3] = [
    TaskStatus::Open,
    TaskStatus::InProgress,
    TaskStatus::Blocked,
];

/// Where one level's scan has got to: which open status it reads, and the due time and id
/// of the last task it read.
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

    /// Moves past the tasks just read; a short read ends the status.
    fn advance(&mut self, read: &[Read], batch_size: u64) {
        match read.last() {
            Some(last) if read.len() as u64 >= batch_size => {
                self.after = Some((last.due_at, last.id));
            }
            _ => {
                self.status += 1;
                self.after = None;
            }
        }
    }
}

/// A task as the scan reads it.
struct Read {
    id: Uuid,
    due_at: DateTime<Utc>,
    project_id: Option<Uuid>,
    account_id: Uuid,
    priority: TaskPriority,
    assignee_id: Option<Uuid>,
}

/// A task due for escalation: as it stands, and the level it has reached.
#[derive(Debug, Clone, Copy)]
pub struct Due {
    pub id: Uuid,
    pub account_id: Uuid,
    pub project_id: Option<Uuid>,
    pub priority: TaskPriority,
    pub assignee_id: Option<Uuid>,
    /// Above the step's level, at most the policy's last.
    pub reached: i32,
}

/// The next tasks at the step's level that have reached a higher one; empty when the next
/// read found none due, which ends the level only once the cursor is done.
pub async fn next_due(
    db: &impl ConnectionTrait,
    step: &Step<'_>,
    cursor: &mut Cursor,
) -> AppResult<Vec<Due>> {
    let Some(status) = OPEN.get(cursor.status) else {
        return Ok(Vec::new());
    };
    let Some(next) = step.policy.levels().get(step.index()) else {
        cursor.status = OPEN.len();
        return Ok(Vec::new());
    };
    let (_, high) = step.policy.cutoffs(next, step.now);
    let read = read(db, step, *status, high, cursor.after).await?;
    cursor.advance(&read, step.batch_size);
    let projects = projects_of(db, step.workspace_id, &read).await?;
    Ok(read
        .iter()
        .filter_map(|task| {
            let project = task.project_id.and_then(|id| projects.get(&id))?;
            let escalates = project.status == ProjectStatus::Active
                && step.policy.project_kinds().contains(&project.kind);
            let reached = reached(step, project.severity, task.due_at);
            (escalates && reached > step.from).then_some(Due {
                id: task.id,
                account_id: task.account_id,
                project_id: task.project_id,
                priority: task.priority,
                assignee_id: task.assignee_id,
                reached,
            })
        })
        .collect())
}

/// The highest level a task due at `due_at` has reached, counting from the step's: the
/// levels' thresholds grow, so the first one not passed ends the count.
fn reached(step: &Step<'_>, severity: Severity, due_at: DateTime<Utc>) -> i32 {
    let passed = step.policy.levels()[step.index()..]
        .iter()
        .take_while(|level| {
            let (ordinary, high) = step.policy.cutoffs(level, step.now);
            let cutoff = if severity == Severity::High {
                high
            } else {
                ordinary
            };
            due_at < cutoff
        })
        .count();
    step.from + i32::try_from(passed).unwrap_or(0)
}

/// The next `batch_size` tasks of `status` at the step's level whose due time is before
/// `before` (the next level's high-severity cutoff, the later one), after `after`.
async fn read(
    db: &impl ConnectionTrait,
    step: &Step<'_>,
    status: TaskStatus,
    before: DateTime<Utc>,
    after: Option<(DateTime<Utc>, Uuid)>,
) -> AppResult<Vec<Read>> {
    let mut select = task::Entity::find()
        .select_only()
        .columns([
            task::Column::Id,
            task::Column::DueAt,
            task::Column::ProjectId,
            task::Column::AccountId,
            task::Column::Priority,
            task::Column::AssigneeId,
        ])
        .filter(task::Column::WorkspaceId.eq(step.workspace_id))
        .filter(task::Column::Status.eq(status))
        .filter(task::Column::EscalationLevel.eq(step.from))
        .filter(task::Column::DueAt.lt(before));
    if let Some((due_at, id)) = after {
        let key = Expr::tuple([
            Expr::col((task::Entity, task::Column::DueAt)),
            Expr::col((task::Entity, task::Column::Id)),
        ]);
        select = select.filter(key.gt(Expr::tuple([Expr::value(due_at), Expr::value(id)])));
    }
    let rows: Vec<Row> = select
        .order_by_asc(task::Column::DueAt)
        .order_by_asc(task::Column::Id)
        .limit(step.batch_size)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(id, due_at, project_id, account_id, priority, assignee_id)| {
                due_at.map(|due_at| Read {
                    id,
                    due_at,
                    project_id,
                    account_id,
                    priority,
                    assignee_id,
                })
            },
        )
        .collect())
}

/// Id, due time, project, account, priority and assignee.
type Row = (
    Uuid,
    Option<DateTime<Utc>>,
    Option<Uuid>,
    Uuid,
    TaskPriority,
    Option<Uuid>,
);

async fn projects_of(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    read: &[Read],
) -> AppResult<HashMap<Uuid, project::Model>> {
    let mut ids: Vec<Uuid> = read.iter().filter_map(|t| t.project_id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let projects = project::Entity::find()
        .filter(project::Column::WorkspaceId.eq(workspace_id))
        .filter(project::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(projects.into_iter().map(|p| (p.id, p)).collect())
}
