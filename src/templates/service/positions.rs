//! Keeping the positions of siblings (the milestones of a template, the task templates of
//! a milestone) contiguous from 0 through inserts, removals and reorders.

use std::collections::HashSet;

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// A sibling as it is stored: its id and current position.
pub(super) type Slot = (Uuid, i32);

/// Where a new item goes among `count` siblings: at `requested` (0 to `count`), or last.
pub(super) fn insertion_index(requested: Option<i32>, count: usize) -> AppResult<usize> {
    let Some(requested) = requested else {
        return Ok(count);
    };
    usize::try_from(requested)
        .ok()
        .filter(|index| *index <= count)
        .ok_or_else(|| {
            AppError::bad_input(
                "position",
                format!("`position` must be between 0 and {count}"),
            )
        })
}

/// Puts `new` at `index` among `siblings` (already in order).
pub(super) fn inserted(mut siblings: Vec<Slot>, index: usize, new: Slot) -> Vec<Slot> {
    siblings.insert(index.min(siblings.len()), new);
    siblings
}

/// The siblings in the requested order, refused unless `requested` names every current
/// sibling exactly once.
pub(super) fn reordered(
    field: &'static str,
    current: &[Slot],
    requested: &[Uuid],
) -> AppResult<Vec<Slot>> {
    let distinct: HashSet<Uuid> = requested.iter().copied().collect();
    let refused = || {
        AppError::bad_input(
            field,
            format!("`{field}` must list each of the current ids exactly once"),
        )
    };
    if distinct.len() != requested.len() || requested.len() != current.len() {
        return Err(refused());
    }
    requested
        .iter()
        .map(|id| {
            current
                .iter()
                .find(|(sibling, _)| sibling == id)
                .copied()
                .ok_or_else(refused)
        })
        .collect()
}

/// Gives each row its index in `ordered` as its position, writing only the rows that moved.
pub(super) async fn renumber<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id_column: E::Column,
    position_column: E::Column,
    ordered: &[Slot],
) -> AppResult<()> {
    for (index, (id, current)) in ordered.iter().enumerate() {
        let target = position(index)?;
        if *current != target {
            E::update_many()
                .col_expr(position_column, Expr::value(target))
                .filter(id_column.eq(*id))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// A position as stored, from an index that is bounded by the number of siblings.
pub(super) fn position(index: usize) -> AppResult<i32> {
    i32::try_from(index).map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reorder_must_name_every_sibling_once() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let current = [(a, 0), (b, 1)];

        assert_eq!(
            reordered("ids", &current, &[b, a]).ok(),
            Some(vec![(b, 1), (a, 0)])
        );
        assert!(reordered("ids", &current, &[a]).is_err());
        assert!(reordered("ids", &current, &[a, a]).is_err());
        assert!(reordered("ids", &current, &[a, c]).is_err());
    }

    #[test]
    fn new_items_go_last_unless_placed() {
        assert_eq!(insertion_index(None, 3).ok(), Some(3));
        assert_eq!(insertion_index(Some(0), 3).ok(), Some(0));
        assert!(insertion_index(Some(4), 3).is_err());
        assert!(insertion_index(Some(-1), 3).is_err());
    }
}
