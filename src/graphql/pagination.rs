//! Relay-style cursor connections with a bounded page size.
//!
//! Lists are ordered by id (UUID v7, so creation order) and paged by keyset: a cursor is
//! the opaque form of the last id seen, so pages stay stable while rows are added.

use async_graphql::OutputType;
use async_graphql::connection::{Connection, Edge};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

pub const DEFAULT_PAGE_SIZE: i32 = 20;
pub const MAX_PAGE_SIZE: i32 = 100;

/// A validated request for one page.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub size: u64,
    pub after: Option<Uuid>,
}

impl Page {
    /// Checks `first` (1–100, default 20) and decodes `after`.
    pub fn new(first: Option<i32>, after: Option<&str>) -> AppResult<Page> {
        let size = first.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(AppError::bad_input(
                "first",
                format!("`first` must be between 1 and {MAX_PAGE_SIZE}"),
            ));
        }
        let after = after.map(decode_cursor).transpose()?;
        Ok(Page {
            size: u64::try_from(size).unwrap_or(20),
            after,
        })
    }

    /// How many rows to fetch: one more than the page, to learn whether another follows.
    pub fn fetch_limit(&self) -> u64 {
        self.size + 1
    }
}

/// The cost of a list field for the complexity limit: its page size times its children.
pub fn list_cost(first: Option<i32>, child: usize) -> usize {
    let size = first.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
    usize::try_from(size)
        .unwrap_or(1)
        .saturating_mul(child.max(1))
}

pub fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_cursor(cursor: &str) -> AppResult<Uuid> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| AppError::bad_input("after", "`after` is not a cursor this API issued"))
}

/// Builds a connection from rows fetched with [`Page::fetch_limit`], in id order.
pub fn connection<Row, Node: OutputType>(
    mut rows: Vec<Row>,
    page: Page,
    id_of: impl Fn(&Row) -> Uuid,
    to_node: impl Fn(Row) -> Node,
) -> Connection<String, Node> {
    let limit = usize::try_from(page.size).unwrap_or(usize::MAX);
    let has_next = rows.len() > limit;
    rows.truncate(limit);

    let mut connection = Connection::new(page.after.is_some(), has_next);
    connection.edges.extend(
        rows.into_iter()
            .map(|row| Edge::new(encode_cursor(id_of(&row)), to_node(row))),
    );
    connection
}

/// Applies a page to a query: rows after the cursor, in id order, one more than the page.
pub fn paged<E: sea_orm::EntityTrait>(
    select: sea_orm::Select<E>,
    id: E::Column,
    page: Page,
) -> sea_orm::Select<E> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};

    let select = match page.after {
        Some(after) => select.filter(id.gt(after)),
        None => select,
    };
    select.order_by_asc(id).limit(page.fetch_limit())
}
