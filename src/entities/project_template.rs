use sea_orm::entity::prelude::*;

use super::enums::ProjectKind;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "project_templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub kind: ProjectKind,
    /// Names a template Closeloop ships, unique per workspace; `None` for the workspace's own.
    pub builtin_key: Option<String>,
    pub description: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::workspace::Entity",
        from = "Column::WorkspaceId",
        to = "super::workspace::Column::Id",
        on_delete = "Cascade"
    )]
    Workspace,
    #[sea_orm(has_many = "super::template_milestone::Entity")]
    TemplateMilestone,
    #[sea_orm(has_many = "super::template_task::Entity")]
    TemplateTask,
}

impl Related<super::workspace::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Workspace.def()
    }
}

impl Related<super::template_milestone::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TemplateMilestone.def()
    }
}

impl Related<super::template_task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TemplateTask.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
