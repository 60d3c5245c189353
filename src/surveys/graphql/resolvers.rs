//! NPS response queries.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};

use super::types::NpsResponse;
use crate::entities::enums::NpsCategory;
use crate::graphql::ContextExt;
use crate::graphql::pagination::{self, Page};
use crate::surveys::service::{self, ResponseFilter};
use crate::values::parse_id;

#[derive(Default)]
pub struct SurveyQuery;

#[Object]
impl SurveyQuery {
    /// NPS responses in the order they were recorded, optionally narrowed to an account,
    /// a contact or a category.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn nps_responses(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        account_id: Option<ID>,
        contact_id: Option<ID>,
        category: Option<NpsCategory>,
    ) -> Result<Connection<String, NpsResponse>> {
        let viewer = ctx.viewer()?;
        let page = Page::new(first, after.as_deref())?;
        let filter = ResponseFilter {
            account_id: account_id
                .map(|id| parse_id("accountId", &id))
                .transpose()?,
            contact_id: contact_id
                .map(|id| parse_id("contactId", &id))
                .transpose()?,
            category,
        };
        let rows = service::list(ctx.db()?, viewer.workspace_id, filter, page).await?;
        Ok(pagination::connection(
            rows,
            page,
            |r| r.id,
            NpsResponse::from,
        ))
    }

    async fn nps_response(&self, ctx: &Context<'_>, id: ID) -> Result<NpsResponse> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        Ok(service::find(ctx.db()?, viewer.workspace_id, id)
            .await?
            .into())
    }
}
