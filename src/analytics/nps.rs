//! The NPS of a selection: how many promoters, passives and detractors, the score
//! (% promoters − % detractors), the 0–10 distribution and each account's latest score.

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, Order, Query, WindowStatement};
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, QueryTrait};

use super::scope::{Selection, column};
use crate::entities::enums::NpsCategory;
use crate::entities::nps_response::{self, Column};
use crate::error::AppResult;
use crate::graphql::pagination::Page;

/// How many responses fell in each category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CategoryCounts {
    pub promoters: i64,
    pub passives: i64,
    pub detractors: i64,
}

impl CategoryCounts {
    pub fn responses(&self) -> i64 {
        self.promoters + self.passives + self.detractors
    }

    /// `count` as a percentage of all responses, to one decimal; none without responses.
    pub fn percent(&self, count: i64) -> Option<f64> {
        self.exact_percent(count).map(tenths)
    }

    /// % promoters − % detractors, from −100 to 100, to one decimal; none without
    /// responses. Computed from the exact shares, not the rounded ones.
    pub fn nps(&self) -> Option<f64> {
        let promoters = self.exact_percent(self.promoters)?;
        let detractors = self.exact_percent(self.detractors)?;
        Some(tenths(promoters - detractors))
    }

    fn exact_percent(&self, count: i64) -> Option<f64> {
        let total = self.responses();
        #[expect(
            clippy::cast_precision_loss,
            reason = "response counts stay far below 2^52"
        )]
        (total > 0).then(|| count as f64 * 100.0 / total as f64)
    }

    /// Adds `count` responses of `category`.
    pub fn add(&mut self, category: NpsCategory, count: i64) {
        match category {
            NpsCategory::Promoter => self.promoters += count,
            NpsCategory::Passive => self.passives += count,
            NpsCategory::Detractor => self.detractors += count,
        }
    }
}

pub fn tenths(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

#[derive(FromQueryResult)]
struct CategoryRow {
    category: NpsCategory,
    count: i64,
}

/// The selection's responses by category, in one `GROUP BY`.
pub async fn counts(db: &impl ConnectionTrait, selection: &Selection) -> AppResult<CategoryCounts> {
    let query = Query::select()
        .expr_as(column(Column::Category), Alias::new("category"))
        .expr_as(Func::count(Expr::col(Asterisk)), Alias::new("count"))
        .from(nps_response::Entity)
        .cond_where(selection.responses())
        .group_by_col((nps_response::Entity, Column::Category))
        .to_owned();
    let rows = CategoryRow::find_by_statement(db.get_database_backend().build(&query))
        .all(db)
        .await?;

    let mut counts = CategoryCounts::default();
    for row in rows {
        counts.add(row.category, row.count);
    }
    Ok(counts)
}

#[derive(FromQueryResult)]
struct ScoreRow {
    score: i16,
    count: i64,
}

/// How many responses gave each score, from 0 to 10 (index = score), zeros included.
pub async fn distribution(
    db: &impl ConnectionTrait,
    selection: &Selection,
) -> AppResult<[i64; 11]> {
    let query = Query::select()
        .expr_as(column(Column::Score), Alias::new("score"))
        .expr_as(Func::count(Expr::col(Asterisk)), Alias::new("count"))
        .from(nps_response::Entity)
        .cond_where(selection.responses())
        .group_by_col((nps_response::Entity, Column::Score))
        .to_owned();
    let rows = ScoreRow::find_by_statement(db.get_database_backend().build(&query))
        .all(db)
        .await?;

    let mut buckets = [0; 11];
    for row in rows {
        if let Some(bucket) = usize::try_from(row.score)
            .ok()
            .and_then(|s| buckets.get_mut(s))
        {
            *bucket = row.count;
        }
    }
    Ok(buckets)
}

const RANK: &str = "latest_rank";

/// The latest response of each account of the selection that answered in the window, a
/// page of accounts at a time in account id order (the cursor is the account's id).
pub async fn latest_scores(
    db: &impl ConnectionTrait,
    selection: &Selection,
    page: Page,
) -> AppResult<Vec<nps_response::Model>> {
    let newest_first = WindowStatement::partition_by((nps_response::Entity, Column::AccountId))
        .order_by((nps_response::Entity, Column::RespondedAt), Order::Desc)
        .order_by((nps_response::Entity, Column::Id), Order::Desc)
        .to_owned();
    let mut ranked = nps_response::Entity::find().into_query();
    ranked.cond_where(selection.responses()).expr_window_as(
        Expr::cust("ROW_NUMBER()"),
        newest_first,
        Alias::new(RANK),
    );

    let mut latest = Query::select();
    latest
        .column(Asterisk)
        .from_subquery(ranked, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new(RANK)).eq(1))
        .order_by(Column::AccountId, Order::Asc)
        .limit(page.fetch_limit());
    if let Some(after) = page.after {
        latest.and_where(Expr::col(Column::AccountId).gt(after));
    }
    let statement = db.get_database_backend().build(&latest);
    Ok(nps_response::Entity::find()
        .from_raw_sql(statement)
        .all(db)
        .await?)
}
