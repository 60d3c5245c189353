//! After the project: of the projects the selection's detractor responses started, how many
//! completed ones got their follow-up email, and how many were followed by a new answer of
//! the same contact linked to them (`nps_responses.follows_project_id`), and how many of
//! those answers were no longer detractor scores. It is the project's view of recovery:
//! [`super::resolution::recovery`] counts every later answer of the contact, this counts
//! the answers that came after a project and tell about it.

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult};

use super::resolution::detractor_ids;
use super::scope::Selection;
use crate::entities::enums::{FollowUpStatus, NpsCategory, ProjectStatus};
use crate::entities::{follow_up, nps_response, project};
use crate::error::AppResult;

/// What became of the detractor projects after they completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AfterProjects {
    /// Projects the selection's detractor responses started, in any state.
    pub projects: i64,
    pub completed: i64,
    /// Projects whose follow-up email was sent.
    pub followed_up: i64,
    /// Projects with at least one later response of their contact linked to them.
    pub answered_again: i64,
    /// Projects with a linked later response that was a passive or promoter score.
    pub recovered: i64,
}

#[derive(FromQueryResult)]
struct AfterProjectsRow {
    projects: i64,
    completed: Option<i64>,
    followed_up: Option<i64>,
    answered_again: Option<i64>,
    recovered: Option<i64>,
}

pub async fn after_projects(
    db: &impl ConnectionTrait,
    selection: &Selection,
) -> AppResult<AfterProjects> {
    let backend = db.get_database_backend();
    let project_column = |column: project::Column| Expr::col((project::Entity, column));
    let recovered = linked(selection)
        .and_where(
            Expr::col((nps_response::Entity, nps_response::Column::Category))
                .is_in([NpsCategory::Passive, NpsCategory::Promoter]),
        )
        .to_owned();
    let query = Query::select()
        .expr_as(Func::count(Expr::col(Asterisk)), Alias::new("projects"))
        .expr_as(
            counted(project_column(project::Column::Status).eq(ProjectStatus::Completed)),
            Alias::new("completed"),
        )
        .expr_as(
            counted(Expr::exists(sent(selection))),
            Alias::new("followed_up"),
        )
        .expr_as(
            counted(Expr::exists(linked(selection))),
            Alias::new("answered_again"),
        )
        .expr_as(counted(Expr::exists(recovered)), Alias::new("recovered"))
        .from(project::Entity)
        .and_where(project_column(project::Column::WorkspaceId).eq(selection.workspace_id))
        .and_where(
            project_column(project::Column::TriggeringResponseId)
                .in_subquery(detractor_ids(selection)),
        )
        .to_owned();

    let row = AfterProjectsRow::find_by_statement(backend.build(&query))
        .one(db)
        .await?;
    Ok(
        row.map_or_else(AfterProjects::default, |row| AfterProjects {
            projects: row.projects,
            completed: row.completed.unwrap_or(0),
            followed_up: row.followed_up.unwrap_or(0),
            answered_again: row.answered_again.unwrap_or(0),
            recovered: row.recovered.unwrap_or(0),
        }),
    )
}

/// How many rows meet `condition`.
fn counted(condition: Expr) -> Expr {
    Func::sum(Expr::case(condition, 1).finally(0)).into()
}

/// The responses linked to the outer project, excluded ones left out.
fn linked(selection: &Selection) -> SelectStatement {
    let response = |column: nps_response::Column| Expr::col((nps_response::Entity, column));
    Query::select()
        .expr(Expr::val(1))
        .from(nps_response::Entity)
        .and_where(response(nps_response::Column::WorkspaceId).eq(selection.workspace_id))
        .and_where(
            response(nps_response::Column::FollowsProjectId)
                .equals((project::Entity, project::Column::Id)),
        )
        .and_where(response(nps_response::Column::ExcludedAt).is_null())
        .to_owned()
}

/// The outer project's follow-up, if it was sent.
fn sent(selection: &Selection) -> SelectStatement {
    let follow_up = |column: follow_up::Column| Expr::col((follow_up::Entity, column));
    Query::select()
        .expr(Expr::val(1))
        .from(follow_up::Entity)
        .and_where(follow_up(follow_up::Column::WorkspaceId).eq(selection.workspace_id))
        .and_where(
            follow_up(follow_up::Column::ProjectId).equals((project::Entity, project::Column::Id)),
        )
        .and_where(follow_up(follow_up::Column::Status).eq(FollowUpStatus::Sent))
        .to_owned()
}
