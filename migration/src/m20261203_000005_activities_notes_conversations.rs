//! What happened on an account: the activity log, notes the team writes, and conversations with
//! the customer.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{CreateTables, NewTable, enum_string};
use crate::m20261203_000001_workspaces_members::TeamMembers;
use crate::m20261203_000002_accounts::{Accounts, Contacts};
use crate::m20261203_000004_projects::Projects;

/// Creates the tables below, parents first.
pub(crate) fn migration() -> CreateTables {
    CreateTables::new(file!(), || vec![activities(), notes(), conversations()])
}

/// The account, project and task columns carry no foreign keys: the log outlives what it
/// describes, so deleting a task does not rewrite its history.
fn activities() -> NewTable {
    NewTable::tenant(Activities::Table)
        .set_null(uuid_null(Activities::ActorId), TeamMembers::Table)
        .col(enum_string(Activities::SubjectType))
        .col(uuid(Activities::SubjectId))
        .col(uuid_null(Activities::AccountId))
        .col(uuid_null(Activities::ProjectId))
        .col(uuid_null(Activities::TaskId))
        .col(text(Activities::Action))
        .col(json(Activities::Details))
        .created_at()
        .index(&[
            Activities::WorkspaceId,
            Activities::TaskId,
            Activities::CreatedAt,
        ])
        .index(&[
            Activities::WorkspaceId,
            Activities::ProjectId,
            Activities::CreatedAt,
        ])
        .index(&[
            Activities::WorkspaceId,
            Activities::AccountId,
            Activities::CreatedAt,
        ])
}

fn notes() -> NewTable {
    NewTable::tenant(Notes::Table)
        .cascade(uuid(Notes::AccountId), Accounts::Table)
        .cascade(uuid_null(Notes::ProjectId), Projects::Table)
        .set_null(uuid_null(Notes::AuthorId), TeamMembers::Table)
        .col(text(Notes::Body))
        .timestamps()
        .index(&[Notes::WorkspaceId, Notes::AccountId, Notes::CreatedAt])
        .index(&[Notes::WorkspaceId, Notes::ProjectId])
}

fn conversations() -> NewTable {
    NewTable::tenant(Conversations::Table)
        .cascade(uuid(Conversations::AccountId), Accounts::Table)
        .set_null(uuid_null(Conversations::ContactId), Contacts::Table)
        .set_null(uuid_null(Conversations::ProjectId), Projects::Table)
        .set_null(uuid_null(Conversations::MemberId), TeamMembers::Table)
        .col(enum_string(Conversations::Direction))
        .col(enum_string(Conversations::Channel))
        .col(text_null(Conversations::Subject))
        .col(text(Conversations::Body))
        .col(timestamp_with_time_zone(Conversations::OccurredAt))
        .col(uuid_null(Conversations::OutboxId))
        .created_at()
        .index(&[
            Conversations::WorkspaceId,
            Conversations::AccountId,
            Conversations::OccurredAt,
        ])
        .index(&[
            Conversations::WorkspaceId,
            Conversations::ContactId,
            Conversations::OccurredAt,
        ])
}

#[derive(Clone, Copy, DeriveIden)]
enum Activities {
    Table,
    WorkspaceId,
    ActorId,
    SubjectType,
    SubjectId,
    AccountId,
    ProjectId,
    TaskId,
    Action,
    Details,
    CreatedAt,
}

#[derive(Clone, Copy, DeriveIden)]
enum Notes {
    Table,
    WorkspaceId,
    AccountId,
    ProjectId,
    AuthorId,
    Body,
    CreatedAt,
}

#[derive(Clone, Copy, DeriveIden)]
enum Conversations {
    Table,
    WorkspaceId,
    AccountId,
    ContactId,
    ProjectId,
    MemberId,
    Direction,
    Channel,
    Subject,
    Body,
    OccurredAt,
    OutboxId,
}
