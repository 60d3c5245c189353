//! Batch loaders for projects and milestones: whatever a page of projects or tasks asks
//! for — milestones, their tasks, progress, the parent project or milestone — costs one
//! query per kind of thing, however long the page.

use std::collections::HashMap;

use async_graphql::Result;
use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::types::{Milestone, Project, ProjectProgress};
use crate::entities::enums::TaskStatus;
use crate::entities::{milestone, project, project_template, task};
use crate::error::AppError;
use crate::graphql::loaders::Scope;
use crate::projects::service;
use crate::templates::graphql::ProjectTemplate;
use crate::templates::service::group_by;

/// Projects by id.
pub struct ProjectLoader(pub Scope);

impl Loader<Uuid> for ProjectLoader {
    type Value = Project;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Project>> {
        let columns = (project::Column::WorkspaceId, project::Column::Id);
        by_id::<project::Entity, Project>(&self.0, ids, columns).await
    }
}

/// Milestones by id.
pub struct MilestoneLoader(pub Scope);

impl Loader<Uuid> for MilestoneLoader {
    type Value = Milestone;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Milestone>> {
        let columns = (milestone::Column::WorkspaceId, milestone::Column::Id);
        by_id::<milestone::Entity, Milestone>(&self.0, ids, columns).await
    }
}

/// The milestones of projects, by project id, in position order.
pub struct ProjectMilestonesLoader(pub Scope);

impl Loader<Uuid> for ProjectMilestonesLoader {
    type Value = Vec<Milestone>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Milestone>>> {
        let rows = service::milestones_of(&self.0.db, self.0.workspace_id, ids).await?;
        Ok(group_by(rows, |m| m.project_id, Milestone::from))
    }
}

/// Task counts by project id, counted in the database.
pub struct ProjectProgressLoader(pub Scope);

impl Loader<Uuid> for ProjectProgressLoader {
    type Value = ProjectProgress;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, ProjectProgress>> {
        let counts: Vec<(Uuid, TaskStatus, i64)> = task::Entity::find()
            .select_only()
            .column(task::Column::ProjectId)
            .column(task::Column::Status)
            .column_as(task::Column::Id.count(), "count")
            .filter(task::Column::WorkspaceId.eq(self.0.workspace_id))
            .filter(task::Column::ProjectId.is_in(ids.iter().copied()))
            .group_by(task::Column::ProjectId)
            .group_by(task::Column::Status)
            .into_tuple()
            .all(&self.0.db)
            .await
            .map_err(AppError::from)?;

        let mut progress: HashMap<Uuid, ProjectProgress> = HashMap::new();
        for (project_id, status, count) in counts {
            let count = i32::try_from(count).unwrap_or(i32::MAX);
            let entry = progress.entry(project_id).or_default();
            if status != TaskStatus::Cancelled {
                entry.total = entry.total.saturating_add(count);
            }
            if status == TaskStatus::Done {
                entry.done = entry.done.saturating_add(count);
            }
        }
        Ok(progress)
    }
}

/// Project templates by id, for the template a project came from.
pub struct ProjectTemplateLoader(pub Scope);

impl Loader<Uuid> for ProjectTemplateLoader {
    type Value = ProjectTemplate;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, ProjectTemplate>> {
        let columns = (
            project_template::Column::WorkspaceId,
            project_template::Column::Id,
        );
        by_id::<project_template::Entity, ProjectTemplate>(&self.0, ids, columns).await
    }
}

/// An API type that knows the id of the row it was made from.
trait Identified {
    fn row_id(&self) -> Uuid;
}

impl Identified for Project {
    fn row_id(&self) -> Uuid {
        self.uuid
    }
}

impl Identified for Milestone {
    fn row_id(&self) -> Uuid {
        self.uuid
    }
}

impl Identified for ProjectTemplate {
    fn row_id(&self) -> Uuid {
        self.uuid
    }
}

/// The rows of `E` with these ids in the scope's workspace, converted for the API and
/// keyed by id: what every by-id loader does. `columns` are the workspace and id columns.
async fn by_id<E, T>(
    scope: &Scope,
    ids: &[Uuid],
    (workspace, id): (E::Column, E::Column),
) -> Result<HashMap<Uuid, T>>
where
    E: EntityTrait,
    T: From<E::Model> + Identified,
{
    let rows = E::find()
        .filter(workspace.eq(scope.workspace_id))
        .filter(id.is_in(ids.iter().copied()))
        .all(&scope.db)
        .await
        .map_err(AppError::from)?;
    Ok(rows
        .into_iter()
        .map(T::from)
        .map(|value| (value.row_id(), value))
        .collect())
}
