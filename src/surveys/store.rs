//! Storing a batch of checked responses in the caller's transaction: who answered is
//! resolved for the whole batch, the responses go in with one multi-row insert that skips
//! external ids already stored, and the playbooks run for the responses that are new, as a
//! batch.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    TryInsertResult,
};
use serde_json::json;
use uuid::Uuid;

use super::classification::NpsRanges;
use super::input::{FieldNames, ResponseInput};
use super::resolve;
use crate::accounts::service::account_activity;
use crate::activity::service::{self as activity, Subject};
use crate::entities::{contact, nps_response};
use crate::error::{AppError, AppResult};
use crate::follow_ups::link;
use crate::playbooks::engine::{self, Effects};
use crate::values::Text;

/// A checked response and the row (1-based) it came from.
#[derive(Debug, Clone)]
pub struct Numbered {
    pub row: usize,
    pub input: ResponseInput,
}

/// Why a row was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub field: Option<&'static str>,
    pub reason: String,
}

impl RowError {
    pub fn new(row: usize, error: AppError) -> RowError {
        match error {
            AppError::BadUserInput { message, field } => RowError {
                row,
                field,
                reason: message,
            },
            other => RowError {
                row,
                field: None,
                reason: other.to_string(),
            },
        }
    }
}

/// A response this batch stored, with what the playbooks did about it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub row: usize,
    pub response: nps_response::Model,
    pub effects: Effects,
}

/// What became of each row of a batch.
#[derive(Debug, Default)]
pub struct BatchOutcome {
    pub stored: Vec<Stored>,
    /// Rows whose external id was already stored (or came earlier in the same batch).
    pub duplicates: Vec<usize>,
    pub invalid: Vec<RowError>,
}

/// Where and when a batch arrives, and who sent it (`None`: a webhook or the CLI).
#[derive(Debug, Clone, Copy)]
pub struct Arrival {
    pub workspace_id: Uuid,
    pub actor_id: Option<Uuid>,
    /// The workspace's ranges when the batch arrived: each response keeps its category.
    pub ranges: NpsRanges,
    pub now: DateTime<Utc>,
    /// How the caller's path names the fields, for the errors of rows refused here.
    pub names: FieldNames,
}

/// Stores the batch's new responses and runs the playbooks for each. Call it in a write
/// transaction; commit it to keep everything.
pub async fn store_batch(
    db: &impl ConnectionTrait,
    arrival: Arrival,
    rows: Vec<Numbered>,
) -> AppResult<BatchOutcome> {
    let Arrival {
        workspace_id,
        ranges,
        now,
        ..
    } = arrival;
    let mut outcome = BatchOutcome::default();
    let rows = drop_known_keys(db, workspace_id, rows, &mut outcome).await?;
    let references: Vec<_> = rows.iter().map(|r| &r.input.contact).collect();
    let resolved = resolve::contacts(db, workspace_id, &references, now).await?;

    let mut candidates = Vec::with_capacity(rows.len());
    for numbered in rows {
        match resolved.contact(&numbered.input.contact, arrival.names) {
            Ok(contact) => {
                let model = response_row(workspace_id, contact, ranges, numbered.input, now);
                candidates.push((numbered.row, model));
            }
            Err(error) => outcome.invalid.push(RowError::new(numbered.row, error)),
        }
    }
    let new_rows = candidates.iter_mut().map(|(_, response)| response);
    link::link_to_earlier_projects(db, workspace_id, new_rows).await?;
    let inserted = insert_responses(db, &candidates).await?;
    for (row, response) in candidates {
        if inserted.contains(&response.id) {
            outcome.stored.push(Stored {
                row,
                response,
                effects: Effects::default(),
            });
        } else {
            outcome.duplicates.push(row);
        }
    }
    after_insert(db, &mut outcome.stored, arrival).await?;
    Ok(outcome)
}

/// Leaves out rows whose external id is stored already or came earlier in the batch.
async fn drop_known_keys(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    rows: Vec<Numbered>,
    outcome: &mut BatchOutcome,
) -> AppResult<Vec<Numbered>> {
    let keys: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.input.external_id.as_deref())
        .collect();
    let mut seen: HashSet<String> = if keys.is_empty() {
        HashSet::new()
    } else {
        nps_response::Entity::find()
            .select_only()
            .column(nps_response::Column::ExternalId)
            .filter(nps_response::Column::WorkspaceId.eq(workspace_id))
            .filter(nps_response::Column::ExternalId.is_in(keys))
            .into_tuple::<Option<String>>()
            .all(db)
            .await?
            .into_iter()
            .flatten()
            .collect()
    };
    let mut fresh = Vec::with_capacity(rows.len());
    for numbered in rows {
        match &numbered.input.external_id {
            Some(key) if !seen.insert(key.clone()) => outcome.duplicates.push(numbered.row),
            _ => fresh.push(numbered),
        }
    }
    Ok(fresh)
}

fn response_row(
    workspace_id: Uuid,
    contact: &contact::Model,
    ranges: NpsRanges,
    input: ResponseInput,
    now: DateTime<Utc>,
) -> nps_response::Model {
    nps_response::Model {
        id: Uuid::now_v7(),
        workspace_id,
        contact_id: contact.id,
        account_id: contact.account_id,
        score: input.score.as_i16(),
        comment: input.comment.map(Text::into_inner),
        category: ranges.classify(input.score),
        responded_at: input.responded_at,
        external_id: input.external_id,
        survey: input.survey.map(|s| s.into_inner()),
        channel: input.channel.map(|c| c.into_inner()),
        excluded_at: None,
        exclusion_reason: None,
        created_at: now,
        follows_project_id: None,
    }
}

/// Inserts the rows in one statement; a row whose external id another request stored
/// meanwhile is skipped (`ON CONFLICT DO NOTHING`). Returns the ids actually inserted.
async fn insert_responses(
    db: &impl ConnectionTrait,
    candidates: &[(usize, nps_response::Model)],
) -> AppResult<HashSet<Uuid>> {
    if candidates.is_empty() {
        return Ok(HashSet::new());
    }
    let models: Vec<nps_response::ActiveModel> =
        candidates.iter().map(|(_, m)| m.clone().into()).collect();
    let keys = nps_response::Entity::insert_many(models)
        .on_conflict_do_nothing_on([
            nps_response::Column::WorkspaceId,
            nps_response::Column::ExternalId,
        ])
        .exec_with_returning_keys(db)
        .await
        .map(inserted_keys)?;
    Ok(keys.into_iter().collect())
}

/// The keys an insert that may skip conflicting rows actually inserted.
pub(super) fn inserted_keys<K>(result: TryInsertResult<Vec<K>>) -> Vec<K> {
    match result {
        TryInsertResult::Inserted(keys) => keys,
        TryInsertResult::Empty | TryInsertResult::Conflicted => Vec::new(),
    }
}

/// Records `nps_response.recorded` for each new response, then runs the playbooks for
/// the batch, in row order.
async fn after_insert(
    db: &impl ConnectionTrait,
    stored: &mut [Stored],
    arrival: Arrival,
) -> AppResult<()> {
    let changes = stored
        .iter()
        .map(|s| recorded(&s.response, arrival.actor_id));
    activity::record_many(db, changes, arrival.now).await?;
    let responses: Vec<nps_response::Model> = stored.iter().map(|s| s.response.clone()).collect();
    let effects = engine::on_responses_recorded(db, &responses, arrival.now).await?;
    for (entry, effects) in stored.iter_mut().zip(effects) {
        entry.effects = effects;
    }
    Ok(())
}

fn recorded(response: &nps_response::Model, actor_id: Option<Uuid>) -> activity::Change {
    account_activity(
        response.workspace_id,
        response.account_id,
        Subject::Response(response.id),
        actor_id,
        "nps_response.recorded",
        json!({
            "score": response.score,
            "category": response.category.to_value(),
            "contactId": response.contact_id,
        }),
    )
}

/// The stored responses with these external ids, by external id.
pub async fn by_external_ids(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    keys: &[String],
) -> AppResult<HashMap<String, nps_response::Model>> {
    let rows = nps_response::Entity::find()
        .filter(nps_response::Column::WorkspaceId.eq(workspace_id))
        .filter(nps_response::Column::ExternalId.is_in(keys.iter().cloned()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.external_id.clone()?, r)))
        .collect())
}
