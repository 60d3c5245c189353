use sea_orm::entity::prelude::*;

use super::enums::OutboxStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "email_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// Unique per workspace, so the same email cannot be queued twice.
    pub idempotency_key: String,
    pub template_key: String,
    pub to_email: String,
    pub to_name: Option<String>,
    pub from_name: Option<String>,
    pub reply_to: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub last_error: Option<String>,
    pub message_id: Option<String>,
    // Who and what the email is about, kept as plain ids (no foreign keys), so that the record of
    // what was sent outlives them.
    pub contact_id: Option<Uuid>,
    pub member_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    /// The team member the email comes from (the CSM whose name is on it), if any.
    pub sender_id: Option<Uuid>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::workspace::Entity",
        from = "Column::WorkspaceId",
        to = "super::workspace::Column::Id",
        on_delete = "Cascade"
    )]
    Workspace,
}

impl Related<super::workspace::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Workspace.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
