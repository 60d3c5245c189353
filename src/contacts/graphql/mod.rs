//! GraphQL types, loaders and resolvers for contacts.

mod resolvers;
mod types;

pub use resolvers::{ContactMutation, ContactQuery, CreateContactInput, UpdateContactInput};
pub use types::{AccountContactsLoader, Contact, ContactLoader, contacts_of, load_contact};
