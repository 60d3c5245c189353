//! Planner statistics after bulk writes. PostgreSQL plans a query from statistics that
//! autovacuum gathers only now and then; a table filled by a large import in the minutes
//! after it was created (or after it was small) still looks empty to the planner, which
//! then scans it instead of using the index meant for the query, and every chunk of the
//! import gets slower than the one before it. A bulk writer calls [`refresh_outgrown`]
//! between its transactions, as PostgreSQL's own advice for populating a database says:
//! run `ANALYZE` once a table's contents have changed a lot. SQLite needs nothing: without
//! statistics its planner prefers the indexes.

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::error::AppResult;

/// Changes below which a table's statistics are never refreshed here: autovacuum's
/// business.
const MIN_CHANGED_ROWS: f64 = 1_000.0;

/// Refreshes the statistics of those of `tables` whose rows changed since their last
/// `ANALYZE` outnumber the rows it saw (a table that has at least doubled, or was never
/// analyzed), in one `ANALYZE`. Returns the tables analyzed. The counts PostgreSQL keeps
/// lag its transactions by up to a second, so a table may be caught one call later.
pub async fn refresh_outgrown(
    db: &impl ConnectionTrait,
    tables: &[&'static str],
) -> AppResult<Vec<&'static str>> {
    if db.get_database_backend() != DbBackend::Postgres || tables.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<String> = tables.iter().map(|t| (*t).to_owned()).collect();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT s.relname::text AS name FROM pg_stat_user_tables s \
             JOIN pg_class c ON c.oid = s.relid \
             WHERE s.schemaname = current_schema() AND s.relname = ANY($1) \
             AND s.n_mod_since_analyze > GREATEST(c.reltuples, 0) + $2",
            [names.into(), MIN_CHANGED_ROWS.into()],
        ))
        .await?;
    let mut stale = Vec::new();
    for row in rows {
        let name: String = row.try_get("", "name")?;
        stale.extend(tables.iter().copied().find(|t| *t == name));
    }
    if stale.is_empty() {
        return Ok(stale);
    }
    let list: Vec<String> = stale.iter().map(|t| format!("\"{t}\"")).collect();
    db.execute_unprepared(&format!("ANALYZE {}", list.join(", ")))
        .await?;
    tracing::info!(tables = ?stale, "planner statistics refreshed after bulk writes");
    Ok(stale)
}
