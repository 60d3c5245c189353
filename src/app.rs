//! Builds the axum application: shared state, routes and middleware.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use sea_orm::DatabaseConnection;
use tower_http::trace::TraceLayer;

use crate::clock::SharedClock;
use crate::config::QueryLimits;
use crate::email::worker::Outbound;
use crate::graphql::AppSchema;
use crate::graphql::schema::{SchemaOptions, build_schema};
use crate::http;

/// Everything a request handler may need, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    pub clock: SharedClock,
    pub limits: Arc<QueryLimits>,
    /// Email delivery: the unsubscribe pages check links with it, mutations wake it.
    pub outbound: Outbound,
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        limits: QueryLimits,
        options: SchemaOptions,
        outbound: Outbound,
    ) -> Self {
        let schema = build_schema(
            db.clone(),
            clock.clone(),
            &limits,
            options,
            outbound.clone(),
        );
        AppState {
            db,
            schema,
            clock,
            limits: Arc::new(limits),
            outbound,
        }
    }
}

/// The HTTP routes: GraphQL, GraphiQL, health, unsubscribe pages, the NPS webhook.
pub fn router(state: AppState) -> Router {
    let body_limit = state.limits.body_bytes;
    Router::new()
        .route("/", get(http::graphiql))
        .route(
            "/graphql",
            get(http::graphql::get_graphql)
                .post(http::graphql::post_graphql)
                .fallback(http::graphql::method_not_allowed),
        )
        .route("/health", get(http::health))
        .route("/webhooks/nps", post(http::webhooks::nps))
        .route(
            "/unsubscribe/{token}",
            get(http::unsubscribe::confirm).post(http::unsubscribe::unsubscribe),
        )
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TraceLayer::new_for_http())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .with_state(state)
}
