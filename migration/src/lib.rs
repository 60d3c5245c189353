//! Closeloop's schema, as sea-orm migrations. The same migrations run on SQLite (the embedded
//! default) and PostgreSQL, so they only use what the schema builder renders for both.

pub use sea_orm_migration::prelude::*;

mod common;
mod m20261203_000001_workspaces_members;
mod m20261203_000002_accounts;
mod m20261203_000003_templates;
mod m20261203_000004_projects;
mod m20261203_000005_activities_notes_conversations;
mod m20261203_000006_playbooks_outbox_jobs;
mod m20261203_000007_email;
mod m20261203_000008_escalation;
mod m20261203_000008_ingest_webhook_secrets;
mod m20261203_000008_playbooks;
mod m20261204_000009_sla;
mod m20261204_000010_follow_ups;
mod m20261204_000011_ingest_indexes;
mod m20261204_000012_escalation_keyset;
mod m20261205_000013_escalation_notice_more;

/// Runs the migrations below in order; `down` undoes them in reverse.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261203_000001_workspaces_members::migration()),
            Box::new(m20261203_000002_accounts::migration()),
            Box::new(m20261203_000003_templates::migration()),
            Box::new(m20261203_000004_projects::migration()),
            Box::new(m20261203_000005_activities_notes_conversations::migration()),
            Box::new(m20261203_000006_playbooks_outbox_jobs::migration()),
            Box::new(m20261203_000007_email::migration()),
            Box::new(m20261203_000008_ingest_webhook_secrets::migration()),
            Box::new(m20261203_000008_playbooks::migration()),
            Box::new(m20261203_000008_escalation::migration()),
            Box::new(m20261204_000009_sla::migration()),
            Box::new(m20261204_000010_follow_ups::migration()),
            Box::new(m20261204_000011_ingest_indexes::migration()),
            Box::new(m20261204_000012_escalation_keyset::migration()),
            Box::new(m20261205_000013_escalation_notice_more::migration()),
        ]
    }
}
