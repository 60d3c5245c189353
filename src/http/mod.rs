//! The HTTP face of the API: GraphQL over HTTP, GraphiQL, the health check, the
//! unsubscribe pages customers reach from their email, and the NPS webhook survey tools
//! post to.
//!
//! This layer exists because stock async-graphql-axum is not a faithful
//! GraphQL-over-HTTP server: it answers every request with status 200 as
//! `application/graphql-response+json`, parses a body of any content type as JSON and
//! runs a mutation sent by GET. Here the HTTP rules come first — content type (415),
//! body size (413), accepted media type (406), method (405), well-formed request (400) —
//! and only a request that passes them reaches the executor. The status of a GraphQL
//! response then follows the media type the client accepted (see
//! [`graphql`](self::graphql) for the rule), and every error carries `extensions.code`.

pub mod graphql;
pub mod unsubscribe;
pub mod webhooks;
pub mod ws;

mod auth;
mod graphiql;
mod health;
mod media;
mod refusal;
mod request;
mod response;

pub use graphiql::graphiql;
pub use health::health;
