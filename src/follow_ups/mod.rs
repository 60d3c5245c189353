//! Follow-ups: some days after a detractor project completes, its contact gets the
//! `DetractorFollowUp` email asking whether the concern is resolved — once, whatever runs
//! twice or on several processes. And when that contact answers a survey again, the new
//! response is linked to the project, so the resolution figures can see the change of score.
//!
//! - [`service`]: scheduling at completion, a playbook's say, cancelling on reopening.
//! - [`job`]: the daily job: ledger claim per workspace and slot, bounded batches.
//! - [`send`]: one batch of due follow-ups: claim, email, outcome, activity.
//! - [`link`]: linking a batch of new responses to their contacts' earlier projects.
//! - [`graphql`]: `Project.followUp`, `Project.laterResponses`, `NpsResponse.followsProject`.

pub mod graphql;
pub mod job;
pub mod link;
pub mod send;
pub mod service;
