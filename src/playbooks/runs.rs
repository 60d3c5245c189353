//! The record of playbook runs: one row each time a playbook's conditions held for an event,
//! saying whether it fired or what held it back, and what its actions made. It answers "why
//! did this happen" and is what the frequency bound counts.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use serde_json::Value;
use uuid::Uuid;

use super::engine::Event;
use super::model::{Frequency, FrequencyScope};
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

pub async fn record(
    db: &impl ConnectionTrait,
    playbook: &playbook::Model,
    event: &Event,
    outcome: PlaybookRunOutcome,
    details: Value,
    now: DateTime<Utc>,
) -> AppResult<playbook_run::Model> {
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
    Ok(row.insert(db).await?)
}

/// Whether the playbook met this event already (the event is being replayed).
pub async fn exists(
    db: &impl ConnectionTrait,
    playbook: &playbook::Model,
    event_id: Uuid,
) -> AppResult<bool> {
    let count = playbook_run::Entity::find()
        .filter(playbook_run::Column::WorkspaceId.eq(playbook.workspace_id))
        .filter(playbook_run::Column::PlaybookId.eq(playbook.id))
        .filter(playbook_run::Column::EventId.eq(event_id))
        .count(db)
        .await?;
    Ok(count > 0)
}

/// Whether the playbook fired for the event's account (or contact) within the bound.
pub async fn too_recent(
    db: &impl ConnectionTrait,
    playbook: &playbook::Model,
    frequency: Frequency,
    event: &Event,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let since = now - Duration::days(i64::from(frequency.days));
    let mut select = playbook_run::Entity::find()
        .filter(playbook_run::Column::WorkspaceId.eq(playbook.workspace_id))
        .filter(playbook_run::Column::PlaybookId.eq(playbook.id))
        .filter(playbook_run::Column::Outcome.eq(PlaybookRunOutcome::Fired))
        .filter(playbook_run::Column::FiredAt.gt(since));
    select = match (frequency.per, &event.contact) {
        (FrequencyScope::Contact, Some(contact)) => {
            select.filter(playbook_run::Column::ContactId.eq(contact.id))
        }
        _ => select.filter(playbook_run::Column::AccountId.eq(event.account.id)),
    };
    Ok(select.count(db).await? > 0)
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
