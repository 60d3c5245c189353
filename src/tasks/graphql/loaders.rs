//! The batch loader for a milestone's tasks: one query for every milestone on a page.

use std::collections::HashMap;

use async_graphql::Result;
use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::types::Task;
use crate::entities::task;
use crate::error::AppError;
use crate::graphql::loaders::Scope;
use crate::templates::service::group_by;

/// The tasks of milestones, by milestone id, in position order.
pub struct MilestoneTasksLoader(pub Scope);

impl Loader<Uuid> for MilestoneTasksLoader {
    type Value = Vec<Task>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Task>>> {
        let rows = task::Entity::find()
            .filter(task::Column::WorkspaceId.eq(self.0.workspace_id))
            .filter(task::Column::MilestoneId.is_in(ids.iter().copied()))
            .order_by_asc(task::Column::MilestoneId)
            .order_by_asc(task::Column::Position)
            .order_by_asc(task::Column::Id)
            .all(&self.0.db)
            .await
            .map_err(AppError::from)?;
        Ok(group_by(
            rows,
            |t| t.milestone_id.unwrap_or_default(),
            Task::from,
        ))
    }
}
