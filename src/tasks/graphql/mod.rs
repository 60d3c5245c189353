//! GraphQL types, loaders and resolvers for tasks.

mod loaders;
mod mutation;
mod query;
mod types;

pub use loaders::MilestoneTasksLoader;
pub use mutation::{CreateTaskInput, TaskMutation, UpdateTaskInput};
pub use query::{TaskFilterInput, TaskQuery};
pub use types::Task;
