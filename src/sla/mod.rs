//! Response-time targets (SLAs) for detractor projects: how soon a detractor must be
//! contacted and their project resolved, counted in the workspace's business hours and
//! time zone; the owner warned before a breach, and a breach escalated like an overdue task.
//!
//! - [`calendar`]: business-time arithmetic in a zone (pure).
//! - [`settings`]: the workspace's business days, hours, targets and warning threshold.
//! - [`clocks`]: each project's contact and resolution clocks, started, met and stopped.
//! - [`check`]: the job that warns and breaches, every few minutes, exactly once.
//! - [`steps`]: one set-based batch of warnings or breaches.

pub mod calendar;
pub mod check;
pub mod clocks;
pub mod graphql;
pub mod settings;
pub mod steps;
