use sea_orm::entity::prelude::*;

/// One run of a scheduled job for one slot. Not tenant-owned: a run may cover every workspace.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "job_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub job_name: String,
    /// A workspace id, or `global`; never NULL, so that (job_name, scope, slot) stays unique.
    pub scope: String,
    pub slot: DateTimeUtc,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// `running`, `succeeded` or `failed`.
    pub outcome: String,
    pub counts: Json,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
