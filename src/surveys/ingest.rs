//! Ingestion: a response recorded on its own (the mutation, the webhook) or many at once
//! (the bulk mutation, the CSV import). Each response is stored with its category, its
//! activity and whatever the playbooks did, in one transaction; a response whose external
//! id is already stored changes nothing and runs no playbooks.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use uuid::Uuid;

use super::classification::NpsRanges;
use super::input::{FieldNames, ResponseInput};
use super::store::{self, Arrival, BatchOutcome, Numbered, RowError};
use crate::db::statistics;
use crate::entities::nps_response;
use crate::error::{AppError, AppResult};
use crate::playbooks::engine::Effects;
use crate::{db, live};

/// The most rows one bulk call may carry.
pub const MAX_IMPORT_ROWS: usize = 10_000;

/// Rows per transaction in a bulk import: large enough that per-transaction costs vanish,
/// small enough that a failure loses little work and locks are held briefly.
const CHUNK_ROWS: usize = 1_000;

/// The tables an import grows: their planner statistics are refreshed between chunks
/// once they have outgrown them.
const GROWN_BY_IMPORT: &[&str] = &[
    "nps_responses",
    "contacts",
    "activities",
    "playbook_runs",
    "projects",
    "milestones",
    "tasks",
    "notes",
    "email_outbox",
    "sla_clocks",
];

/// Where responses come from: the workspace, the member who sent them (`None` for a
/// webhook or a file) and how that path names the fields.
#[derive(Debug, Clone, Copy)]
pub struct Source {
    pub workspace_id: Uuid,
    pub actor_id: Option<Uuid>,
    pub names: FieldNames,
}

/// A response as recorded: `created` is false when its external id was stored already, in
/// which case `response` is the stored one and nothing ran.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub response: nps_response::Model,
    pub created: bool,
    pub effects: Effects,
}

/// Records one response in its own transaction. Concurrent submissions of the same
/// external id store it once: the insert skips a conflicting row, and the requests that
/// lost roll back whatever they wrote and return the stored response.
pub async fn record(
    db: &DatabaseConnection,
    source: Source,
    input: ResponseInput,
    now: DateTime<Utc>,
) -> AppResult<Recorded> {
    let key = input.external_id.clone();
    let workspace_id = source.workspace_id;
    let (txn, arrival) = begin(db, source, now).await?;
    let rows = vec![Numbered { row: 1, input }];
    let mut outcome = store::store_batch(&txn, arrival, rows).await?;

    if let Some(error) = outcome.invalid.pop() {
        return Err(field_error(error));
    }
    if let Some(stored) = outcome.stored.pop() {
        txn.commit().await?;
        let response = &stored.response;
        tracing::info!(response.id = %response.id, contact.id = %response.contact_id, response.score = response.score, "NPS response recorded");
        return Ok(Recorded {
            response: stored.response,
            created: true,
            effects: stored.effects,
        });
    }
    txn.rollback().await?;
    stored_duplicate(db, workspace_id, key).await
}

/// The response another submission stored under `key`.
async fn stored_duplicate(
    db: &DatabaseConnection,
    workspace_id: Uuid,
    key: Option<String>,
) -> AppResult<Recorded> {
    let keys: Vec<String> = key.into_iter().collect();
    let response = store::by_external_ids(db, workspace_id, &keys)
        .await?
        .into_values()
        .next()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a skipped response is not stored")))?;
    tracing::info!(response.id = %response.id, "NPS response already recorded");
    Ok(Recorded {
        response,
        created: false,
        effects: Effects::default(),
    })
}

fn field_error(error: RowError) -> AppError {
    match error.field {
        Some(field) => AppError::bad_input(field, error.reason),
        None => AppError::BadUserInput {
            message: error.reason,
            field: None,
        },
    }
}

/// What a bulk import did, row by row.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub stored: usize,
    pub duplicates: usize,
    pub invalid: Vec<RowError>,
    pub effects: Effects,
    /// What subscribers should hear once the import is done; every chunk has committed.
    pub events: Vec<live::Event>,
}

/// Imports rows already checked (`rows`) next to the rows refused while checking
/// (`invalid`). Rows are stored in transactions of [`CHUNK_ROWS`]: a bad row never holds
/// back the others, and a chunk that fails (a playbook that cannot run, the database
/// giving up) is rolled back alone — its rows are reported as not stored, with the reason,
/// next to what the other chunks stored.
pub async fn import(
    db: &DatabaseConnection,
    source: Source,
    rows: Vec<Numbered>,
    invalid: Vec<RowError>,
    now: DateTime<Utc>,
) -> AppResult<ImportReport> {
    let mut report = ImportReport {
        invalid,
        ..ImportReport::default()
    };
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Numbered> = rows.by_ref().take(CHUNK_ROWS).collect();
        let numbers: Vec<usize> = chunk.iter().map(|n| n.row).collect();
        match store_chunk(db, source, chunk, now).await {
            Ok(outcome) => report.add(outcome),
            Err(error) => report.failed(&numbers, &error),
        }
        if let Err(error) = statistics::refresh_outgrown(db, GROWN_BY_IMPORT).await {
            tracing::warn!(error = %error, "planner statistics could not be refreshed");
        }
    }
    report.invalid.sort_by_key(|e| e.row);
    tracing::info!(workspace.id = %source.workspace_id, import.stored = report.stored, import.duplicates = report.duplicates, import.invalid = report.invalid.len(), "NPS responses imported");
    Ok(report)
}

/// Stores one chunk in its own transaction: all of it, or nothing.
async fn store_chunk(
    db: &DatabaseConnection,
    source: Source,
    chunk: Vec<Numbered>,
    now: DateTime<Utc>,
) -> AppResult<BatchOutcome> {
    let (txn, arrival) = begin(db, source, now).await?;
    let outcome = store::store_batch(&txn, arrival, chunk).await?;
    txn.commit().await?;
    Ok(outcome)
}

impl ImportReport {
    /// Reports the rows of a chunk that was rolled back.
    fn failed(&mut self, rows: &[usize], error: &AppError) {
        tracing::warn!(import.rows = rows.len(), error = %error, "an import chunk failed and was rolled back");
        let reason = format!("not stored: its chunk of rows was rolled back ({error})");
        self.invalid.extend(rows.iter().map(|&row| RowError {
            row,
            field: None,
            reason: reason.clone(),
        }));
    }

    fn add(&mut self, outcome: BatchOutcome) {
        self.stored += outcome.stored.len();
        self.duplicates += outcome.duplicates.len();
        self.invalid.extend(outcome.invalid);
        for stored in outcome.stored {
            self.events
                .extend(live::response_recorded(&stored.response, &stored.effects));
            self.effects.absorb(stored.effects);
        }
    }
}

/// Opens the write transaction and reads the ranges in force inside it, so a change of
/// ranges applies to a batch entirely or not at all.
async fn begin(
    db: &DatabaseConnection,
    source: Source,
    now: DateTime<Utc>,
) -> AppResult<(DatabaseTransaction, Arrival)> {
    let txn = db::begin_write(db).await?;
    let workspace = crate::workspaces::service::find(&txn, source.workspace_id).await?;
    let arrival = Arrival {
        workspace_id: source.workspace_id,
        actor_id: source.actor_id,
        ranges: NpsRanges::of(&workspace)?,
        now,
        names: source.names,
    };
    Ok((txn, arrival))
}
