//! Workspaces and the people in them: the tenant root, its team members and their API tokens.
//! Every later table hangs off these.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{CreateTables, NewTable, enum_string};

/// Creates the tables below, parents first.
pub(crate) fn migration() -> CreateTables {
    CreateTables::new(file!(), || vec![workspaces(), team_members(), api_tokens()])
}

fn workspaces() -> NewTable {
    NewTable::new(Workspaces::Table)
        .col(text(Workspaces::Name))
        .col(text(Workspaces::Timezone).default("UTC"))
        .col(integer(Workspaces::NpsDetractorMax).default(6))
        .col(integer(Workspaces::NpsPassiveMax).default(8))
        .col(text_null(Workspaces::SenderEmail))
        .col(text_null(Workspaces::SenderName))
        // No foreign key: team_members already points at workspaces, and a cycle would turn
        // creating or deleting a workspace into a two-step dance.
        .col(uuid_null(Workspaces::HeadOfCsId))
        .col(json(Workspaces::EscalationPolicy))
        .timestamps()
        .unique(&[Workspaces::Name])
}

fn team_members() -> NewTable {
    NewTable::tenant(TeamMembers::Table)
        .col(text(TeamMembers::Email))
        .col(text(TeamMembers::Name))
        .col(enum_string(TeamMembers::Role))
        .set_null(uuid_null(TeamMembers::ManagerId), TeamMembers::Table)
        .col(boolean(TeamMembers::Active).default(true))
        .timestamps()
        .unique(&[TeamMembers::WorkspaceId, TeamMembers::Email])
        .index(&[TeamMembers::WorkspaceId, TeamMembers::ManagerId])
}

fn api_tokens() -> NewTable {
    NewTable::tenant(ApiTokens::Table)
        .cascade(uuid(ApiTokens::MemberId), TeamMembers::Table)
        .col(text(ApiTokens::Name))
        .col(text(ApiTokens::TokenHash))
        .col(text(ApiTokens::TokenPrefix))
        .created_at()
        .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
        .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
        // Global on purpose: a bearer token is looked up before its workspace is known.
        .unique(&[ApiTokens::TokenHash])
        .index(&[ApiTokens::WorkspaceId, ApiTokens::MemberId])
}

#[derive(Clone, Copy, DeriveIden)]
pub(crate) enum Workspaces {
    Table,
    Name,
    Timezone,
    NpsDetractorMax,
    NpsPassiveMax,
    SenderEmail,
    SenderName,
    HeadOfCsId,
    EscalationPolicy,
}

#[derive(Clone, Copy, DeriveIden)]
pub(crate) enum TeamMembers {
    Table,
    WorkspaceId,
    Email,
    Name,
    Role,
    ManagerId,
    Active,
}

#[derive(Clone, Copy, DeriveIden)]
enum ApiTokens {
    Table,
    WorkspaceId,
    MemberId,
    Name,
    TokenHash,
    TokenPrefix,
    LastUsedAt,
    RevokedAt,
}
