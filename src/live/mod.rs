//! Live updates: committed changes pushed to subscribers over GraphQL subscriptions.
//!
//! A mutation (or a job) commits, then hands what it changed to the [`Publisher`] as
//! [`Event`]s — ids only. The publisher fans them out to this process's subscriptions
//! through a bounded broadcast channel and, over PostgreSQL, to the other server
//! processes through `LISTEN/NOTIFY`. Each subscription keeps the events of its own
//! workspace that it asked for and loads the changed record (once per event and process)
//! to deliver it. Nothing is published before its transaction commits, so a failed or
//! rolled-back change is never seen. The WebSocket protocols live in `crate::http::ws`.

mod bus;
mod delivery;
mod event;
mod feed;
pub mod graphql;
mod postgres;
pub mod settings;

pub use bus::{Publisher, Signal};
pub use delivery::{Published, Record};
pub use event::{Event, announced_by, response_recorded};
pub use postgres::{CHANNEL, LISTENER_NAME};
