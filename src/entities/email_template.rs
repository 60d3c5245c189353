use sea_orm::entity::prelude::*;

/// A workspace's own version of a built-in email template; without a row the default applies.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "email_templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    /// A `TemplateKey` as stored (`promoter_thank_you`, …); unique per workspace.
    pub key: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// Emails from this template wait as drafts for the workspace's review window.
    pub hold_for_review: bool,
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
