//! The job-run ledger: one `job_runs` row per job, scope and scheduled slot. A run starts by
//! inserting its row; the unique index on (job, scope, slot) lets one process in, however
//! many fire at once, and the others see "someone has it" and skip. The row then records how
//! the run ended and what it counted.
//!
//! A process killed during a run leaves its row `running`. Once that row is older than the
//! lease, the slot may be claimed again: the work itself is a series of conditional updates,
//! so a second run of a slot only finishes what the first left.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use crate::entities::job_run::{self, Column};
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{Page, paged};

pub const RUNNING: &str = "running";
pub const SUCCEEDED: &str = "succeeded";
pub const FAILED: &str = "failed";

/// The slot this run claimed: (job, scope, slot).
#[derive(Debug, Clone)]
pub struct SlotKey<'a> {
    pub job: &'a str,
    pub scope: String,
    pub slot: DateTime<Utc>,
}

/// Claims a slot for this process, or returns `None` when another process holds it. A
/// `running` row older than `lease` belongs to a run that died; it is taken over.
pub async fn claim_slot(
    db: &impl ConnectionTrait,
    key: &SlotKey<'_>,
    now: DateTime<Utc>,
    lease: Duration,
) -> AppResult<Option<job_run::Model>> {
    let id = Uuid::now_v7();
    let row = job_run::ActiveModel {
        id: Set(id),
        job_name: Set(key.job.to_owned()),
        scope: Set(key.scope.clone()),
        slot: Set(key.slot),
        started_at: Set(now),
        finished_at: Set(None),
        outcome: Set(RUNNING.to_owned()),
        counts: Set(Value::Object(Default::default())),
        error: Set(None),
    };
    let conflict = OnConflict::columns([Column::JobName, Column::Scope, Column::Slot])
        .do_nothing()
        .to_owned();
    let inserted = job_run::Entity::insert(row)
        .on_conflict(conflict)
        .exec_without_returning(db)
        .await?;
    if inserted > 0 {
        return Ok(job_run::Entity::find_by_id(id).one(db).await?);
    }
    take_over_stale(db, key, now, lease).await
}

/// Takes over a slot whose run stopped reporting: only one process can move `started_at`
/// forward from the value it read, so only one takes it over.
async fn take_over_stale(
    db: &impl ConnectionTrait,
    key: &SlotKey<'_>,
    now: DateTime<Utc>,
    lease: Duration,
) -> AppResult<Option<job_run::Model>> {
    let taken = job_run::Entity::update_many()
        .col_expr(Column::StartedAt, Expr::value(now))
        .col_expr(
            Column::Error,
            Expr::value("a run of this slot stopped without finishing; taken over"),
        )
        .filter(Column::JobName.eq(key.job))
        .filter(Column::Scope.eq(key.scope.as_str()))
        .filter(Column::Slot.eq(key.slot))
        .filter(Column::Outcome.eq(RUNNING))
        .filter(Column::StartedAt.lt(now - lease))
        .exec(db)
        .await?;
    if taken.rows_affected == 0 {
        return Ok(None);
    }
    tracing::warn!(job.name = key.job, job.scope = %key.scope, job.slot = %key.slot, "took over a run that stopped without finishing");
    Ok(job_run::Entity::find()
        .filter(Column::JobName.eq(key.job))
        .filter(Column::Scope.eq(key.scope.as_str()))
        .filter(Column::Slot.eq(key.slot))
        .one(db)
        .await?)
}

/// Records how a run ended.
pub async fn finish(
    db: &impl ConnectionTrait,
    run_id: Uuid,
    outcome: &str,
    counts: Value,
    error: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<job_run::Model> {
    job_run::Entity::update_many()
        .col_expr(Column::Outcome, Expr::value(outcome))
        .col_expr(Column::FinishedAt, Expr::value(now))
        .col_expr(Column::Counts, Expr::value(counts))
        .col_expr(Column::Error, Expr::value(error))
        .filter(Column::Id.eq(run_id))
        .exec(db)
        .await?;
    job_run::Entity::find_by_id(run_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("job run"))
}

/// Slots of `job` in `scope` whose run is still going (started within the lease).
pub async fn live_slots(
    db: &impl ConnectionTrait,
    job: &str,
    scope: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> AppResult<Vec<DateTime<Utc>>> {
    let rows = job_run::Entity::find()
        .filter(Column::JobName.eq(job))
        .filter(Column::Scope.eq(scope))
        .filter(Column::Outcome.eq(RUNNING))
        .filter(Column::StartedAt.gte(now - lease))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|run| run.slot).collect())
}

/// A page of the runs in `scope`, oldest first, optionally of one job.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: &str,
    job: Option<&str>,
    page: Page,
) -> AppResult<Vec<job_run::Model>> {
    let mut select = job_run::Entity::find().filter(Column::Scope.eq(scope));
    if let Some(job) = job {
        select = select.filter(Column::JobName.eq(job));
    }
    Ok(paged(select, Column::Id, page).all(db).await?)
}
