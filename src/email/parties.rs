//! Everyone and everything an email names — workspace, contact or team member, sender,
//! account — loaded once, and turned into the variables templates see. Enqueueing and
//! previews share it, so a preview shows exactly what would be sent.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::unsubscribe::LINK_PLACEHOLDER;
use crate::entities::{account, contact, team_member, workspace};
use crate::error::{AppError, AppResult};

/// Who an email goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    Contact(Uuid),
    Member(Uuid),
}

pub struct Parties {
    pub workspace: workspace::Model,
    pub contact: Option<contact::Model>,
    pub member: Option<team_member::Model>,
    pub sender: Option<team_member::Model>,
    pub account: Option<account::Model>,
}

impl Parties {
    /// Loads the recipient, the sender and the account (the contact's, unless one is given).
    pub async fn load(
        db: &impl ConnectionTrait,
        workspace_id: Uuid,
        recipient: Recipient,
        sender_id: Option<Uuid>,
        account_id: Option<Uuid>,
    ) -> AppResult<Parties> {
        let workspace = crate::workspaces::service::find(db, workspace_id).await?;
        let (contact, member) = match recipient {
            Recipient::Contact(id) => (Some(find_contact(db, workspace_id, id).await?), None),
            Recipient::Member(id) => (None, Some(find_member(db, workspace_id, id).await?)),
        };
        let sender = match sender_id {
            Some(id) => Some(find_member(db, workspace_id, id).await?),
            None => None,
        };
        let account = match account_id.or(contact.as_ref().map(|c| c.account_id)) {
            Some(id) => {
                account::Entity::find_by_id(id)
                    .filter(account::Column::WorkspaceId.eq(workspace_id))
                    .one(db)
                    .await?
            }
            None => None,
        };
        Ok(Parties {
            workspace,
            contact,
            member,
            sender,
            account,
        })
    }

    /// The template variables; `extra` (response, project, tasks, …) is added on top. Email
    /// to a contact gets `unsubscribe_url`, a placeholder that delivery fills in.
    pub fn context(&self, extra: &Value) -> Value {
        let mut context = Map::new();
        context.insert("workspace".into(), json!({ "name": self.workspace.name }));
        if let Some(contact) = &self.contact {
            context.insert(
                "contact".into(),
                person(contact.name.as_deref(), &contact.email),
            );
            context.insert("unsubscribe_url".into(), json!(LINK_PLACEHOLDER));
        }
        if let Some(member) = &self.member {
            context.insert("member".into(), person(Some(&member.name), &member.email));
        }
        if let Some(sender) = &self.sender {
            context.insert("csm".into(), person(Some(&sender.name), &sender.email));
        }
        if let Some(account) = &self.account {
            context.insert("account".into(), json!({ "name": account.name }));
        }
        if let Value::Object(extra) = extra {
            context.extend(extra.clone());
        }
        Value::Object(context)
    }
}

fn person(name: Option<&str>, email: &str) -> Value {
    let first_name = name.and_then(|n| n.split_whitespace().next());
    json!({ "name": name, "first_name": first_name, "email": email })
}

async fn find_contact(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<contact::Model> {
    contact::Entity::find_by_id(id)
        .filter(contact::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("contact"))
}

async fn find_member(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<team_member::Model> {
    team_member::Entity::find_by_id(id)
        .filter(team_member::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("team member"))
}
