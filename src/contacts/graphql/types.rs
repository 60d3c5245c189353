//! The GraphQL `Contact` and the loaders that resolve contacts by id and by account.

use std::collections::HashMap;

use async_graphql::connection::Connection;
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::accounts::graphql::{Account, load_account};
use crate::accounts::ranked::{ChildPage, Family, load_pages};
use crate::entities::contact;
use crate::entities::enums::ContactRole;
use crate::error::AppError;
use crate::graphql::loaders::Scope;
use crate::graphql::pagination::{self, Page};
use crate::surveys::graphql::{NpsResponse, latest_of_contact, responses_of};

/// A person at an account.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Contact {
    pub id: ID,
    pub email: String,
    pub name: Option<String>,
    pub role: ContactRole,
    /// Whether the contact asked for no more email; nothing is sent to them once set.
    pub unsubscribed: bool,
    pub unsubscribed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub contact_id: Uuid,
    #[graphql(skip)]
    pub account_id: Uuid,
}

impl From<contact::Model> for Contact {
    fn from(model: contact::Model) -> Self {
        Contact {
            id: ID(model.id.to_string()),
            email: model.email,
            name: model.name,
            role: model.role,
            unsubscribed: model.unsubscribed_at.is_some(),
            unsubscribed_at: model.unsubscribed_at,
            created_at: model.created_at,
            updated_at: model.updated_at,
            contact_id: model.id,
            account_id: model.account_id,
        }
    }
}

#[ComplexObject]
impl Contact {
    async fn account(&self, ctx: &Context<'_>) -> Result<Account> {
        load_account(ctx, self.account_id).await
    }

    /// The contact's most recent NPS response.
    async fn latest_response(&self, ctx: &Context<'_>) -> Result<Option<NpsResponse>> {
        latest_of_contact(ctx, self.contact_id).await
    }

    /// The contact's NPS responses, in the order they were recorded.
    #[graphql(complexity = "pagination::list_cost(first, child_complexity)")]
    async fn responses(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, NpsResponse>> {
        let page = Page::new(first, after.as_deref())?;
        responses_of(ctx, self.contact_id, page).await
    }
}

/// Loads contacts by id, one query per batch.
pub struct ContactLoader(pub Scope);

impl Loader<Uuid> for ContactLoader {
    type Value = Contact;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Contact>> {
        let rows = contact::Entity::find()
            .filter(contact::Column::WorkspaceId.eq(self.0.workspace_id))
            .filter(contact::Column::Id.is_in(ids.iter().copied()))
            .all(&self.0.db)
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(|c| (c.id, Contact::from(c))).collect())
    }
}

/// Resolves an optional contact id through the request's loader.
pub async fn load_contact(ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<Contact>> {
    let Some(id) = id else { return Ok(None) };
    let loader = ctx.data::<DataLoader<ContactLoader>>()?;
    loader.load_one(id).await
}

/// Loads a page of contacts for each account of a batch, in one query.
pub struct AccountContactsLoader(pub Scope);

const CONTACTS_OF_ACCOUNT: Family<contact::Entity> = Family {
    workspace: contact::Column::WorkspaceId,
    parent: contact::Column::AccountId,
    id: contact::Column::Id,
    parent_of: |c| c.account_id,
};

impl Loader<ChildPage> for AccountContactsLoader {
    type Value = Vec<contact::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ChildPage]) -> Result<HashMap<ChildPage, Vec<contact::Model>>> {
        let Scope { db, workspace_id } = &self.0;
        Ok(load_pages(db, *workspace_id, &CONTACTS_OF_ACCOUNT, keys).await?)
    }
}

/// A page of an account's contacts, batched with the other accounts of the request.
pub async fn contacts_of(ctx: &Context<'_>, account_id: Uuid, page: Page) -> Result<Connection<String, Contact>> {
    let loader = ctx.data::<DataLoader<AccountContactsLoader>>()?;
    let rows = loader.load_one(ChildPage::new(account_id, page)).await?.unwrap_or_default();
    Ok(pagination::connection(rows, page, |c| c.id, Contact::from))
}
