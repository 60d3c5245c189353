use sea_orm::entity::prelude::*;

/// Something an escalation run owes one person a word about: written with the escalation,
/// deleted when that person's digest for the run is queued.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "escalation_notices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// The scheduled slot of the run that escalated the task; the digest is keyed by it.
    pub slot: DateTimeUtc,
    /// A team member; a plain id, like the outbox's.
    pub recipient_id: Uuid,
    /// `assignee`, `manager` or `head_of_cs`: which digest the task goes in.
    pub role: String,
    pub task_id: Uuid,
    pub level: i32,
    pub created_at: DateTimeUtc,
    /// Tasks beyond this one the notice stands for: those past what the digest lists.
    pub more_tasks: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::task::Entity",
        from = "Column::TaskId",
        to = "super::task::Column::Id",
        on_delete = "Cascade"
    )]
    Task,
}

impl Related<super::task::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Task.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
