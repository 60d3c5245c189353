//! NPS surveys: the responses contacts give, each classified as detractor, passive or
//! promoter under the workspace's ranges in force when it arrived. Responses are what
//! playbooks react to and what closing the loop is about.
//!
//! - `score`, `input`: what a response must be to get in;
//! - `classification`: the workspace's ranges and how a score is classified;
//! - `resolve`, `store`, `ingest`: finding who answered, storing responses and running
//!   the playbooks, one at a time or in bulk;
//! - `import`: bulk rows and CSV files;
//! - `exclusion`: leaving a response out of the figures and taking it back;
//! - `webhook`: the secrets survey tools sign pushed responses with.

pub mod classification;
pub mod exclusion;
pub mod graphql;
pub mod import;
pub mod ingest;
pub mod input;
mod resolve;
pub mod score;
pub mod service;
pub mod store;
pub mod webhook;
