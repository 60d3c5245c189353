//! Linking a new response to the project its contact's earlier answer started. When a
//! contact answers again while a detractor project started by one of their earlier
//! responses is active or completed (not cancelled), the new response records that project
//! in `follows_project_id`; with several, the one started by the latest earlier answer.
//! The link is by contact, not account: it is the same person's change of score.
//!
//! It is worked out for a whole batch of new responses before they are inserted: one query
//! finds the candidate projects of every contact in the batch, and the link goes in with the
//! insert itself. A project started by a response of the same batch is not seen yet.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait,
};
use uuid::Uuid;

use crate::entities::enums::{ProjectKind, ProjectStatus};
use crate::entities::{nps_response, project};
use crate::error::AppResult;

/// A detractor project and when the answer that started it was given.
struct Candidate {
    project_id: Uuid,
    started_by_answer_at: DateTime<Utc>,
}

/// Sets `follows_project_id` on each response of a batch about to be inserted.
pub async fn link_to_earlier_projects<'a>(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    responses: impl IntoIterator<Item = &'a mut nps_response::Model>,
) -> AppResult<()> {
    let mut responses: Vec<&mut nps_response::Model> = responses.into_iter().collect();
    let contacts: Vec<Uuid> = responses.iter().map(|r| r.contact_id).collect();
    if contacts.is_empty() {
        return Ok(());
    }
    let candidates = candidates(db, workspace_id, contacts).await?;
    for response in &mut responses {
        response.follows_project_id = candidates
            .get(&response.contact_id)
            .and_then(|projects| latest_before(projects, response.responded_at));
    }
    Ok(())
}

/// The project started by the latest answer given before `responded_at`.
fn latest_before(projects: &[Candidate], responded_at: DateTime<Utc>) -> Option<Uuid> {
    projects
        .iter()
        .filter(|c| c.started_by_answer_at < responded_at)
        .max_by_key(|c| (c.started_by_answer_at, c.project_id))
        .map(|c| c.project_id)
}

/// The active and completed detractor projects these contacts' responses started, by contact.
async fn candidates(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    mut contacts: Vec<Uuid>,
) -> AppResult<HashMap<Uuid, Vec<Candidate>>> {
    contacts.sort_unstable();
    contacts.dedup();
    let rows: Vec<(Uuid, Uuid, DateTime<Utc>)> = project::Entity::find()
        .select_only()
        .column(project::Column::Id)
        .column(nps_response::Column::ContactId)
        .column(nps_response::Column::RespondedAt)
        .join(
            JoinType::InnerJoin,
            project::Relation::TriggeringResponse.def(),
        )
        .filter(project::Column::WorkspaceId.eq(workspace_id))
        .filter(project::Column::Kind.eq(ProjectKind::NpsDetractor))
        .filter(project::Column::Status.is_in([ProjectStatus::Active, ProjectStatus::Completed]))
        .filter(nps_response::Column::WorkspaceId.eq(workspace_id))
        .filter(nps_response::Column::ContactId.is_in(contacts))
        .into_tuple()
        .all(db)
        .await?;
    let mut by_contact: HashMap<Uuid, Vec<Candidate>> = HashMap::new();
    for (project_id, contact_id, started_by_answer_at) in rows {
        by_contact.entry(contact_id).or_default().push(Candidate {
            project_id,
            started_by_answer_at,
        });
    }
    Ok(by_contact)
}
