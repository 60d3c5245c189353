//! The batched reads behind the loaders of accounts, contacts and NPS responses: rows by
//! id, and the first rows of each parent in one statement (the contacts of each account on
//! a page, the latest response of each contact).
//!
//! Rows are numbered within their parent with `ROW_NUMBER() OVER (PARTITION BY …)`, which
//! SQLite (3.25 and later) and PostgreSQL both run, and only the first `limit` of each
//! parent are kept, so a batch of 100 parents costs one bounded query.

use std::collections::HashMap;

use async_graphql::OutputType;
use async_graphql::connection::Connection;
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, Result};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query, WindowStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryTrait};
use uuid::Uuid;

use crate::error::AppResult;
use crate::graphql::loaders::Scope;
use crate::graphql::pagination::{self, Page};
use crate::templates::service::group_by;

const RANK: &str = "row_rank";

/// The columns that tie a child row to its workspace and its parent.
pub struct Family<E: EntityTrait> {
    pub workspace: E::Column,
    pub parent: E::Column,
    pub id: E::Column,
    /// Reads the parent id of a loaded row.
    pub parent_of: fn(&E::Model) -> Uuid,
}

/// The rows with these ids (in `id`) of the scope's workspace (in `workspace`), each
/// turned into its id and value by `keyed`.
pub async fn by_ids<E: EntityTrait, T>(
    scope: &Scope,
    [workspace, id]: [E::Column; 2],
    ids: &[Uuid],
    keyed: impl Fn(E::Model) -> (Uuid, T),
) -> AppResult<HashMap<Uuid, T>> {
    let rows = E::find()
        .filter(workspace.eq(scope.workspace_id))
        .filter(id.is_in(ids.iter().copied()))
        .all(&scope.db)
        .await?;
    Ok(rows.into_iter().map(keyed).collect())
}

/// The first `limit` rows of each of `parents` in `order` (only rows whose id is after
/// `after`, when given), parent by parent.
pub async fn first_per_parent<E: EntityTrait>(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    family: &Family<E>,
    parents: &[Uuid],
    order: &[(E::Column, Order)],
    after: Option<Uuid>,
    limit: u64,
) -> AppResult<HashMap<Uuid, Vec<E::Model>>> {
    let mut select = E::find()
        .filter(family.workspace.eq(workspace_id))
        .filter(family.parent.is_in(parents.iter().copied()));
    if let Some(after) = after {
        select = select.filter(family.id.gt(after));
    }

    let mut window = WindowStatement::partition_by(family.parent);
    for (column, direction) in order {
        window.order_by(*column, direction.clone());
    }
    let mut ranked = select.into_query();
    ranked.expr_window_as(Expr::cust("ROW_NUMBER()"), window, Alias::new(RANK));

    let outer = Query::select()
        .column(Asterisk)
        .from_subquery(ranked, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new(RANK)).lte(limit))
        .order_by(family.parent, Order::Asc)
        .order_by(Alias::new(RANK), Order::Asc)
        .to_owned();
    let statement = db.get_database_backend().build(&outer);
    let rows = E::find().from_raw_sql(statement).all(db).await?;
    Ok(group_by(rows, family.parent_of, |row| row))
}

/// One page of one parent's children, as a nested connection field asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChildPage {
    pub parent: Uuid,
    pub after: Option<Uuid>,
    pub size: u64,
}

impl ChildPage {
    pub fn new(parent: Uuid, page: Page) -> Self {
        ChildPage {
            parent,
            after: page.after,
            size: page.size,
        }
    }

    /// Whether this is the page `page` asks for.
    pub fn asks_for(&self, page: Page) -> bool {
        self.shape() == (page.after, page.size)
    }

    /// What the page asks for, whoever the parent.
    fn shape(&self) -> (Option<Uuid>, u64) {
        (self.after, self.size)
    }
}

/// Loads the pages asked for in id order, with one row past each page (see
/// [`Page::fetch_limit`]). Keys asking for the same page shape share one statement, so a
/// batch of nested lists costs one query.
pub async fn load_pages<E: EntityTrait>(
    db: &impl ConnectionTrait,
    workspace_id: Uuid,
    family: &Family<E>,
    keys: &[ChildPage],
) -> AppResult<HashMap<ChildPage, Vec<E::Model>>> {
    let mut shapes: Vec<(Option<Uuid>, u64)> = keys.iter().map(ChildPage::shape).collect();
    shapes.sort();
    shapes.dedup();

    let mut pages = HashMap::new();
    for (after, size) in shapes {
        let parents: Vec<Uuid> = keys
            .iter()
            .filter(|key| key.shape() == (after, size))
            .map(|key| key.parent)
            .collect();
        let order = [(family.id, Order::Asc)];
        let limit = Page { after, size }.fetch_limit();
        let mut rows =
            first_per_parent(db, workspace_id, family, &parents, &order, after, limit).await?;
        for parent in parents {
            pages.insert(
                ChildPage {
                    parent,
                    after,
                    size,
                },
                rows.remove(&parent).unwrap_or_default(),
            );
        }
    }
    Ok(pages)
}

/// A page of one parent's children through the request's loader `L`, batched with the
/// other parents of the request, as a connection.
pub async fn child_page<L, Row, Node>(
    ctx: &Context<'_>,
    parent: Uuid,
    page: Page,
    id_of: impl Fn(&Row) -> Uuid,
    to_node: impl Fn(Row) -> Node,
) -> Result<Connection<String, Node>>
where
    L: Loader<ChildPage, Value = Vec<Row>, Error = async_graphql::Error>,
    Row: Send + Sync + Clone + 'static,
    Node: OutputType,
{
    let loader = ctx.data::<DataLoader<L>>()?;
    let rows = loader
        .load_one(ChildPage::new(parent, page))
        .await?
        .unwrap_or_default();
    Ok(pagination::connection(rows, page, id_of, to_node))
}
