use sea_orm::entity::prelude::*;

/// A workspace's business calendar and response-time targets; without a row, the defaults.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sla_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// Bit 0 for Monday … bit 6 for Sunday.
    pub business_days: i32,
    /// Minutes after local midnight.
    pub opens_at_minute: i32,
    pub closes_at_minute: i32,
    /// Business hours.
    pub contact_target_hours: i32,
    /// Business days, each as long as the workspace's business hours.
    pub resolution_target_days: i32,
    pub warning_percent: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
