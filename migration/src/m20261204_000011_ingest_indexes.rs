//! Indexes for bulk NPS ingestion with playbooks: what a batch of responses reads once
//! (the open projects of its accounts per template, the customer emails of its contacts
//! within the cap) and the lookup of a response's projects.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

pub(crate) fn migration() -> Migration {
    Migration
}

/// Name, table and columns of each index.
fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        Index::create()
            .name("ix_projects_workspace_triggering_response")
            .table(Projects::Table)
            .col(Projects::WorkspaceId)
            .col(Projects::TriggeringResponseId)
            .to_owned(),
        Index::create()
            .name("ix_projects_workspace_account_template_status")
            .table(Projects::Table)
            .col(Projects::WorkspaceId)
            .col(Projects::AccountId)
            .col(Projects::TemplateId)
            .col(Projects::Status)
            .to_owned(),
        Index::create()
            .name("ix_email_outbox_workspace_contact_created_at")
            .table(EmailOutbox::Table)
            .col(EmailOutbox::WorkspaceId)
            .col(EmailOutbox::ContactId)
            .col(EmailOutbox::CreatedAt)
            .to_owned(),
    ]
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000011_ingest_indexes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for index in indexes() {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables: [DynIden; 3] = [
            Projects::Table.into_iden(),
            Projects::Table.into_iden(),
            EmailOutbox::Table.into_iden(),
        ];
        for (index, table) in indexes().into_iter().zip(tables).rev() {
            let name = index
                .get_index_spec()
                .get_name()
                .unwrap_or_default()
                .to_owned();
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, DeriveIden)]
enum Projects {
    Table,
    WorkspaceId,
    AccountId,
    TemplateId,
    Status,
    TriggeringResponseId,
}

#[derive(Clone, Copy, DeriveIden)]
enum EmailOutbox {
    Table,
    WorkspaceId,
    ContactId,
    CreatedAt,
}
