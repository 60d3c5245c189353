//! The ingestion mutations: one response, or many at once.

use async_graphql::{
    ComplexObject, Context, ID, InputObject, InputValueError, InputValueResult, Object, Result,
    Scalar, ScalarType, SimpleObject, Value,
};
use chrono::{DateTime, Utc};

use super::types::NpsResponse;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::graphql::ContextExt;
use crate::live;
use crate::playbooks::engine::Effects;
use crate::projects::graphql::{Project, load_project};
use crate::surveys::import::parse_rows;
use crate::surveys::ingest::{self, MAX_IMPORT_ROWS, Source};
use crate::surveys::input::{GRAPHQL_FIELDS, MissingKey, RawResponse, RawScore, RawTime};
use crate::surveys::store::RowError;

/// One NPS response. Name the contact by `contactId`, or by `contactEmail` with the
/// account (`accountId` or `accountExternalId`): a new email at a known account becomes a
/// contact (role user).
#[derive(InputObject, Clone)]
pub struct NpsResponseInput {
    pub contact_id: Option<ID>,
    pub contact_email: Option<String>,
    /// The name of a contact created by this response.
    pub contact_name: Option<String>,
    pub account_id: Option<ID>,
    pub account_external_id: Option<String>,
    /// An integer from 0 to 10.
    pub score: ScoreValue,
    pub comment: Option<String>,
    /// When the contact answered; now if left out; at most 5 minutes ahead.
    pub responded_at: Option<DateTime<Utc>>,
    /// The response's id in the survey tool: a second submission with the same one changes
    /// nothing.
    pub external_id: Option<String>,
    pub survey: Option<String>,
    pub channel: Option<String>,
}

impl From<NpsResponseInput> for RawResponse {
    fn from(input: NpsResponseInput) -> Self {
        RawResponse {
            contact_id: input.contact_id.map(|id| id.0),
            contact_email: input.contact_email,
            contact_name: input.contact_name,
            account_id: input.account_id.map(|id| id.0),
            account_external_id: input.account_external_id,
            score: Some(input.score.into()),
            comment: input.comment,
            responded_at: input.responded_at.map(RawTime::Parsed),
            external_id: input.external_id,
            survey: input.survey,
            channel: input.channel,
        }
    }
}

/// An NPS score as a client sends it: any number, so that a fractional or out-of-range
/// score is refused by the same check as on every other path (`BAD_USER_INPUT` naming
/// the field, or the row in a bulk import) rather than failing the whole request.
#[derive(Clone, Debug)]
pub struct ScoreValue(serde_json::Number);

/// An NPS score: an integer from 0 to 10.
#[Scalar(name = "NpsScore")]
impl ScalarType for ScoreValue {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::Number(number) => Ok(ScoreValue(number)),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.clone())
    }
}

impl From<ScoreValue> for RawScore {
    fn from(score: ScoreValue) -> Self {
        match score.0.as_i64() {
            Some(n) => RawScore::Number(n),
            None => RawScore::Text(score.0.to_string()),
        }
    }
}

/// The response recorded (or the one stored before under the same external id) and what
/// the playbooks did about it.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct RecordNpsResponsePayload {
    pub response: NpsResponse,
    /// False when the external id was recorded before: nothing changed and no playbook ran.
    pub created: bool,
    pub emails_queued: i32,
    pub tasks_created: i32,
    pub members_notified: i32,
    #[graphql(skip)]
    pub effects: Effects,
}

#[ComplexObject]
impl RecordNpsResponsePayload {
    /// Projects the playbooks started for this response.
    async fn projects_started(&self, ctx: &Context<'_>) -> Result<Vec<Project>> {
        let mut projects = Vec::with_capacity(self.effects.projects_started.len());
        for id in &self.effects.projects_started {
            projects.extend(load_project(ctx, Some(*id)).await?);
        }
        Ok(projects)
    }

    /// The open project the response was attached to instead of starting another.
    async fn attached_to_project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        load_project(ctx, self.effects.attached_to_project).await
    }
}

/// A row a bulk import refused.
#[derive(SimpleObject)]
pub struct ImportRowError {
    /// The row's position in the list, from 1.
    pub row: i32,
    /// The input field at fault, when one is.
    pub field: Option<String>,
    pub reason: String,
}

/// What a bulk import did.
#[derive(SimpleObject)]
pub struct ImportNpsResponsesPayload {
    pub stored: i32,
    /// Rows whose external id (or content, for rows without one) was stored before.
    pub duplicates: i32,
    pub invalid: i32,
    pub errors: Vec<ImportRowError>,
    pub projects_started: i32,
    pub emails_queued: i32,
    pub tasks_created: i32,
}

impl From<RowError> for ImportRowError {
    fn from(error: RowError) -> Self {
        ImportRowError {
            row: count(error.row),
            field: error.field.map(str::to_owned),
            reason: error.reason,
        }
    }
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn payload(recorded: ingest::Recorded) -> RecordNpsResponsePayload {
    let effects = recorded.effects;
    RecordNpsResponsePayload {
        response: recorded.response.into(),
        created: recorded.created,
        emails_queued: count(effects.emails_queued.len()),
        tasks_created: count(effects.tasks_created.len()),
        members_notified: count(effects.members_notified.len()),
        effects,
    }
}

/// Responses sent by the member calling, named as GraphQL names the fields.
fn source(viewer: &Viewer) -> Source {
    Source {
        workspace_id: viewer.workspace_id,
        actor_id: Some(viewer.member_id),
        names: GRAPHQL_FIELDS,
    }
}

#[derive(Default)]
pub struct IngestMutation;

#[Object]
impl IngestMutation {
    /// Records one NPS response, classifies it and runs the playbooks, all in one
    /// transaction. Idempotent on `externalId`.
    async fn record_nps_response(
        &self,
        ctx: &Context<'_>,
        input: NpsResponseInput,
    ) -> Result<RecordNpsResponsePayload> {
        let viewer = ctx.writer()?;
        let now = ctx.clock()?.now();
        let input = RawResponse::from(input).parse(GRAPHQL_FIELDS, MissingKey::Keep, now)?;
        let recorded = ingest::record(ctx.db()?, source(viewer), input, now).await?;
        if recorded.created {
            let events = live::response_recorded(&recorded.response, &recorded.effects);
            ctx.publisher()?.publish(events).await;
        }
        Ok(payload(recorded))
    }

    /// Imports up to 10,000 responses. Every valid row is stored; every invalid one is
    /// reported by its position. Rows without `externalId` are recognised on re-import by
    /// their content (contact, score, time, survey, comment).
    async fn import_nps_responses(
        &self,
        ctx: &Context<'_>,
        rows: Vec<NpsResponseInput>,
    ) -> Result<ImportNpsResponsesPayload> {
        let viewer = ctx.writer()?;
        let now = ctx.clock()?.now();
        if rows.len() > MAX_IMPORT_ROWS {
            return Err(AppError::bad_input(
                "rows",
                format!("`rows` may hold at most {MAX_IMPORT_ROWS} responses per call"),
            )
            .into());
        }
        let raw = rows.into_iter().map(RawResponse::from);
        let (valid, invalid) = parse_rows(raw, GRAPHQL_FIELDS, now);
        let mut report = ingest::import(ctx.db()?, source(viewer), valid, invalid, now).await?;
        ctx.publisher()?
            .publish(std::mem::take(&mut report.events))
            .await;
        Ok(ImportNpsResponsesPayload {
            stored: count(report.stored),
            duplicates: count(report.duplicates),
            invalid: count(report.invalid.len()),
            errors: report.invalid.into_iter().map(Into::into).collect(),
            projects_started: count(report.effects.projects_started.len()),
            emails_queued: count(report.effects.emails_queued.len()),
            tasks_created: count(report.effects.tasks_created.len()),
        })
    }
}
