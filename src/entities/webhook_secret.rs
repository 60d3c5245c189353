use sea_orm::entity::prelude::*;

/// A key survey tools sign NPS webhooks with. `key_id` is public and picks the secret (and
/// so the workspace); after a rotation the previous secret still verifies until
/// `previous_valid_until`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_secrets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub name: String,
    pub key_id: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_valid_until: Option<DateTimeUtc>,
    pub rotated_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
