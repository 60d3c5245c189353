//! GraphQL types, loaders and resolvers for project templates (blueprints).

pub mod inputs;
pub mod loaders;
mod mutation;
mod query;
pub mod types;

pub use loaders::{TemplateMilestonesLoader, TemplateTasksLoader};
pub use mutation::TemplateMutation;
pub use query::TemplateQuery;
pub use types::{ProjectTemplate, TemplateMilestone, TemplateTask};
