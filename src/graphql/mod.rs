//! The GraphQL layer: schema assembly, resolver context, pagination and batch loaders.
//!
//! Resolvers stay thin: they check who is asking, validate input into domain types and
//! call a domain service. Domain services never call into this module.

pub mod context;
pub mod inputs;
pub mod loaders;
pub mod pagination;
pub mod schema;

pub use context::ContextExt;
pub use schema::{AppSchema, build_schema, sdl};
