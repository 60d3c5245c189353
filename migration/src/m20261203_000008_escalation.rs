//! The nightly escalation: the notices a run owes people until their digest is queued, and
//! the index that lets each batch find the next overdue tasks of one level without a scan.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{CreateTables, NewTable, enum_string};

pub(crate) struct Migration {
    tables: CreateTables,
}

pub(crate) fn migration() -> Migration {
    Migration {
        tables: CreateTables::new(file!(), || vec![escalation_notices()]),
    }
}

/// One thing a run has to tell one person about one task. Written in the batch that
/// escalated the task and deleted when that person's digest for the run is queued, so a run
/// cut off between the two still owes the email, and the next run sends it.
/// `recipient_id` is a plain id like the outbox's people columns.
fn escalation_notices() -> NewTable {
    NewTable::tenant(EscalationNotices::Table)
        .col(timestamp_with_time_zone(EscalationNotices::Slot))
        .col(uuid(EscalationNotices::RecipientId))
        .col(enum_string(EscalationNotices::Role))
        .cascade(uuid(EscalationNotices::TaskId), Tasks::Table)
        .col(integer(EscalationNotices::Level))
        .created_at()
        .index(&[
            EscalationNotices::WorkspaceId,
            EscalationNotices::Slot,
            EscalationNotices::RecipientId,
        ])
}

/// Open tasks of one workspace at one level, by due time: what each escalation batch reads.
fn escalation_index() -> IndexCreateStatement {
    Index::create()
        .name("ix_tasks_workspace_status_escalation_level_due_at")
        .table(Tasks::Table)
        .col(Tasks::WorkspaceId)
        .col(Tasks::Status)
        .col(Tasks::EscalationLevel)
        .col(Tasks::DueAt)
        .to_owned()
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        self.tables.name()
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        self.tables.up(manager).await?;
        manager.create_index(escalation_index()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let index = escalation_index();
        let drop = Index::drop()
            .name(index.get_index_spec().get_name().unwrap_or_default())
            .table(Tasks::Table)
            .to_owned();
        manager.drop_index(drop).await?;
        self.tables.down(manager).await
    }
}

#[derive(Clone, Copy, DeriveIden)]
enum EscalationNotices {
    Table,
    WorkspaceId,
    Slot,
    RecipientId,
    Role,
    TaskId,
    Level,
}

#[derive(Clone, Copy, DeriveIden)]
enum Tasks {
    Table,
    WorkspaceId,
    Status,
    EscalationLevel,
    DueAt,
}
