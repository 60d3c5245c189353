//! Project templates (blueprints): the ordered milestones and task templates a project is
//! stamped out from, so that every detractor (or promoter) is handled the same way.
//!
//! Every workspace starts with the NPS Detractor and NPS Promoter blueprints
//! ([`builtin`]); managers and admins edit them or add their own. Projects copy a
//! blueprint when they start ([`service::blueprint`]), so later edits never change
//! projects already running.

pub mod builtin;
pub mod graphql;
pub mod service;

pub use service::{Blueprint, BlueprintMilestone, blueprint, find_builtin};
