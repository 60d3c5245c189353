//! Activity: the append-only history of every change to a task, project or account —
//! who did what, when. It is what the UI shows as a timeline and what subscriptions stream.

pub mod graphql;
pub mod service;
