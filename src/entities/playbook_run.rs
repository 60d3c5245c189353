use sea_orm::entity::prelude::*;

use super::enums::{PlaybookRunOutcome, PlaybookTrigger};

/// One playbook meeting one event: it fired, or a snooze or its frequency bound held it back.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "playbook_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub playbook_id: Uuid,
    pub trigger: PlaybookTrigger,
    /// The NPS response, project or task the event was about; unique per playbook.
    pub event_id: Uuid,
    pub account_id: Uuid,
    /// No foreign key: the record outlives the contact.
    pub contact_id: Option<Uuid>,
    pub response_id: Option<Uuid>,
    pub outcome: PlaybookRunOutcome,
    /// What the actions made (project, task, email ids), for "why did this happen".
    pub details: Json,
    pub fired_at: DateTimeUtc,
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
