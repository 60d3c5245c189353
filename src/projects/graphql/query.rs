//! Reading projects: everyone in the workspace may.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};

use super::types::Project;
use crate::entities::enums::{ProjectKind, ProjectStatus};
use crate::graphql::ContextExt;
use crate::graphql::pagination::{self, Page};
use crate::projects::service::{self, ProjectFilter};
use crate::values::parse_id;

#[derive(Default)]
pub struct ProjectQuery;

#[Object]
impl ProjectQuery {
    /// The workspace's projects, oldest first, narrowed by account, status and kind.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        account_id: Option<ID>,
        status: Option<ProjectStatus>,
        kind: Option<ProjectKind>,
    ) -> Result<Connection<String, Project>> {
        let viewer = ctx.viewer()?;
        let page = Page::new(first, after.as_deref())?;
        let filter = ProjectFilter {
            account_id: account_id
                .map(|id| parse_id("accountId", &id))
                .transpose()?,
            status,
            kind,
        };
        let rows = service::list(ctx.db()?, viewer.workspace_id, filter, page).await?;
        Ok(pagination::connection(rows, page, |p| p.id, Project::from))
    }

    async fn project(&self, ctx: &Context<'_>, id: ID) -> Result<Project> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        Ok(service::find(ctx.db()?, viewer.workspace_id, id)
            .await?
            .into())
    }
}
