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
use crate::live::Publisher;
use crate::live::settings::LiveSettings;

/// Everything a request handler may need, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    pub clock: SharedClock,
    pub limits: Arc<QueryLimits>,
    /// Email delivery: the unsubscribe pages check links with it, mutations wake it.
    pub outbound: Outbound,
    /// Live updates: where committed changes are announced, and how sockets behave.
    pub publisher: Publisher,
    pub live: Arc<LiveSettings>,
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        limits: QueryLimits,
        options: SchemaOptions,
        outbound: Outbound,
        live: Live,
    ) -> Self {
        let schema = build_schema(
            db.clone(),
            clock.clone(),
            &limits,
            options,
            outbound.clone(),
            live.publisher.clone(),
        );
        AppState {
            db,
            schema,
            clock,
            limits: Arc::new(limits),
            outbound,
            publisher: live.publisher,
            live: Arc::new(live.settings),
        }
    }
}

/// What live updates need: the bus and the socket settings.
pub struct Live {
    pub publisher: Publisher,
    pub settings: LiveSettings,
}

/// The HTTP routes: GraphQL (with subscriptions over WebSocket), GraphiQL, health,
/// unsubscribe pages, the NPS webhook.
pub fn router(state: AppState) -> Router {
    let body_limit = state.limits.body_bytes;
    Router::new()
        .route("/", get(http::graphiql))
        .route(
            "/graphql",
            get(http::ws::get_or_upgrade)
                .post(http::graphql::post_graphql)
                .fallback(http::graphql::method_not_allowed),
        )
        .route("/graphql/ws", get(http::ws::upgrade))
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
