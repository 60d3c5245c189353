//! Detractor resolution: what happened after each detractor response of a selection.
//!
//! - *First contact*: the first outbound conversation with the response's contact at or
//!   after the response (any channel, logged by anyone or sent by Closeloop).
//! - *Completion*: the projects the responses triggered (`projects.triggering_response_id`),
//!   how many completed and how long from the response to completion.
//! - *On time*: a completed project met its due dates when it completed at or before the
//!   latest due date of its tasks. Only projects that can no longer change that verdict
//!   count: completed ones, and active ones whose latest due date has passed (late
//!   already). Projects with no due date, and cancelled ones, have no verdict.
//! - *Recovery*: a detractor recovered when the same contact answered a later survey (a
//!   later response not excluded, at any time) as a passive or promoter.
//!
//! Each is one aggregate statement; durations go through [`super::durations`].

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};

use super::durations::{self, DurationStats, HOURS, add_duration_stats, ranked_by_hours};
use super::scope::{Selection, column};
use crate::entities::enums::{ConversationDirection, NpsCategory, ProjectStatus};
use crate::entities::{conversation, nps_response, project, task};
use crate::error::AppResult;

/// The derived table of the selection's detractor responses.
const DETRACTORS: &str = "detractor";

/// How soon detractors were reached.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FirstContact {
    /// Detractor responses of the selection.
    pub detractors: i64,
    /// `hours.measured` of them were reached; the durations run from the response.
    pub hours: DurationStats,
}

/// What became of the projects detractor responses triggered.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Completion {
    pub projects: i64,
    pub completed: i64,
    pub active: i64,
    pub cancelled: i64,
    /// Projects with a verdict on their due dates (see the module doc).
    pub judged: i64,
    /// Those of them completed at or before their latest task due date.
    pub on_time: i64,
    /// From the response to the project's completion, over completed projects.
    pub hours: DurationStats,
}

/// How many detractors answered again, and how many of them no longer as detractors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Recovery {
    pub detractors: i64,
    /// Answered a later survey, whatever the score.
    pub resurveyed: i64,
    /// Answered a later survey as a passive or promoter.
    pub recovered: i64,
}

/// The selection's detractor responses, with no columns chosen yet.
fn detractor_responses(selection: &Selection) -> SelectStatement {
    Query::select()
        .from(nps_response::Entity)
        .cond_where(selection.responses())
        .and_where(column(nps_response::Column::Category).eq(NpsCategory::Detractor))
        .to_owned()
}

/// The selection's detractor responses: their id, contact and answer time.
fn detractors(selection: &Selection) -> SelectStatement {
    let mut detractors = detractor_responses(selection);
    for (name, response_column) in [
        ("response_id", nps_response::Column::Id),
        ("contact_id", nps_response::Column::ContactId),
        ("responded_at", nps_response::Column::RespondedAt),
    ] {
        detractors.expr_as(column(response_column), Alias::new(name));
    }
    detractors
}

/// The ids of the selection's detractor responses.
pub(super) fn detractor_ids(selection: &Selection) -> SelectStatement {
    let mut ids = detractor_responses(selection);
    ids.expr(column(nps_response::Column::Id));
    ids
}

fn detractor(column: &'static str) -> Expr {
    Expr::col((Alias::new(DETRACTORS), Alias::new(column)))
}

#[derive(FromQueryResult)]
struct FirstContactRow {
    detractors: i64,
    #[sea_orm(nested)]
    hours: DurationStats,
}

pub async fn first_contact(
    db: &impl ConnectionTrait,
    selection: &Selection,
) -> AppResult<FirstContact> {
    let backend = db.get_database_backend();
    let durations = Query::select()
        .expr_as(
            durations::hours_between(
                backend,
                detractor("responded_at"),
                first_outbound(selection).into(),
            ),
            Alias::new(HOURS),
        )
        .from_subquery(detractors(selection), Alias::new(DETRACTORS))
        .to_owned();

    let mut query = ranked_by_hours(durations);
    query.expr_as(Func::count(Expr::col(Asterisk)), Alias::new("detractors"));
    add_duration_stats(&mut query);
    let row = FirstContactRow::find_by_statement(backend.build(&query))
        .one(db)
        .await?;
    Ok(row.map_or_else(FirstContact::default, |row| FirstContact {
        detractors: row.detractors,
        hours: row.hours.rounded(),
    }))
}

/// When the detractor's contact was first written to or called at or after the response.
fn first_outbound(selection: &Selection) -> SelectStatement {
    Query::select()
        .expr(Func::min(Expr::col(conversation::Column::OccurredAt)))
        .from(conversation::Entity)
        .and_where(Expr::col(conversation::Column::WorkspaceId).eq(selection.workspace_id))
        .and_where(
            Expr::col(conversation::Column::ContactId)
                .equals((Alias::new(DETRACTORS), Alias::new("contact_id"))),
        )
        .and_where(Expr::col(conversation::Column::Direction).eq(ConversationDirection::Outbound))
        .and_where(Expr::col(conversation::Column::OccurredAt).gte(detractor("responded_at")))
        .to_owned()
}

#[derive(FromQueryResult)]
struct CompletionRow {
    projects: i64,
    completed: Option<i64>,
    active: Option<i64>,
    cancelled: Option<i64>,
    judged: Option<i64>,
    on_time: Option<i64>,
    #[sea_orm(nested)]
    hours: DurationStats,
}

/// `now` decides which active projects are already late.
pub async fn completion(
    db: &impl ConnectionTrait,
    selection: &Selection,
    now: DateTime<Utc>,
) -> AppResult<Completion> {
    let backend = db.get_database_backend();
    let mut query = ranked_by_hours(triggered_projects(backend, selection));
    query.expr_as(Func::count(Expr::col(Asterisk)), Alias::new("projects"));
    for (name, condition) in completion_counts(now) {
        query.expr_as(
            Func::sum(Expr::case(condition, 1).finally(0)),
            Alias::new(name),
        );
    }
    add_duration_stats(&mut query);

    let row = CompletionRow::find_by_statement(backend.build(&query))
        .one(db)
        .await?;
    Ok(row.map_or_else(Completion::default, |row| Completion {
        projects: row.projects,
        completed: row.completed.unwrap_or(0),
        active: row.active.unwrap_or(0),
        cancelled: row.cancelled.unwrap_or(0),
        judged: row.judged.unwrap_or(0),
        on_time: row.on_time.unwrap_or(0),
        hours: row.hours.rounded(),
    }))
}

/// The projects the detractor responses triggered: status, completion, the hours from
/// response to completion and the latest due date of their tasks (`due_by`).
///
/// It scans the workspace's projects (far fewer than responses) and keeps those whose
/// response is among the detractors; `triggering_response_id` has no index, and a join
/// that SQLite drove from the responses took seconds with 30,000 of them.
fn triggered_projects(backend: DbBackend, selection: &Selection) -> SelectStatement {
    let project_column = |column: project::Column| Expr::col((project::Entity, column));
    let triggering = || (project::Entity, project::Column::TriggeringResponseId);
    let latest_due = Query::select()
        .expr(Func::max(Expr::col(task::Column::DueAt)))
        .from(task::Entity)
        .and_where(Expr::col(task::Column::WorkspaceId).eq(selection.workspace_id))
        .and_where(
            Expr::col(task::Column::ProjectId).equals((project::Entity, project::Column::Id)),
        )
        .to_owned();
    let responded_at = Query::select()
        .expr(column(nps_response::Column::RespondedAt))
        .from(nps_response::Entity)
        .and_where(column(nps_response::Column::Id).equals(triggering()))
        .to_owned();
    let completed_at = project_column(project::Column::CompletedAt);
    Query::select()
        .expr_as(
            project_column(project::Column::Status),
            Alias::new("status"),
        )
        .expr_as(completed_at.clone(), Alias::new("completed_at"))
        .expr_as(
            durations::hours_between(backend, responded_at.into(), completed_at),
            Alias::new(HOURS),
        )
        .expr_as(latest_due, Alias::new("due_by"))
        .from(project::Entity)
        .and_where(project_column(project::Column::WorkspaceId).eq(selection.workspace_id))
        .and_where(Expr::col(triggering()).in_subquery(detractor_ids(selection)))
        .to_owned()
}

/// The counted columns of [`Completion`], each a condition on a triggered project.
fn completion_counts(now: DateTime<Utc>) -> [(&'static str, Expr); 5] {
    let status = || Expr::col(Alias::new("status"));
    let due_by = || Expr::col(Alias::new("due_by"));
    let completed = || status().eq(ProjectStatus::Completed);
    let on_time = completed()
        .and(due_by().is_not_null())
        .and(Expr::col(Alias::new("completed_at")).lte(due_by()));
    let late_already = status().eq(ProjectStatus::Active).and(due_by().lt(now));
    let judged = due_by().is_not_null().and(completed().or(late_already));
    [
        ("completed", completed()),
        ("active", status().eq(ProjectStatus::Active)),
        ("cancelled", status().eq(ProjectStatus::Cancelled)),
        ("judged", judged),
        ("on_time", on_time),
    ]
}

#[derive(FromQueryResult)]
struct RecoveryRow {
    detractors: i64,
    resurveyed: Option<i64>,
    recovered: Option<i64>,
}

pub async fn recovery(db: &impl ConnectionTrait, selection: &Selection) -> AppResult<Recovery> {
    let backend = db.get_database_backend();
    let recovered_categories = [NpsCategory::Passive, NpsCategory::Promoter];
    let mut recovered = later_responses(selection);
    recovered.and_where(
        Expr::col((Alias::new("later"), nps_response::Column::Category))
            .is_in(recovered_categories),
    );
    let query = Query::select()
        .expr_as(Func::count(Expr::col(Asterisk)), Alias::new("detractors"))
        .expr_as(
            counted(Expr::exists(later_responses(selection))),
            Alias::new("resurveyed"),
        )
        .expr_as(counted(Expr::exists(recovered)), Alias::new("recovered"))
        .from_subquery(detractors(selection), Alias::new(DETRACTORS))
        .to_owned();

    let row = RecoveryRow::find_by_statement(backend.build(&query))
        .one(db)
        .await?;
    Ok(row.map_or_else(Recovery::default, |row| Recovery {
        detractors: row.detractors,
        resurveyed: row.resurveyed.unwrap_or(0),
        recovered: row.recovered.unwrap_or(0),
    }))
}

/// How many rows meet `condition`.
fn counted(condition: Expr) -> Expr {
    Func::sum(Expr::case(condition, 1).finally(0)).into()
}

/// The contact's responses after the detractor response, excluded ones left out.
fn later_responses(selection: &Selection) -> SelectStatement {
    let later = |column: nps_response::Column| Expr::col((Alias::new("later"), column));
    Query::select()
        .expr(Expr::val(1))
        .from_as(nps_response::Entity, Alias::new("later"))
        .and_where(later(nps_response::Column::WorkspaceId).eq(selection.workspace_id))
        .and_where(
            later(nps_response::Column::ContactId)
                .equals((Alias::new(DETRACTORS), Alias::new("contact_id"))),
        )
        .and_where(later(nps_response::Column::RespondedAt).gt(detractor("responded_at")))
        .and_where(later(nps_response::Column::ExcludedAt).is_null())
        .to_owned()
}
