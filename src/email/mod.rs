//! Email: the templates Closeloop writes with, and the durable outbox every email goes
//! through. An email is a row written in the same transaction as the change that caused
//! it, under an idempotency key, so a retried mutation or job never sends twice; a
//! delivery worker sends the rows later.

pub mod defaults;
pub mod outbox;
pub mod templates;
