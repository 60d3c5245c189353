//! The escalation index ends with the task id, so that each batch continues where the last
//! one stopped, in index order, instead of reading again the tasks it has already passed.

use sea_orm_migration::prelude::*;

const OLD: &str = "ix_tasks_workspace_status_escalation_level_due_at";
const NEW: &str = "ix_tasks_escalation_keyset";

pub(crate) struct Migration;

pub(crate) fn migration() -> Migration {
    Migration
}

fn index(name: &str, with_id: bool) -> IndexCreateStatement {
    let mut index = Index::create()
        .name(name)
        .table(Tasks::Table)
        .col(Tasks::WorkspaceId)
        .col(Tasks::Status)
        .col(Tasks::EscalationLevel)
        .col(Tasks::DueAt)
        .to_owned();
    if with_id {
        index.col(Tasks::Id);
    }
    index
}

fn drop(name: &str) -> IndexDropStatement {
    Index::drop().name(name).table(Tasks::Table).to_owned()
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        sea_orm_migration::util::get_file_stem(file!())
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index(NEW, true)).await?;
        manager.drop_index(drop(OLD)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index(OLD, false)).await?;
        manager.drop_index(drop(NEW)).await
    }
}

#[derive(Clone, Copy, DeriveIden)]
enum Tasks {
    Table,
    Id,
    WorkspaceId,
    Status,
    EscalationLevel,
    DueAt,
}
