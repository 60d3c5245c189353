use sea_orm::entity::prelude::*;

/// A playbook paused for one account until a time.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "playbook_snoozes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub playbook_id: Uuid,
    pub account_id: Uuid,
    pub until: DateTimeUtc,
    /// The team member who snoozed it; `None` once they are deleted.
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::playbook::Entity",
        from = "Column::PlaybookId",
        to = "super::playbook::Column::Id",
        on_delete = "Cascade"
    )]
    Playbook,
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::AccountId",
        to = "super::account::Column::Id",
        on_delete = "Cascade"
    )]
    Account,
}

impl Related<super::playbook::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Playbook.def()
    }
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
