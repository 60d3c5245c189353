//! Conversations: emails, calls, meetings and chats with an account's contacts, logged by
//! the team — and every email Closeloop sends, so the account's story is in one place.

pub mod graphql;
pub mod service;
