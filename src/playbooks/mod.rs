//! Playbooks: the rules that turn an event (an NPS response recorded, a project completed, a
//! task overdue) into work — a project started from a blueprint, an email queued, a task
//! created, a team member told. They run inside the transaction of the event that triggered
//! them, so the event and its effects are stored together or not at all.

pub mod engine;
