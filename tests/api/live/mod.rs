//! Live updates over WebSocket: what subscribers receive, the protocol rules, and events
//! between server processes over PostgreSQL.

mod announced;
mod client;
mod delivery;
mod processes;
mod protocol;
