//! NPS surveys: the responses contacts give, each classified as detractor, passive or
//! promoter under the workspace's ranges in force when it arrived. Responses are what
//! playbooks react to and what closing the loop is about.

pub mod graphql;
pub mod service;
