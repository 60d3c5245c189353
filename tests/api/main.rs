//! The integration suite: each test starts the real server on an ephemeral port over its
//! own database (a SQLite file, or a fresh PostgreSQL database when `TEST_DATABASE_URL`
//! is set) and talks to it over HTTP.

#![expect(
    clippy::expect_used,
    reason = "helpers outside #[test] functions stop a test on a failed setup step, naming it"
)]

mod helpers;

mod accounts;
mod contacts;
mod email;
mod http_rules;
mod members;
mod notes;
mod nplusone;
mod projects;
mod robustness;
mod schema;
mod smtp;
mod tasks;
mod templates;
mod workspaces;
