use sea_orm::entity::prelude::*;

use super::enums::PlaybookTrigger;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "playbooks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub trigger: PlaybookTrigger,
    /// A `playbooks::model::Conditions`, as JSON.
    pub conditions: Json,
    /// The `playbooks::model::Action`s in the order they run, as JSON.
    pub actions: Json,
    pub enabled: bool,
    /// Order among the playbooks with the same trigger.
    pub position: i32,
    /// Names a playbook Closeloop ships, unique per workspace; `None` for the workspace's own.
    pub builtin_key: Option<String>,
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
}

impl Related<super::workspace::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Workspace.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
