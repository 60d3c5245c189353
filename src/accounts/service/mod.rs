//! Finding, listing, creating, changing and deleting accounts.

mod belongs;
mod create;
mod update;

pub use belongs::{ensure_contact_of, ensure_project_of};
pub use create::{NewAccount, account_activity, create, delete};
pub use update::{AccountChanges, note_change, update};

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::account;
use crate::error::{AppError, AppResult};
use crate::graphql::pagination::{Page, paged};
use crate::values::Name;

/// Monthly recurring revenue in cents: never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MrrCents(i64);

impl MrrCents {
    pub fn parse(field: &'static str, raw: i64) -> AppResult<Self> {
        if raw < 0 {
            return Err(AppError::bad_input(
                field,
                format!("`{field}` must not be negative"),
            ));
        }
        Ok(MrrCents(raw))
    }

    pub fn cents(self) -> i64 {
        self.0
    }
}

/// Which accounts to list; every filter given must match.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub owner_id: Option<Uuid>,
    pub segment: Option<Name>,
    /// Part of the name, matched without regard to case.
    pub search: Option<Name>,
}

pub async fn find(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    id: Uuid,
) -> AppResult<account::Model> {
    account::Entity::find_by_id(id)
        .filter(account::Column::WorkspaceId.eq(workspace_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("account"))
}

pub async fn find_by_external_id(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    external_id: &str,
) -> AppResult<Option<account::Model>> {
    Ok(account::Entity::find()
        .filter(account::Column::WorkspaceId.eq(workspace_id))
        .filter(account::Column::ExternalId.eq(external_id))
        .one(db)
        .await?)
}

pub async fn list(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    filter: AccountFilter,
    page: Page,
) -> AppResult<Vec<account::Model>> {
    let mut select = account::Entity::find().filter(account::Column::WorkspaceId.eq(workspace_id));
    if let Some(owner_id) = filter.owner_id {
        select = select.filter(account::Column::OwnerId.eq(owner_id));
    }
    if let Some(segment) = filter.segment {
        select = select.filter(account::Column::Segment.eq(segment.into_inner()));
    }
    if let Some(search) = filter.search {
        let name = Expr::expr(Func::lower(Expr::col(account::Column::Name)));
        select = select.filter(name.like(contains_pattern(search.as_str())));
    }
    Ok(paged(select, account::Column::Id, page).all(db).await?)
}

/// A `LIKE` pattern matching names that contain `text` (lower-cased), with the pattern's
/// own wildcards escaped so that `50%` means the characters "50%".
fn contains_pattern(text: &str) -> LikeExpr {
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape('\\')
}
