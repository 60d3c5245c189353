//! The GraphQL `Account` and the loader that resolves accounts by id.

use std::collections::HashMap;

use async_graphql::connection::Connection;
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::prefetch::Prefetched;
use super::projects::projects_of;
use crate::accounts::batch::by_ids;
use crate::contacts::graphql::{Contact, contacts_of};
use crate::entities::account;
use crate::error::AppError;
use crate::graphql::loaders::Scope;
use crate::graphql::pagination::{self, Page};
use crate::members::graphql::{TeamMember, load_member};
use crate::projects::graphql::Project;
use crate::surveys::graphql::{NpsResponse, latest_of_account};

/// A customer company the workspace looks after.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Account {
    pub id: ID,
    pub name: String,
    /// The account's id in the customer's CRM; unique in the workspace.
    pub external_id: Option<String>,
    /// A free label such as `enterprise`, which playbooks can match on.
    pub segment: Option<String>,
    /// Monthly recurring revenue, in cents.
    pub mrr_cents: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub account_id: Uuid,
    #[graphql(skip)]
    pub owner_id: Option<Uuid>,
    /// What the page this account came in already loaded for it.
    #[graphql(skip)]
    pub prefetched: Prefetched,
}

impl From<account::Model> for Account {
    fn from(model: account::Model) -> Self {
        Account {
            id: ID(model.id.to_string()),
            name: model.name,
            external_id: model.external_id,
            segment: model.segment,
            mrr_cents: model.mrr_cents,
            created_at: model.created_at,
            updated_at: model.updated_at,
            account_id: model.id,
            owner_id: model.owner_id,
            prefetched: Prefetched::default(),
        }
    }
}

#[ComplexObject]
impl Account {
    /// The CSM who owns the account: its projects' tasks go to them.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<TeamMember>> {
        if let Some(owner) = &self.prefetched.owner {
            return Ok(owner.clone());
        }
        load_member(ctx, self.owner_id).await
    }

    /// The people at the account, in the order they were added.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Contact>> {
        let page = Page::new(first, after.as_deref())?;
        match &self.prefetched.contacts {
            Some((key, contacts)) if key.asks_for(page) => Ok(pagination::connection(
                contacts.clone(),
                page,
                |c| c.contact_id,
                |c| c,
            )),
            _ => contacts_of(ctx, self.account_id, page).await,
        }
    }

    /// The account's projects, in the order they were created.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Project>> {
        let page = Page::new(first, after.as_deref())?;
        projects_of(ctx, self.account_id, page).await
    }

    /// The most recent NPS response of any of the account's contacts.
    async fn latest_response(&self, ctx: &Context<'_>) -> Result<Option<NpsResponse>> {
        if let Some(latest) = &self.prefetched.latest_response {
            return Ok(latest.clone());
        }
        latest_of_account(ctx, self.account_id).await
    }
}

/// Loads accounts by id, one query per batch.
pub struct AccountLoader(pub Scope);

impl Loader<Uuid> for AccountLoader {
    type Value = Account;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Account>> {
        let columns = [account::Column::WorkspaceId, account::Column::Id];
        Ok(
            by_ids::<account::Entity, _>(&self.0, columns, ids, |a| (a.id, Account::from(a)))
                .await?,
        )
    }
}

/// Resolves the account a record belongs to through the request's loader.
pub async fn load_account(ctx: &Context<'_>, id: Uuid) -> Result<Account> {
    let loader = ctx.data::<DataLoader<AccountLoader>>()?;
    Ok(loader
        .load_one(id)
        .await?
        .ok_or(AppError::NotFound("account"))?)
}
