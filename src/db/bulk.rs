//! Multi-row inserts of any length: the rows are cut into statements that stay under the
//! engines' limits on bind parameters (SQLite 32,766, PostgreSQL 65,535), so a bulk write
//! costs a handful of statements whatever the number of rows.

use std::collections::HashSet;

use sea_orm::sea_query::{IntoColumnRef, UpdateStatement};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Iterable};

/// Bind parameters per statement: under the smaller of the two limits, with room to spare.
const MAX_PARAMETERS: usize = 30_000;

/// Inserts every row, as few statements as the limit allows.
pub async fn insert_all<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let per_statement = (MAX_PARAMETERS / columns).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Runs a conditional update and returns the ids (`id` column) of the rows it changed, on
/// either engine (`RETURNING`): what a claim that may lose some rows to another run needs.
pub async fn updated_ids<C: IntoColumnRef + Copy>(
    db: &impl ConnectionTrait,
    mut update: UpdateStatement,
    id: C,
) -> Result<HashSet<uuid::Uuid>, DbErr> {
    update.returning_col(id);
    let statement = db.get_database_backend().build(&update);
    let mut ids = HashSet::new();
    for row in db.query_all_raw(statement).await? {
        ids.insert(row.try_get_by_index::<uuid::Uuid>(0)?);
    }
    Ok(ids)
}

/// Ids per `IN (...)` list: a read of many rows stays under the parameter limits too.
const IDS_PER_READ: usize = 10_000;

/// The rows of the workspace with these ids (`columns`: the workspace and id columns),
/// keyed by `key`; ids that name no row of the workspace are left out.
pub async fn by_ids<E: EntityTrait>(
    db: &impl ConnectionTrait,
    (workspace, id): (E::Column, E::Column),
    workspace_id: uuid::Uuid,
    ids: impl IntoIterator<Item = uuid::Uuid>,
    key: fn(&E::Model) -> uuid::Uuid,
) -> Result<std::collections::HashMap<uuid::Uuid, E::Model>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};

    let ids: std::collections::BTreeSet<uuid::Uuid> = ids.into_iter().collect();
    let ids: Vec<uuid::Uuid> = ids.into_iter().collect();
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_READ) {
        let rows = E::find()
            .filter(workspace.eq(workspace_id))
            .filter(id.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        found.extend(rows.into_iter().map(|row| (key(&row), row)));
    }
    Ok(found)
}
