//! The machinery: playbooks that react to events, the transactional email outbox, and the record
//! of scheduled job runs.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{CreateTables, NewTable, enum_string};

/// Creates the tables below, parents first.
pub(crate) fn migration() -> CreateTables {
    CreateTables::new(file!(), || vec![playbooks(), email_outbox(), job_runs()])
}

fn playbooks() -> NewTable {
    NewTable::tenant(Playbooks::Table)
        .col(text(Playbooks::Name))
        .col(text(Playbooks::Trigger))
        .col(json(Playbooks::Conditions))
        .col(json(Playbooks::Actions))
        .col(boolean(Playbooks::Enabled))
        .col(integer(Playbooks::Position))
        .col(text_null(Playbooks::BuiltinKey))
        .timestamps()
        .unique(&[Playbooks::WorkspaceId, Playbooks::BuiltinKey])
        .index(&[
            Playbooks::WorkspaceId,
            Playbooks::Trigger,
            Playbooks::Position,
        ])
}

/// The contact, member and account columns carry no foreign keys: an email that was sent stays
/// on record after its recipient is deleted.
fn email_outbox() -> NewTable {
    NewTable::tenant(EmailOutbox::Table)
        .col(text(EmailOutbox::IdempotencyKey))
        .col(text(EmailOutbox::TemplateKey))
        .col(text(EmailOutbox::ToEmail))
        .col(text_null(EmailOutbox::ToName))
        .col(text_null(EmailOutbox::FromName))
        .col(text_null(EmailOutbox::ReplyTo))
        .col(text(EmailOutbox::Subject))
        .col(text(EmailOutbox::BodyText))
        .col(text_null(EmailOutbox::BodyHtml))
        .col(enum_string(EmailOutbox::Status))
        .col(integer(EmailOutbox::Attempts).default(0))
        .col(timestamp_with_time_zone(EmailOutbox::NextAttemptAt))
        .col(text_null(EmailOutbox::LastError))
        .col(text_null(EmailOutbox::MessageId))
        .col(uuid_null(EmailOutbox::ContactId))
        .col(uuid_null(EmailOutbox::MemberId))
        .col(uuid_null(EmailOutbox::AccountId))
        .col(timestamp_with_time_zone_null(EmailOutbox::SentAt))
        .timestamps()
        .unique(&[EmailOutbox::WorkspaceId, EmailOutbox::IdempotencyKey])
        // Not per workspace: the sender polls every workspace's due mail at once.
        .index(&[EmailOutbox::Status, EmailOutbox::NextAttemptAt])
}

/// No `workspace_id`: one run of a job may cover every workspace. `scope` is a workspace id or
/// `global`, never NULL, so that the unique index really holds one row per slot.
fn job_runs() -> NewTable {
    NewTable::new(JobRuns::Table)
        .col(text(JobRuns::JobName))
        .col(text(JobRuns::Scope))
        .col(timestamp_with_time_zone(JobRuns::Slot))
        .col(timestamp_with_time_zone(JobRuns::StartedAt))
        .col(timestamp_with_time_zone_null(JobRuns::FinishedAt))
        .col(enum_string(JobRuns::Outcome))
        .col(json(JobRuns::Counts))
        .col(text_null(JobRuns::Error))
        .unique(&[JobRuns::JobName, JobRuns::Scope, JobRuns::Slot])
}

#[derive(Clone, Copy, DeriveIden)]
enum Playbooks {
    Table,
    WorkspaceId,
    Name,
    Trigger,
    Conditions,
    Actions,
    Enabled,
    Position,
    BuiltinKey,
}

#[derive(Clone, Copy, DeriveIden)]
enum EmailOutbox {
    Table,
    WorkspaceId,
    IdempotencyKey,
    TemplateKey,
    ToEmail,
    ToName,
    FromName,
    ReplyTo,
    Subject,
    BodyText,
    BodyHtml,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    MessageId,
    ContactId,
    MemberId,
    AccountId,
    SentAt,
}

#[derive(Clone, Copy, DeriveIden)]
enum JobRuns {
    Table,
    JobName,
    Scope,
    Slot,
    StartedAt,
    FinishedAt,
    Outcome,
    Counts,
    Error,
}
