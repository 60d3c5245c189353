//! Reading templates: everyone in the workspace may.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};

use super::types::ProjectTemplate;
use crate::entities::enums::ProjectKind;
use crate::graphql::ContextExt;
use crate::graphql::pagination::{self, Page};
use crate::templates::service;
use crate::values::parse_id;

#[derive(Default)]
pub struct TemplateQuery;

#[Object]
impl TemplateQuery {
    /// The workspace's project templates, oldest first (the built-ins lead), optionally of
    /// one kind.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn project_templates(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        kind: Option<ProjectKind>,
    ) -> Result<Connection<String, ProjectTemplate>> {
        let viewer = ctx.viewer()?;
        let page = Page::new(first, after.as_deref())?;
        let rows = service::list(ctx.db()?, viewer.workspace_id, kind, page).await?;
        Ok(pagination::connection(
            rows,
            page,
            |t| t.id,
            ProjectTemplate::from,
        ))
    }

    async fn project_template(&self, ctx: &Context<'_>, id: ID) -> Result<ProjectTemplate> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        Ok(service::find(ctx.db()?, viewer.workspace_id, id)
            .await?
            .into())
    }
}
