//! Playbooks at work: the record of every time a playbook fired (or was held back by a snooze
//! or its frequency bound) for an event, and the snoozes that pause a playbook for one account.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{CreateTables, NewTable, enum_string};

/// Creates the tables below, parents first.
pub(crate) fn migration() -> CreateTables {
    CreateTables::new(file!(), || vec![playbook_runs(), playbook_snoozes()])
}

/// One row per playbook and event: the unique key makes a replayed event run a playbook once.
/// `contact_id` carries no foreign key, so the record of why something happened outlives the
/// contact.
fn playbook_runs() -> NewTable {
    NewTable::tenant(PlaybookRuns::Table)
        .cascade(uuid(PlaybookRuns::PlaybookId), Playbooks::Table)
        .col(text(PlaybookRuns::Trigger))
        .col(uuid(PlaybookRuns::EventId))
        .cascade(uuid(PlaybookRuns::AccountId), Accounts::Table)
        .col(uuid_null(PlaybookRuns::ContactId))
        .col(uuid_null(PlaybookRuns::ResponseId))
        .col(enum_string(PlaybookRuns::Outcome))
        .col(json(PlaybookRuns::Details))
        .col(timestamp_with_time_zone(PlaybookRuns::FiredAt))
        .unique(&[
            PlaybookRuns::WorkspaceId,
            PlaybookRuns::PlaybookId,
            PlaybookRuns::EventId,
        ])
        .index(&[
            PlaybookRuns::WorkspaceId,
            PlaybookRuns::PlaybookId,
            PlaybookRuns::AccountId,
            PlaybookRuns::FiredAt,
        ])
        .index(&[
            PlaybookRuns::WorkspaceId,
            PlaybookRuns::PlaybookId,
            PlaybookRuns::ContactId,
            PlaybookRuns::FiredAt,
        ])
}

fn playbook_snoozes() -> NewTable {
    NewTable::tenant(PlaybookSnoozes::Table)
        .cascade(uuid(PlaybookSnoozes::PlaybookId), Playbooks::Table)
        .cascade(uuid(PlaybookSnoozes::AccountId), Accounts::Table)
        .col(timestamp_with_time_zone(PlaybookSnoozes::Until))
        .set_null(uuid_null(PlaybookSnoozes::CreatedBy), TeamMembers::Table)
        .timestamps()
        .unique(&[
            PlaybookSnoozes::WorkspaceId,
            PlaybookSnoozes::PlaybookId,
            PlaybookSnoozes::AccountId,
        ])
}

#[derive(Clone, Copy, DeriveIden)]
enum Playbooks {
    Table,
}

#[derive(Clone, Copy, DeriveIden)]
enum Accounts {
    Table,
}

#[derive(Clone, Copy, DeriveIden)]
enum TeamMembers {
    Table,
}

#[derive(Clone, Copy, DeriveIden)]
enum PlaybookRuns {
    Table,
    WorkspaceId,
    PlaybookId,
    Trigger,
    EventId,
    AccountId,
    ContactId,
    ResponseId,
    Outcome,
    Details,
    FiredAt,
}

#[derive(Clone, Copy, DeriveIden)]
enum PlaybookSnoozes {
    Table,
    WorkspaceId,
    PlaybookId,
    AccountId,
    Until,
    CreatedBy,
}
