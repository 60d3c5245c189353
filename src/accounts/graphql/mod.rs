//! GraphQL types, loaders and resolvers for accounts.

mod prefetch;
mod projects;
mod resolvers;
mod types;

pub use projects::AccountProjectsLoader;
pub use resolvers::{AccountMutation, AccountQuery, CreateAccountInput, UpdateAccountInput};
pub use types::{Account, AccountLoader, load_account};
