//! The NPS over time: a selection's responses counted per week or per month of the
//! workspace's calendar.
//!
//! Periods start at local midnight in the workspace's time zone (weeks on Monday,
//! months on the 1st), so a response answered late on the 31st in New York counts in
//! that month even though it is already the 1st in UTC. The boundaries are worked out
//! here with the time zone database, which neither engine shares, and the database only
//! sorts each response into its period with a `CASE` over those instants, then groups.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, Query};
use sea_orm::{ConnectionTrait, FromQueryResult};

use super::nps::CategoryCounts;
use super::scope::{Selection, Window, column};
use crate::entities::enums::NpsCategory;
use crate::entities::nps_response::{self, Column};
use crate::error::{AppError, AppResult};
use crate::values::Timezone;

/// How long each period of a trend is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum TrendInterval {
    /// Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
}

/// One period of a trend and the responses of the window answered in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    /// The local date the period starts on.
    pub starts_on: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub counts: CategoryCounts,
}

/// Every period that overlaps the window, in order, empty ones included. The first and
/// last may reach outside the window; only the window's responses are counted.
pub async fn trend(
    db: &impl ConnectionTrait,
    selection: &Selection,
    interval: TrendInterval,
) -> AppResult<Vec<Period>> {
    let tz = workspace_timezone(db, selection).await?;
    let mut periods = periods(selection.window, tz, interval);
    let starts: Vec<DateTime<Utc>> = periods.iter().skip(1).map(|p| p.starts_at).collect();

    let query = Query::select()
        .expr_as(period_index(&starts, 0), Alias::new("period"))
        .expr_as(column(Column::Category), Alias::new("category"))
        .expr_as(Func::count(Expr::col(Asterisk)), Alias::new("count"))
        .from(nps_response::Entity)
        .cond_where(selection.responses())
        .group_by_col(Alias::new("period"))
        .group_by_col((nps_response::Entity, Column::Category))
        .to_owned();
    let rows = PeriodRow::find_by_statement(db.get_database_backend().build(&query))
        .all(db)
        .await?;

    for row in rows {
        if let Some(period) = usize::try_from(row.period)
            .ok()
            .and_then(|i| periods.get_mut(i))
        {
            period.counts.add(row.category, row.count);
        }
    }
    Ok(periods)
}

#[derive(FromQueryResult)]
struct PeriodRow {
    period: i32,
    category: NpsCategory,
    count: i64,
}

async fn workspace_timezone(db: &impl ConnectionTrait, selection: &Selection) -> AppResult<Tz> {
    let workspace = crate::workspaces::service::find(db, selection.workspace_id).await?;
    Timezone::parse("timezone", &workspace.timezone)
        .map(Timezone::tz)
        .map_err(|_| AppError::internal(anyhow::anyhow!("workspace time zone is not valid")))
}

/// The index of the period a response falls in: how many of the sorted period `starts`
/// (all but the first period's) are at or before its answer time. A balanced tree of
/// `CASE`s, so each row costs about log2(periods) comparisons rather than one per period.
fn period_index(starts: &[DateTime<Utc>], offset: usize) -> Expr {
    let Some(middle) = starts.get(starts.len() / 2) else {
        return Expr::val(i32::try_from(offset).unwrap_or(i32::MAX));
    };
    let half = starts.len() / 2;
    let earlier = period_index(&starts[..half], offset);
    let later = period_index(&starts[half + 1..], offset + half + 1);
    Expr::case(column(Column::RespondedAt).lt(*middle), earlier)
        .finally(later)
        .into()
}

/// The periods of `interval` in `tz` that overlap `window`, with nothing counted yet.
pub fn periods(window: Window, tz: Tz, interval: TrendInterval) -> Vec<Period> {
    let first_day = window.from.with_timezone(&tz).date_naive();
    let mut starts_on = period_start(first_day, interval);
    let mut starts_at = local_midnight(tz, starts_on);
    let mut periods = Vec::new();
    while starts_at < window.to {
        let next_on = next_period(starts_on, interval);
        let next_at = local_midnight(tz, next_on);
        periods.push(Period {
            starts_on,
            starts_at,
            ends_at: next_at,
            counts: CategoryCounts::default(),
        });
        (starts_on, starts_at) = (next_on, next_at);
    }
    periods
}

fn period_start(day: NaiveDate, interval: TrendInterval) -> NaiveDate {
    match interval {
        TrendInterval::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
        TrendInterval::Month => day.with_day(1).unwrap_or(day),
    }
}

fn next_period(start: NaiveDate, interval: TrendInterval) -> NaiveDate {
    let next = match interval {
        TrendInterval::Week => start.checked_add_days(Days::new(7)),
        TrendInterval::Month => start.checked_add_months(Months::new(1)),
    };
    next.unwrap_or(NaiveDate::MAX)
}

/// When `day` starts in `tz`: its midnight, or the first instant after a daylight-saving
/// gap that skips midnight (as in Santiago or Beirut), or the earlier of two midnights.
fn local_midnight(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_time(NaiveTime::MIN);
    (0..=2)
        .find_map(|hours| {
            tz.from_local_datetime(&(midnight + chrono::Duration::hours(hours)))
                .earliest()
        })
        .map_or_else(|| midnight.and_utc(), |start| start.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).map_or(DateTime::<Utc>::MIN_UTC, |t| t.to_utc())
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_when_the_clocks_resume() {
        let santiago = chrono_tz::America::Santiago;

        let start = local_midnight(santiago, day(2026, 9, 6));

        assert_eq!(start, utc("2026-09-06T04:00:00Z"));
    }

    #[test]
    fn months_run_from_the_first_and_cover_the_whole_window() {
        let window = Window::new(utc("2026-01-31T12:00:00Z"), utc("2026-03-01T00:00:00Z"));

        let starts: Vec<NaiveDate> = window
            .map(|w| periods(w, Tz::UTC, TrendInterval::Month))
            .unwrap_or_default()
            .iter()
            .map(|p| p.starts_on)
            .collect();

        assert_eq!(starts, vec![day(2026, 1, 1), day(2026, 2, 1)]);
    }
}
