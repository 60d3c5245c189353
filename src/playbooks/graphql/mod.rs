//! GraphQL for playbooks: reading them with their runs and snoozes (everyone), changing
//! them (managers and admins), snoozing one for an account (anyone who may change data).

mod inputs;
mod loaders;
mod resolvers;
mod types;

pub use inputs::{PlaybookActionInput, PlaybookConditionsInput, PlaybookInput};
pub use loaders::PlaybookRunsLoader;
pub use resolvers::{PlaybookMutation, PlaybookQuery};
pub use types::{Playbook, PlaybookAction, PlaybookRun, PlaybookSnooze};
