//! GraphQL type, query and mutation for conversations.

use async_graphql::connection::Connection;
use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::service::{self, ConversationFilter, NewConversation};
use crate::contacts::graphql::{Contact, load_contact};
use crate::entities::conversation;
use crate::entities::enums::{ConversationChannel, ConversationDirection};
use crate::graphql::ContextExt;
use crate::graphql::pagination::{self, Page};
use crate::members::graphql::{TeamMember, load_member};
use crate::values::{Name, Text, parse_id};

/// An exchange with a customer: an email, call, meeting or chat.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Conversation {
    pub id: ID,
    pub direction: ConversationDirection,
    pub channel: ConversationChannel,
    pub subject: Option<String>,
    pub body: String,
    pub occurred_at: DateTime<Utc>,
    pub account_id: ID,
    pub project_id: Option<ID>,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub contact_id: Option<Uuid>,
    #[graphql(skip)]
    pub member_id: Option<Uuid>,
}

impl From<conversation::Model> for Conversation {
    fn from(model: conversation::Model) -> Self {
        Conversation {
            id: ID(model.id.to_string()),
            direction: model.direction,
            channel: model.channel,
            subject: model.subject,
            body: model.body,
            occurred_at: model.occurred_at,
            account_id: ID(model.account_id.to_string()),
            project_id: model.project_id.map(|id| ID(id.to_string())),
            created_at: model.created_at,
            contact_id: model.contact_id,
            member_id: model.member_id,
        }
    }
}

#[ComplexObject]
impl Conversation {
    /// The customer's side, when known.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Option<Contact>> {
        load_contact(ctx, self.contact_id).await
    }

    /// The team's side; null when Closeloop itself sent the email.
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<TeamMember>> {
        load_member(ctx, self.member_id).await
    }
}

#[derive(InputObject)]
pub struct LogConversationInput {
    pub account_id: ID,
    /// A contact of that account.
    pub contact_id: Option<ID>,
    /// A project of that account.
    pub project_id: Option<ID>,
    pub direction: ConversationDirection,
    pub channel: ConversationChannel,
    pub subject: Option<String>,
    pub body: String,
    /// When it took place; now when left out. Not in the future.
    pub occurred_at: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct ConversationQuery;

#[Object]
impl ConversationQuery {
    /// Conversations in the order they were logged, optionally narrowed to an account or
    /// a contact.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn conversations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        account_id: Option<ID>,
        contact_id: Option<ID>,
    ) -> Result<Connection<String, Conversation>> {
        let viewer = ctx.viewer()?;
        let page = Page::new(first, after.as_deref())?;
        let filter = ConversationFilter {
            account_id: account_id
                .map(|id| parse_id("accountId", &id))
                .transpose()?,
            contact_id: contact_id
                .map(|id| parse_id("contactId", &id))
                .transpose()?,
        };
        let rows = service::list(ctx.db()?, viewer.workspace_id, filter, page).await?;
        Ok(pagination::connection(
            rows,
            page,
            |c| c.id,
            Conversation::from,
        ))
    }
}

#[derive(Default)]
pub struct ConversationMutation;

#[Object]
impl ConversationMutation {
    /// Logs an exchange with a customer, taken part in by the caller.
    async fn log_conversation(
        &self,
        ctx: &Context<'_>,
        input: LogConversationInput,
    ) -> Result<Conversation> {
        let viewer = ctx.writer()?;
        let new = NewConversation {
            account_id: parse_id("accountId", &input.account_id)?,
            contact_id: input
                .contact_id
                .map(|id| parse_id("contactId", &id))
                .transpose()?,
            project_id: input
                .project_id
                .map(|id| parse_id("projectId", &id))
                .transpose()?,
            member_id: Some(viewer.member_id),
            direction: input.direction,
            channel: input.channel,
            subject: input
                .subject
                .map(|s| Name::parse("subject", &s))
                .transpose()?,
            body: Text::parse_required("body", &input.body)?,
            occurred_at: input.occurred_at.map(crate::clock::truncate),
            outbox_id: None,
        };
        let txn = crate::db::begin_write(ctx.db()?)
            .await
            .map_err(crate::error::AppError::from)?;
        let conversation = service::log(&txn, viewer.workspace_id, new, ctx.clock()?.now()).await?;
        txn.commit().await.map_err(crate::error::AppError::from)?;
        Ok(conversation.into())
    }
}
