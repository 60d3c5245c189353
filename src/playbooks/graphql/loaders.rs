//! The runs nested under each playbook of a list, one query per page shape.

use std::collections::HashMap;

use async_graphql::connection::Connection;
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Result};
use uuid::Uuid;

use super::types::PlaybookRun;
use crate::accounts::batch::{ChildPage, Family, child_page, load_pages};
use crate::entities::playbook_run::{self, Column};
use crate::graphql::loaders::Scope;
use crate::graphql::pagination::Page;

const BY_PLAYBOOK: Family<playbook_run::Entity> = Family {
    workspace: Column::WorkspaceId,
    parent: Column::PlaybookId,
    id: Column::Id,
    parent_of: |r| r.playbook_id,
};

/// Loads a page of runs for each playbook of a batch.
pub struct PlaybookRunsLoader(pub Scope);

impl Loader<ChildPage> for PlaybookRunsLoader {
    type Value = Vec<playbook_run::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ChildPage],
    ) -> Result<HashMap<ChildPage, Vec<playbook_run::Model>>> {
        Ok(load_pages(&self.0.db, self.0.workspace_id, &BY_PLAYBOOK, keys).await?)
    }
}

pub async fn runs_of(
    ctx: &Context<'_>,
    playbook_id: Uuid,
    page: Page,
) -> Result<Connection<String, PlaybookRun>> {
    child_page::<PlaybookRunsLoader, _, _>(ctx, playbook_id, page, |r| r.id, PlaybookRun::from)
        .await
}
