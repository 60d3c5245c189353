//! An escalation notice can stand for more tasks than its own: a run writes a person at most
//! the notices their digest lists, and one notice per batch carrying how many more there
//! were, so the digest can say how many tasks it is about.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

pub(crate) fn migration() -> Migration {
    Migration
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        sea_orm_migration::util::get_file_stem(file!())
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let alter = Table::alter()
            .table(EscalationNotices::Table)
            .add_column(
                ColumnDef::new(EscalationNotices::MoreTasks)
                    .integer()
                    .not_null()
                    .default(0),
            )
            .to_owned();
        manager.alter_table(alter).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let alter = Table::alter()
            .table(EscalationNotices::Table)
            .drop_column(EscalationNotices::MoreTasks)
            .to_owned();
        manager.alter_table(alter).await
    }
}

#[derive(Clone, Copy, DeriveIden)]
enum EscalationNotices {
    Table,
    MoreTasks,
}
