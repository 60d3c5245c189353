//! Team members: the CSMs, managers and admins of a workspace, their reporting line
//! (escalations go to a member's manager) and their API tokens.

pub mod graphql;
pub mod service;
