//! Closeloop: a backend that turns NPS feedback into work that gets done.
//!
//! Data flows one way: HTTP → GraphQL resolver → domain service → entities and database.
//! Each domain module holds its service functions and its GraphQL types.

pub mod accounts;
pub mod activity;
pub mod analytics;
pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod contacts;
pub mod conversations;
pub mod db;
pub mod demo;
pub mod email;
pub mod entities;
pub mod error;
pub mod escalation;
pub mod follow_ups;
pub mod graphql;
pub mod http;
pub mod jobs;
pub mod live;
pub mod members;
pub mod notes;
pub mod playbooks;
pub mod projects;
pub mod server;
pub mod sla;
pub mod surveys;
pub mod tasks;
pub mod telemetry;
pub mod templates;
pub mod values;
pub mod workspaces;
