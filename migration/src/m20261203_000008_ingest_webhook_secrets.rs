//! Webhook secrets: the per-workspace keys survey tools sign NPS webhooks with. A rotated
//! secret keeps its predecessor for a grace period so senders can switch over.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{CreateTables, NewTable};

pub(crate) struct Migration {
    tables: CreateTables,
}

pub(crate) fn migration() -> Migration {
    Migration {
        tables: CreateTables::new(file!(), || vec![webhook_secrets()]),
    }
}

/// `key_id` is public (senders send it with each request) and names the secret, and so the
/// workspace, across the installation; the secret values are never shown again.
fn webhook_secrets() -> NewTable {
    NewTable::tenant(WebhookSecrets::Table)
        .col(text(WebhookSecrets::Name))
        .col(text(WebhookSecrets::KeyId))
        .col(text(WebhookSecrets::Secret))
        .col(text_null(WebhookSecrets::PreviousSecret))
        .col(timestamp_with_time_zone_null(
            WebhookSecrets::PreviousValidUntil,
        ))
        .col(timestamp_with_time_zone_null(WebhookSecrets::RotatedAt))
        .created_at()
        .unique(&[WebhookSecrets::KeyId])
        .index(&[WebhookSecrets::WorkspaceId, WebhookSecrets::Name])
}

impl MigrationName for Migration {
    fn name(&self) -> &str {
        self.tables.name()
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        self.tables.up(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        self.tables.down(manager).await
    }
}

#[derive(Clone, Copy, DeriveIden)]
enum WebhookSecrets {
    Table,
    WorkspaceId,
    Name,
    KeyId,
    Secret,
    PreviousSecret,
    PreviousValidUntil,
    RotatedAt,
}
