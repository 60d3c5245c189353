//! Response-time targets (SLA clocks): each workspace's business calendar and targets, and
//! the clocks of each detractor project, with the index the check job reads.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{CreateTables, NewTable, enum_string};

pub(crate) fn migration() -> CreateTables {
    CreateTables::new(file!(), || vec![sla_settings(), sla_clocks()])
}

/// One row per workspace that changed the defaults; a workspace without one uses them.
/// `business_days` is a bit set, bit 0 for Monday; the hours are minutes after midnight.
fn sla_settings() -> NewTable {
    NewTable::tenant(SlaSettings::Table)
        .col(integer(SlaSettings::BusinessDays))
        .col(integer(SlaSettings::OpensAtMinute))
        .col(integer(SlaSettings::ClosesAtMinute))
        .col(integer(SlaSettings::ContactTargetHours))
        .col(integer(SlaSettings::ResolutionTargetDays))
        .col(integer(SlaSettings::WarningPercent))
        .timestamps()
        .unique(&[SlaSettings::WorkspaceId])
}

/// One clock (`contact` or `resolution`) of one project. Its due and warning times are
/// fixed when the project starts. `next_check_at` is when the check job must look at it
/// next (the warning time, then the due time) and is cleared once the clock is met,
/// stopped or breached, so the job's index only ever holds clocks that are still running.
/// `contact_id` and `reach_out_task_id` are plain ids: what meets the contact clock.
fn sla_clocks() -> NewTable {
    NewTable::tenant(SlaClocks::Table)
        .cascade(uuid(SlaClocks::ProjectId), Projects::Table)
        .col(uuid(SlaClocks::AccountId))
        .col(uuid_null(SlaClocks::ContactId))
        .col(uuid_null(SlaClocks::ReachOutTaskId))
        .col(enum_string(SlaClocks::Kind))
        .col(big_integer(SlaClocks::TargetSeconds))
        .col(timestamp_with_time_zone(SlaClocks::StartedAt))
        .col(timestamp_with_time_zone(SlaClocks::WarnAt))
        .col(timestamp_with_time_zone(SlaClocks::DueAt))
        .col(timestamp_with_time_zone_null(SlaClocks::NextCheckAt))
        .col(timestamp_with_time_zone_null(SlaClocks::MetAt))
        .col(timestamp_with_time_zone_null(SlaClocks::WarnedAt))
        .col(timestamp_with_time_zone_null(SlaClocks::BreachedAt))
        .col(timestamp_with_time_zone_null(SlaClocks::StoppedAt))
        .created_at()
        .unique(&[
            SlaClocks::WorkspaceId,
            SlaClocks::ProjectId,
            SlaClocks::Kind,
        ])
        .index(&[SlaClocks::WorkspaceId, SlaClocks::NextCheckAt])
        .index(&[SlaClocks::WorkspaceId, SlaClocks::ReachOutTaskId])
        .index(&[SlaClocks::WorkspaceId, SlaClocks::AccountId])
}

#[derive(Clone, Copy, DeriveIden)]
enum SlaSettings {
    Table,
    WorkspaceId,
    BusinessDays,
    OpensAtMinute,
    ClosesAtMinute,
    ContactTargetHours,
    ResolutionTargetDays,
    WarningPercent,
}

#[derive(Clone, Copy, DeriveIden)]
enum SlaClocks {
    Table,
    WorkspaceId,
    ProjectId,
    AccountId,
    ContactId,
    ReachOutTaskId,
    Kind,
    TargetSeconds,
    StartedAt,
    WarnAt,
    DueAt,
    NextCheckAt,
    MetAt,
    WarnedAt,
    BreachedAt,
    StoppedAt,
}

#[derive(Clone, Copy, DeriveIden)]
enum Projects {
    Table,
}
