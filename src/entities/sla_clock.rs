use sea_orm::entity::prelude::*;

/// One response-time clock of a project: `contact` or `resolution`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sla_clocks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub project_id: Uuid,
    pub account_id: Uuid,
    /// The contact whose answer started the project; a plain id.
    pub contact_id: Option<Uuid>,
    /// The project's "reach out" task, whose completion meets the contact clock; a plain id.
    pub reach_out_task_id: Option<Uuid>,
    /// `contact` or `resolution`.
    pub kind: String,
    /// The target in business seconds.
    pub target_seconds: i64,
    pub started_at: DateTimeUtc,
    pub warn_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    /// When the check job looks next; NULL once the clock is met, stopped or breached.
    pub next_check_at: Option<DateTimeUtc>,
    pub met_at: Option<DateTimeUtc>,
    pub warned_at: Option<DateTimeUtc>,
    pub breached_at: Option<DateTimeUtc>,
    pub stopped_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::project::Entity",
        from = "Column::ProjectId",
        to = "super::project::Column::Id",
        on_delete = "Cascade"
    )]
    Project,
}

impl Related<super::project::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Project.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
