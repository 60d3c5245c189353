//! The projects of each account on a page, loaded through one query per batch.

use std::collections::HashMap;

use async_graphql::connection::Connection;
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Result};
use uuid::Uuid;

use crate::accounts::batch::{ChildPage, Family, child_page, load_pages};
use crate::entities::project;
use crate::graphql::loaders::Scope;
use crate::graphql::pagination::Page;
use crate::projects::graphql::Project;

const PROJECTS_OF_ACCOUNT: Family<project::Entity> = Family {
    workspace: project::Column::WorkspaceId,
    parent: project::Column::AccountId,
    id: project::Column::Id,
    parent_of: |p| p.account_id,
};

/// Loads a page of projects for each account of a batch, in one query.
pub struct AccountProjectsLoader(pub Scope);

impl Loader<ChildPage> for AccountProjectsLoader {
    type Value = Vec<project::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ChildPage]) -> Result<HashMap<ChildPage, Vec<project::Model>>> {
        Ok(load_pages(&self.0.db, self.0.workspace_id, &PROJECTS_OF_ACCOUNT, keys).await?)
    }
}

/// A page of an account's projects, batched with the other accounts of the request.
pub async fn projects_of(
    ctx: &Context<'_>,
    account_id: Uuid,
    page: Page,
) -> Result<Connection<String, Project>> {
    child_page::<AccountProjectsLoader, _, _>(ctx, account_id, page, |r| r.id, Project::from).await
}
