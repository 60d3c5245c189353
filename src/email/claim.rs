//! Claiming due emails, so that each is sent by one worker even with several server
//! processes on one PostgreSQL database.
//!
//! A claim selects the ids of the oldest due rows (`FOR UPDATE SKIP LOCKED`), then, in the
//! same transaction, `UPDATE … WHERE id IN (those ids) RETURNING *` marks them `sending`,
//! counts the attempt, and sets `next_attempt_at` to the end of a lease. Rows another
//! worker is claiming at that moment are skipped, not waited for. The ids are read in a
//! statement of their own because PostgreSQL may run a `LIMIT … SKIP LOCKED` subquery
//! inside an UPDATE once per row, and so claim more than the limit. A row
//! still `sending` after its lease ended belongs to a worker that died mid-send; it is
//! claimed again. On SQLite (one process) the lock clause is left out and the write
//! transaction serialises claims.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::db;
use crate::entities::email_outbox::{self, Column};
use crate::entities::enums::OutboxStatus;
use crate::error::AppResult;

/// Statuses a worker may pick up once `next_attempt_at` has passed: pending emails, held
/// ones whose review window ended, and sends whose lease ran out.
const DUE: [OutboxStatus; 3] = [
    OutboxStatus::Pending,
    OutboxStatus::Held,
    OutboxStatus::Sending,
];

/// Claims up to `limit` due emails, oldest due first, leased until `lease_until`.
pub async fn claim_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> AppResult<Vec<email_outbox::Model>> {
    let due = email_outbox::Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::Status.is_in(DUE))
        .filter(Column::NextAttemptAt.lte(now))
        .order_by_asc(Column::NextAttemptAt)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .into_tuple::<uuid::Uuid>();

    let txn = db::begin_write(db).await?;
    let ids = due.all(&txn).await?;
    if ids.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    let claim = Query::update()
        .table(email_outbox::Entity)
        .value(Column::Status, OutboxStatus::Sending)
        .value(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .value(Column::NextAttemptAt, lease_until)
        .value(Column::UpdatedAt, now)
        .and_where(Column::Id.is_in(ids))
        .returning_all()
        .to_owned();
    let statement = txn.get_database_backend().build(&claim);
    let claimed = email_outbox::Entity::find()
        .from_raw_sql(statement)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(claimed)
}
