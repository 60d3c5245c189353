//! Project templates (blueprints): the milestones and tasks a project is stamped out from.

use sea_orm_migration::{prelude::*, schema::*};

use crate::common::{CreateTables, NewTable, enum_string};
use crate::m20261203_000001_workspaces_members::TeamMembers;

/// Creates the tables below, parents first.
pub(crate) fn migration() -> CreateTables {
    CreateTables::new(file!(), || {
        vec![project_templates(), template_milestones(), template_tasks()]
    })
}

fn project_templates() -> NewTable {
    NewTable::tenant(ProjectTemplates::Table)
        .col(text(ProjectTemplates::Name))
        .col(enum_string(ProjectTemplates::Kind))
        .col(text_null(ProjectTemplates::BuiltinKey))
        .col(text_null(ProjectTemplates::Description))
        .timestamps()
        .unique(&[ProjectTemplates::WorkspaceId, ProjectTemplates::BuiltinKey])
        .index(&[ProjectTemplates::WorkspaceId, ProjectTemplates::Kind])
}

fn template_milestones() -> NewTable {
    NewTable::tenant(TemplateMilestones::Table)
        .cascade(
            uuid(TemplateMilestones::TemplateId),
            ProjectTemplates::Table,
        )
        .col(integer(TemplateMilestones::Position))
        .col(text(TemplateMilestones::Title))
        .col(text_null(TemplateMilestones::Description))
        .index(&[
            TemplateMilestones::WorkspaceId,
            TemplateMilestones::TemplateId,
            TemplateMilestones::Position,
        ])
}

fn template_tasks() -> NewTable {
    NewTable::tenant(TemplateTasks::Table)
        .cascade(uuid(TemplateTasks::TemplateId), ProjectTemplates::Table)
        .cascade(
            uuid(TemplateTasks::TemplateMilestoneId),
            TemplateMilestones::Table,
        )
        .col(integer(TemplateTasks::Position))
        .col(text(TemplateTasks::Title))
        .col(text_null(TemplateTasks::Description))
        .col(integer(TemplateTasks::DueOffsetDays))
        .col(enum_string(TemplateTasks::AssigneeRule))
        .set_null(
            uuid_null(TemplateTasks::AssigneeMemberId),
            TeamMembers::Table,
        )
        .col(enum_string(TemplateTasks::Priority))
        .index(&[
            TemplateTasks::WorkspaceId,
            TemplateTasks::TemplateMilestoneId,
            TemplateTasks::Position,
        ])
}

#[derive(Clone, Copy, DeriveIden)]
pub(crate) enum ProjectTemplates {
    Table,
    WorkspaceId,
    Name,
    Kind,
    BuiltinKey,
    Description,
}

#[derive(Clone, Copy, DeriveIden)]
enum TemplateMilestones {
    Table,
    WorkspaceId,
    TemplateId,
    Position,
    Title,
    Description,
}

#[derive(Clone, Copy, DeriveIden)]
enum TemplateTasks {
    Table,
    WorkspaceId,
    TemplateId,
    TemplateMilestoneId,
    Position,
    Title,
    Description,
    DueOffsetDays,
    AssigneeRule,
    AssigneeMemberId,
    Priority,
}
