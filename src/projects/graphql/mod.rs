//! GraphQL types, loaders and resolvers for projects and their milestones.

pub mod loaders;
mod mutation;
mod query;
pub mod types;
mod writer;

pub use loaders::{
    MilestoneLoader, ProjectLoader, ProjectMilestonesLoader, ProjectProgressLoader,
    ProjectTemplateLoader,
};
pub use mutation::{ProjectMutation, StartProjectInput, UpdateProjectInput};
pub use query::ProjectQuery;
pub use types::{Milestone, Project, ProjectProgress, load_milestone, load_project};
pub(crate) use writer::Write;
