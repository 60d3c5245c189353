//! The record of playbook runs: one row each time a playbook's conditions held for an event,
//! saying whether it fired or what held it back, and what its actions made. It answers "why
//! did this happen" and is what the frequency bound counts.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;
use uuid::Uuid;

use super::batch::State;
use super::engine::Event;
use crate::entities::enums::PlaybookRunOutcome;
use crate::entities::{playbook, playbook_run};
use crate::error::AppResult;
use crate::graphql::pagination::{Page, paged};

/// Which runs to list; every filter given must match.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunFilter {
    pub playbook_id: Option<Uuid>,
    pub account_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
}

/// Records a run in the batch: written with the batch's other rows, and seen at once by
/// the replay guard and the frequency bound of the events after it.
pub fn record(
    state: &mut State,
    playbook: &playbook::Model,
    event: &Event,
    outcome: PlaybookRunOutcome,
    details: Value,
    now: DateTime<Utc>,
) {
    let row = playbook_run::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(playbook.workspace_id),
        playbook_id: Set(playbook.id),
        trigger: Set(playbook.trigger),
        event_id: Set(event.id),
        account_id: Set(event.account.id),
        contact_id: Set(event.contact.as_ref().map(|c| c.id)),
        response_id: Set(event.response.as_ref().map(|r| r.id)),
        outcome: Set(outcome),
        details: Set(details),
        fired_at: Set(now),
    };
    state.writes.runs.push(row);
    state.ran(playbook.id, event, outcome, now);
}

/// Runs in the order they happened.
pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    filter: RunFilter,
    page: Page,
) -> AppResult<Vec<playbook_run::Model>> {
    let mut select =
        playbook_run::Entity::find().filter(playbook_run::Column::WorkspaceId.eq(workspace_id));
    if let Some(id) = filter.playbook_id {
        select = select.filter(playbook_run::Column::PlaybookId.eq(id));
    }
    if let Some(id) = filter.account_id {
        select = select.filter(playbook_run::Column::AccountId.eq(id));
    }
    if let Some(id) = filter.event_id {
        select = select.filter(playbook_run::Column::EventId.eq(id));
    }
    Ok(paged(select, playbook_run::Column::Id, page)
        .all(db)
        .await?)
}
