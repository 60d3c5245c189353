//! Per-request batch loaders. Every list a query can fan out over is loaded through one of
//! these (or joined in the first query), so a page of 100 costs as many statements as a
//! page of 5. Loaders are scoped to the viewer's workspace and live for one request.

use async_graphql::Request;
use async_graphql::dataloader::DataLoader;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::auth::Viewer;

/// What every loader needs: a connection and the workspace it may read.
#[derive(Clone)]
pub struct Scope {
    pub db: DatabaseConnection,
    pub workspace_id: Uuid,
}

/// How long a loader collects keys before it queries. A long list's items are resolved in
/// several rounds (the executor yields between them); the default 1 ms can end a batch
/// between two rounds on a busy machine, and a few milliseconds keep it whole.
const BATCH_DELAY: std::time::Duration = std::time::Duration::from_millis(4);

/// Wraps a loader so its batches run on tokio (no helper thread, no timer thread).
pub fn loader<T: async_graphql::dataloader::Loader<K>, K>(inner: T) -> DataLoader<T>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
{
    DataLoader::new(inner, tokio::spawn).delay(BATCH_DELAY)
}

/// Adds the viewer's loaders to a request.
pub fn attach(request: Request, db: &DatabaseConnection, viewer: &Viewer) -> Request {
    let scope = Scope {
        db: db.clone(),
        workspace_id: viewer.workspace_id,
    };
    request
        .data(loader(crate::members::graphql::MemberLoader(scope.clone())))
        .data(loader(crate::accounts::graphql::AccountLoader(
            scope.clone(),
        )))
        .data(loader(crate::accounts::graphql::AccountProjectsLoader(
            scope.clone(),
        )))
        .data(loader(crate::contacts::graphql::ContactLoader(
            scope.clone(),
        )))
        .data(loader(crate::contacts::graphql::AccountContactsLoader(
            scope.clone(),
        )))
        .data(loader(crate::surveys::graphql::LatestResponseByContact(
            scope.clone(),
        )))
        .data(loader(crate::surveys::graphql::LatestResponseByAccount(
            scope.clone(),
        )))
        .data(loader(crate::surveys::graphql::ContactResponsesLoader(
            scope.clone(),
        )))
        .data(loader(crate::templates::graphql::TemplateMilestonesLoader(
            scope.clone(),
        )))
        .data(loader(crate::templates::graphql::TemplateTasksLoader(
            scope.clone(),
        )))
        .data(loader(crate::projects::graphql::ProjectLoader(
            scope.clone(),
        )))
        .data(loader(crate::projects::graphql::ProjectMilestonesLoader(
            scope.clone(),
        )))
        .data(loader(crate::projects::graphql::ProjectProgressLoader(
            scope.clone(),
        )))
        .data(loader(crate::projects::graphql::ProjectTemplateLoader(
            scope.clone(),
        )))
        .data(loader(crate::projects::graphql::MilestoneLoader(
            scope.clone(),
        )))
        .data(loader(crate::tasks::graphql::MilestoneTasksLoader(
            scope.clone(),
        )))
        .data(loader(crate::playbooks::graphql::PlaybookRunsLoader(
            scope.clone(),
        )))
        .data(loader(crate::follow_ups::graphql::FollowUpLoader(
            scope.clone(),
        )))
        .data(loader(crate::follow_ups::graphql::LaterResponsesLoader(
            scope.clone(),
        )))
        .data(loader(crate::sla::graphql::ProjectSlaClocksLoader(
            scope.clone(),
        )))
}
