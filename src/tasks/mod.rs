//! Tasks: the units of work a team member does for an account — inside a project's
//! milestone, or standalone on the account. Open tasks carry a due time and an
//! escalation level, which the nightly escalation raises when they slip.
//!
//! A task made from a blueprint remembers the rule that picked its assignee, so that when
//! the account changes owner its open work follows
//! ([`service::reassign_owner_rule_tasks`]); assigning by hand ends that.

pub mod graphql;
pub mod service;
