//! Durations in hours, their average and their median, computed in SQL.
//!
//! Neither engine shares a median function with the other (PostgreSQL has
//! `percentile_cont`, SQLite nothing), so the median is taken portably: the durations are
//! numbered in order with `ROW_NUMBER()` and counted with `COUNT() OVER ()`, and the
//! middle one (or the average of the middle two) is kept. Only the subtraction of two
//! timestamps differs between the engines, and [`hours_between`] hides it.

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, SelectStatement};
use sea_orm::{DbBackend, FromQueryResult};

/// The column holding a duration in the statements of this module.
pub const HOURS: &str = "hours";
const RANK: &str = "hours_rank";
const MEASURED: &str = "hours_measured";

/// The average and median of some durations, and how many there were.
#[derive(Debug, Clone, Copy, PartialEq, Default, FromQueryResult)]
pub struct DurationStats {
    /// Rows that had a duration (the others had not happened yet).
    pub measured: i64,
    pub average_hours: Option<f64>,
    pub median_hours: Option<f64>,
}

impl DurationStats {
    /// Rounds to hundredths of an hour, so both engines report the same figures despite
    /// their different floating-point paths.
    pub fn rounded(self) -> DurationStats {
        DurationStats {
            average_hours: self.average_hours.map(hundredths),
            median_hours: self.median_hours.map(hundredths),
            ..self
        }
    }
}

fn hundredths(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Hours from `start` to `end` (negative when `end` comes first; null when either is).
pub fn hours_between(backend: DbBackend, start: Expr, end: Expr) -> Expr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_exprs(
            "(CAST(EXTRACT(EPOCH FROM ($2 - $1)) AS DOUBLE PRECISION) / 3600.0)",
            [start, end],
        ),
        _ => Expr::cust_with_exprs("((julianday(?) - julianday(?)) * 24.0)", [end, start]),
    }
}

/// A select over `rows` (which has a nullable [`HOURS`] column, and any others) with
/// no columns yet, for aggregates: each row is numbered by duration, the rows with one
/// first, and carries the count of those rows, as [`add_duration_stats`] needs.
pub fn ranked_by_hours(rows: SelectStatement) -> SelectStatement {
    let nulls_last = format!(
        "ROW_NUMBER() OVER (ORDER BY CASE WHEN {HOURS} IS NULL THEN 1 ELSE 0 END, {HOURS})"
    );
    let ranked = SelectStatement::new()
        .column(Asterisk)
        .expr_as(Expr::cust(nulls_last), Alias::new(RANK))
        .expr_as(
            Expr::cust(format!("COUNT({HOURS}) OVER ()")),
            Alias::new(MEASURED),
        )
        .from_subquery(rows, Alias::new("durations"))
        .to_owned();
    SelectStatement::new()
        .from_subquery(ranked, Alias::new("ranked"))
        .to_owned()
}

/// Adds the columns of [`DurationStats`] to a select over [`ranked_by_hours`].
pub fn add_duration_stats(select: &mut SelectStatement) {
    let hours = || Expr::col(Alias::new(HOURS));
    let rank = || Expr::col(Alias::new(RANK));
    let measured = || Expr::col(Alias::new(MEASURED));
    let middle = rank().is_in([measured().add(1).div(2), measured().add(2).div(2)]);
    select
        .expr_as(Func::count(hours()), Alias::new("measured"))
        .expr_as(Func::avg(hours()), Alias::new("average_hours"))
        .expr_as(
            Func::avg(Expr::case(middle, hours()).finally(Expr::null())),
            Alias::new("median_hours"),
        );
}
