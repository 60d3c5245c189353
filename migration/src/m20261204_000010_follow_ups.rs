//! Follow-ups after detractor projects: one row per project whose contact is to hear from us
//! again some days after it completed, the workspace's delay for them, and the link from a
//! later NPS response to the detractor project an earlier answer of the same contact started.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{CreateTables, NewTable, enum_string};

pub(crate) struct Migration {
    tables: CreateTables,
}

pub(crate) fn migration() -> Migration {
    Migration {
        tables: CreateTables::new(file!(), || vec![follow_ups()]),
    }
}

/// At most one follow-up per project (the unique index), found by the daily job through
/// (workspace, status, due_at). `outbox_id` is a plain id, like the outbox's own people columns.
fn follow_ups() -> NewTable {
    NewTable::tenant(FollowUps::Table)
        .cascade(uuid(FollowUps::ProjectId), Projects::Table)
        .cascade(uuid(FollowUps::ContactId), Contacts::Table)
        .col(timestamp_with_time_zone(FollowUps::DueAt))
        .col(enum_string(FollowUps::Status))
        .col(text_null(FollowUps::Reason))
        .col(uuid_null(FollowUps::OutboxId))
        .col(timestamp_with_time_zone_null(FollowUps::SentAt))
        .timestamps()
        .unique(&[FollowUps::WorkspaceId, FollowUps::ProjectId])
        .index(&[FollowUps::WorkspaceId, FollowUps::Status, FollowUps::DueAt])
}

/// One statement per column: SQLite alters one column at a time. The link is a plain id (no
/// foreign key): SQLite cannot add one to an existing table, and a response outlives a link.
fn added_columns() -> Vec<(DynIden, ColumnDef)> {
    vec![
        (
            Workspaces::Table.into_iden(),
            integer(Workspaces::FollowUpDelayDays).default(7).take(),
        ),
        (
            NpsResponses::Table.into_iden(),
            uuid_null(NpsResponses::FollowsProjectId).take(),
        ),
    ]
}

/// A project's later responses, for `Project.laterResponses` and the resolution figures.
fn link_index() -> IndexCreateStatement {
    Index::create()
        .name("ix_nps_responses_workspace_follows_project_id")
        .table(NpsResponses::Table)
        .col(NpsResponses::WorkspaceId)
        .col(NpsResponses::FollowsProjectId)
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
        for (table, mut column) in added_columns() {
            let alter = Table::alter()
                .table(table)
                .add_column(&mut column)
                .to_owned();
            manager.alter_table(alter).await?;
        }
        manager.create_index(link_index()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let index = link_index();
        let drop = Index::drop()
            .name(index.get_index_spec().get_name().unwrap_or_default())
            .table(NpsResponses::Table)
            .to_owned();
        manager.drop_index(drop).await?;
        for (table, column) in added_columns().into_iter().rev() {
            let name = column.get_column_name();
            let alter = Table::alter()
                .table(table)
                .drop_column(Alias::new(name))
                .to_owned();
            manager.alter_table(alter).await?;
        }
        self.tables.down(manager).await
    }
}

#[derive(Clone, Copy, DeriveIden)]
enum FollowUps {
    Table,
    WorkspaceId,
    ProjectId,
    ContactId,
    DueAt,
    Status,
    Reason,
    OutboxId,
    SentAt,
}

#[derive(Clone, Copy, DeriveIden)]
enum Projects {
    Table,
}

#[derive(Clone, Copy, DeriveIden)]
enum Contacts {
    Table,
}

#[derive(Clone, Copy, DeriveIden)]
enum Workspaces {
    Table,
    FollowUpDelayDays,
}

#[derive(Clone, Copy, DeriveIden)]
enum NpsResponses {
    Table,
    WorkspaceId,
    FollowsProjectId,
}
