//! What a report covers: a scope of accounts and a window of answer times.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query};
use uuid::Uuid;

use crate::entities::{account, nps_response};
use crate::error::{AppError, AppResult};
use crate::values::Name;

/// The longest window a report may cover: five years, leap days included. It bounds the
/// number of weekly trend buckets (about 260) and the rows one report reads.
pub const MAX_WINDOW_DAYS: i64 = 5 * 366;

/// Whose responses a report counts. Segments and owners are matched on the accounts as
/// they are now, not as they were when the responses arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Workspace,
    Account(Uuid),
    /// Accounts whose segment is exactly this label.
    Segment(Name),
    /// Accounts this team member owns.
    Owner(Uuid),
}

/// Answer times `from` (included) to `to` (excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Window {
    /// Refuses a window that ends before it starts, is empty or is longer than
    /// [`MAX_WINDOW_DAYS`].
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> AppResult<Window> {
        if to <= from {
            return Err(AppError::bad_input("to", "`to` must be after `from`"));
        }
        if to - from > Duration::days(MAX_WINDOW_DAYS) {
            return Err(AppError::bad_input(
                "to",
                format!(
                    "the window from `from` to `to` must be at most {MAX_WINDOW_DAYS} days (5 years)"
                ),
            ));
        }
        Ok(Window { from, to })
    }
}

/// A checked scope and window of one workspace: every report query starts from it.
#[derive(Debug, Clone)]
pub struct Selection {
    pub workspace_id: Uuid,
    pub scope: Scope,
    pub window: Window,
}

impl Selection {
    /// Checks that the scope's account or team member is the workspace's (`NOT_FOUND`
    /// otherwise, as everywhere). An unknown segment is simply empty.
    pub async fn new(
        db: &impl sea_orm::ConnectionTrait,
        workspace_id: Uuid,
        scope: Scope,
        window: Window,
    ) -> AppResult<Selection> {
        match scope {
            Scope::Account(id) => {
                crate::accounts::service::find(db, workspace_id, id).await?;
            }
            Scope::Owner(id) => {
                crate::members::service::find(db, workspace_id, id).await?;
            }
            Scope::Workspace | Scope::Segment(_) => {}
        }
        Ok(Selection {
            workspace_id,
            scope,
            window,
        })
    }

    /// The responses of the scope answered in the window, excluded ones left out, as a
    /// condition on `nps_responses` (columns qualified by the table name).
    pub fn responses(&self) -> Condition {
        Condition::all()
            .add(self.accounts())
            .add(column(nps_response::Column::ExcludedAt).is_null())
            .add(column(nps_response::Column::RespondedAt).gte(self.window.from))
            .add(column(nps_response::Column::RespondedAt).lt(self.window.to))
    }

    /// The workspace's responses of the scope's accounts, at any time.
    fn accounts(&self) -> Condition {
        let workspace = column(nps_response::Column::WorkspaceId).eq(self.workspace_id);
        let account_column = column(nps_response::Column::AccountId);
        let narrowed = match &self.scope {
            Scope::Workspace => return Condition::all().add(workspace),
            Scope::Account(id) => account_column.eq(*id),
            Scope::Segment(segment) => account_column.in_subquery(
                self.accounts_where(Expr::col(account::Column::Segment).eq(segment.as_str())),
            ),
            Scope::Owner(id) => account_column
                .in_subquery(self.accounts_where(Expr::col(account::Column::OwnerId).eq(*id))),
        };
        Condition::all().add(workspace).add(narrowed)
    }

    fn accounts_where(&self, filter: Expr) -> sea_orm::sea_query::SelectStatement {
        Query::select()
            .column(account::Column::Id)
            .from(account::Entity)
            .and_where(Expr::col(account::Column::WorkspaceId).eq(self.workspace_id))
            .and_where(filter)
            .to_owned()
    }
}

/// A column of `nps_responses`, qualified so it stays unambiguous inside joins and
/// correlated subqueries.
pub fn column(column: nps_response::Column) -> Expr {
    Expr::col((nps_response::Entity, column))
}
