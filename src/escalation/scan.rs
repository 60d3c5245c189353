//! Finding the tasks one batch escalates. The open tasks at the level below are read in the
//! order of the escalation index (one open status at a time, by due time and id), from where
//! the previous batch stopped; their projects are read apart, and the tasks whose project
//! escalates and whose cutoff has passed are the batch.
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
use crate::entities::enums::{ProjectStatus, Severity, TaskStatus};
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
}

/// The ids of the next tasks to escalate to the step's level; empty when the next read
/// found none due, which ends the level only once the cursor is done.
pub async fn next_due(
    db: &impl ConnectionTrait,
    step: &Step<'_>,
    cursor: &mut Cursor,
) -> AppResult<Vec<Uuid>> {
    let Some(status) = OPEN.get(cursor.status) else {
        return Ok(Vec::new());
    };
    let read = read(db, step, *status, cursor.after).await?;
    cursor.advance(&read, step.batch_size);
    let projects = projects_of(db, step.workspace_id, &read).await?;
    let (ordinary, _) = step.policy.cutoffs(step.level, step.now);
    Ok(read
        .iter()
        .filter(|task| {
            let project = task.project_id.and_then(|id| projects.get(&id));
            project.is_some_and(|project| {
                project.status == ProjectStatus::Active
                    && step.policy.project_kinds().contains(&project.kind)
                    && (project.severity == Severity::High || task.due_at < ordinary)
            })
        })
        .map(|task| task.id)
        .collect())
}

/// The next `batch_size` tasks of `status` at the level below whose due time is before the
/// later (high-severity) cutoff, after `after`.
async fn read(
    db: &impl ConnectionTrait,
    step: &Step<'_>,
    status: TaskStatus,
    after: Option<(DateTime<Utc>, Uuid)>,
) -> AppResult<Vec<Read>> {
    let (_, high) = step.policy.cutoffs(step.level, step.now);
    let mut select = task::Entity::find()
        .select_only()
        .columns([
            task::Column::Id,
            task::Column::DueAt,
            task::Column::ProjectId,
        ])
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
    let rows: Vec<(Uuid, Option<DateTime<Utc>>, Option<Uuid>)> = select
        .order_by_asc(task::Column::DueAt)
        .order_by_asc(task::Column::Id)
        .limit(step.batch_size)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, due_at, project_id)| {
            due_at.map(|due_at| Read {
                id,
                due_at,
                project_id,
            })
        })
        .collect())
}

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
