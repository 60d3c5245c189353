//! Bulk import: checking every row first, and reading a CSV file into rows.

use std::io::Read;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::ingest::{self, ImportReport, Source};
use super::input::{FieldNames, MissingKey, RawResponse, RawScore, RawTime, SNAKE_FIELDS};
use super::store::{Numbered, RowError};
use crate::values::Name;

/// Checks every row (numbered from 1) before anything is stored: the valid ones, and why
/// each other one was refused. Rows without an external id get one from their content.
pub fn parse_rows(
    rows: impl IntoIterator<Item = RawResponse>,
    names: FieldNames,
    now: DateTime<Utc>,
) -> (Vec<Numbered>, Vec<RowError>) {
    let mut valid = Vec::new();
    let mut invalid = Vec::new();
    for (index, raw) in rows.into_iter().enumerate() {
        let row = index + 1;
        match raw.parse(names, MissingKey::DeriveFromContent, now) {
            Ok(input) => valid.push(Numbered { row, input }),
            Err(error) => invalid.push(RowError::new(row, error)),
        }
    }
    (valid, invalid)
}

/// A CSV file read into rows, numbered by their line in the file (the header is line 1).
#[derive(Debug, Default)]
pub struct CsvRows {
    pub valid: Vec<Numbered>,
    pub invalid: Vec<RowError>,
}

/// The columns a CSV file may have; others are refused so a typo does not silently drop
/// data.
pub const CSV_COLUMNS: [&str; 11] = [
    "external_id",
    "contact_id",
    "contact_email",
    "contact_name",
    "account_id",
    "account_external_id",
    "score",
    "comment",
    "responded_at",
    "survey",
    "channel",
];

/// Reads a CSV file with a header row. A line that cannot be read at all is reported like
/// any invalid row; an unknown column fails the whole file.
pub fn read_csv(source: impl Read, now: DateTime<Utc>) -> anyhow::Result<CsvRows> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(source);
    let header: Vec<String> = reader.headers()?.iter().map(str::to_lowercase).collect();
    if let Some(unknown) = header.iter().find(|h| !CSV_COLUMNS.contains(&h.as_str())) {
        anyhow::bail!(
            "unknown column {unknown:?}; the columns are {}",
            CSV_COLUMNS.join(", ")
        );
    }
    let mut rows = CsvRows::default();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                rows.invalid.push(unreadable(line, &error));
                continue;
            }
        };
        let raw = raw_from_record(&header, &record);
        match raw.parse(SNAKE_FIELDS, MissingKey::DeriveFromContent, now) {
            Ok(input) => rows.valid.push(Numbered { row: line, input }),
            Err(error) => rows.invalid.push(RowError::new(line, error)),
        }
    }
    Ok(rows)
}

fn unreadable(line: usize, error: &csv::Error) -> RowError {
    RowError {
        row: line,
        field: None,
        reason: format!("unreadable line: {error}"),
    }
}

fn raw_from_record(header: &[String], record: &csv::StringRecord) -> RawResponse {
    let mut raw = RawResponse::default();
    for (column, value) in header.iter().zip(record.iter()) {
        let value = Some(value.to_owned());
        match column.as_str() {
            "external_id" => raw.external_id = value,
            "contact_id" => raw.contact_id = value,
            "contact_email" => raw.contact_email = value,
            "contact_name" => raw.contact_name = value,
            "account_id" => raw.account_id = value,
            "account_external_id" => raw.account_external_id = value,
            "score" => raw.score = value.map(RawScore::Text),
            "comment" => raw.comment = value,
            "responded_at" => raw.responded_at = value.map(RawTime::Text),
            "survey" => raw.survey = value,
            "channel" => raw.channel = value,
            _ => {}
        }
    }
    raw
}

/// Imports a CSV file into the named workspace, as `closeloop import responses` does.
/// Responses imported this way have no actor: they come from a file, not a member.
pub async fn import_csv(
    db: &DatabaseConnection,
    workspace: &Name,
    source: impl Read,
    now: DateTime<Utc>,
) -> anyhow::Result<ImportReport> {
    let workspace = crate::workspaces::service::find_by_name(db, workspace)
        .await
        .map_err(|e| anyhow::anyhow!("finding the workspace: {e}"))?
        .ok_or_else(|| anyhow::anyhow!("no workspace named {:?}", workspace.as_str()))?;
    let rows = read_csv(source, now)?;
    let source = Source {
        workspace_id: workspace.id,
        actor_id: None,
        names: SNAKE_FIELDS,
    };
    ingest::import(db, source, rows.valid, rows.invalid, now)
        .await
        .map_err(|e| anyhow::anyhow!("importing: {e}"))
}
