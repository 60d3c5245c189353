//! The GraphQL `Contact` and the loaders that resolve contacts by id and by account.

use std::collections::HashMap;

use async_graphql::connection::Connection;
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::accounts::batch::{ChildPage, Family, by_ids, child_page, load_pages};
use crate::accounts::graphql::{Account, load_account};
use crate::entities::contact;
use crate::entities::enums::ContactRole;
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
    /// The latest response, when the page this contact came in already loaded it.
    #[graphql(skip)]
    pub prefetched_latest: Option<Option<NpsResponse>>,
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
            prefetched_latest: None,
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
        if let Some(latest) = &self.prefetched_latest {
            return Ok(latest.clone());
        }
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
        let columns = [contact::Column::WorkspaceId, contact::Column::Id];
        Ok(
            by_ids::<contact::Entity, _>(&self.0, columns, ids, |c| (c.id, Contact::from(c)))
                .await?,
        )
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
pub async fn contacts_of(
    ctx: &Context<'_>,
    account_id: Uuid,
    page: Page,
) -> Result<Connection<String, Contact>> {
    child_page::<AccountContactsLoader, _, _>(ctx, account_id, page, |r| r.id, Contact::from).await
}
