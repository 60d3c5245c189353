//! Accounts: the customer companies a workspace looks after, each with an owner (the CSM
//! whose tasks its projects create), MRR and segment (which playbooks match on), and the
//! contacts who answer NPS surveys.

pub mod batch;
pub mod graphql;
pub mod service;
