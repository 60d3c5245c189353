//! Loaders for the responses nested under contacts and accounts: each resolves a whole
//! page of parents in one query.

use std::collections::HashMap;

use async_graphql::connection::Connection;
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, Result};
use sea_orm::sea_query::Order;
use uuid::Uuid;

use super::types::NpsResponse;
use crate::accounts::batch::{ChildPage, Family, child_page, first_per_parent, load_pages};
use crate::entities::nps_response::{self, Column};
use crate::graphql::loaders::Scope;
use crate::graphql::pagination::Page;

const BY_CONTACT: Family<nps_response::Entity> = Family {
    workspace: Column::WorkspaceId,
    parent: Column::ContactId,
    id: Column::Id,
    parent_of: |r| r.contact_id,
};

const BY_ACCOUNT: Family<nps_response::Entity> = Family {
    workspace: Column::WorkspaceId,
    parent: Column::AccountId,
    id: Column::Id,
    parent_of: |r| r.account_id,
};

/// Newest first: by when the customer answered, then by when it was recorded.
const NEWEST_FIRST: [(Column, Order); 2] = [
    (Column::RespondedAt, Order::Desc),
    (Column::Id, Order::Desc),
];

/// The latest response of each parent in `family`, excluded ones included.
async fn latest(
    scope: &Scope,
    family: &Family<nps_response::Entity>,
    parents: &[Uuid],
) -> Result<HashMap<Uuid, NpsResponse>> {
    let rows = first_per_parent(
        &scope.db,
        scope.workspace_id,
        family,
        parents,
        &NEWEST_FIRST,
        None,
        1,
    )
    .await?;
    let latest = rows
        .into_iter()
        .filter_map(|(parent, mut responses)| Some((parent, responses.pop()?)));
    Ok(latest
        .map(|(parent, response)| (parent, NpsResponse::from(response)))
        .collect())
}

/// Loads the latest response of each contact of a batch.
pub struct LatestResponseByContact(pub Scope);

impl Loader<Uuid> for LatestResponseByContact {
    type Value = NpsResponse;
    type Error = async_graphql::Error;

    async fn load(&self, contact_ids: &[Uuid]) -> Result<HashMap<Uuid, NpsResponse>> {
        latest(&self.0, &BY_CONTACT, contact_ids).await
    }
}

/// Loads the latest response of each account of a batch.
pub struct LatestResponseByAccount(pub Scope);

impl Loader<Uuid> for LatestResponseByAccount {
    type Value = NpsResponse;
    type Error = async_graphql::Error;

    async fn load(&self, account_ids: &[Uuid]) -> Result<HashMap<Uuid, NpsResponse>> {
        latest(&self.0, &BY_ACCOUNT, account_ids).await
    }
}

pub async fn latest_of_contact(ctx: &Context<'_>, contact_id: Uuid) -> Result<Option<NpsResponse>> {
    ctx.data::<DataLoader<LatestResponseByContact>>()?
        .load_one(contact_id)
        .await
}

pub async fn latest_of_account(ctx: &Context<'_>, account_id: Uuid) -> Result<Option<NpsResponse>> {
    ctx.data::<DataLoader<LatestResponseByAccount>>()?
        .load_one(account_id)
        .await
}

/// Loads a page of responses for each contact of a batch, in one query.
pub struct ContactResponsesLoader(pub Scope);

impl Loader<ChildPage> for ContactResponsesLoader {
    type Value = Vec<nps_response::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ChildPage],
    ) -> Result<HashMap<ChildPage, Vec<nps_response::Model>>> {
        Ok(load_pages(&self.0.db, self.0.workspace_id, &BY_CONTACT, keys).await?)
    }
}

/// A page of a contact's responses, batched with the other contacts of the request.
pub async fn responses_of(
    ctx: &Context<'_>,
    contact_id: Uuid,
    page: Page,
) -> Result<Connection<String, NpsResponse>> {
    child_page::<ContactResponsesLoader, _, _>(ctx, contact_id, page, |r| r.id, NpsResponse::from)
        .await
}
