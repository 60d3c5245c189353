//! NPS analytics: the figures a CS team watches (the NPS, its categories and 0–10
//! distribution, its trend, each account's latest score) and how well detractors are
//! handled (how fast someone reaches out, how fast the project closes, whether it met its
//! due dates, whether the contact answers better next time).
//!
//! Everything is read-only and computed in the database with aggregate SQL that runs the
//! same on SQLite and PostgreSQL: a report never loads the responses it counts. Every
//! figure covers one [`scope::Selection`]: a scope (the workspace, an account, a segment,
//! an owner's accounts) and a window of answer times, with excluded responses left out.

pub mod durations;
pub mod follow_ups;
pub mod graphql;
pub mod nps;
pub mod resolution;
pub mod scope;
pub mod trend;
