//! The GraphQL `NpsReport` and the figures it is made of.

use async_graphql::connection::Connection;
use async_graphql::{ComplexObject, Context, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::accounts::graphql::{Account, load_account};
use crate::analytics::nps::{self, CategoryCounts};
use crate::analytics::scope::Selection;
use crate::analytics::trend::{self, Period, TrendInterval};
use crate::entities::enums::NpsCategory;
use crate::graphql::ContextExt;
use crate::graphql::pagination::{self, Page};
use crate::surveys::graphql::NpsResponse;

/// NPS figures of a scope over a window of answer times.
pub struct NpsReport {
    selection: Selection,
}

impl NpsReport {
    pub fn new(selection: Selection) -> Self {
        NpsReport { selection }
    }
}

#[Object]
impl NpsReport {
    /// The start of the window (included).
    async fn from(&self) -> DateTime<Utc> {
        self.selection.window.from
    }

    /// The end of the window (excluded).
    async fn to(&self) -> DateTime<Utc> {
        self.selection.window.to
    }

    /// Counts, shares and the NPS over the whole window.
    async fn figures(&self, ctx: &Context<'_>) -> Result<NpsFigures> {
        Ok(nps::counts(ctx.db()?, &self.selection).await?.into())
    }

    /// How many responses gave each score: 11 entries, 0 to 10, zeros included.
    async fn distribution(&self, ctx: &Context<'_>) -> Result<Vec<ScoreCount>> {
        let counts = nps::distribution(ctx.db()?, &self.selection).await?;
        Ok((0..)
            .zip(counts)
            .map(|(score, count)| ScoreCount { score, count })
            .collect())
    }

    /// The figures per week (Monday to Sunday) or calendar month in the workspace's time
    /// zone: every period that overlaps the window, in order, empty ones included. The
    /// first and last periods may reach outside the window; only the window's responses
    /// are counted in them.
    async fn trend(&self, ctx: &Context<'_>, interval: TrendInterval) -> Result<Vec<TrendPeriod>> {
        let periods = trend::trend(ctx.db()?, &self.selection, interval).await?;
        Ok(periods.into_iter().map(TrendPeriod::from).collect())
    }

    /// Each account of the scope that answered in the window, with its latest response
    /// there, in the order the accounts were created.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn latest_scores(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, AccountScore>> {
        let page = Page::new(first, after.as_deref())?;
        let rows = nps::latest_scores(ctx.db()?, &self.selection, page).await?;
        Ok(pagination::connection(
            rows,
            page,
            |r| r.account_id,
            |r| AccountScore::from(NpsResponse::from(r)),
        ))
    }
}

/// Promoters, passives and detractors among some responses, and the NPS they make.
#[derive(SimpleObject, Clone, Copy)]
pub struct NpsFigures {
    pub responses: i64,
    pub promoters: i64,
    pub passives: i64,
    pub detractors: i64,
    /// Percent of the responses (0 to 100), to one decimal; null without responses.
    pub promoter_percent: Option<f64>,
    /// Percent of the responses (0 to 100), to one decimal; null without responses.
    pub passive_percent: Option<f64>,
    /// Percent of the responses (0 to 100), to one decimal; null without responses.
    pub detractor_percent: Option<f64>,
    /// The Net Promoter Score: % promoters − % detractors, from −100 to 100, to one
    /// decimal (from the exact percentages); null without responses.
    pub nps: Option<f64>,
}

impl From<CategoryCounts> for NpsFigures {
    fn from(counts: CategoryCounts) -> Self {
        NpsFigures {
            responses: counts.responses(),
            promoters: counts.promoters,
            passives: counts.passives,
            detractors: counts.detractors,
            promoter_percent: counts.percent(counts.promoters),
            passive_percent: counts.percent(counts.passives),
            detractor_percent: counts.percent(counts.detractors),
            nps: counts.nps(),
        }
    }
}

/// How many responses gave one score.
#[derive(SimpleObject, Clone, Copy)]
pub struct ScoreCount {
    /// 0 to 10.
    pub score: i32,
    pub count: i64,
}

/// One week or month of a trend.
#[derive(SimpleObject, Clone)]
pub struct TrendPeriod {
    /// The date the period starts on, in the workspace's time zone.
    pub starts_on: NaiveDate,
    /// Local midnight of `startsOn` (included).
    pub starts_at: DateTime<Utc>,
    /// Local midnight of the next period's first day (excluded).
    pub ends_at: DateTime<Utc>,
    pub figures: NpsFigures,
}

impl From<Period> for TrendPeriod {
    fn from(period: Period) -> Self {
        TrendPeriod {
            starts_on: period.starts_on,
            starts_at: period.starts_at,
            ends_at: period.ends_at,
            figures: period.counts.into(),
        }
    }
}

/// An account and its latest response in a report's window.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct AccountScore {
    /// 0 to 10.
    pub score: i32,
    pub category: NpsCategory,
    pub responded_at: DateTime<Utc>,
    pub response: NpsResponse,
    #[graphql(skip)]
    pub account_id: Uuid,
}

impl From<NpsResponse> for AccountScore {
    fn from(response: NpsResponse) -> Self {
        AccountScore {
            score: response.score,
            category: response.category,
            responded_at: response.responded_at,
            account_id: response.account_id,
            response,
        }
    }
}

#[ComplexObject]
impl AccountScore {
    async fn account(&self, ctx: &Context<'_>) -> Result<Account> {
        load_account(ctx, self.account_id).await
    }
}
