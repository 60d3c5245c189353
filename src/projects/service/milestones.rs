//! Milestones of running projects and their progress: a milestone is complete once every
//! one of its tasks is done or cancelled, and open again as soon as one of them reopens.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{Read, find_row};
use crate::entities::{milestone, task};
use crate::error::AppResult;
use crate::tasks::service::OPEN_STATUSES;

pub async fn find_milestone(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<milestone::Model> {
    let columns = (milestone::Column::WorkspaceId, milestone::Column::Id);
    find_row::<milestone::Entity>(db, columns, workspace_id, id, Read::Plain, "milestone").await
}

/// The milestones of the given projects, by project and then position.
pub async fn milestones_of(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    project_ids: &[Uuid],
) -> AppResult<Vec<milestone::Model>> {
    Ok(milestone::Entity::find()
        .filter(milestone::Column::WorkspaceId.eq(workspace_id))
        .filter(milestone::Column::ProjectId.is_in(project_ids.iter().copied()))
        .order_by_asc(milestone::Column::ProjectId)
        .order_by_asc(milestone::Column::Position)
        .all(db)
        .await?)
}

/// Sets the milestone's `completed_at` when all its tasks are done or cancelled, and clears
/// it when one is open. The milestone's row is held first, so that two tasks finished at
/// the same time in two transactions cannot both see the other still open.
pub async fn refresh_milestone(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    milestone_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let columns = (milestone::Column::WorkspaceId, milestone::Column::Id);
    let milestone = find_row::<milestone::Entity>(
        db,
        columns,
        workspace_id,
        milestone_id,
        Read::ForUpdate,
        "milestone",
    )
    .await?;
    let tasks = task::Entity::find()
        .filter(task::Column::WorkspaceId.eq(workspace_id))
        .filter(task::Column::MilestoneId.eq(milestone_id));
    let total = tasks.clone().count(db).await?;
    let open = tasks
        .filter(task::Column::Status.is_in(OPEN_STATUSES))
        .count(db)
        .await?;

    let completed_at = (total > 0 && open == 0).then_some(milestone.completed_at.unwrap_or(now));
    if completed_at != milestone.completed_at {
        milestone::Entity::update_many()
            .col_expr(milestone::Column::CompletedAt, Expr::value(completed_at))
            .filter(milestone::Column::Id.eq(milestone_id))
            .exec(db)
            .await?;
        tracing::info!(
            milestone.id = %milestone_id,
            milestone.completed = completed_at.is_some(),
            "milestone progress changed"
        );
    }
    Ok(())
}
