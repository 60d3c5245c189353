use sea_orm::entity::prelude::*;

use super::enums::{ProjectKind, ProjectStatus, Severity};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub account_id: Uuid,
    pub template_id: Option<Uuid>,
    pub kind: ProjectKind,
    pub name: String,
    pub status: ProjectStatus,
    pub severity: Severity,
    pub owner_id: Option<Uuid>,
    /// The NPS response that opened this project, if one did.
    pub triggering_response_id: Option<Uuid>,
    pub starts_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::AccountId",
        to = "super::account::Column::Id",
        on_delete = "Cascade"
    )]
    Account,
    #[sea_orm(
        belongs_to = "super::project_template::Entity",
        from = "Column::TemplateId",
        to = "super::project_template::Column::Id",
        on_delete = "SetNull"
    )]
    Template,
    #[sea_orm(
        belongs_to = "super::team_member::Entity",
        from = "Column::OwnerId",
        to = "super::team_member::Column::Id",
        on_delete = "SetNull"
    )]
    Owner,
    #[sea_orm(
        belongs_to = "super::nps_response::Entity",
        from = "Column::TriggeringResponseId",
        to = "super::nps_response::Column::Id",
        on_delete = "SetNull"
    )]
    TriggeringResponse,
    #[sea_orm(has_many = "super::milestone::Entity")]
    Milestone,
    #[sea_orm(has_many = "super::task::Entity")]
    Task,
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl Related<super::project_template::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Template.def()
    }
}

impl Related<super::team_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Owner.def()
    }
}

impl Related<super::nps_response::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TriggeringResponse.def()
    }
}

impl Related<super::milestone::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Milestone.def()
    }
}

impl Related<super::task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Task.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
