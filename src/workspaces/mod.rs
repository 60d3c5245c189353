//! Workspaces: one Customer Success team, the tenant that owns every other record, with
//! its settings (NPS ranges, time zone, sender, head of CS, escalation policy).

pub mod graphql;
pub mod service;
