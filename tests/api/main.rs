//! The integration suite: each test starts the real server on an ephemeral port over its
//! own database (a SQLite file, or a fresh PostgreSQL database when `TEST_DATABASE_URL`
//! is set) and talks to it over HTTP.

#![expect(
    clippy::expect_used,
    reason = "a test helper stops the test at the first broken step of its set-up"
)]

mod helpers;

mod accounts;
mod analytics;
mod classification;
mod contacts;
mod demo;
mod email;
mod escalation;
mod follow_ups;
mod http_rules;
mod import;
mod ingestion;
mod jobs;
mod live;
mod members;
mod notes;
mod nplusone;
mod playbooks;
mod projects;
mod robustness;
mod schema;
mod sla;
mod smtp;
mod tasks;
mod templates;
mod webhooks;
mod workspaces;
