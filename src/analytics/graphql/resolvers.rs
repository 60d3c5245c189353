//! The analytics queries: any member may read them.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use super::report::NpsReport;
use super::resolution::DetractorResolution;
use crate::analytics::scope::{Scope, Selection, Window};
use crate::error::{AppError, AppResult};
use crate::graphql::ContextExt;
use crate::values::{Name, parse_id};

/// Whose responses a report counts. Give at most one field; give none (or omit the
/// argument) for the whole workspace. Segments and owners are matched on the accounts as
/// they are now.
#[derive(InputObject, Default)]
pub struct AnalyticsScope {
    /// One account.
    pub account_id: Option<ID>,
    /// The accounts whose segment is exactly this label.
    pub segment: Option<String>,
    /// The accounts this team member owns.
    pub owner_id: Option<ID>,
}

impl AnalyticsScope {
    fn parse(self) -> AppResult<Scope> {
        match (self.account_id, self.segment, self.owner_id) {
            (None, None, None) => Ok(Scope::Workspace),
            (Some(id), None, None) => Ok(Scope::Account(parse_id("scope.accountId", &id)?)),
            (None, Some(segment), None) => {
                Ok(Scope::Segment(Name::parse("scope.segment", &segment)?))
            }
            (None, None, Some(id)) => Ok(Scope::Owner(parse_id("scope.ownerId", &id)?)),
            _ => Err(AppError::bad_input(
                "scope",
                "`scope` takes one of `accountId`, `segment` or `ownerId`, not several",
            )),
        }
    }
}

#[derive(Default)]
pub struct AnalyticsQuery;

#[Object]
impl AnalyticsQuery {
    /// NPS figures of the responses answered from `from` (included) to `to` (excluded),
    /// at most 5 years apart, in a scope. Excluded responses never count. Each field is
    /// computed only when asked for.
    async fn nps_report(
        &self,
        ctx: &Context<'_>,
        scope: Option<AnalyticsScope>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<NpsReport> {
        Ok(NpsReport::new(selection(ctx, scope, from, to).await?))
    }

    /// What happened after the detractor responses answered from `from` (included) to
    /// `to` (excluded), at most 5 years apart, in a scope: how soon the contact was
    /// reached, how soon the triggered projects completed and whether on time, and how
    /// many detractors answered better later. Later events count whenever they happened.
    async fn detractor_resolution(
        &self,
        ctx: &Context<'_>,
        scope: Option<AnalyticsScope>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<DetractorResolution> {
        let selection = selection(ctx, scope, from, to).await?;
        let now = ctx.clock()?.now();
        Ok(DetractorResolution::new(selection, now))
    }
}

async fn selection(
    ctx: &Context<'_>,
    scope: Option<AnalyticsScope>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Selection> {
    let viewer = ctx.viewer()?;
    let window = Window::new(from, to)?;
    let scope = scope.unwrap_or_default().parse()?;
    Selection::new(ctx.db()?, viewer.workspace_id, scope, window).await
}
