use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "activities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// The team member who acted; `None` for the system, or once the member is deleted.
    pub actor_id: Option<Uuid>,
    /// What kind of row `subject_id` names: `task`, `project`, `account`, …
    pub subject_type: String,
    pub subject_id: Uuid,
    // The three ids below are copies, not foreign keys: the log keeps its history after the
    // account, project or task it tells of is gone.
    pub account_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub action: String,
    pub details: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::team_member::Entity",
        from = "Column::ActorId",
        to = "super::team_member::Column::Id",
        on_delete = "SetNull"
    )]
    Actor,
}

impl Related<super::team_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Actor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
