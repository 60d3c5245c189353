//! The sea-orm entities: one module per table of `docs/data-model.md`, matching the `migration`
//! crate column for column. They belong to the data layer; GraphQL types are built from them,
//! never the other way round. The exception is [`enums`], whose enums are the GraphQL enums too,
//! so that a stored value and its API name cannot drift apart.
//!
//! Each entity declares a relation for each of its foreign keys, except `workspace_id`, which
//! every tenant table has and which queries filter on rather than join: only the tables directly
//! under a workspace (team members, accounts, project templates, playbooks, the email outbox)
//! declare that one. Parents declare `has_many` to the children they are made of (an account's
//! contacts, a project's milestones and tasks, a template's milestones and tasks).

pub mod enums;

pub mod account;
pub mod activity;
pub mod api_token;
pub mod contact;
pub mod conversation;
pub mod email_outbox;
pub mod email_template;
pub mod escalation_notice;
pub mod follow_up;
pub mod instance_secret;
pub mod job_run;
pub mod milestone;
pub mod note;
pub mod nps_response;
pub mod playbook;
pub mod playbook_run;
pub mod playbook_snooze;
pub mod project;
pub mod project_template;
pub mod sla_clock;
pub mod sla_setting;
pub mod task;
pub mod team_member;
pub mod template_milestone;
pub mod template_task;
pub mod webhook_secret;
pub mod workspace;
