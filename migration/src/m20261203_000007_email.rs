//! Email delivery: per-workspace template overrides, the instance's own secrets (the key that
//! signs unsubscribe links), and the settings and flags delivery needs on existing tables: a
//! workspace's per-contact cap and review window, a contact's hard bounce, and the sender of
//! an outbox email (the team member a sent email is logged under).

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{CreateTables, NewTable};

pub(crate) struct Migration {
    tables: CreateTables,
}

pub(crate) fn migration() -> Migration {
    Migration {
        tables: CreateTables::new(file!(), || vec![email_templates(), instance_secrets()]),
    }
}

/// A workspace's version of a built-in template; no row means the default applies.
fn email_templates() -> NewTable {
    NewTable::tenant(EmailTemplates::Table)
        .col(text(EmailTemplates::Key))
        .col(text(EmailTemplates::Subject))
        .col(text(EmailTemplates::BodyText))
        .col(text_null(EmailTemplates::BodyHtml))
        .col(boolean(EmailTemplates::HoldForReview).default(false))
        .col(timestamp_with_time_zone(EmailTemplates::UpdatedAt))
        .unique(&[EmailTemplates::WorkspaceId, EmailTemplates::Key])
}

/// No `workspace_id`: these belong to the installation, one row per name.
fn instance_secrets() -> NewTable {
    NewTable::new(InstanceSecrets::Table)
        .col(text(InstanceSecrets::Name))
        .col(text(InstanceSecrets::Value))
        .created_at()
        .unique(&[InstanceSecrets::Name])
}

/// One statement per column: SQLite alters one column at a time.
fn added_columns() -> Vec<(DynIden, ColumnDef)> {
    vec![
        (
            Workspaces::Table.into_iden(),
            integer(Workspaces::ContactEmailCapDays).default(7).take(),
        ),
        (
            Workspaces::Table.into_iden(),
            integer(Workspaces::ReviewWindowMinutes).default(60).take(),
        ),
        (
            Contacts::Table.into_iden(),
            timestamp_with_time_zone_null(Contacts::BouncedAt).take(),
        ),
        // Like the outbox's other people columns, a plain id: the record outlives the member.
        (
            EmailOutbox::Table.into_iden(),
            uuid_null(EmailOutbox::SenderId).take(),
        ),
    ]
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
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
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
enum EmailTemplates {
    Table,
    WorkspaceId,
    Key,
    Subject,
    BodyText,
    BodyHtml,
    HoldForReview,
    UpdatedAt,
}

#[derive(Clone, Copy, DeriveIden)]
enum InstanceSecrets {
    Table,
    Name,
    Value,
}

#[derive(Clone, Copy, DeriveIden)]
enum Workspaces {
    Table,
    ContactEmailCapDays,
    ReviewWindowMinutes,
}

#[derive(Clone, Copy, DeriveIden)]
enum EmailOutbox {
    Table,
    SenderId,
}

#[derive(Clone, Copy, DeriveIden)]
enum Contacts {
    Table,
    BouncedAt,
}
