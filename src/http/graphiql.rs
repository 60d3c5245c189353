//! GraphiQL, the in-browser IDE, served at `/` against `/graphql`.

use async_graphql::http::GraphiQLSource;
use axum::response::Html;

/// The GraphiQL page. Subscriptions (`/graphql/ws`) are not wired into it yet.
pub async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}
