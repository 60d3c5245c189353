use sea_orm::entity::prelude::*;

use super::enums::FollowUpStatus;

/// The follow-up email a completed project's contact is to get: scheduled at completion,
/// then sent, cancelled or skipped by the daily job (or by a playbook, or a reopening).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_ups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// One follow-up per project, ever.
    pub project_id: Uuid,
    pub contact_id: Uuid,
    pub due_at: DateTimeUtc,
    pub status: FollowUpStatus,
    /// Why it was cancelled or skipped (`project_reopened`, `unsubscribed`, …).
    pub reason: Option<String>,
    /// The email queued for it; a plain id, like the outbox's own people columns.
    pub outbox_id: Option<Uuid>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
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
    #[sea_orm(
        belongs_to = "super::contact::Entity",
        from = "Column::ContactId",
        to = "super::contact::Column::Id",
        on_delete = "Cascade"
    )]
    Contact,
}

impl Related<super::project::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Project.def()
    }
}

impl Related<super::contact::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Contact.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
