//! Escalation: the nightly job that finds overdue open tasks of detractor projects (or the
//! kinds the workspace's policy names) and moves each up the policy's levels one at a time —
//! remind the assignee, raise the priority, tell their manager, tell the head of CS — each
//! level once per task, ever, however often or on however many processes the job runs.
//!
//! - [`policy`]: the levels and their actions, validated.
//! - [`schedule`]: when a workspace's run is due, in its own time zone.
//! - [`run`]: one run: ledger claim, batches, digests.
//! - [`apply`]: one set-based batch of one level.
//! - [`digest`]: one email per person per run.

pub mod apply;
pub mod digest;
pub mod graphql;
pub mod policy;
pub mod run;
pub mod scan;
pub mod schedule;
pub mod service;
