//! Projects for an account, opened from a template or for an NPS response, their milestones, and
//! the tasks the team works through.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{CreateTables, NewTable, enum_string, enum_string_null};
use crate::m20261203_000001_workspaces_members::TeamMembers;
use crate::m20261203_000002_accounts::{Accounts, NpsResponses};
use crate::m20261203_000003_templates::ProjectTemplates;

/// Creates the tables below, parents first.
pub(crate) fn migration() -> CreateTables {
    CreateTables::new(file!(), || vec![projects(), milestones(), tasks()])
}

fn projects() -> NewTable {
    NewTable::tenant(Projects::Table)
        .cascade(uuid(Projects::AccountId), Accounts::Table)
        .set_null(uuid_null(Projects::TemplateId), ProjectTemplates::Table)
        .col(enum_string(Projects::Kind))
        .col(text(Projects::Name))
        .col(enum_string(Projects::Status))
        .col(enum_string(Projects::Severity))
        .set_null(uuid_null(Projects::OwnerId), TeamMembers::Table)
        .set_null(
            uuid_null(Projects::TriggeringResponseId),
            NpsResponses::Table,
        )
        .col(timestamp_with_time_zone(Projects::StartsAt))
        .col(timestamp_with_time_zone_null(Projects::CompletedAt))
        .timestamps()
        .index(&[Projects::WorkspaceId, Projects::AccountId, Projects::Status])
        .index(&[Projects::WorkspaceId, Projects::Status])
        .index(&[Projects::WorkspaceId, Projects::Kind, Projects::Status])
}

fn milestones() -> NewTable {
    NewTable::tenant(Milestones::Table)
        .cascade(uuid(Milestones::ProjectId), Projects::Table)
        .col(integer(Milestones::Position))
        .col(text(Milestones::Title))
        .col(text_null(Milestones::Description))
        .col(timestamp_with_time_zone_null(Milestones::CompletedAt))
        .created_at()
        .index(&[
            Milestones::WorkspaceId,
            Milestones::ProjectId,
            Milestones::Position,
        ])
}

fn tasks() -> NewTable {
    NewTable::tenant(Tasks::Table)
        .cascade(uuid(Tasks::AccountId), Accounts::Table)
        .cascade(uuid_null(Tasks::ProjectId), Projects::Table)
        .cascade(uuid_null(Tasks::MilestoneId), Milestones::Table)
        .col(text(Tasks::Title))
        .col(text_null(Tasks::Description))
        .set_null(uuid_null(Tasks::AssigneeId), TeamMembers::Table)
        .col(enum_string_null(Tasks::AssigneeRule))
        .col(enum_string(Tasks::Status))
        .col(enum_string(Tasks::Priority))
        .col(timestamp_with_time_zone_null(Tasks::DueAt))
        .col(integer(Tasks::EscalationLevel).default(0))
        .col(timestamp_with_time_zone_null(Tasks::CompletedAt))
        .col(integer(Tasks::Position).default(0))
        .timestamps()
        .index(&[Tasks::WorkspaceId, Tasks::AssigneeId, Tasks::Status])
        .index(&[Tasks::WorkspaceId, Tasks::Status, Tasks::DueAt])
        .index(&[Tasks::WorkspaceId, Tasks::ProjectId])
        .index(&[Tasks::WorkspaceId, Tasks::MilestoneId, Tasks::Position])
        .index(&[Tasks::WorkspaceId, Tasks::AccountId])
}

#[derive(Clone, Copy, DeriveIden)]
pub(crate) enum Projects {
    Table,
    WorkspaceId,
    AccountId,
    TemplateId,
    Kind,
    Name,
    Status,
    Severity,
    OwnerId,
    TriggeringResponseId,
    StartsAt,
    CompletedAt,
}

#[derive(Clone, Copy, DeriveIden)]
enum Milestones {
    Table,
    WorkspaceId,
    ProjectId,
    Position,
    Title,
    Description,
    CompletedAt,
}

#[derive(Clone, Copy, DeriveIden)]
enum Tasks {
    Table,
    WorkspaceId,
    AccountId,
    ProjectId,
    MilestoneId,
    Title,
    Description,
    AssigneeId,
    AssigneeRule,
    Status,
    Priority,
    DueAt,
    EscalationLevel,
    CompletedAt,
    Position,
}
