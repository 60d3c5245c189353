//! The builder the migrations share, so that every table spells its key, its tenant column, its
//! foreign keys and its index names the same way, and each table reads like its line in
//! `docs/data-model.md`.
//!
//! Names are derived, not typed: `fk_<table>_<column>` for foreign keys, `ux_<table>_<columns>`
//! for unique indexes and `ix_<table>_<columns>` for the others, where `workspace_id` is shortened
//! to `workspace` (so `ux_accounts_workspace_external_id`).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000001_workspaces_members::Workspaces;

/// Enumerations are stored as short lowercase strings; 32 characters is the bound the Rust enums
/// in `closeloop::entities::enums` declare for them.
const ENUM_LEN: u32 = 32;

#[derive(DeriveIden)]
enum Shared {
    Id,
    WorkspaceId,
    CreatedAt,
    UpdatedAt,
}

pub(crate) fn enum_string(col: impl IntoIden) -> ColumnDef {
    string_len(col, ENUM_LEN)
}

pub(crate) fn enum_string_null(col: impl IntoIden) -> ColumnDef {
    string_len_null(col, ENUM_LEN)
}

/// A table to create, with the indexes to put on it once it exists.
pub(crate) struct NewTable {
    name: DynIden,
    table: TableCreateStatement,
    indexes: Vec<IndexCreateStatement>,
}

impl NewTable {
    /// A table whose first column is the UUID primary key `id` (v7, made by the application).
    pub(crate) fn new(name: impl IntoIden) -> Self {
        let name = name.into_iden();
        let table = Table::create()
            .table(name.clone())
            .col(pk_uuid(Shared::Id))
            .take();
        Self {
            name,
            table,
            indexes: Vec::new(),
        }
    }

    /// A tenant-owned table: `id`, then `workspace_id`, which goes with its workspace.
    pub(crate) fn tenant(name: impl IntoIden) -> Self {
        Self::new(name).cascade(uuid(Shared::WorkspaceId), Workspaces::Table)
    }

    pub(crate) fn col(mut self, col: impl IntoColumnDef) -> Self {
        self.table.col(col);
        self
    }

    /// `created_at` and `updated_at`, both set by the application.
    pub(crate) fn timestamps(self) -> Self {
        self.col(timestamp_with_time_zone(Shared::CreatedAt))
            .col(timestamp_with_time_zone(Shared::UpdatedAt))
    }

    /// `created_at` alone, for rows that are written once.
    pub(crate) fn created_at(self) -> Self {
        self.col(timestamp_with_time_zone(Shared::CreatedAt))
    }

    /// `col` → `parent.id`; deleting the parent deletes this row.
    pub(crate) fn cascade(self, col: ColumnDef, parent: impl IntoIden) -> Self {
        self.references(col, parent, ForeignKeyAction::Cascade)
    }

    /// `col` → `parent.id`; deleting the parent clears `col`.
    pub(crate) fn set_null(self, col: ColumnDef, parent: impl IntoIden) -> Self {
        self.references(col, parent, ForeignKeyAction::SetNull)
    }

    fn references(
        mut self,
        col: ColumnDef,
        parent: impl IntoIden,
        action: ForeignKeyAction,
    ) -> Self {
        let col_name = col.get_column_name();
        let mut foreign_key = ForeignKey::create()
            .name(format!("fk_{}_{col_name}", self.name.inner()))
            .from(self.name.clone(), col_name)
            .to(parent, Shared::Id)
            .on_delete(action)
            .take();
        self.table.col(col).foreign_key(&mut foreign_key);
        self
    }

    /// A plain index over `cols`, in that order.
    pub(crate) fn index<C: IntoIden + Copy>(self, cols: &[C]) -> Self {
        self.add_index("ix", cols, false)
    }

    /// A unique index over `cols`. NULLs are distinct on SQLite and PostgreSQL alike, so any
    /// number of rows may leave a nullable column of the key empty.
    pub(crate) fn unique<C: IntoIden + Copy>(self, cols: &[C]) -> Self {
        self.add_index("ux", cols, true)
    }

    fn add_index<C: IntoIden + Copy>(mut self, prefix: &str, cols: &[C], unique: bool) -> Self {
        let mut name = format!("{prefix}_{}", self.name.inner());
        let mut index = Index::create();
        for &col in cols {
            let col = col.into_iden();
            let part = col.inner();
            name.push('_');
            name.push_str(if part == "workspace_id" {
                "workspace"
            } else {
                &part
            });
            index.col(col);
        }
        index.name(name).table(self.name.clone());
        if unique {
            index.unique();
        }
        self.indexes.push(index);
        self
    }
}

/// A migration that only adds tables: `up` creates them and their indexes in the order given
/// (parents first), `down` drops them in reverse.
pub(crate) struct CreateTables {
    file: &'static str,
    tables: fn() -> Vec<NewTable>,
}

impl CreateTables {
    /// `file` is the migration's `file!()`: its stem names the migration, as with
    /// `DeriveMigrationName`.
    pub(crate) fn new(file: &'static str, tables: fn() -> Vec<NewTable>) -> Self {
        Self { file, tables }
    }
}

impl MigrationName for CreateTables {
    fn name(&self) -> &str {
        sea_orm_migration::util::get_file_stem(self.file)
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for NewTable { table, indexes, .. } in (self.tables)() {
            manager.create_table(table).await?;
            for index in indexes {
                manager.create_index(index).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for NewTable { name, .. } in (self.tables)().into_iter().rev() {
            manager
                .drop_table(Table::drop().table(name).to_owned())
                .await?;
        }
        Ok(())
    }
}
