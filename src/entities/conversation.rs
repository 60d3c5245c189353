use sea_orm::entity::prelude::*;

use super::enums::{ConversationChannel, ConversationDirection};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub account_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub member_id: Option<Uuid>,
    pub direction: ConversationDirection,
    pub channel: ConversationChannel,
    pub subject: Option<String>,
    pub body: String,
    pub occurred_at: DateTimeUtc,
    /// The outbox email this conversation was sent as, if it was; not a foreign key.
    pub outbox_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
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
        belongs_to = "super::contact::Entity",
        from = "Column::ContactId",
        to = "super::contact::Column::Id",
        on_delete = "SetNull"
    )]
    Contact,
    #[sea_orm(
        belongs_to = "super::project::Entity",
        from = "Column::ProjectId",
        to = "super::project::Column::Id",
        on_delete = "SetNull"
    )]
    Project,
    #[sea_orm(
        belongs_to = "super::team_member::Entity",
        from = "Column::MemberId",
        to = "super::team_member::Column::Id",
        on_delete = "SetNull"
    )]
    Member,
}

impl Related<super::account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Account.def()
    }
}

impl Related<super::contact::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contact.def()
    }
}

impl Related<super::project::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Project.def()
    }
}

impl Related<super::team_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Member.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
