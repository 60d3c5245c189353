//! Accounts (the customers), their contacts, and the NPS responses those contacts give.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{CreateTables, NewTable, enum_string};
use crate::m20261203_000001_workspaces_members::TeamMembers;

/// Creates the tables below, parents first.
pub(crate) fn migration() -> CreateTables {
    CreateTables::new(file!(), || vec![accounts(), contacts(), nps_responses()])
}

fn accounts() -> NewTable {
    NewTable::tenant(Accounts::Table)
        .col(text(Accounts::Name))
        .col(text_null(Accounts::ExternalId))
        .set_null(uuid_null(Accounts::OwnerId), TeamMembers::Table)
        .col(big_integer_null(Accounts::MrrCents))
        .col(text_null(Accounts::Segment))
        .timestamps()
        .unique(&[Accounts::WorkspaceId, Accounts::ExternalId])
        .index(&[Accounts::WorkspaceId, Accounts::OwnerId])
        .index(&[Accounts::WorkspaceId, Accounts::Name])
}

fn contacts() -> NewTable {
    NewTable::tenant(Contacts::Table)
        .cascade(uuid(Contacts::AccountId), Accounts::Table)
        .col(text(Contacts::Email))
        .col(text_null(Contacts::Name))
        .col(enum_string(Contacts::Role))
        .col(timestamp_with_time_zone_null(Contacts::UnsubscribedAt))
        .timestamps()
        .unique(&[Contacts::WorkspaceId, Contacts::Email])
        .index(&[Contacts::WorkspaceId, Contacts::AccountId])
}

fn nps_responses() -> NewTable {
    NewTable::tenant(NpsResponses::Table)
        .cascade(uuid(NpsResponses::ContactId), Contacts::Table)
        .cascade(uuid(NpsResponses::AccountId), Accounts::Table)
        .col(small_integer(NpsResponses::Score))
        .col(text_null(NpsResponses::Comment))
        .col(enum_string(NpsResponses::Category))
        .col(timestamp_with_time_zone(NpsResponses::RespondedAt))
        .col(text_null(NpsResponses::ExternalId))
        .col(text_null(NpsResponses::Survey))
        .col(text_null(NpsResponses::Channel))
        .col(timestamp_with_time_zone_null(NpsResponses::ExcludedAt))
        .col(text_null(NpsResponses::ExclusionReason))
        .created_at()
        .unique(&[NpsResponses::WorkspaceId, NpsResponses::ExternalId])
        .index(&[
            NpsResponses::WorkspaceId,
            NpsResponses::ContactId,
            NpsResponses::RespondedAt,
        ])
        .index(&[
            NpsResponses::WorkspaceId,
            NpsResponses::AccountId,
            NpsResponses::RespondedAt,
        ])
        .index(&[NpsResponses::WorkspaceId, NpsResponses::RespondedAt])
}

#[derive(Clone, Copy, DeriveIden)]
pub(crate) enum Accounts {
    Table,
    WorkspaceId,
    Name,
    ExternalId,
    OwnerId,
    MrrCents,
    Segment,
}

#[derive(Clone, Copy, DeriveIden)]
pub(crate) enum Contacts {
    Table,
    WorkspaceId,
    AccountId,
    Email,
    Name,
    Role,
    UnsubscribedAt,
}

#[derive(Clone, Copy, DeriveIden)]
pub(crate) enum NpsResponses {
    Table,
    WorkspaceId,
    ContactId,
    AccountId,
    Score,
    Comment,
    Category,
    RespondedAt,
    ExternalId,
    Survey,
    Channel,
    ExcludedAt,
    ExclusionReason,
}
