//! Contacts: the people at an account who answer NPS surveys and receive the emails that
//! close the loop. A contact who unsubscribed is never emailed again.

pub mod graphql;
pub mod service;
