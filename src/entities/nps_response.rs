use sea_orm::entity::prelude::*;

use super::enums::NpsCategory;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "nps_responses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub contact_id: Uuid,
    pub account_id: Uuid,
    pub score: i16,
    pub comment: Option<String>,
    pub category: NpsCategory,
    pub responded_at: DateTimeUtc,
    /// The response's id in the survey tool, unique per workspace when set.
    pub external_id: Option<String>,
    pub survey: Option<String>,
    pub channel: Option<String>,
    pub excluded_at: Option<DateTimeUtc>,
    pub exclusion_reason: Option<String>,
    pub created_at: DateTimeUtc,
    /// The detractor project an earlier answer of the same contact started, when there was
    /// one (active or completed) as this response arrived; a plain id.
    pub follows_project_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::contact::Entity",
        from = "Column::ContactId",
        to = "super::contact::Column::Id",
        on_delete = "Cascade"
    )]
    Contact,
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::AccountId",
        to = "super::account::Column::Id",
        on_delete = "Cascade"
    )]
    Account,
}

impl Related<super::contact::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contact.def()
    }
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
