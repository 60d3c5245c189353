//! GraphQL types and queries for NPS analytics.

mod report;
mod resolution;
mod resolvers;

pub use resolvers::AnalyticsQuery;
