//! Playbooks: the rules that turn an event (an NPS response recorded, a project completed, a
//! task overdue) into work — a project started from a blueprint, an email queued, a task
//! created, a team member told. They run inside the transaction of the event that triggered
//! them, so the event and its effects are stored together or not at all.
//!
//! [`model`] is what a playbook says, [`service`] reads and changes playbooks (after
//! `checks`), [`engine`] runs them for a batch of events with [`conditions`] and
//! [`actions`], reading once what they look at ([`batch`]) and writing what they make
//! together ([`writes`]), [`runs`] records each firing, [`snoozes`] pauses a playbook for
//! one account, and [`builtin`] installs the detractor and promoter playbooks every
//! workspace starts with.

pub mod actions;
pub mod batch;
pub mod builtin;
pub mod checks;
pub mod conditions;
pub mod engine;
pub mod graphql;
pub mod model;
pub mod runs;
pub mod service;
pub mod snoozes;
pub mod writes;
