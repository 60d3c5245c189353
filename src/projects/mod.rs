//! Projects: a blueprint started for an account — usually because an NPS response made a
//! contact a detractor — with its milestones and tasks copied from the template, so that
//! later edits of the template never change work already under way.
//!
//! [`service::start_project`] is the one way a project comes to exist; the API and the
//! playbooks both call it.

pub mod graphql;
pub mod service;
