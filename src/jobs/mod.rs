//! Scheduled jobs: the cron wiring that fires them on every process, the job-run ledger that
//! lets exactly one process run each scheduled slot, and the job runs seen through the API.
//! The jobs themselves live with their domain (`escalation::run`).

pub mod graphql;
pub mod ledger;
pub mod scheduler;
pub mod settings;
