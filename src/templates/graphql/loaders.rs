//! Batch loaders for the nested lists of a blueprint: one query for the milestones of
//! every template on a page, one for the task templates of every milestone.

use std::collections::HashMap;

use async_graphql::Result;
use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::types::{TemplateMilestone, TemplateTask};
use crate::graphql::loaders::Scope;
use crate::templates::service::{self, group_by};

/// The milestones of templates, by template id, in position order.
pub struct TemplateMilestonesLoader(pub Scope);

impl Loader<Uuid> for TemplateMilestonesLoader {
    type Value = Vec<TemplateMilestone>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<TemplateMilestone>>> {
        let rows = service::milestones_of(&self.0.db, self.0.workspace_id, ids).await?;
        Ok(group_by(rows, |m| m.template_id, TemplateMilestone::from))
    }
}

/// The task templates of milestones, by milestone id, in position order.
pub struct TemplateTasksLoader(pub Scope);

impl Loader<Uuid> for TemplateTasksLoader {
    type Value = Vec<TemplateTask>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<TemplateTask>>> {
        let rows = service::tasks_of(&self.0.db, self.0.workspace_id, ids).await?;
        Ok(group_by(
            rows,
            |t| t.template_milestone_id,
            TemplateTask::from,
        ))
    }
}
