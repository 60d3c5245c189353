//! Running the playbooks for one event, inside the caller's transaction.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::entities::nps_response;
use crate::error::AppResult;

/// What the playbooks did about one event: the rows they wrote, for the caller to report
/// and to publish once the transaction has committed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    pub projects_started: Vec<Uuid>,
    pub tasks_created: Vec<Uuid>,
    pub emails_queued: Vec<Uuid>,
    pub members_notified: Vec<Uuid>,
    /// An open project the response was attached to instead of starting another.
    pub attached_to_project: Option<Uuid>,
}

/// Runs the workspace's enabled `NPS_RESPONSE_RECORDED` playbooks, in order, for a response
/// that was just stored. Call it in the transaction that stored the response.
pub async fn on_response_recorded(
    _db: &impl ConnectionTrait,
    _response: &nps_response::Model,
    _now: DateTime<Utc>,
) -> AppResult<Effects> {
    Ok(Effects::default())
}
