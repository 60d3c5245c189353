//! Email: the templates Closeloop writes with, and the durable outbox every email goes
//! through. An email is a row written in the same transaction as the change that caused
//! it, under an idempotency key, so a retried mutation or job never sends twice; the
//! delivery worker sends the rows later, retries what failed for a passing reason, and
//! checks unsubscribes and bounces again at send time. Email can wait as a draft for a
//! review window, and every customer email carries a one-click unsubscribe link.
//!
//! Layers: `templates`, `defaults` and `template_store` say what an email says; `outbox`
//! queues it (`batch` many at once); `claim`, `deliver`, `record`, `message` and `transport` send it, driven by
//! `worker`; `review` is what the API may do to queued email; `unsubscribe` makes and
//! honours the links.

pub mod batch;
pub mod claim;
pub mod defaults;
pub mod deliver;
pub mod graphql;
pub mod message;
pub mod outbox;
pub mod parties;
pub mod preview;
pub mod record;
pub mod review;
pub mod settings;
pub mod template_store;
pub mod templates;
pub mod transport;
pub mod unsubscribe;
pub mod worker;
