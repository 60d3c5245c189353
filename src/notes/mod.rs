//! Notes: free text the team writes on an account or one of its projects — what was
//! learned on a call, why a detractor is unhappy — kept beside the account's history.

pub mod graphql;
pub mod service;
