//! Webhook secrets in the API: admins list, create and rotate them. The value appears
//! only in the payload of the mutation that made it.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::secrets::{self, Issued};
use crate::entities::enums::MemberRole;
use crate::entities::webhook_secret;
use crate::graphql::ContextExt;
use crate::graphql::pagination::{self, Page};
use crate::projects::graphql::Write;
use crate::values::{Name, parse_id};

/// A key survey tools sign `POST /webhooks/nps` requests with; its value is never shown
/// after it was made.
#[derive(SimpleObject)]
pub struct WebhookSecret {
    pub id: ID,
    pub name: String,
    /// Public: senders put it in the `X-Closeloop-Key` header.
    pub key_id: String,
    pub created_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
    /// Until when the value before the last rotation still verifies.
    pub previous_valid_until: Option<DateTime<Utc>>,
}

impl From<webhook_secret::Model> for WebhookSecret {
    fn from(model: webhook_secret::Model) -> Self {
        WebhookSecret {
            id: ID(model.id.to_string()),
            name: model.name,
            key_id: model.key_id,
            created_at: model.created_at,
            rotated_at: model.rotated_at,
            previous_valid_until: model.previous_valid_until,
        }
    }
}

/// A secret just made or rotated, with its value: store it now, it is not shown again.
#[derive(SimpleObject)]
pub struct IssuedWebhookSecret {
    pub webhook_secret: WebhookSecret,
    pub secret: String,
}

impl From<Issued> for IssuedWebhookSecret {
    fn from(issued: Issued) -> Self {
        IssuedWebhookSecret {
            webhook_secret: issued.record.into(),
            secret: issued.secret,
        }
    }
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The workspace's webhook secrets, without their values (admins only).
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn webhook_secrets(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, WebhookSecret>> {
        let viewer = ctx.member_with(MemberRole::Admin)?;
        let page = Page::new(first, after.as_deref())?;
        let rows = secrets::list(ctx.db()?, viewer.workspace_id, page).await?;
        Ok(pagination::connection(
            rows,
            page,
            |s| s.id,
            WebhookSecret::from,
        ))
    }
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Makes a webhook secret (admins only). The payload holds its value, once.
    async fn create_webhook_secret(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> Result<IssuedWebhookSecret> {
        ctx.member_with(MemberRole::Admin)?;
        let name = Name::parse("name", &name)?;
        let w = Write::begin(ctx).await?;
        let issued = secrets::create(&w.txn, w.workspace_id, w.actor, name, w.now).await?;
        Ok(w.commit(issued).await?.into())
    }

    /// Gives a webhook secret a new value (admins only); the old one keeps verifying for
    /// 24 hours. The payload holds the new value, once.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<IssuedWebhookSecret> {
        ctx.member_with(MemberRole::Admin)?;
        let id = parse_id("id", &id)?;
        let w = Write::begin(ctx).await?;
        let issued = secrets::rotate(&w.txn, w.workspace_id, w.actor, id, w.now).await?;
        Ok(w.commit(issued).await?.into())
    }
}
