//! Logging and listing conversations.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::accounts::service as accounts;
use crate::entities::conversation;
use crate::entities::enums::{ConversationChannel, ConversationDirection};
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{Page, paged};
use crate::values::{Name, Text};

/// How far ahead of the server's clock a conversation may be dated: clocks drift.
const CLOCK_SKEW: Duration = Duration::minutes(5);

/// A conversation to log, by a team member or by Closeloop itself (an email it sent).
#[derive(Debug, Clone)]
pub struct NewConversation {
    pub account_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    /// The team member who took part; `None` when Closeloop did.
    pub member_id: Option<Uuid>,
    pub direction: ConversationDirection,
    pub channel: ConversationChannel,
    pub subject: Option<Name>,
    pub body: Text,
    /// When it took place; `None` for now.
    pub occurred_at: Option<DateTime<Utc>>,
    /// The outbox email it was sent as, when Closeloop sent it.
    pub outbox_id: Option<Uuid>,
}

/// Which conversations to list; every filter given must match.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConversationFilter {
    pub account_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
}

/// Conversations in the order they were logged.
pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    filter: ConversationFilter,
    page: Page,
) -> AppResult<Vec<conversation::Model>> {
    let mut select =
        conversation::Entity::find().filter(conversation::Column::WorkspaceId.eq(workspace_id));
    if let Some(account_id) = filter.account_id {
        select = select.filter(conversation::Column::AccountId.eq(account_id));
    }
    if let Some(contact_id) = filter.contact_id {
        select = select.filter(conversation::Column::ContactId.eq(contact_id));
    }
    Ok(paged(select, conversation::Column::Id, page)
        .all(db)
        .await?)
}

/// Logs a conversation on an account. The contact and project, when given, must be the
/// account's; it may not be dated more than a few minutes ahead of `now`.
pub async fn log(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    new: NewConversation,
    now: DateTime<Utc>,
) -> AppResult<conversation::Model> {
    let occurred_at = new.occurred_at.unwrap_or(now);
    if occurred_at > now + CLOCK_SKEW {
        return Err(AppError::bad_input(
            "occurredAt",
            "`occurredAt` must not be in the future",
        ));
    }
    check_links(db, workspace_id, &new).await?;

    let conversation = conversation::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(workspace_id),
        account_id: Set(new.account_id),
        contact_id: Set(new.contact_id),
        project_id: Set(new.project_id),
        member_id: Set(new.member_id),
        direction: Set(new.direction),
        channel: Set(new.channel),
        subject: Set(new.subject.map(Name::into_inner)),
        body: Set(new.body.into_inner()),
        occurred_at: Set(occurred_at),
        outbox_id: Set(new.outbox_id),
        created_at: Set(now),
    }
    .insert(db)
    .await?;

    crate::sla::clocks::conversation_logged(db, &conversation).await?;
    tracing::info!(conversation.id = %conversation.id, account.id = %conversation.account_id, "conversation logged");
    Ok(conversation)
}

async fn check_links(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    new: &NewConversation,
) -> AppResult<()> {
    accounts::find(db, workspace_id, new.account_id).await?;
    if let Some(contact_id) = new.contact_id {
        accounts::ensure_contact_of(db, workspace_id, new.account_id, "contactId", contact_id)
            .await?;
    }
    if let Some(project_id) = new.project_id {
        accounts::ensure_project_of(db, workspace_id, new.account_id, "projectId", project_id)
            .await?;
    }
    Ok(())
}
